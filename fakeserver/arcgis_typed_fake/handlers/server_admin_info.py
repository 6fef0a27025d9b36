"""Handlers of spec/server_admin/info.yaml: the public info resources, the Administrator API's root and info."""

from __future__ import annotations

from arcgis_typed.server_admin.models.info import AdminInfo, AdminRoot, AuthInfo, ServerInfo
from arcgis_typed.server_admin.params.info import (
    InfoAdminInfoParams,
    InfoAdminRootParams,
    InfoRestInfoParams,
    InfoServerInfoParams,
)

from ..call import ServerCall
from ..registry import handles
from ..state.tokens import DEFAULT_MINUTES

# The child resources of the admin root that the fake implements (clients build their objects from this list).
ADMIN_RESOURCES = ["machines", "services", "info"]


def _server_info(call: ServerCall) -> ServerInfo:
    return ServerInfo(
        current_version=call.server.current_version,
        full_version=call.server.full_version,
        soap_url=f"{call.api_url}/services",
        secure_soap_url=f"https://{call.api_url.split('://', 1)[1]}/services",
        auth_info=AuthInfo(
            is_token_based_security=True,
            token_services_url=f"{call.api_url}/tokens/generateToken",
            short_lived_token_validity=DEFAULT_MINUTES,
        ),
    )


@handles("server_admin:info.server_info")
def server_info(call: ServerCall, p: InfoServerInfoParams) -> ServerInfo:
    return _server_info(call)


@handles("server_admin:info.rest_info")
def rest_info(call: ServerCall, p: InfoRestInfoParams) -> ServerInfo:
    return _server_info(call)


@handles("server_admin:info.admin_root")
def admin_root(call: ServerCall, p: InfoAdminRootParams) -> AdminRoot:
    return AdminRoot(
        resources=list(ADMIN_RESOURCES),
        current_version=call.server.current_version,
        full_version=call.server.full_version,
        is_server_licensed=True,
    )


@handles("server_admin:info.admin_info")
def admin_info(call: ServerCall, p: InfoAdminInfoParams) -> AdminInfo:
    return AdminInfo(
        current_version=call.server.current_version,
        full_version=call.server.full_version,
        current_build=call.server.current_build,
        logged_in_user=call.user.username,
        logged_in_user_privilege=call.user.privilege,
    )
