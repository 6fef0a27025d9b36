"""Handlers of spec/mission_admin/security.yaml: the security configuration and its rules."""

from __future__ import annotations

from arcgis_typed.mission_admin.models.security import PortalProperties, SecurityConfig, SecurityResource
from arcgis_typed.mission_admin.params.security import SecurityConfigParams, SecurityGetParams, SecurityUpdateParams

from ..call import MissionCall
from ..registry import handles
from ..state.mission import SecurityConfig as ConfigRecord
from ._mission import logged

STORE = {"type": "PORTAL", "properties": {}}


def config_model(call: MissionCall, c: ConfigRecord) -> SecurityConfig:
    props = c.portal_properties
    portal = call.origin + call.mission.portal_context
    return SecurityConfig(
        allowed_admin_access_ips=c.allowed_admin_access_ips, allow_direct_access=c.allow_direct_access,
        authentication_mode=c.authentication_mode, authentication_tier=c.authentication_tier,
        hsts_enabled=c.hsts_enabled, http_enabled=c.http_enabled, ssl_enabled=c.ssl_enabled, protocol=c.protocol,
        role_store_config=dict(STORE), user_store_config=dict(STORE), security_enabled=c.security_enabled,
        virtual_dirs_security_enabled=c.virtual_dirs_security_enabled,
        portal_properties=PortalProperties(
            portal_mode=props.get("portalMode", "ARCGIS_PORTAL_FEDERATION"), portal_url=props.get("portalURL", portal),
            referer=props.get("referer"), server_id=props.get("serverId"), server_url=props.get("serverURL", call.api_url)),
    )


@handles("mission_admin:security.get")
@logged
def get(call: MissionCall, p: SecurityGetParams) -> SecurityResource:
    return SecurityResource(resources=["config"])


@handles("mission_admin:security.config")
@logged
def config(call: MissionCall, p: SecurityConfigParams) -> SecurityConfig:
    return config_model(call, call.mission.security)


@handles("mission_admin:security.update")
@logged
def update(call: MissionCall, p: SecurityUpdateParams) -> SecurityConfig:
    new = call.mission.update_security(
        call.user.username, protocol=p.protocol, hsts_enabled=p.hsts_enabled, allow_direct_access=p.allow_direct_access,
        authentication_tier=p.authentication_tier, authentication_mode=p.authentication_mode,
        allowed_admin_access_ips=p.allowed_admin_access_ips, virtual_dirs_security_enabled=p.virtual_dirs_security_enabled,
        security_enabled=p.security_enabled, portal_properties=p.portal_properties)
    return config_model(call, new)
