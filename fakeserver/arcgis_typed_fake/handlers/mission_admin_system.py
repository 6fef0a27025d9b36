"""Handlers of spec/mission_admin/system.yaml: system properties, licenses, the configuration store."""

from __future__ import annotations

from arcgis_typed._runtime import wire
from arcgis_typed.mission_admin.models.info import StatusResult
from arcgis_typed.mission_admin.models.system import ConfigStore, Licenses, SystemProperties, SystemResource
from arcgis_typed.mission_admin.params.system import (
    SystemConfigStoreParams,
    SystemGetParams,
    SystemLicensesParams,
    SystemPropertiesParams,
    SystemUpdatePropertiesParams,
)

from ..call import MissionCall
from ..registry import handles
from ._mission import SUCCESS, logged


@handles("mission_admin:system.get")
@logged
def get(call: MissionCall, p: SystemGetParams) -> SystemResource:
    return SystemResource(resources=["properties", "licenses", "configStore", "directories", "webadaptors"])


@handles("mission_admin:system.properties")
@logged
def properties(call: MissionCall, p: SystemPropertiesParams) -> SystemProperties:
    return wire.structure(dict(call.mission.system_properties), SystemProperties)


@handles("mission_admin:system.update_properties")
@logged
def update_properties(call: MissionCall, p: SystemUpdatePropertiesParams) -> StatusResult:
    call.mission.update_system_properties(call.user.username, p.properties)
    return StatusResult(status=SUCCESS)


@handles("mission_admin:system.licenses")
@logged
def licenses(call: MissionCall, p: SystemLicensesParams) -> Licenses:
    return wire.structure(call.mission.licenses(), Licenses)


@handles("mission_admin:system.config_store")
@logged
def config_store(call: MissionCall, p: SystemConfigStoreParams) -> ConfigStore:
    return ConfigStore(type="FILESYSTEM", connection_string="/arcgis/mission/config-store",
                       local_repository_path="/arcgis/mission/local", status="Ready")
