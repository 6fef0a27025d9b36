"""Built-in roles and their privileges (the privilege strings of the ArcGIS `Role` documentation)."""

from __future__ import annotations

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

VIEWER_ROLE_ID = "iAAAAAAAAAAAAAAA"

# role id -> (role as users show it, privileges, level)
BUILT_IN_ROLES: dict[str, tuple[str, tuple[str, ...], str]] = {
    "org_admin": ("org_admin", tuple(sorted(ADMIN_PRIVILEGES)), "2"),
    "org_publisher": ("org_publisher", tuple(sorted(PUBLISHER_PRIVILEGES)), "2"),
    "org_user": ("org_user", tuple(sorted(USER_PRIVILEGES)), "2"),
    VIEWER_ROLE_ID: ("org_user", tuple(sorted(VIEWER_PRIVILEGES)), "1"),
}
ROLE_ALIASES = {"admin": "org_admin", "administrator": "org_admin", "publisher": "org_publisher", "user": "org_user",
                "viewer": VIEWER_ROLE_ID}


def resolve_role(role: str) -> str:
    """The role id for a role name or id (`admin`, `org_admin`, `viewer` ...); KeyError when unknown."""
    role_id = ROLE_ALIASES.get(role.lower(), role)
    if role_id not in BUILT_IN_ROLES:
        raise KeyError(role)
    return role_id
