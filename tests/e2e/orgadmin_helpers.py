"""A portal with two organizations for the marketplace tests: the home organization is the vendor, "Buyer Org"
purchases. Users (password: `password_of(name)`):

vendor: admin (administrator), vera (publisher, owns the listed items), manny (manages listings:
        marketplace:admin:manage), vic (plain user)
buyer:  bart (administrator), bea (plain user), tess (may start trials), pam (may purchase / request purchase
        information), lara (manages licenses), and members m00..m29 for entitlement limits
"""

from __future__ import annotations

import attrs
from arcgis_typed import PortalClient
from arcgis_typed_fake import FakeArcGIS, ManualClock
from arcgis_typed_fake.state.portal import Organization
from e2e_helpers import client_for, password_of

VENDOR_USERS = {"vera": "org_publisher", "manny": "mkt_manager", "vic": "org_user"}
BUYER_USERS = {"bart": "org_admin", "bea": "org_user", "tess": "mkt_trial", "pam": "mkt_purchase",
               "lara": "lic_manager"}
MEMBERS = [f"m{i:02d}" for i in range(30)]
CUSTOM_ROLES = {
    "mkt_manager": ["portal:user:createItem", "marketplace:admin:manage"],
    "mkt_trial": ["portal:user:joinGroup", "marketplace:admin:startTrial"],
    "mkt_purchase": ["portal:user:joinGroup", "marketplace:admin:purchase"],
    "lic_manager": ["portal:user:joinGroup", "portal:admin:manageLicenses"],
}


@attrs.define
class Market:
    fake: FakeArcGIS
    clock: ManualClock
    buyer: Organization
    paid: str  # a subscription listing with 30-day trials, listed publicly
    free: str  # a free listing, listed publicly
    private: str  # a private paid listing (listed; the vendor's members only)
    unlisted: str  # an item with listing properties, never listed

    def client(self, username: str | None = None) -> PortalClient:
        return client_for(self.fake, username)


def market(seed: int = 7, members: bool = False) -> Market:
    clock = ManualClock()
    fake = FakeArcGIS(admin_password=password_of("admin"), password_iterations=1, seed=seed, clock=clock)
    portal = fake.portal
    for role_id, privileges in CUSTOM_ROLES.items():
        portal.roles.create(role_id, role_id.replace("_", " ").title(), "", portal.now(), privileges)
    buyer = portal.add_organization("Buyer Org")
    for name, role in VENDOR_USERS.items():
        portal.add_user(name, password_of(name), role=role, email=f"{name}@vendor.test")
    for name, role in BUYER_USERS.items():
        portal.add_user(name, password_of(name), role=role, org_id=buyer.id, email=f"{name}@buyer.test")
    for name in MEMBERS if members else []:
        portal.add_user(name, password_of(name), role="org_user", org_id=buyer.id)
    vera = portal.users.require("vera")
    ids = {}
    for title, props in (
        ("Paid app", dict(license_type="subscription", trial_supported=True, trial_duration=30, price_desc="$10")),
        ("Free app", dict(license_type="free")),
        ("Private app", dict(license_type="permanent", listing_access="private")),
        ("Unlisted app", dict(license_type="free")),
    ):
        item = portal.add_item(vera, "vera", title=title, type="Web Mapping Application", tags=["market"],
                               url="https://apps.example.test/" + title.split()[0].lower())
        portal.share_item(vera, item, everyone=None, org=True, groups=[])
        portal.marketplace.set_listing_properties(item.id, **props)  # type: ignore[arg-type]
        if title != "Unlisted app":
            portal.marketplace.set_listed(vera, "vera", item.id, True)
        ids[title.split()[0].lower()] = item.id
    return Market(fake, clock, buyer, ids["paid"], ids["free"], ids["private"], ids["unlisted"])
