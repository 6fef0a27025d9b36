"""Handlers of spec/portal/user_settings.yaml: new-member defaults and the portal's security configuration."""

from __future__ import annotations

from arcgis_typed.portal.models.user_settings import (
    PortalAdminInfo,
    SecurityConfig,
    SettingsResult,
    UserDefaultSettings,
)
from arcgis_typed.portal.params.user_settings import (
    UserSettingsAdminRootParams,
    UserSettingsDeleteParams,
    UserSettingsGetParams,
    UserSettingsSecurityConfigParams,
    UserSettingsSetParams,
    UserSettingsUpdateSecurityConfigParams,
)

from ..call import Call
from ..registry import handles
from ..state import user_settings as rules
from ..state.portal import PortalState


@handles("portal:user_settings.get")
def get(call: Call, p: UserSettingsGetParams) -> UserDefaultSettings:
    d = call.state.users.defaults
    return UserDefaultSettings(role=d.role, user_license_type=d.user_license_type, groups=list(d.groups),
                               user_type=d.user_type, apps=list(d.apps), app_bundles=list(d.app_bundles))


@handles("portal:user_settings.set")
def set_defaults(call: Call, p: UserSettingsSetParams) -> SettingsResult:
    rules.set_defaults(call.state, clear_empty_fields=bool(p.clear_empty_fields), role=p.role,
                       user_license_type=p.user_license_type, groups=p.groups, user_type=p.user_type, apps=p.apps,
                       app_bundles=p.app_bundles)
    return SettingsResult(success=True)


@handles("portal:user_settings.delete")
def delete(call: Call, p: UserSettingsDeleteParams) -> SettingsResult:
    call.state.users.defaults = rules.UserDefaults()
    return SettingsResult(success=True)


@handles("portal:user_settings.admin_root")
def admin_root(call: Call, p: UserSettingsAdminRootParams) -> PortalAdminInfo:
    rules.require_default_admin(call.user)
    org = call.state.org
    return PortalAdminInfo(resources=["security", "system", "license"], current_version=org.current_version,
                           full_version=org.full_version)


def _config_view(state: PortalState) -> SecurityConfig:
    d = state.users.defaults
    return SecurityConfig(
        allow_signup=state.users.security.allow_signup, user_store_config={"type": "BUILTIN", "properties": {}},
        group_store_config={"type": "BUILTIN", "properties": {}}, enable_automatic_account_creation=False,
        disable_services_directory=False, default_role_for_user=d.role or "org_user",
        default_user_type_id_for_user=d.user_license_type or "creatorUT",
    )


@handles("portal:user_settings.security_config")
def security_config(call: Call, p: UserSettingsSecurityConfigParams) -> SecurityConfig:
    rules.require_default_admin(call.user)
    return _config_view(call.state)


@handles("portal:user_settings.update_security_config")
def update_security_config(call: Call, p: UserSettingsUpdateSecurityConfigParams) -> SecurityConfig:
    rules.require_default_admin(call.user)
    rules.update_security(call.state, p.security_config)
    return _config_view(call.state)
