"""The marketplace: listings of vendor organizations and the provisions (purchases, trials, interests) of the
organizations that buy them, with the entitlements a vendor provisions to a purchaser and the purchaser to its
members.

Who may act (the ArcGIS REST documentation's rules, with the fake's privilege strings):
- vendor side (list, unlist, vendor purchases, org entitlements, delete provision, customers): the item's owner
  for list/unlist, else an administrator of the vendor organization or a member with `marketplace:admin:manage`;
- purchaser side: trials need an administrator or `marketplace:admin:startTrial`; interest and purchases an
  administrator or `marketplace:admin:purchase` ("request purchase information"); user entitlements an
  administrator or `portal:admin:manageLicenses` (and each member may read their own).

Listing properties are not set through the REST API the fake serves (the vendor sets them when it prepares a
listing); tests and seeding set them with `MarketplaceStore.set_listing_properties`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import TOKEN_REQUIRED, Fault, bad_request, forbidden, not_found

if TYPE_CHECKING:
    from .items import ItemRecord, ItemStore
    from .portal import Organization
    from .users import UserRecord, UserStore

DAY_MS = 86_400_000
MAX_USERS_PER_REQUEST = 25
LICENSE_TYPES = ("free", "permanent", "subscription", "perUser", "perOrg", "credits")
LISTING_SORT_FIELDS = ("title", "created", "listingpublisheddate", "type", "owner", "avgrating", "numratings",
                       "numcomments", "numviews")
PROVISION_SORT_FIELDS = {"orgname": "orgname", "created": "created", "enddate": "end_date", "modified": "modified"}
MANAGE = "marketplace:admin:manage"
TRIAL = "marketplace:admin:startTrial"
PURCHASE = "marketplace:admin:purchase"
LICENSES = "portal:admin:manageLicenses"
# customers' `type` filter -> the provision kinds it keeps
PROVISION_TYPES = {
    "REQUEST": {"interest"}, "TRIAL": {"trial"}, "PURCHASE": {"purchase"}, "REQUESTANDTRIAL": {"interest", "trial"},
    "REQUESTANDPURCHASE": {"interest", "purchase"}, "TRIALANDPURCHASE": {"trial", "purchase"},
}


@attrs.define(eq=False)
class ListingProperties:
    license_type: str = "free"
    listing_access: str = "public"
    price_desc: str = ""
    credits_per_transaction: int = 0
    trial_supported: bool = False
    trial_duration: int = 0  # days
    license_by: str = "licenseByOrg"
    listed: bool = False
    published: int = -1

    @property
    def free(self) -> bool:
        return self.license_type == "free"


@attrs.define(eq=False)
class Comment:
    id: str
    owner: str
    comment: str
    created: int


@attrs.define(eq=False)
class Provision:
    item_id: str
    vendor_org_id: str
    purchaser_org_id: str
    purchaser_username: str
    created: int
    modified: int
    start_date: int = -1
    end_date: int = -1
    purchased: bool = False
    trial: bool = False
    interested: bool = False
    tried: bool = False  # a trial was started once (a second one is refused even after it expired)
    provisioned_item_id: str = ""
    subscription_id: str = ""
    max_users: int | None = None
    entitlements: dict[str, int] = attrs.Factory(dict)  # name -> num
    entitlements_modified: int = -1
    users: dict[str, list[str]] = attrs.Factory(dict)  # lower-cased username -> entitlements

    def active(self, now: int) -> bool:
        return self.end_date == -1 or self.end_date > now

    @property
    def kind(self) -> str:
        return "purchase" if self.purchased else "trial" if self.trial else "interest"

    def holds(self, now: int) -> bool:
        """A purchase or trial that still runs: what entitlements need."""
        return (self.purchased or self.trial) and self.active(now)


class MarketplaceStore:
    def __init__(self, *, users: UserStore, items: ItemStore, organizations: Mapping[str, Organization],
                 now: Callable[[], int], new_id: Callable[[], str]) -> None:
        self.users = users
        self.items = items
        self.organizations = organizations
        self.now = now
        self.new_id = new_id
        self.listings: dict[str, ListingProperties] = {}  # item id -> listing properties
        self.provisions: dict[tuple[str, str], Provision] = {}  # (item id, purchaser org id) -> provision
        self.comments: dict[str, list[Comment]] = {}

    # --- listing properties (the fake's Python API) ---------------------------------------------------------

    def set_listing_properties(self, item_id: str, *, license_type: str = "free", listing_access: str = "public",
                               price_desc: str = "", credits_per_transaction: int = 0, trial_supported: bool = False,
                               trial_duration: int = 0, license_by: str = "licenseByOrg") -> ListingProperties:
        if self.items.get(item_id) is None:
            raise not_found("Item")
        if license_type not in LICENSE_TYPES:
            raise bad_request(f"Invalid listing property 'licenseType': '{license_type}'.")
        if listing_access not in ("private", "public"):
            raise bad_request(f"Invalid listing property 'listingAccess': '{listing_access}'.")
        if trial_supported and trial_duration <= 0:
            raise bad_request("Invalid listing property 'trialDuration': a trial needs a positive number of days.")
        if credits_per_transaction < 0:
            raise bad_request("Invalid listing property 'creditsPerTransaction': must not be negative.")
        old = self.listings.get(item_id)
        props = ListingProperties(license_type, listing_access, price_desc, credits_per_transaction, trial_supported,
                                  trial_duration, license_by)
        if old is not None:
            props.listed, props.published = old.listed, old.published
        self.listings[item_id] = props
        return props

    def add_comment(self, item_id: str, owner: str, comment: str) -> Comment:
        if item_id not in self.listings:
            raise not_found("Listing")
        note = Comment(id=self.new_id(), owner=owner, comment=comment, created=self.now())
        self.comments.setdefault(item_id, []).append(note)
        return note

    # --- who is who ---------------------------------------------------------------------------------------------

    def vendor_of(self, item: ItemRecord) -> Organization:
        return self.organizations[item.org_id]

    @staticmethod
    def _may(caller: UserRecord, privilege: str) -> bool:
        return caller.is_full_admin or caller.has(privilege)

    def _require_vendor(self, caller: UserRecord, item: ItemRecord) -> None:
        if caller.org_id != item.org_id or not self._may(caller, MANAGE):
            raise forbidden()

    def _require(self, caller: UserRecord, privilege: str) -> None:
        if not self._may(caller, privilege):
            raise forbidden()

    # --- listing and unlisting ------------------------------------------------------------------------------------

    def set_listed(self, caller: UserRecord, username: str, item_id: str, listed: bool) -> ItemRecord:
        item = self.items.get(item_id)
        if item is None or item.owner.lower() != username.lower() or not self.items.can_view(caller, item):
            raise not_found("Item")
        own = item.owner.lower() == caller.username.lower()
        if not own and not (caller.org_id == item.org_id and caller.is_full_admin):
            raise forbidden()
        props = self.listings.get(item.id)
        if props is None:
            raise bad_request("Unable to list the item: its listing properties have not been specified.")
        if props.listed == listed:
            raise bad_request(f"The item is {'already' if listed else 'not'} listed.")
        props.listed = listed
        if listed:
            props.published = self.now()
        return item

    def listing(self, caller: UserRecord | None, item_id: str) -> tuple[ItemRecord, ListingProperties]:
        """A listed item the caller may see (public listings to all, private ones to the vendor's members)."""
        item = self.items.get(item_id)
        props = self.listings.get(item_id)
        if item is None or props is None or not props.listed or not self._sees(caller, item, props):
            raise not_found("Listing")
        return item, props

    @staticmethod
    def _sees(caller: UserRecord | None, item: ItemRecord, props: ListingProperties) -> bool:
        return props.listing_access == "public" or (caller is not None and caller.org_id == item.org_id)

    def search(self, caller: UserRecord | None, q: str | None, mine: bool, sort_field: str | None,
               sort_order: str | None) -> list[tuple[ItemRecord, ListingProperties]]:
        vendor: str | None = None  # with mylistings: the caller's organization, whose listings are searched
        if mine:
            if caller is None:
                raise Fault(499, TOKEN_REQUIRED, ["mylistings needs a signed-in vendor."])
            self._require(caller, MANAGE)
            vendor = caller.org_id
        words = [w.lower() for w in (q or "").replace("*", " ").split()]
        found = []
        for item_id, props in self.listings.items():
            item = self.items.get(item_id)
            if item is None or not props.listed:
                continue
            if item.org_id != vendor if vendor is not None else props.listing_access != "public":
                continue
            text = " ".join([item.title, item.snippet, item.description, item.type, *item.tags]).lower()
            if all(w in text for w in words):
                found.append((item, props))
        field = (sort_field or "title").strip().lower()
        if field not in LISTING_SORT_FIELDS:
            raise bad_request(f"Invalid parameter 'sortField': '{sort_field}' is not a sort field of listings.")
        found.sort(key=lambda pair: _listing_key(pair, field, len(self.comments.get(pair[0].id, []))),
                   reverse=(sort_order or "asc").lower() == "desc")
        return found

    def listing_comments(self, caller: UserRecord | None, item_id: str) -> list[Comment]:
        self.listing(caller, item_id)
        return list(self.comments.get(item_id, []))

    # --- purchaser side ---------------------------------------------------------------------------------------

    def _purchasable(self, caller: UserRecord, item_id: str) -> tuple[ItemRecord, ListingProperties, Provision | None]:
        item, props = self.listing(caller, item_id)
        if caller.org_id == item.org_id:
            raise bad_request("The vendor's own organization cannot purchase, try or request its listing.")
        return item, props, self.provisions.get((item.id, caller.org_id))

    def _provision(self, item: ItemRecord, purchaser_org: str, username: str) -> Provision:
        key = (item.id, purchaser_org)
        found = self.provisions.get(key)
        if found is None:
            now = self.now()
            found = Provision(item_id=item.id, vendor_org_id=item.org_id, purchaser_org_id=purchaser_org,
                              purchaser_username=username, created=now, modified=now)
            self.provisions[key] = found
        return found

    def start_trial(self, caller: UserRecord, item_id: str) -> Provision:
        self._require(caller, TRIAL)
        item, props, existing = self._purchasable(caller, item_id)
        if not props.trial_supported:
            raise bad_request("This listing does not support trials.")
        now = self.now()
        if existing is not None and existing.purchased and existing.active(now):
            raise bad_request("The listing has already been purchased by your organization.")
        if existing is not None and existing.tried:
            raise bad_request("Your organization has already started a trial of this listing.")
        provision = self._provision(item, caller.org_id, caller.username)
        provision.trial = provision.tried = True
        provision.purchased = False
        provision.start_date, provision.end_date = now, now + props.trial_duration * DAY_MS
        provision.purchaser_username, provision.modified = caller.username, now
        return provision

    def express_interest(self, caller: UserRecord, item_id: str) -> Provision:
        self._require(caller, PURCHASE)
        item, props, existing = self._purchasable(caller, item_id)
        if props.free:
            raise bad_request("Interest cannot be expressed in a free listing; purchase it directly.")
        if existing is not None and existing.purchased and existing.active(self.now()):
            raise bad_request("The listing has already been purchased by your organization.")
        if existing is not None and existing.interested:
            raise bad_request("Your organization has already expressed interest in this listing.")
        provision = self._provision(item, caller.org_id, caller.username)
        provision.interested = True
        provision.modified = self.now()
        return provision

    def purchase(self, caller: UserRecord, item_id: str, *, purchaser_org_id: str | None,
                 provisioned_item_id: str | None, end_date: int | None) -> Provision:
        item = self.items.get(item_id)
        vendor = item is not None and caller.org_id == item.org_id
        now = self.now()
        if vendor:
            assert item is not None
            self._require_vendor(caller, item)
            if item.id not in self.listings:
                raise not_found("Listing")
            if not purchaser_org_id:
                raise bad_request("Invalid parameter 'purchaserOrgId': the vendor must name the purchasing organization.")
            if purchaser_org_id not in self.organizations or purchaser_org_id == item.org_id:
                raise bad_request(f"Invalid parameter 'purchaserOrgId': no purchasing organization '{purchaser_org_id}'.")
            if provisioned_item_id and provisioned_item_id != item.id:
                raise bad_request("Invalid parameter 'provisionedItemId': the item is not related to the listing by "
                                  "Listed2Provisioned.")
            if end_date is not None and end_date <= now:
                raise bad_request("Invalid parameter 'endDate': the end date must be in the future.")
            purchaser = purchaser_org_id
        else:
            self._require(caller, PURCHASE)
            item, props, _ = self._purchasable(caller, item_id)
            if not props.free:
                raise bad_request("A paid listing is purchased through its vendor; express interest instead.")
            purchaser, end_date = caller.org_id, None
        existing = self.provisions.get((item.id, purchaser))
        if existing is not None and existing.purchased and existing.active(now):
            raise bad_request("The listing has already been purchased by this organization.")
        username = (existing.purchaser_username if existing else "") if vendor else caller.username
        provision = self._provision(item, purchaser, username)
        provision.purchased, provision.trial = True, False
        provision.start_date, provision.end_date = now, -1 if end_date is None else end_date
        provision.provisioned_item_id = provisioned_item_id or item.id
        provision.modified = now
        return provision

    def purchases(self, caller: UserRecord, status: str | None) -> list[Provision]:
        if not (self._may(caller, PURCHASE) or caller.has(TRIAL) or caller.has(LICENSES)):
            raise forbidden()
        now = self.now()
        found = [p for p in self.provisions.values() if p.purchaser_org_id == caller.org_id
                 and _status_matches(p, status or "active", now)]
        return sorted(found, key=lambda p: (p.created, p.item_id))

    # --- vendor side ---------------------------------------------------------------------------------------------

    def _vendor_provision(self, caller: UserRecord, item_id: str, purchaser_org_id: str) -> Provision:
        item = self.items.get(item_id)
        if item is None or item.id not in self.listings or not (caller.org_id == item.org_id):
            raise not_found("Listing")
        self._require_vendor(caller, item)
        provision = self.provisions.get((item.id, purchaser_org_id))
        if provision is None:
            raise bad_request(f"The listing has not been provisioned to organization '{purchaser_org_id}'.")
        return provision

    def provision_org_entitlements(self, caller: UserRecord, item_id: str, purchaser_org_id: str,
                                   subscription_id: str | None, org_entitlements: Any) -> Provision:
        provision = self._vendor_provision(caller, item_id, purchaser_org_id)
        now = self.now()
        if not provision.holds(now):
            raise bad_request("The organization has neither purchased nor is trying the listing.")
        max_users, entitlements = _org_entitlements(org_entitlements)
        holders = {u for u, ents in provision.users.items() if ents}
        if len(holders) > max_users:
            raise bad_request(f"Invalid parameter 'orgEntitlements': {len(holders)} members already hold entitlements, "
                              f"more than maxUsers {max_users}.")
        for name, num in entitlements.items():
            holding = sum(name in ents for ents in provision.users.values())
            if holding > num:
                raise bad_request(f"Invalid parameter 'orgEntitlements': {holding} members hold '{name}', more than "
                                  f"its num {num}.")
        provision.max_users, provision.entitlements = max_users, entitlements
        provision.subscription_id = subscription_id or provision.subscription_id
        provision.entitlements_modified = provision.modified = now
        for username, ents in provision.users.items():  # entitlements the vendor withdrew are withdrawn from members
            provision.users[username] = [e for e in ents if e in entitlements]
        return provision

    def delete_provision(self, caller: UserRecord, item_id: str, purchaser_org_id: str) -> Provision:
        provision = self._vendor_provision(caller, item_id, purchaser_org_id)
        del self.provisions[(provision.item_id, provision.purchaser_org_id)]
        return provision

    def customers(self, caller: UserRecord, *, item_id: str | None, orgname: str | None, status: str | None,
                  kind: str | None, modified: int | None, sort_fields: str | None,
                  sort_order: str | None) -> list[Provision]:
        self._require(caller, MANAGE)
        now = self.now()
        kinds = PROVISION_TYPES[(kind or "PURCHASE").upper()]
        found = [
            p for p in self.provisions.values()
            if p.vendor_org_id == caller.org_id and _status_matches(p, status or "all", now) and p.kind in kinds
            and (not item_id or p.item_id == item_id) and (modified is None or p.modified >= modified)
            and (not orgname or orgname.lower() in self.org_name(p.purchaser_org_id).lower())
        ]
        fields = [f.strip().lower() for f in (sort_fields or "created").split(",") if f.strip()]
        for field in fields:
            if field not in PROVISION_SORT_FIELDS:
                raise bad_request(f"Invalid parameter 'sortFields': '{field}' is not a sort field of provisions.")

        def key(p: Provision) -> tuple[Any, ...]:
            values = {"orgname": self.org_name(p.purchaser_org_id).lower(), "created": p.created,
                      "end_date": p.end_date, "modified": p.modified}
            return tuple(values[PROVISION_SORT_FIELDS[f]] for f in fields) + (p.item_id, p.purchaser_org_id)

        return sorted(found, key=key, reverse=(sort_order or "asc").lower() == "desc")

    def org_name(self, org_id: str) -> str:
        org = self.organizations.get(org_id)
        return org.name if org is not None else ""

    # --- user entitlements (purchaser side) ---------------------------------------------------------------------

    def _held(self, caller: UserRecord, item_id: str) -> Provision:
        provision = self.provisions.get((item_id, caller.org_id))
        if provision is None or not provision.holds(self.now()) or provision.max_users is None:
            raise bad_request("item not provisioned")
        return provision

    def provision_user_entitlements(self, caller: UserRecord, item_id: str, request: Any) -> None:
        self._require(caller, LICENSES)
        provision = self._held(caller, item_id)
        users, entitlements = _user_entitlements(request)
        if len(users) > MAX_USERS_PER_REQUEST:
            raise bad_request(f"Invalid parameter 'userEntitlements': at most {MAX_USERS_PER_REQUEST} users per request.")
        members = []
        for name in users:
            user = self.users.get(name)
            if user is None or user.org_id != caller.org_id:
                raise bad_request(f"Invalid parameter 'userEntitlements': '{name}' is not a member of the organization.")
            members.append(user.username.lower())
        unknown = sorted(set(entitlements) - set(provision.entitlements))
        if unknown:
            raise bad_request(f"Invalid parameter 'userEntitlements': entitlements {unknown} were not provisioned.")
        assigned = dict(provision.users)
        for name in members:
            assigned[name] = list(entitlements)
        assigned = {u: e for u, e in assigned.items() if e}
        assert provision.max_users is not None
        if len(assigned) > provision.max_users:
            raise bad_request(f"The organization may provision at most {provision.max_users} users; "
                              f"this request would make {len(assigned)}.")
        for name, num in provision.entitlements.items():
            holding = sum(name in ents for ents in assigned.values())
            if holding > num:
                raise bad_request(f"Only {num} '{name}' entitlements were provisioned; this request would use {holding}.")
        provision.users = assigned
        provision.modified = self.now()

    def user_entitlements(self, caller: UserRecord, item_id: str) -> tuple[Provision, list[str]]:
        self._require(caller, LICENSES)
        provision = self._held(caller, item_id)
        return provision, sorted(provision.users)

    def user_entitlement(self, caller: UserRecord, item_id: str, username: str) -> tuple[Provision, str]:
        user = self.users.get(username)
        if user is None or user.org_id != caller.org_id:
            raise not_found("User", f"No user '{username}' in the caller's organization.")
        if user is not caller and not self._may(caller, LICENSES):
            raise forbidden()
        provision = self.provisions.get((item_id, caller.org_id))
        if provision is None or not provision.holds(self.now()) or not provision.users.get(user.username.lower()):
            raise bad_request(f"The user '{user.username}' has no entitlements to this listing.")
        return provision, user.username.lower()

    def entitled(self, user: UserRecord, include_expired: bool) -> list[tuple[str, str, int, int]]:
        """(item id, title, purchased ms, end date ms or -1) of the listings whose entitlements a member holds."""
        found = []
        for (item_id, org_id), provision in sorted(self.provisions.items()):
            if org_id != user.org_id or not provision.users.get(user.username.lower()):
                continue
            if not (provision.purchased or provision.trial) or not (include_expired or provision.active(self.now())):
                continue
            item = self.items.get(item_id)
            found.append((item_id, item.title if item is not None else "", provision.created, provision.end_date))
        return found

    def forget_item(self, item_id: str) -> None:
        """Drop the listing of a deleted item (its provisions are kept, as purchase records)."""
        self.listings.pop(item_id, None)
        self.comments.pop(item_id, None)

    def snapshot(self) -> Iterable[object]:
        """A comparable summary of the state (tests compare it around refused requests)."""
        return (sorted((i, p.listed, p.license_type) for i, p in self.listings.items()),
                sorted((k, attrs.astuple(p, recurse=False)[:12], sorted(p.entitlements.items()),
                        sorted((u, tuple(e)) for u, e in p.users.items())) for k, p in self.provisions.items()))


def _status_matches(provision: Provision, status: str, now: int) -> bool:
    status = status.lower()
    return status == "all" or (status == "active") == provision.active(now)


def _listing_key(pair: tuple[ItemRecord, ListingProperties], field: str, comments: int) -> tuple[Any, ...]:
    item, props = pair
    values: dict[str, Any] = {"title": item.title.lower(), "created": item.created, "listingpublisheddate": props.published,
                              "type": item.type.lower(), "owner": item.owner.lower(), "avgrating": 0, "numratings": 0,
                              "numcomments": comments, "numviews": item.num_views}
    return values[field], item.id


def _org_entitlements(value: Any) -> tuple[int, dict[str, int]]:
    wrong = "Invalid parameter 'orgEntitlements': expected {\"maxUsers\": N, \"entitlements\": {name: {\"num\": N}}}."
    if not isinstance(value, dict) or not isinstance(value.get("entitlements", {}), dict):
        raise bad_request(wrong)
    max_users = value.get("maxUsers")
    if not isinstance(max_users, int) or isinstance(max_users, bool) or max_users < 0:
        raise bad_request(wrong, "maxUsers must be a whole number, at least 0.")
    entitlements: dict[str, int] = {}
    for name, spec in value.get("entitlements", {}).items():
        num = spec.get("num") if isinstance(spec, dict) else None
        if not name.strip() or not isinstance(num, int) or isinstance(num, bool) or num < 0:
            raise bad_request(wrong, f"Entitlement '{name}' needs a whole, non-negative num.")
        entitlements[name] = num
    return max_users, entitlements


def _user_entitlements(value: Any) -> tuple[list[str], list[str]]:
    wrong = "Invalid parameter 'userEntitlements': expected {\"users\": [...], \"entitlements\": [...]}."
    if not isinstance(value, dict):
        raise bad_request(wrong)
    users, entitlements = value.get("users"), value.get("entitlements", [])
    if entitlements is None:
        entitlements = []
    if not isinstance(users, list) or not users or not all(isinstance(u, str) and u for u in users):
        raise bad_request(wrong, "users must be a non-empty list of user names.")
    if not isinstance(entitlements, list) or not all(isinstance(e, str) and e for e in entitlements):
        raise bad_request(wrong, "entitlements must be a list of entitlement names.")
    return list(dict.fromkeys(users)), list(dict.fromkeys(entitlements))
