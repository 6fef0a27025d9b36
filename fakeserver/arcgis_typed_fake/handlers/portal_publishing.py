"""Handlers of spec/portal/publishing.yaml: analyze, publish, createService, export, copy, replaceService,
isServiceNameAvailable and the status of an item's jobs. Rules live in `state/publishing.py`."""

from __future__ import annotations

from typing import Any

from arcgis_typed.portal.models.publishing import (
    AnalyzeResult,
    CopyItemResult,
    CreateServiceResult,
    ExportResult,
    ItemJobStatus,
    PublishedService,
    PublishResult,
    ReplaceServiceResult,
    ServiceNameAvailability,
)
from arcgis_typed.portal.params.publishing import (
    PublishingAnalyzeParams,
    PublishingCopyParams,
    PublishingCreateServiceParams,
    PublishingExportParams,
    PublishingIsServiceNameAvailableParams,
    PublishingPublishParams,
    PublishingReplaceServiceParams,
    PublishingStatusParams,
)

from ..call import Call
from ..errors import bad_request
from ..registry import handles
from ..state import features
from ..state.publishing import SERVICE_TYPE_NAMES


def _origin(call: Call) -> str:
    return f"{call.request.scheme}://{call.request.host}"


def _object(value: Any, param: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise bad_request(f"Invalid parameter '{param}': expected a JSON object.")
    return value


@handles("portal:publishing.analyze")
def analyze(call: Call, p: PublishingAnalyzeParams) -> AnalyzeResult:
    parameters = _object(p.analyze_parameters, "analyzeParameters")
    layer, detected = call.state.publishing.analyze(
        call.user, item_id=p.item_id, data=p.file.data if p.file else None, text=p.text, file_type=p.file_type,
        parameters=parameters,
    )
    layer_info = {"name": layer.name, "type": layer.kind, "geometryType": layer.geometry_type,
                  "objectIdField": features.OID, "fields": layer.fields}
    publish_parameters = {"name": layer.name, "type": p.file_type, **{k: v for k, v in detected.items() if v},
                          "maxRecordCount": 2000, "layerInfo": layer_info}
    return AnalyzeResult(publish_parameters=publish_parameters, records=features.sample(layer), file_type=p.file_type)


@handles("portal:publishing.publish")
def publish(call: Call, p: PublishingPublishParams) -> PublishResult:
    hosted, job, item = call.state.publishing.publish(
        call.user, p.username, p.folder_id, item_id=p.item_id, file_type=p.file_type,
        parameters=_object(p.publish_parameters, "publishParameters"), output_type=p.output_type,
        overwrite=bool(p.overwrite), id_to_create=p.item_id_to_create, origin=_origin(call),
    )
    return PublishResult(services=[PublishedService(
        type=hosted.kind.item_type, service_url=item.url, encoded_service_url=item.url, service_item_id=item.id,
        job_id=job.id, size=-1,
    )])


@handles("portal:publishing.create_service")
def create_service(call: Call, p: PublishingCreateServiceParams) -> CreateServiceResult:
    hosted, job, item = call.state.publishing.create_service(
        call.user, p.username, p.folder_id, parameters=p.create_parameters, output_type=p.output_type,
        is_view=bool(p.is_view), id_to_create=p.item_id_to_create, tags=list(p.tags or []), snippet=p.snippet or "",
        origin=_origin(call),
    )
    return CreateServiceResult(
        success=True, item_id=item.id, service_item_id=item.id, name=hosted.name, type=hosted.kind.item_type,
        service_url=item.url, encoded_service_url=item.url, size=-1, is_view=False, job_id=job.id,
    )


@handles("portal:publishing.export")
def export(call: Call, p: PublishingExportParams) -> ExportResult:
    job, exported, source = call.state.publishing.export(
        call.user, p.username, item_id=p.item_id, title=p.title, export_format=p.export_format,
        parameters=p.export_parameters, tags=list(p.tags or []), snippet=p.snippet or "",
    )
    return ExportResult(type=exported.type, size=exported.size, job_id=job.id, export_item_id=exported.id,
                        service_item_id=source.id, export_format=p.export_format)


@handles("portal:publishing.is_service_name_available")
def is_service_name_available(call: Call, p: PublishingIsServiceNameAvailableParams) -> ServiceNameAvailability:
    if p.portal_id.lower() not in ("self", call.state.org.id.lower()):
        raise bad_request(f"Portal '{p.portal_id}' does not exist or is inaccessible.")
    server_type = SERVICE_TYPE_NAMES.get(p.service_type.lower())
    if server_type is None:
        raise bad_request(f"Invalid parameter 'type': unknown service type '{p.service_type}'.",
                          "featureService, imageService, mapService, vectorTileService or sceneService.")
    return ServiceNameAvailability(available=call.state.publishing.name_available(p.name, server_type))


@handles("portal:publishing.status")
def status(call: Call, p: PublishingStatusParams) -> ItemJobStatus:
    item, job, state = call.state.publishing.item_status(call.user, p.username, p.folder_id, p.id, p.job_id, p.job_type)
    message = job.failed if job is not None and job.failed else ""
    return ItemJobStatus(
        status=state, status_message=message or None, item_id=item.id if item else p.id,
        job_id=job.id if job else None, job_type=job.type if job else None, job_status=state if job else None,
    )


@handles("portal:publishing.copy")
def copy(call: Call, p: PublishingCopyParams) -> CopyItemResult:
    copied = call.state.publishing.copy(
        call.user, p.username, p.id, title=p.title, description=p.description, tags=p.tags, snippet=p.snippet,
        folder=p.folder,
    )
    return CopyItemResult(success=True, item_id=copied.id, owner=copied.owner, folder=copied.folder_id)


@handles("portal:publishing.replace_service")
def replace_service(call: Call, p: PublishingReplaceServiceParams) -> ReplaceServiceResult:
    call.state.publishing.replace(
        call.user, p.username, production_id=p.to_replace_item_id, staging_id=p.replacement_item_id,
        archive_name=p.replaced_service_name, replace_metadata=bool(p.replace_metadata),
    )
    return ReplaceServiceResult(success=True)
