"""Handlers of spec/mission_admin/info.yaml: the Administrator API's root and info."""

from __future__ import annotations

from arcgis_typed.mission_admin.models.info import AdminInfo, AdminRoot
from arcgis_typed.mission_admin.params.info import InfoInfoParams, InfoRootParams

from ..call import MissionCall
from ..registry import handles
from ..state.mission import BUILD, CURRENT_VERSION, FULL_VERSION
from ._mission import logged

RESOURCES = ["machines", "logs", "security", "system", "info"]  # exportSite and importSite are operations (POST)


@handles("mission_admin:info.root")
@logged
def root(call: MissionCall, p: InfoRootParams) -> AdminRoot:
    return AdminRoot(resources=list(RESOURCES), current_version=CURRENT_VERSION, full_version=FULL_VERSION)


@handles("mission_admin:info.info")
@logged
def info(call: MissionCall, p: InfoInfoParams) -> AdminInfo:
    user = call.caller
    admin = user is not None and user.has("portal:admin:updateUsers")
    return AdminInfo(
        current_version=CURRENT_VERSION, full_version=FULL_VERSION, current_build=BUILD,
        logged_in_user=user.username if user is not None else None,
        logged_in_user_privilege=("ADMINISTER" if admin else "ACCESS") if user is not None else None,
        timezone={"windowsZoneID": "UTC", "ianaZoneID": "Etc/UTC"},
    )
