"""Handlers of spec/mission_admin/directories.yaml: the server directories."""

from __future__ import annotations

from arcgis_typed.mission_admin.models.directories import DirectoryList, ServerDirectory
from arcgis_typed.mission_admin.models.info import StatusResult
from arcgis_typed.mission_admin.params.directories import (
    DirectoriesListParams,
    DirectoriesRegisterParams,
    DirectoriesUnregisterParams,
)

from ..call import MissionCall
from ..registry import handles
from ._mission import SUCCESS, logged


@handles("mission_admin:directories.list")
@logged
def list_directories(call: MissionCall, p: DirectoriesListParams) -> DirectoryList:
    return DirectoryList(directories=[
        ServerDirectory(name=d.name, physical_path=d.physical_path, directory_type=d.directory_type,
                        description=d.description)
        for d in call.mission.directories.values()
    ])


@handles("mission_admin:directories.register")
@logged
def register(call: MissionCall, p: DirectoriesRegisterParams) -> StatusResult:
    call.mission.register_directory(call.user.username, name=p.name, path=p.path, directory_type=p.directory_type,
                                    description=p.description)
    return StatusResult(status=SUCCESS)


@handles("mission_admin:directories.unregister")
@logged
def unregister(call: MissionCall, p: DirectoriesUnregisterParams) -> StatusResult:
    call.mission.unregister_directory(call.user.username, p.directory_name)
    return StatusResult(status=SUCCESS)
