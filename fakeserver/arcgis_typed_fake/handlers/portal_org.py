"""Handlers of spec/portal/org.yaml: the sharing/rest root, info and portals/self."""

from __future__ import annotations

from arcgis_typed._runtime.wire import ms_to_datetime
from arcgis_typed.portal.models.org import AuthInfo, PortalSelf, SharingInfo, SharingRoot
from arcgis_typed.portal.params.org import OrgInfoParams, OrgPropertiesParams, OrgRootParams

from ..call import Call
from ..registry import handles
from ..state.tokens import MAX_MINUTES
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
    org = call.state.org
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
        access="private",
        all_ssl=call.request.scheme == "https",
        can_search_public=org.can_search_public,
        can_share_public=org.can_share_public,
        comments_enabled=True,
        culture="en",
        region="US",
        units="metric",
        description=org.description,
        supports_oauth=True,
        max_token_expiration_minutes=MAX_MINUTES,
        created=ms_to_datetime(org.created),
        modified=ms_to_datetime(org.created),
        authorized_cross_origin_domains=[],
        helper_services={},
        user=user_view(call.state, call.caller, call.caller) if call.caller is not None else None,
    )
