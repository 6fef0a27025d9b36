"""Handlers of spec/mission_admin/machines.yaml: the machines of the Mission Server site."""

from __future__ import annotations

from urllib.parse import urlsplit

from arcgis_typed._runtime.wire import ms_to_datetime
from arcgis_typed.mission_admin.models.info import StatusResult
from arcgis_typed.mission_admin.models.machines import Hardware, Machine, MachineList, MachineSummary
from arcgis_typed.mission_admin.params.machines import (
    MachinesEditParams,
    MachinesGetParams,
    MachinesHardwareParams,
    MachinesListParams,
    MachinesUnregisterParams,
)

from ..call import MissionCall
from ..registry import handles
from ..state.mission import MissionMachine
from ._mission import SUCCESS, logged


def _admin_url(call: MissionCall, machine: MissionMachine) -> str:
    return f"{call.request.scheme}://{machine.host}{urlsplit(call.api_url).path}/admin"


def machine_model(call: MissionCall, m: MissionMachine) -> Machine:
    return Machine(
        machine_name=m.name, admin_url=_admin_url(call, m), platform="Linux", server_start_time=ms_to_datetime(m.started),
        web_server_max_heap_size=m.web_server_max_heap_size, web_server_ssl_enabled=call.mission.security.ssl_enabled,
        web_server_certificate_alias=m.web_server_certificate_alias, web_socket_max_heap_size=m.web_socket_max_heap_size,
        configured_state="STARTED", ports={"HTTPPort": 20080, "HTTPSPort": 20443, "WebSocketPort": 20301},
    )


@handles("mission_admin:machines.list")
@logged
def list_machines(call: MissionCall, p: MachinesListParams) -> MachineList:
    return MachineList(machines=[MachineSummary(machine_name=m.name, admin_url=_admin_url(call, m))
                                 for m in call.mission.machines.values()])


@handles("mission_admin:machines.get")
@logged
def get(call: MissionCall, p: MachinesGetParams) -> Machine:
    return machine_model(call, call.mission.machine(p.machine_name))


@handles("mission_admin:machines.edit")
@logged
def edit(call: MissionCall, p: MachinesEditParams) -> Machine:
    machine = call.mission.edit_machine(
        p.machine_name, call.user.username, web_server_max_heap_size=p.web_server_max_heap_size,
        web_socket_max_heap_size=p.web_socket_max_heap_size, web_server_certificate_alias=p.web_server_certificate_alias)
    return machine_model(call, machine)


@handles("mission_admin:machines.hardware")
@logged
def hardware(call: MissionCall, p: MachinesHardwareParams) -> Hardware:
    m = call.mission.machine(p.machine_name)
    return Hardware(machine_name=m.name, cpu="Fake CPU @ 2.40GHz", cores=4, system_memory_mb=16384,
                    free_system_memory_mb=8192, os_name="Linux", os_version="6.1")


@handles("mission_admin:machines.unregister")
@logged
def unregister(call: MissionCall, p: MachinesUnregisterParams) -> StatusResult:
    call.mission.unregister_machine(p.machine_name, call.user.username)
    return StatusResult(status=SUCCESS)
