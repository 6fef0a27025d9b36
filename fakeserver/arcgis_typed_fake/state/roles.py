"""Roles: the built-in ones and the organization's custom roles, with the privilege strings they grant (the
strings of the ArcGIS `Role` documentation, seed 001). Every privilege check of the fake reads a user's role
from here, so a custom role's privileges drive what its members may do."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import attrs

from ..errors import Fault, bad_request, forbidden, not_found

USER_PRIVILEGES = (
    "features:user:edit",
    "portal:user:createGroup",
    "portal:user:createItem",
    "portal:user:joinGroup",
    "portal:user:joinNonOrgGroup",
    "portal:user:shareGroupToOrg",
    "portal:user:shareGroupToPublic",
    "portal:user:shareToGroup",
    "portal:user:shareToOrg",
    "portal:user:shareToPublic",
    "portal:user:viewOrgGroups",
    "portal:user:viewOrgItems",
    "portal:user:viewOrgUsers",
)
PUBLISHER_PRIVILEGES = USER_PRIVILEGES + (
    "features:user:fullEdit",
    "portal:publisher:publishFeatures",
    "portal:publisher:publishScenes",
    "portal:publisher:publishTiles",
)
ADMIN_PRIVILEGES = PUBLISHER_PRIVILEGES + (
    "portal:admin:assignToGroups",
    "portal:admin:changeUserRoles",
    "portal:admin:deleteGroups",
    "portal:admin:deleteItems",
    "portal:admin:deleteUsers",
    "portal:admin:disableUsers",
    "portal:admin:inviteUsers",
    "portal:admin:manageEnterpriseGroups",
    "portal:admin:manageLicenses",
    "portal:admin:reassignGroups",
    "portal:admin:reassignItems",
    "portal:admin:reassignUsers",
    "portal:admin:shareToGroup",
    "portal:admin:shareToOrg",
    "portal:admin:shareToPublic",
    "portal:admin:updateGroups",
    "portal:admin:updateItems",
    "portal:admin:updateUsers",
    "portal:admin:viewGroups",
    "portal:admin:viewItems",
    "portal:admin:viewUsers",
)
# Viewer (Level 1): may look and join, may not create or share.
VIEWER_PRIVILEGES = (
    "portal:user:joinGroup",
    "portal:user:viewOrgGroups",
    "portal:user:viewOrgItems",
    "portal:user:viewOrgUsers",
)
# Every privilege a custom role may hold: the Role documentation's list (seed 001) and the built-in roles' own.
KNOWN_PRIVILEGES = frozenset(ADMIN_PRIVILEGES) | {
    "marketplace:admin:purchase",
    "marketplace:admin:startTrial",
    "marketplace:admin:manage",
    "premium:user:geocode",
    "premium:user:networkanalysis",
    "premium:user:geoenrichment",
    "premium:user:demographics",
    "premium:user:spatialanalysis",
    "premium:user:elevation",
    "opendata:user:openDataAdmin",
    "opendata:user:designateGroup",
}

ADMIN_ROLE_ID = "org_admin"
VIEWER_ROLE_ID = "iAAAAAAAAAAAAAAA"

# role id -> (role as users show it, privileges, level); the built-in roles, which cannot be changed
BUILT_IN_ROLES: dict[str, tuple[str, tuple[str, ...], str]] = {
    "org_admin": ("org_admin", tuple(sorted(ADMIN_PRIVILEGES)), "2"),
    "org_publisher": ("org_publisher", tuple(sorted(PUBLISHER_PRIVILEGES)), "2"),
    "org_user": ("org_user", tuple(sorted(USER_PRIVILEGES)), "2"),
    VIEWER_ROLE_ID: ("org_user", tuple(sorted(VIEWER_PRIVILEGES)), "1"),
}
BUILT_IN_NAMES = {"org_admin": "Administrator", "org_publisher": "Publisher", "org_user": "User",
                  VIEWER_ROLE_ID: "Viewer"}
ROLE_ALIASES = {"admin": "org_admin", "administrator": "org_admin", "publisher": "org_publisher", "user": "org_user",
                "viewer": VIEWER_ROLE_ID}
# Built-in roles that portals/self/roles lists (the default three are not roles of that resource).
LISTED_BUILT_INS = (VIEWER_ROLE_ID,)
MAX_NAME = 128
MAX_DESCRIPTION = 250


def resolve_role(role: str) -> str:
    """The built-in role id for a role name or id (`admin`, `org_admin`, `viewer` ...); KeyError when unknown."""
    role_id = ROLE_ALIASES.get(role.lower(), role)
    if role_id not in BUILT_IN_ROLES:
        raise KeyError(role)
    return role_id


@attrs.define(eq=False)
class RoleRecord:
    id: str
    name: str
    description: str
    privileges: tuple[str, ...]
    built_in: bool = False
    created: int = 0
    modified: int = 0
    granted: frozenset[str] = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        self.granted = frozenset(self.privileges)

    def set_privileges(self, privileges: Iterable[str]) -> None:
        self.privileges = tuple(sorted(set(privileges)))
        self.granted = frozenset(self.privileges)

    @property
    def base_role(self) -> str:
        """What a member's `role` shows: the built-in role this one resembles (ArcGIS derives it the same way)."""
        if self.built_in:
            return BUILT_IN_ROLES[self.id][0]
        if any(":admin:" in p for p in self.privileges):
            return "org_admin"
        if any(p.startswith("portal:publisher:") for p in self.privileges):
            return "org_publisher"
        return "org_user"

    @property
    def level(self) -> str:
        if self.built_in:
            return BUILT_IN_ROLES[self.id][2]
        return "1" if self.granted <= set(VIEWER_PRIVILEGES) else "2"

    @property
    def is_admin(self) -> bool:
        return any(":admin:" in p for p in self.privileges)


