"""User types (license types): what each allows a member's role to grant, the app bundles it includes and
how many members may hold it; and the provisions (marketplace listings) given to members.

The rule every identity operation honours: a member's role may only grant privileges their user type allows
(a Viewer cannot hold a role that creates content). The level a member shows follows their user type."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import TYPE_CHECKING

import attrs

from ..errors import bad_request

if TYPE_CHECKING:
    from .users import UserRecord, UserStore
from .roles import KNOWN_PRIVILEGES, VIEWER_PRIVILEGES, VIEWER_ROLE_ID

LEVEL_1_EXTRAS = ("premium:user:geocode", "premium:user:networkanalysis", "premium:user:demographics",
                  "premium:user:elevation")
VIEWER_ALLOWED = frozenset(VIEWER_PRIVILEGES) | frozenset(LEVEL_1_EXTRAS)
# Contributor (editorUT): views and edits, joins groups, creates none of its own content and administers nothing.
EDITOR_ALLOWED = VIEWER_ALLOWED | {"features:user:edit", "portal:user:shareToGroup"}
ALL_ALLOWED = frozenset(KNOWN_PRIVILEGES)


@attrs.frozen
class AppBundleDef:
    id: str
    name: str
    abbr: str
    apps: tuple[str, ...]

    @property
    def item_id(self) -> str:
        """The id of the bundle's listing (appBundleItemId): stable, 32 hex digits like every item id."""
        return hashlib.md5(f"appBundle:{self.id}".encode(), usedforsecurity=False).hexdigest()


BUNDLES = {
    b.id: b
    for b in (
        AppBundleDef("fieldAppsBundle", "Field Apps Bundle", "FieldApps", ("Collector", "Survey123", "Workforce")),
        AppBundleDef("officeAppsBundle", "Office Apps Bundle", "OfficeApps", ("ArcGIS for Office", "ArcGIS for SharePoint")),
        AppBundleDef("proBundle", "ArcGIS Pro Bundle", "Pro", ("ArcGIS Pro",)),
    )
}


@attrs.frozen
class UserTypeDef:
    id: str
    name: str
    description: str
    level: int
    max_role: str
    allowed: frozenset[str]
    bundles: tuple[str, ...]
    max_users: int = 1000


USER_TYPES = {
    t.id: t
    for t in (
        UserTypeDef("viewerUT", "Viewer", "View content shared with them.", 1, "viewer", VIEWER_ALLOWED, ()),
        UserTypeDef("editorUT", "Contributor", "View and edit data.", 2, "editor", EDITOR_ALLOWED, ("fieldAppsBundle",)),
        UserTypeDef("creatorUT", "Creator", "Create, share and administer content.", 2, "org_admin", ALL_ALLOWED,
                    ("fieldAppsBundle", "officeAppsBundle")),
        UserTypeDef("GISProfessionalStdUT", "GIS Professional Standard", "Creator with ArcGIS Pro Standard.", 2,
                    "org_admin", ALL_ALLOWED, ("fieldAppsBundle", "officeAppsBundle", "proBundle")),
    )
}
ALIASES = {"viewer": "viewerUT", "editor": "editorUT", "contributor": "editorUT", "creator": "creatorUT"}


def bundle_by_item_id(item_id: str) -> AppBundleDef:
    """An app bundle by its appBundleItemId; 400 naming `id` when none has it."""
    found = next((b for b in BUNDLES.values() if b.item_id == item_id.lower()), None)
    if found is None:
        raise bad_request(f"Invalid parameter 'id': '{item_id}' is not the appBundleItemId of an app bundle.")
    return found


def resolve_user_type(name: str, wire: str = "userLicenseType") -> UserTypeDef:
    """A user type by id (any case) or its short name; 400 naming `wire` when unknown."""
    key = ALIASES.get(name.lower(), name)
    found = USER_TYPES.get(key) or next((t for t in USER_TYPES.values() if t.id.lower() == key.lower()), None)
    if found is None:
        raise bad_request(f"Invalid parameter '{wire}': unknown user type '{name}'.")
    return found


def default_user_type(role_id: str) -> UserTypeDef:
    """The user type a new member gets when none is given: Viewer for the built-in Viewer role, else Creator
    (the portal's default user type, which allows every role)."""
    return USER_TYPES["viewerUT"] if role_id == VIEWER_ROLE_ID else USER_TYPES["creatorUT"]


def check_fits(user_type: UserTypeDef, privileges: Iterable[str], role_name: str, wire: str = "role") -> None:
    """400 naming `wire` when the role grants privileges the user type does not allow."""
    beyond = sorted(set(privileges) - user_type.allowed)
    if beyond:
        raise bad_request(
            f"Invalid parameter '{wire}': the role '{role_name}' is not compatible with the user type "
            f"'{user_type.id}'.", *beyond[:10],
        )


@attrs.define(eq=False)
class Provision:
    item_id: str
    title: str
    purchased: int
    end_date: int  # -1: never ends


class LicenseStore:
    """Per-organization license state: the limits of each user type and the provisions given to members."""

    def __init__(self) -> None:
        self.max_users: dict[str, int] = {t.id: t.max_users for t in USER_TYPES.values()}
        self._provisions: dict[str, list[Provision]] = {}  # username (lower) -> provisions
        self._bundles: dict[str, set[str]] = {}  # username (lower) -> app bundles assigned one by one

    def provision(self, username: str, item_id: str, title: str, purchased: int, end_date: int = -1) -> Provision:
        """Give a member a listing (the marketplace's provisioning operations call this)."""
        record = Provision(item_id, title, purchased, end_date)
        self._provisions.setdefault(username.lower(), []).append(record)
        return record

    def provisions_of(self, username: str, now: int, include_expired: bool) -> list[Provision]:
        return [p for p in self._provisions.get(username.lower(), [])
                if include_expired or p.end_date < 0 or p.end_date > now]

    def assigned_bundles(self, username: str) -> list[str]:
        """The app bundles assigned to a member one by one, in the order of BUNDLES."""
        have = self._bundles.get(username.lower(), set())
        return [b for b in BUNDLES if b in have]

    def bundles_of(self, user: UserRecord) -> list[str]:
        """Every app bundle a member has: those of their user type, then those assigned to them."""
        through_type = list(user.user_type.bundles)
        return through_type + [b for b in self.assigned_bundles(user.username) if b not in through_type]

    def provision_app_bundle(self, users: UserStore, caller: UserRecord, item_id: str, names: list[str],
                             revoke: bool) -> list[str]:
        """Assign the bundle listed as `item_id` to members of the caller's organization, or revoke it. Every
        member is checked before any changes: one unknown member refuses the request and changes nothing."""
        bundle = bundle_by_item_id(item_id)
        if not names or not all(n.strip() for n in names):
            raise bad_request("Invalid parameter 'users': give the usernames of one or more members.")
        members = []
        for name in names:
            user = users.get(name.strip())
            if user is None or user.org_id != caller.org_id:
                raise bad_request(f"Invalid parameter 'users': '{name.strip()}' is not a member of the organization.")
            members.append(user.username)
        for username in members:
            held = self._bundles.get(username.lower())
            if revoke:
                if held is not None and bundle.id in held:
                    held.discard(bundle.id)
                    if not held:
                        del self._bundles[username.lower()]
            elif held is None:
                self._bundles[username.lower()] = {bundle.id}
            else:
                held.add(bundle.id)
        return members

    def forget_user(self, username: str) -> None:
        self._provisions.pop(username.lower(), None)
        self._bundles.pop(username.lower(), None)
