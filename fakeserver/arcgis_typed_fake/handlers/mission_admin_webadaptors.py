"""Handlers of spec/mission_admin/webadaptors.yaml: the Web Adaptors and their shared configuration."""

from __future__ import annotations

from arcgis_typed._runtime import wire
from arcgis_typed.mission_admin.models.info import StatusResult
from arcgis_typed.mission_admin.models.webadaptors import WebAdaptor, WebAdaptorConfig, WebAdaptorList
from arcgis_typed.mission_admin.params.webadaptors import (
    WebadaptorsConfigParams,
    WebadaptorsGetParams,
    WebadaptorsListParams,
    WebadaptorsRegisterParams,
    WebadaptorsUnregisterParams,
    WebadaptorsUpdateConfigParams,
)

from ..call import MissionCall
from ..registry import handles
from ..state.mission import WebAdaptorRecord
from ._mission import SUCCESS, logged


def _model(w: WebAdaptorRecord) -> WebAdaptor:
    return WebAdaptor(id=w.id, machine_name=w.machine_name, machine_ip=w.machine_ip, web_adaptor_url=w.web_adaptor_url,
                      http_port=w.http_port, https_port=w.https_port, description=w.description,
                      is_admin_enabled=w.is_admin_enabled)


@handles("mission_admin:webadaptors.list")
@logged
def list_web_adaptors(call: MissionCall, p: WebadaptorsListParams) -> WebAdaptorList:
    return WebAdaptorList(web_adaptors=[_model(w) for w in call.mission.web_adaptors.values()])


@handles("mission_admin:webadaptors.get")
@logged
def get(call: MissionCall, p: WebadaptorsGetParams) -> WebAdaptor:
    return _model(call.mission.web_adaptor(p.web_adaptor_id))


@handles("mission_admin:webadaptors.register")
@logged
def register(call: MissionCall, p: WebadaptorsRegisterParams) -> StatusResult:
    call.mission.register_web_adaptor(
        call.user.username, machine_name=p.machine_name, machine_ip=p.machine_ip, web_adaptor_url=p.web_adaptor_url,
        http_port=p.http_port, https_port=p.https_port, description=p.description, is_admin_enabled=p.is_admin_enabled)
    return StatusResult(status=SUCCESS)


@handles("mission_admin:webadaptors.unregister")
@logged
def unregister(call: MissionCall, p: WebadaptorsUnregisterParams) -> StatusResult:
    call.mission.unregister_web_adaptor(call.user.username, p.web_adaptor_id)
    return StatusResult(status=SUCCESS)


@handles("mission_admin:webadaptors.config")
@logged
def config(call: MissionCall, p: WebadaptorsConfigParams) -> WebAdaptorConfig:
    return wire.structure(dict(call.mission.web_adaptor_config), WebAdaptorConfig)


@handles("mission_admin:webadaptors.update_config")
@logged
def update_config(call: MissionCall, p: WebadaptorsUpdateConfigParams) -> WebAdaptorConfig:
    return wire.structure(dict(call.mission.update_web_adaptor_config(call.user.username, p.web_adaptor_config)),
                          WebAdaptorConfig)
