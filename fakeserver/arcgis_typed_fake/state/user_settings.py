"""New-member defaults (portals/self/userDefaultSettings) and the part of the Portal Administrator API's
security configuration the fake honours (portaladmin/security/config: allowSignup)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from ..errors import bad_request, forbidden
from .licenses import check_fits, default_user_type, resolve_user_type

if TYPE_CHECKING:
    from .portal import PortalState
    from .users import UserRecord


@attrs.define
class UserDefaults:
    role: str | None = None  # a role id
    user_license_type: str | None = None
    groups: list[str] = attrs.Factory(list)
    user_type: str | None = None  # arcgisonly | both
    apps: list[Any] = attrs.Factory(list)
    app_bundles: list[Any] = attrs.Factory(list)


@attrs.define
class SecurityConfig:
    allow_signup: bool = False  # Portal's default: administrators create accounts


def set_defaults(state: PortalState, *, clear_empty_fields: bool, role: str | None, user_license_type: str | None,
                 groups: list[str] | None, user_type: str | None, apps: Any, app_bundles: Any) -> UserDefaults:
    """Check everything first, then change: the role must exist and fit the user type, the groups exist."""
    current = state.users.defaults
    new = attrs.evolve(current, groups=list(current.groups))
    if role:
        try:
            new.role = state.users.roles.resolve(role).id
        except KeyError:
            raise bad_request(f"Invalid parameter 'role': unknown role '{role}'.") from None
    elif clear_empty_fields and role is not None:
        new.role = None
    if user_license_type:
        new.user_license_type = resolve_user_type(user_license_type).id
    elif clear_empty_fields and user_license_type is not None:
        new.user_license_type = None
    if groups is not None and (groups or clear_empty_fields):
        for group_id in groups:
            if state.groups.get(group_id) is None:
                raise bad_request(f"Invalid parameter 'groups': no group '{group_id}'.")
        new.groups = list(dict.fromkeys(groups))
    if user_type is not None:
        new.user_type = user_type
    for wire, value in (("apps", apps), ("appBundles", app_bundles)):
        if value is not None and not isinstance(value, list):
            raise bad_request(f"Invalid parameter '{wire}': expected a JSON array.")
    if apps is not None:
        new.apps = list(apps)
    if app_bundles is not None:
        new.app_bundles = list(app_bundles)
    role_record = state.users.roles.require(new.role or "org_user")
    type_def = resolve_user_type(new.user_license_type) if new.user_license_type else default_user_type(role_record.id)
    check_fits(type_def, role_record.privileges, role_record.name)
    state.users.defaults = new
    return new


def update_security(state: PortalState, config: object) -> SecurityConfig:
    if not isinstance(config, dict):
        raise bad_request("Invalid parameter 'securityConfig': expected a JSON object.")
    allow = config.get("allowSignup", state.users.security.allow_signup)
    if not isinstance(allow, bool):
        raise bad_request("Invalid parameter 'securityConfig': allowSignup must be true or false.")
    state.users.security.allow_signup = allow
    return state.users.security


def require_default_admin(caller: UserRecord) -> None:
    """The Portal Administrator API answers default administrators only."""
    if not caller.is_full_admin:
        raise forbidden("Only default administrators may use the Portal Administrator API.")