def validate_privileges(privileges: Iterable[str]) -> tuple[str, ...]:
    """The privileges, sorted and without repeats; 400 naming `privileges` for anything unknown."""
    found = []
    for p in privileges:
        if not isinstance(p, str) or p not in KNOWN_PRIVILEGES:
            raise bad_request(f"Invalid parameter 'privileges': unknown privilege '{p}'.")
        found.append(p)
    return tuple(sorted(set(found)))


class RoleStore:
    """Roles by id (built-in ids as ArcGIS spells them, custom ones 16 characters); names unique, any case."""

    def __init__(self, now: int) -> None:
        self._by_id: dict[str, RoleRecord] = {}
        for role_id, (_, privileges, _) in BUILT_IN_ROLES.items():
            self._by_id[role_id] = RoleRecord(
                id=role_id, name=BUILT_IN_NAMES[role_id], description=BUILT_IN_NAMES[role_id],
                privileges=privileges, built_in=True, created=now, modified=now,
            )

    def __iter__(self) -> Iterator[RoleRecord]:
        return iter(self._by_id.values())

    def get(self, role_id: str) -> RoleRecord | None:
        return self._by_id.get(role_id)

    def require(self, role_id: str) -> RoleRecord:
        role = self._by_id.get(role_id)
        if role is None:
            raise not_found("Role", f"No role '{role_id}'.")
        return role

    def resolve(self, role: str) -> RoleRecord:
        """A role by id, built-in alias (`admin`, `org_user`, `viewer`...) or name (any case); KeyError if none."""
        found = self._by_id.get(ROLE_ALIASES.get(role.lower(), role))
        if found is None:
            found = next((r for r in self._by_id.values() if r.name.lower() == role.lower()), None)
        if found is None:
            raise KeyError(role)
        return found

    def listed(self) -> list[RoleRecord]:
        """What portals/self/roles lists: the Viewer role and the custom roles, oldest first."""
        return [r for r in self._by_id.values() if not r.built_in or r.id in LISTED_BUILT_INS]

    def _check_name(self, name: str, *, other_than: RoleRecord | None = None) -> str:
        name = name.strip()
        if not name:
            raise bad_request("Invalid parameter 'name': must not be empty.")
        if len(name) > MAX_NAME:
            raise bad_request(f"Invalid parameter 'name': at most {MAX_NAME} characters.")
        for r in self._by_id.values():
            if r is not other_than and r.name.lower() == name.lower():
                raise Fault(400, f"Invalid parameter 'name': a role named '{r.name}' already exists.")
        return name

    @staticmethod
    def _check_description(description: str) -> str:
        if len(description) > MAX_DESCRIPTION:
            raise bad_request(f"Invalid parameter 'description': at most {MAX_DESCRIPTION} characters.")
        return description

    def create(self, role_id: str, name: str, description: str, now: int,
               privileges: Iterable[str] = ()) -> RoleRecord:
        role = RoleRecord(id=role_id, name=self._check_name(name), description=self._check_description(description),
                          privileges=validate_privileges(privileges), created=now, modified=now)
        self._by_id[role_id] = role
        return role

    def custom(self, role_id: str) -> RoleRecord:
        """A role that may be changed or deleted: the built-in ones may not."""
        role = self.require(role_id)
        if role.built_in:
            raise forbidden(f"The built-in role '{role.name}' cannot be changed or deleted.")
        return role

    def update(self, role: RoleRecord, *, name: str | None, description: str | None, now: int) -> None:
        new_name = self._check_name(name, other_than=role) if name is not None else role.name
        new_description = self._check_description(description) if description is not None else role.description
        role.name, role.description, role.modified = new_name, new_description, now

    def remove(self, role: RoleRecord) -> None:
        del self._by_id[role.id]
