"""Handlers of spec/portal/org.yaml: the sharing/rest root, info, portals/self, its settings and updates."""

from __future__ import annotations

from arcgis_typed._runtime.wire import ms_to_datetime
from arcgis_typed.portal.models.org import AuthInfo, OrgSettings, PortalSelf, SharingInfo, SharingRoot, OrgUpdateResult
from arcgis_typed.portal.params.org import (
    OrgInfoParams,
    OrgPropertiesParams,
    OrgRootParams,
    OrgSettingsParams,
    OrgUpdateParams,
    OrgUpdateSettingsParams,
)

from ..call import Call
from ..errors import forbidden
from ..registry import handles
from ..state import org as org_rules
from ..state.tokens import MAX_MINUTES
from ..state.users import UserRecord
from .portal_users import user_view


@handles("portal:org.root")
def root(call: Call, p: OrgRootParams) -> SharingRoot:
    return SharingRoot(current_version=call.state.org.current_version)


@handles("portal:org.info")
def info(call: Call, p: OrgInfoParams) -> SharingInfo:
    return SharingInfo(
        owning_system_url=call.api_url,
        auth_info=AuthInfo(token_services_url=f"{call.rest_url}/generateToken", is_token_based_security=True),
        full_version=call.state.org.full_version,
    )


@handles("portal:org.properties")
def properties(call: Call, p: OrgPropertiesParams) -> PortalSelf:
    org = call.state.org_of(call.caller)  # a member of another organization sees their own
    settings = org.settings
    host = call.request.host
    return PortalSelf(
        id=org.id,
        name=org.name,
        portal_name=org.portal_name,
        portal_mode="singletenant",
        is_portal=True,
        current_version=org.current_version,
        url_key=org.url_key,
        portal_hostname=f"{host}{call.api_url.split(host, 1)[1]}",
        access=settings.access,
        all_ssl=call.request.scheme == "https",
        can_search_public=org.can_search_public,
        can_share_public=org.can_share_public,
        comments_enabled=settings.comments_enabled,
        culture=settings.culture,
        region=settings.region,
        units=settings.units,
        description=org.description,
        supports_oauth=True,
        max_token_expiration_minutes=MAX_MINUTES,
        created=ms_to_datetime(org.created),
        modified=ms_to_datetime(max(org.created, org.modified)),
        authorized_cross_origin_domains=list(settings.authorized_cross_origin_domains),
        helper_services=dict(settings.helper_services),
        portal_properties=dict(settings.portal_properties) if settings.portal_properties else None,
        default_extent=settings.default_extent,
        user=user_view(call.state, call.caller, call.caller) if call.caller is not None else None,
    )


@handles("portal:org.settings")
def settings(call: Call, p: OrgSettingsParams) -> OrgSettings:
    current = call.state.org_of(call.caller).settings
    return OrgSettings(
        allowed_redirect_uris=list(current.allowed_redirect_uris),
        helper_services=dict(current.helper_services),
        anonymous_access_notice=current.anonymous_access_notice,
        authenticated_access_notice=current.authenticated_access_notice,
        informational_banner=current.informational_banner,
    )


def _admin(caller: UserRecord) -> None:
    if not caller.is_full_admin:
        raise forbidden()


@handles("portal:org.update_settings")
def update_settings(call: Call, p: OrgUpdateSettingsParams) -> OrgUpdateResult:
    _admin(call.user)
    org_rules.update_settings(
        call.state.org_of(call.user).settings, clear_empty_fields=bool(p.clear_empty_fields),
        anonymous_access_notice=p.anonymous_access_notice, authenticated_access_notice=p.authenticated_access_notice,
        informational_banner=p.informational_banner)
    return OrgUpdateResult(success=True)


@handles("portal:org.update")
def update(call: Call, p: OrgUpdateParams) -> OrgUpdateResult:
    _admin(call.user)
    org_rules.update_properties(
        call.state.org_of(call.user), clear_empty_fields=bool(p.clear_empty_fields), now=call.state.now(),
        name=p.name, description=p.description, access=p.access, can_share_public=p.can_share_public,
        can_search_public=p.can_search_public, comments_enabled=p.comments_enabled, culture=p.culture,
        region=p.region, units=p.units, portal_properties=p.portal_properties, default_extent=p.default_extent,
        authorized_cross_origin_domains=p.authorized_cross_origin_domains, geocode_service=p.geocode_service)
    return OrgUpdateResult(success=True)
