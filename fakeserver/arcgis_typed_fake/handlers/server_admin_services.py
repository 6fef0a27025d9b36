"""Handlers of spec/server_admin/services.yaml: folder listings, folders and services."""

from __future__ import annotations

from typing import Any

from arcgis_typed._runtime import wire
from arcgis_typed.server_admin.models.services import (
    FolderDetail,
    Service,
    ServicesListing,
    ServiceStatus,
    ServiceSummary,
)
from arcgis_typed.server_admin.models.site import StatusResult
from arcgis_typed.server_admin.params.services import (
    ServicesCreateFolderParams,
    ServicesCreateServiceParams,
    ServicesDeleteFolderParams,
    ServicesDeleteServiceParams,
    ServicesGetServiceParams,
    ServicesListParams,
    ServicesServiceStatusParams,
    ServicesStartServiceParams,
    ServicesStopServiceParams,
)

from ..call import ServerCall
from ..registry import handles
from ..state.server.services import ROOT, ROOT_DESCRIPTION, ServiceRecord
from .server_admin_site import SUCCESS

_DETAIL_FIELDS = (
    "capabilities",
    "provider",
    "clusterName",
    "minInstancesPerNode",
    "maxInstancesPerNode",
    "properties",
    "extensions",
)


def _summary(call: ServerCall, s: ServiceRecord, detail: bool) -> ServiceSummary:
    data: dict[str, Any] = {
        "folderName": s.folder,
        "serviceName": s.name,
        "type": s.type,
        "description": s.description,
    }
    if detail:
        data.update({k: s.definition[k] for k in _DETAIL_FIELDS if k in s.definition})
        data["configuredState"] = s.configured_state
    return wire.structure(data, ServiceSummary)


@handles("server_admin:services.list")
def list_services(call: ServerCall, p: ServicesListParams) -> ServicesListing:
    catalog = call.site.catalog
    services = [_summary(call, s, bool(p.detail)) for s in catalog.in_folder(p.folder_name)]
    if p.folder_name is None:
        folders = catalog.folders()
        return ServicesListing(
            folder_name=ROOT,
            description=ROOT_DESCRIPTION,
            web_encrypted=False,
            is_default=False,
            folders=[f.name for f in folders],
            folders_detail=[
                FolderDetail(
                    folder_name=f.name,
                    description=f.description,
                    web_encrypted=f.web_encrypted,
                    is_default=f.is_default,
                )
                for f in folders
            ],
            services=services,
        )
    folder = catalog.folder(p.folder_name)
    return ServicesListing(
        folder_name=folder.name,
        description=folder.description,
        web_encrypted=folder.web_encrypted,
        is_default=folder.is_default,
        services=services,
    )


@handles("server_admin:services.create_folder")
def create_folder(call: ServerCall, p: ServicesCreateFolderParams) -> StatusResult:
    call.site.catalog.create_folder(p.folder_name, p.description or "")
    return StatusResult(status=SUCCESS)


@handles("server_admin:services.delete_folder")
def delete_folder(call: ServerCall, p: ServicesDeleteFolderParams) -> StatusResult:
    call.site.catalog.delete_folder(p.folder_name)
    return StatusResult(status=SUCCESS)


@handles("server_admin:services.create_service")
def create_service(call: ServerCall, p: ServicesCreateServiceParams) -> StatusResult:
    call.site.catalog.create_service(p.folder_name, wire.unstructure(p.service))
    return StatusResult(status=SUCCESS)


@handles("server_admin:services.get_service")
def get_service(call: ServerCall, p: ServicesGetServiceParams) -> Service:
    record = call.site.catalog.service(p.folder_name, p.service_name, p.service_type)
    return wire.structure(record.definition, Service)


@handles("server_admin:services.start_service")
def start_service(call: ServerCall, p: ServicesStartServiceParams) -> StatusResult:
    call.site.catalog.service(p.folder_name, p.service_name, p.service_type).configured_state = "STARTED"
    return StatusResult(status=SUCCESS)


@handles("server_admin:services.stop_service")
def stop_service(call: ServerCall, p: ServicesStopServiceParams) -> StatusResult:
    call.site.catalog.service(p.folder_name, p.service_name, p.service_type).configured_state = "STOPPED"
    return StatusResult(status=SUCCESS)


@handles("server_admin:services.service_status")
def service_status(call: ServerCall, p: ServicesServiceStatusParams) -> ServiceStatus:
    site = call.site
    record = site.catalog.service(p.folder_name, p.service_name, p.service_type)
    return ServiceStatus(configured_state=record.configured_state, real_time_state=site.service_state(record))


@handles("server_admin:services.delete_service")
def delete_service(call: ServerCall, p: ServicesDeleteServiceParams) -> StatusResult:
    call.site.catalog.delete_service(p.folder_name, p.service_name, p.service_type)
    return StatusResult(status=SUCCESS)
