"""Handlers of spec/server_admin/layers.yaml: the services directory's view of a service and of one layer,
read from the service definitions of the site's catalog (hosted services keep their layers in
`jsonProperties`), and feature queries and edits of hosted layers (rules in `state/layers.py`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import attrs
from arcgis_typed._runtime import wire
from arcgis_typed.server_admin.models.layers import EditResults, FeatureQueryResult, LayerInfo, LayerRef, RestService
from arcgis_typed.server_admin.params.layers import (
    LayersAddFeaturesParams,
    LayersApplyEditsParams,
    LayersDeleteFeaturesParams,
    LayersLayerParams,
    LayersQueryParams,
    LayersServiceParams,
    LayersUpdateFeaturesParams,
)
from werkzeug.wrappers import Response

from ..call import ServerCall
from ..errors import Fault
from ..registry import handles
from ..state import layers
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


def _target(call: ServerCall, folder: str, name: str, service_type: str, layer_id: str,
            edits: Sequence[str] = ()) -> layers.Target:
    record = call.site.catalog.service(folder, name, service_type)
    found = layers.target(call.portal, record, layer_id)
    assert call.portal is not None  # target() answers 501 without one
    layers.authorize(call.portal, found, call.caller, call.portal_caller, edits)
    return found


@handles("server_admin:layers.query")
def query(call: ServerCall, p: LayersQueryParams) -> FeatureQueryResult | Response:
    found = _target(call, p.folder_name, p.service_name, p.service_type, p.layer_id)
    q = layers.Query(**{f.name: getattr(p, f.name) for f in attrs.fields(layers.Query)})
    geojson = (call.request.values.get("f") or "").lower() == "geojson"
    answer = layers.query(found, q, geojson=geojson)
    if geojson and answer.get("type") == "FeatureCollection":
        return Response(json.dumps(answer), status=200, content_type="application/geo+json")
    return wire.structure(answer, FeatureQueryResult)


def _edits(call: ServerCall, p: Any, edits: Sequence[str], **kwargs: Any) -> EditResults:
    found = _target(call, p.folder_name, p.service_name, p.service_type, p.layer_id, edits)
    answer = layers.apply_edits(found, rollback=p.rollback_on_failure, **kwargs)
    assert call.portal is not None
    layers.edited(call.portal, found)
    return wire.structure(answer, EditResults)


@handles("server_admin:layers.apply_edits")
def apply_edits(call: ServerCall, p: LayersApplyEditsParams) -> EditResults:
    if p.use_global_ids:
        raise Fault(501, "useGlobalIds is not implemented in the fake: its hosted layers have no global ids.")
    kinds = [kind for kind, given in (("Create", p.adds), ("Update", p.updates), ("Delete", p.deletes))
             if given is not None]
    return _edits(call, p, kinds, adds=p.adds, updates=p.updates, deletes=p.deletes)


@handles("server_admin:layers.add_features")
def add_features(call: ServerCall, p: LayersAddFeaturesParams) -> EditResults:
    return _edits(call, p, ["Create"], adds=p.features, params=("features", "", ""))


@handles("server_admin:layers.update_features")
def update_features(call: ServerCall, p: LayersUpdateFeaturesParams) -> EditResults:
    return _edits(call, p, ["Update"], updates=p.features, params=("", "features", ""))


@handles("server_admin:layers.delete_features")
def delete_features(call: ServerCall, p: LayersDeleteFeaturesParams) -> EditResults:
    found = _target(call, p.folder_name, p.service_name, p.service_type, p.layer_id, ["Delete"])
    ids = layers.delete_where(found, p.where, p.object_ids)
    return _edits(call, p, ["Delete"], deletes=ids, params=("", "", "objectIds"))
