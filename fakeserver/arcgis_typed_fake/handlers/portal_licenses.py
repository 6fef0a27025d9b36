"""Handlers of spec/portal/licenses.yaml: user types, a member's user type, app bundles (a member's and the
organization's, and assigning them), provisions, counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from arcgis_typed._runtime.wire import ms_to_datetime
from arcgis_typed.portal.models.licenses import (
    AppBundle,
    AppBundleProvisionResult,
    AppBundlesPage,
    LicenseTypeChange,
    LicenseTypeChanges,
    OrgAppBundle,
    OrgAppBundlesPage,
    ProvisionedListing,
    ProvisionedListingsPage,
    UserCount,
    UserCountsPage,
    UserLicenseType,
    UserLicenseTypeInfo,
    UserLicenseTypesPage,
)
from arcgis_typed.portal.params.licenses import (
    LicensesAppBundlesParams,
    LicensesCountsParams,
    LicensesOrgAppBundlesParams,
    LicensesProvisionedListingsParams,
    LicensesProvisionUserAppBundleParams,
    LicensesUpdateUserLicenseTypeParams,
    LicensesUserLicenseTypeParams,
    LicensesUserLicenseTypesParams,
)

from ..call import Call
from ..registry import handles
from ..state import users as rules
from ..state.licenses import BUNDLES, USER_TYPES, AppBundleDef, UserTypeDef
from ..state.portal import PortalState
from ._paging import window


def user_type_view(state: PortalState, t: UserTypeDef) -> UserLicenseType:
    return UserLicenseType(
        id=t.id, name=t.name, description=t.description, level=t.level, max_users=state.users.licenses.max_users[t.id],
        current_users=sum(1 for u in state.users if u.user_type_id == t.id), max_role=t.max_role,
        privileges=sorted(t.allowed), app_bundles=list(t.bundles), is_esri_default=True,
    )


def bundle_view(b: AppBundleDef) -> AppBundle:
    return AppBundle(id=b.id, name=b.name, description=f"{b.name}: {', '.join(b.apps)}.", abbr=b.abbr,
                     apps=list(b.apps))


@handles("portal:licenses.user_license_types")
def user_license_types(call: Call, p: LicensesUserLicenseTypesParams) -> UserLicenseTypesPage:
    types = list(USER_TYPES.values())
    w = window(p.start, p.num, len(types))
    return UserLicenseTypesPage(
        **w.counts,
        user_license_types=[user_type_view(call.state, t) for t in w.of(types)],
    )


@handles("portal:licenses.user_license_type")
def user_license_type(call: Call, p: LicensesUserLicenseTypeParams) -> UserLicenseTypeInfo:
    user = rules.self_or_user_viewer(call.state, call.user, p.username)
    return UserLicenseTypeInfo(
        username=user.username, user_license_type=user_type_view(call.state, user.user_type),
        app_bundles=[bundle_view(BUNDLES[b]) for b in call.state.users.licenses.bundles_of(user)], apps=[],
    )


@handles("portal:licenses.update_user_license_type")
def update_user_license_type(call: Call, p: LicensesUpdateUserLicenseTypeParams) -> LicenseTypeChanges:
    results = rules.set_user_types(call.state, call.user, list(p.users), p.user_license_type)
    return LicenseTypeChanges(results=[
        LicenseTypeChange(username=name, status=fault is None,
                          error=None if fault is None else {"code": fault.code, "message": fault.message})
        for name, fault in results
    ])


@handles("portal:licenses.app_bundles")
def app_bundles(call: Call, p: LicensesAppBundlesParams) -> AppBundlesPage:
    user = rules.self_or_user_viewer(call.state, call.user, p.username)
    bundles = [BUNDLES[b] for b in call.state.users.licenses.bundles_of(user)]
    w = window(p.start, p.num, len(bundles))
    return AppBundlesPage(**w.counts,
                          app_bundles=[bundle_view(b) for b in w.of(bundles)])


def org_bundle_view(state: PortalState, org_id: str, b: AppBundleDef) -> OrgAppBundle:
    members = [u for u in state.users if u.org_id == org_id]
    licenses = state.users.licenses
    return OrgAppBundle(
        id=b.id, app_bundle_item_id=b.item_id, name=b.name, description=bundle_view(b).description, abbr=b.abbr,
        apps=list(b.apps), user_license_types=[t.id for t in USER_TYPES.values() if b.id in t.bundles],
        current_users=sum(b.id in licenses.bundles_of(u) for u in members),
        assigned_users=sum(b.id in licenses.assigned_bundles(u.username) for u in members),
    )


@handles("portal:licenses.org_app_bundles")
def org_app_bundles(call: Call, p: LicensesOrgAppBundlesParams) -> OrgAppBundlesPage:
    bundles = list(BUNDLES.values())
    w = window(p.start, p.num, len(bundles))
    return OrgAppBundlesPage(
        **w.counts,
        app_bundles=[org_bundle_view(call.state, call.user.org_id, b) for b in w.of(bundles)],
    )


@handles("portal:licenses.provision_user_app_bundle")
def provision_user_app_bundle(call: Call, p: LicensesProvisionUserAppBundleParams) -> AppBundleProvisionResult:
    users = call.state.users
    done = users.licenses.provision_app_bundle(users, call.user, p.id, list(p.users), bool(p.revoke))
    return AppBundleProvisionResult(success=True, users=done)


@handles("portal:licenses.provisioned_listings")
def provisioned_listings(call: Call, p: LicensesProvisionedListingsParams) -> ProvisionedListingsPage:
    user = rules.self_or_user_viewer(call.state, call.user, p.username)
    given = call.state.users.licenses.provisions_of(user.username, call.state.now(), bool(p.include_expired))
    found = [(r.item_id, r.title, r.purchased, r.end_date) for r in given]
    found += call.state.marketplace.entitled(user, bool(p.include_expired))  # user entitlements of purchases
    w = window(p.start, p.num, len(found))
    return ProvisionedListingsPage(
        **w.counts,
        provisioned_listings=[
            ProvisionedListing(item_id=item_id, title=title, purchased=ms_to_datetime(purchased),
                               end_date=ms_to_datetime(end_date) if end_date >= 0 else None)
            for item_id, title, purchased, end_date in w.of(found)
        ],
    )


def _keys(state: PortalState, org_id: str, count_type: str) -> Iterable[str]:
    """One key per member and thing counted (a member with two bundles counts once for each)."""
    for user in (u for u in state.users if u.org_id == org_id):
        if count_type.lower() == "role":
            yield user.role_id
        elif count_type.lower() == "userlicensetype":
            yield user.user_type_id
        else:
            for bundle in state.users.licenses.bundles_of(user):
                if count_type.lower() == "appbundle":
                    yield bundle
                else:
                    yield from BUNDLES[bundle].apps


@handles("portal:licenses.counts")
def counts(call: Call, p: LicensesCountsParams) -> UserCountsPage:
    tally = Counter(_keys(call.state, call.user.org_id, p.count_type))
    ordered = sorted(tally.items())
    w = window(p.start, p.num, len(ordered))
    return UserCountsPage(**w.counts,
                          results=[UserCount(key=k, count=n) for k, n in w.of(ordered)])
