"""Handlers of spec/server_admin/layers.yaml: the services directory's view of a service and of one layer,
read from the service definitions of the site's catalog (hosted services keep their layers in
`jsonProperties`)."""

from __future__ import annotations

from typing import Any

from arcgis_typed._runtime import wire
from arcgis_typed.server_admin.models.layers import LayerInfo, LayerRef, RestService
from arcgis_typed.server_admin.params.layers import LayersLayerParams, LayersServiceParams

from ..call import ServerCall
from ..errors import Fault
from ..registry import handles
from ..state.server.services import ServiceRecord


def _service(call: ServerCall, folder: str, name: str, service_type: str) -> tuple[ServiceRecord, dict[str, Any]]:
    record = call.site.catalog.service(folder, name, service_type)
    return record, dict(record.definition.get("jsonProperties") or {})


def _item_id(record: ServiceRecord) -> str | None:
    items = (record.definition.get("portalProperties") or {}).get("portalItems") or []
    return str(items[0]["itemID"]) if items else None


@handles("server_admin:layers.service")
def service(call: ServerCall, p: LayersServiceParams) -> RestService:
    record, props = _service(call, p.folder_name, p.service_name, p.service_type)

    def refs(key: str) -> list[LayerRef]:
        return [LayerRef(id=layer["id"], name=layer["name"], type=layer.get("type"),
                         geometry_type=layer.get("geometryType")) for layer in props.get(key) or []]

    return RestService(
        current_version=call.server.current_version, service_description=record.description,
        description=record.description, capabilities=str(record.definition.get("capabilities") or ""),
        max_record_count=props.get("maxRecordCount"), service_item_id=_item_id(record),
        spatial_reference=props.get("spatialReference"), layers=refs("layers"), tables=refs("tables"),
    )


@handles("server_admin:layers.layer")
def layer(call: ServerCall, p: LayersLayerParams) -> LayerInfo:
    record, props = _service(call, p.folder_name, p.service_name, p.service_type)
    for entry in (props.get("layers") or []) + (props.get("tables") or []):
        if str(entry["id"]) == p.layer_id.strip():
            return wire.structure(
                {**entry, "currentVersion": call.server.current_version, "description": "",
                 "capabilities": str(record.definition.get("capabilities") or ""),
                 "maxRecordCount": props.get("maxRecordCount"), "serviceItemId": _item_id(record)},
                LayerInfo,
            )
    raise Fault(404, f"Layer '{p.layer_id}' does not exist in service '{record.full_name}'.")
