"""Handlers of spec/server_admin/machines.yaml: the machines of the site, their state, start/stop/unregister."""

from __future__ import annotations

from arcgis_typed._runtime.wire import ms_to_datetime
from arcgis_typed.server_admin.models.machines import Machine, MachineList, MachineStatus, MachineSummary
from arcgis_typed.server_admin.models.site import StatusResult
from arcgis_typed.server_admin.params.machines import (
    MachinesGetParams,
    MachinesListParams,
    MachinesStartParams,
    MachinesStatusParams,
    MachinesStopParams,
    MachinesUnregisterParams,
)

from ..call import ServerCall
from ..registry import handles
from .server_admin_site import SUCCESS


@handles("server_admin:machines.list")
def list_machines(call: ServerCall, p: MachinesListParams) -> MachineList:
    return MachineList(
        machines=[
            MachineSummary(machine_name=m.name, admin_url=call.admin_url(m)) for m in call.site.machines
        ]
    )


@handles("server_admin:machines.get")
def get(call: ServerCall, p: MachinesGetParams) -> Machine:
    m = call.site.machine(p.machine_name)
    return Machine(
        machine_name=m.name,
        platform=m.platform,
        admin_url=call.admin_url(m),
        ports=dict(m.ports),
        server_start_time=ms_to_datetime(m.started) if m.started >= 0 else None,
        web_server_max_heap_size=m.web_server_max_heap_size,
        app_server_max_heap_size=m.app_server_max_heap_size,
        soc_max_heap_size=m.soc_max_heap_size,
        web_server_ssl_enabled=True,
        web_server_certificate_alias=m.web_server_certificate_alias,
        configured_state=m.configured_state,
        synchronize=False,
        under_maintenance=False,
    )


@handles("server_admin:machines.status")
def status(call: ServerCall, p: MachinesStatusParams) -> MachineStatus:
    m = call.site.machine(p.machine_name)
    return MachineStatus(configured_state=m.configured_state, real_time_state=m.configured_state)


@handles("server_admin:machines.start")
def start(call: ServerCall, p: MachinesStartParams) -> StatusResult:
    call.server.start_machine(call.site, p.machine_name)
    return StatusResult(status=SUCCESS)


@handles("server_admin:machines.stop")
def stop(call: ServerCall, p: MachinesStopParams) -> StatusResult:
    call.server.stop_machine(call.site, p.machine_name)
    return StatusResult(status=SUCCESS)


@handles("server_admin:machines.unregister")
def unregister(call: ServerCall, p: MachinesUnregisterParams) -> StatusResult:
    call.server.unregister_machine(call.site, p.machine_name)
    return StatusResult(status=SUCCESS)
