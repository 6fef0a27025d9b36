"""Feature queries and edits of hosted feature layers (the `layers` family): which layer a services-directory
URL names, who may read and edit it, `query` (where, object ids, envelope, fields, order, paging, count and
ids only, Esri JSON or GeoJSON) and `applyEdits` / `addFeatures` / `updateFeatures` / `deleteFeatures`.

Reading follows the service's item: its owner, anyone the item is shared with, and the server's own users may
query; anonymous callers only a public item's. Editing: the item's owner, an administrator of its
organization (portal:admin:updateItems) and the server's administrators always may; others who can view the
item only when the service's capabilities include Editing and the kind of edit (Create, Update, Delete).
"""

from __future__ import annotations

import json
import math
from functools import partial
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import TOKEN_REQUIRED, Fault, bad_request, forbidden
from . import features, layer_statistics, projection
from .features import Layer
from .where import NUMERIC, compile_where, invalid

if TYPE_CHECKING:
    from .items import ItemRecord
    from .portal import PortalState
    from .publishing import Hosted
    from .server import ServerUser, ServiceRecord
    from .users import UserRecord

OBJECT_MISSING = 1019
BAD_VALUE = 1000
INTERSECTS = {"esrispatialrelintersects", "esrispatialrelenvelopeintersects"}
Feature = tuple[dict[str, Any], dict[str, Any] | None]


@attrs.frozen
class Target:
    """A layer (or table) of a hosted feature service, and the service and item it belongs to."""

    hosted: Hosted
    layer: Layer
    item: ItemRecord

    @property
    def oid(self) -> str:
        return next(str(f["name"]) for f in self.layer.fields if f.get("type") == "esriFieldTypeOID")

    def types(self) -> dict[str, str]:
        return {f["name"]: str(f.get("type")) for f in self.layer.fields}


def target(portal: PortalState | None, record: ServiceRecord, layer_id: str) -> Target:
    """The layer `layer_id` of the service (404 when the service lists no such layer; 501 when it holds no
    feature data in the fake)."""
    props = record.definition.get("jsonProperties") or {}
    if not any(str(entry.get("id")) == layer_id.strip() for entry in (props.get("layers") or []) + (props.get("tables") or [])):
        raise Fault(404, f"Layer '{layer_id}' does not exist in service '{record.full_name}'.")
    items = (record.definition.get("portalProperties") or {}).get("portalItems") or []
    hosted = portal.publishing.hosted.get(str(items[0]["itemID"])) if portal is not None and items else None
    item = portal.items.get(hosted.item_id) if portal is not None and hosted is not None else None
    layer = next((x for x in hosted.layers + hosted.tables if str(x.id) == layer_id.strip()), None) if hosted else None
    if hosted is None or item is None or layer is None or record.type != "FeatureServer":
        raise Fault(501, f"Feature queries and edits of '{record.full_name}' are not implemented in the fake.",
                    ["The fake holds feature data for hosted feature services only."])
    return Target(hosted, layer, item)


def authorize(portal: PortalState, found: Target, server_user: ServerUser | None, user: UserRecord | None,
              edits: Sequence[str] = ()) -> None:
    """Refuse (499 without a token, 403 otherwise) a caller who may not read the layer, or make `edits`
    (Create, Update, Delete)."""
    if server_user is not None:
        if edits and not server_user.has("PUBLISH"):
            raise forbidden()
        return
    if not portal.items.can_view(user, found.item):
        if user is None:
            raise Fault(499, TOKEN_REQUIRED, ["The service's item is not public: sign in to use it."])
        raise forbidden()
    if not edits or portal.items.may_administer(user, found.item, "portal:admin:updateItems"):
        return
    capabilities = {c.strip().lower() for c in found.hosted.capabilities.split(",")}
    if user is None:
        raise Fault(499, TOKEN_REQUIRED, ["Editing needs a signed-in user."])
    if "editing" not in capabilities or any(e.lower() not in capabilities for e in edits):
        raise forbidden(f"The service '{found.hosted.name}' does not allow {', '.join(edits)} edits by others "
                        f"(capabilities: {found.hosted.capabilities}).")


# --- query ---------------------------------------------------------------------------------------------------


@attrs.frozen
class Query:
    where: str | None = None
    object_ids: list[int] | None = None
    out_fields: str | None = None
    return_geometry: bool | None = None
    return_count_only: bool | None = None
    return_ids_only: bool | None = None
    order_by_fields: str | None = None
    result_offset: int | None = None
    result_record_count: int | None = None
    geometry: str | None = None
    geometry_type: str | None = None
    spatial_rel: str | None = None
    in_sr: str | None = None
    out_sr: str | None = None
    out_statistics: Any = None
    group_by_fields_for_statistics: str | None = None
    having: str | None = None
    return_distinct_values: bool | None = None
    return_extent_only: bool | None = None


def _canonical(found: Target, name: str, param: str) -> str:
    return _named({f["name"].lower(): f["name"] for f in found.layer.fields}, name, param)


def _named(by_lower: dict[str, str], name: str, param: str) -> str:
    key = name.strip().lower()
    if key not in by_lower:
        raise invalid(f"'{param}' names the field '{name.strip()}', which the layer does not have.")
    return by_lower[key]


def _envelope(found: Target, q: Query) -> tuple[float, float, float, float] | None:
    """The envelope filter, in the layer's spatial reference (from inSR, or the envelope's own)."""
    if q.geometry is None or not q.geometry.strip():
        return None
    kind = (q.geometry_type or "esriGeometryEnvelope").strip()
    relation = (q.spatial_rel or "esriSpatialRelIntersects").strip()
    if kind.lower() != "esrigeometryenvelope" or relation.lower() not in INTERSECTS:
        raise Fault(501, f"Spatial filters with {kind} and {relation} are not implemented in the fake.",
                    ["The fake filters by an envelope (esriGeometryEnvelope) with esriSpatialRelIntersects."])
    text = q.geometry.strip()
    try:
        raw = json.loads(text) if text.startswith("{") else dict(zip(("xmin", "ymin", "xmax", "ymax"),
                                                                     (float(v) for v in text.split(",")), strict=True))
        box = tuple(float(raw[k]) for k in ("xmin", "ymin", "xmax", "ymax"))
    except (ValueError, TypeError, KeyError):
        raise invalid("'geometry' must be an envelope: {\"xmin\": ..., \"ymin\": ..., \"xmax\": ..., \"ymax\": ...} "
                      "or xmin,ymin,xmax,ymax.") from None
    if not all(math.isfinite(v) for v in box) or box[0] > box[2] or box[1] > box[3]:
        raise invalid("'geometry' must be an envelope with finite xmin <= xmax and ymin <= ymax.")
    native = projection.layer_wkid(found.hosted.spatial_reference)
    own = raw.get("spatialReference")
    source = projection.wkid(own, "geometry", native) if own is not None else projection.wkid(q.in_sr, "inSR", native)
    return projection.project_box((box[0], box[1], box[2], box[3]), projection.transform(source, native, "inSR"))


def _box(geometry: dict[str, Any] | None) -> tuple[float, float, float, float] | None:
    points = list(features.coordinates(geometry["coordinates"])) if geometry is not None else []
    if not points:
        return None
    xs, ys = [x for x, _ in points], [y for _, y in points]
    return min(xs), min(ys), max(xs), max(ys)


def _intersects(geometry: dict[str, Any] | None, box: tuple[float, float, float, float]) -> bool:
    own = _box(geometry)
    return own is not None and own[0] <= box[2] and own[2] >= box[0] and own[1] <= box[3] and own[3] >= box[1]


def _order_keys(text: str | None, canonical: Callable[[str], str]) -> list[tuple[str, bool]]:
    """(field, descending) pairs of orderByFields."""
    keys: list[tuple[str, bool]] = []
    for part in (text or "").split(","):
        words = part.split()
        if not words:
            continue
        if len(words) > 2 or (len(words) == 2 and words[1].upper() not in ("ASC", "DESC")):
            raise invalid(f"'orderByFields' has '{part.strip()}'; expected FIELD [ASC|DESC].")
        keys.append((canonical(words[0]), len(words) == 2 and words[1].upper() == "DESC"))
    return keys


def _order(found: Target, text: str | None) -> list[tuple[str, bool]]:
    """The order of features: orderByFields, then the object id, so that the order is total."""
    return [*_order_keys(text, lambda name: _canonical(found, name, "orderByFields")), (found.oid, False)]


def _sorted(rows: list[Feature], keys: list[tuple[str, bool]]) -> list[Feature]:
    """Nulls sort last ascending and first descending (as PostgreSQL, the relational data store, does)."""
    def key(name: str) -> Callable[[Feature], tuple[bool, Any]]:
        return lambda f: (f[0].get(name) is None, 0 if f[0].get(name) is None else f[0].get(name))

    for name, descending in reversed(keys):
        rows.sort(key=key(name), reverse=descending)
    return rows


def _out_fields(found: Target, text: str | None) -> list[str]:
    if text is None or not text.strip():
        return [found.oid]
    names = [n.strip() for n in text.split(",") if n.strip()]
    if "*" in names:
        return [f["name"] for f in found.layer.fields]
    return list(dict.fromkeys(_canonical(found, n, "outFields") for n in names))


def select(found: Target, q: Query) -> list[Feature]:
    """The features `q` selects, in its order (before paging)."""
    test = compile_where(q.where, found.types())
    wanted = set(q.object_ids) if q.object_ids is not None else None
    box = _envelope(found, q)
    oid = found.oid
    rows = [f for f in found.layer.features
            if (wanted is None or f[0].get(oid) in wanted) and test(f[0]) and (box is None or _intersects(f[1], box))]
    return _sorted(rows, _order(found, q.order_by_fields))


def _statistics(found: Target, q: Query) -> tuple[list[dict[str, Any]], list[Feature]]:
    """outStatistics (grouped by groupByFieldsForStatistics, filtered by having, ordered by orderByFields
    over the output fields): the output fields and one row per group."""
    if q.out_statistics is None:
        raise invalid("'groupByFieldsForStatistics' applies only together with 'outStatistics'.")
    stats = layer_statistics.parse(q.out_statistics, found.layer.fields)
    by_name = {f["name"]: f for f in found.layer.fields}
    group = [by_name[n] for n in dict.fromkeys(
        _canonical(found, part, "groupByFieldsForStatistics")
        for part in (q.group_by_fields_for_statistics or "").split(",") if part.strip())]
    rows = [a for a, _ in select(found, attrs.evolve(q, order_by_fields=None))]
    out = layer_statistics.compute(rows, stats, group, q.having, found.types())
    fields = [*group, *(s.field for s in stats)]
    names = {f["name"].lower(): f["name"] for f in fields}
    keys = _order_keys(q.order_by_fields, lambda name: _named(names, name, "orderByFields"))
    return fields, _sorted([(row, None) for row in out], [*keys, *((f["name"], False) for f in group)])


def _distinct(found: Target, q: Query, out: list[str]) -> tuple[list[dict[str, Any]], list[Feature]]:
    """returnDistinctValues: each distinct combination of the outFields' values once, without geometry,
    ordered by orderByFields (among the outFields) and then by the outFields."""
    rows = select(found, attrs.evolve(q, order_by_fields=None))
    combos = dict.fromkeys(tuple(a.get(n) for n in out) for a, _ in rows)
    names = {n.lower(): n for n in out}
    keys = _order_keys(q.order_by_fields, lambda name: _named(names, name, "orderByFields"))
    distinct: list[Feature] = [(dict(zip(out, combo, strict=True)), None) for combo in combos]
    return [f for f in found.layer.fields if f["name"] in out], _sorted(distinct, [*keys, *((n, False) for n in out)])


def query(found: Target, q: Query, *, geojson: bool = False) -> dict[str, Any]:
    """The answer to `q` in ArcGIS's JSON (or a GeoJSON FeatureCollection)."""
    if q.return_count_only and q.return_ids_only:
        count_only = True  # ArcGIS answers the count when both are asked for
    else:
        count_only = bool(q.return_count_only)
    out = _out_fields(found, q.out_fields)  # checked first: a bad field is an error in every mode
    native = projection.layer_wkid(found.hosted.spatial_reference)
    out_wkid = projection.wkid(q.out_sr, "outSR", native)
    point = projection.transform(native, out_wkid, "outSR")
    reference = projection.reference(out_wkid, found.hosted.spatial_reference)
    aggregated = q.out_statistics is not None or bool((q.group_by_fields_for_statistics or "").strip())
    if q.out_statistics is None and (q.having or "").strip():
        raise invalid("'having' applies only together with 'outStatistics'.")
    if aggregated or q.return_distinct_values:
        fields, rows = _statistics(found, q) if aggregated else _distinct(found, q, out)
        if count_only:
            return {"count": len(rows)}
        out, geometry = [f["name"] for f in fields], False
        answer: dict[str, Any] = {"displayFieldName": "", "fieldAliases": {f["name"]: f.get("alias") or f["name"]
                                                                           for f in fields}, "fields": fields}
    else:
        rows = select(found, q)
        if q.return_extent_only:
            if found.layer.geometry_type is None:
                raise invalid("'returnExtentOnly' applies to layers with geometries, not to tables.")
            boxes = [b for b in (_box(g) for _, g in rows) if b is not None]
            extent: dict[str, Any] = {"extent": projection.extent(boxes, point, reference)}
            return {"count": len(rows), **extent} if count_only else extent
        if count_only:
            return {"count": len(rows)}
        if q.return_ids_only:
            return {"objectIdFieldName": found.oid, "objectIds": [a[found.oid] for a, _ in rows]}
        geometry = q.return_geometry is not False and found.layer.geometry_type is not None
        answer = {"objectIdFieldName": found.oid, "globalIdFieldName": "",
                  "fields": [f for f in found.layer.fields if f["name"] in out]}
        if found.layer.geometry_type is not None:
            answer["geometryType"] = found.layer.geometry_type
            answer["spatialReference"] = reference
    limit = found.hosted.max_record_count
    offset = q.result_offset or 0
    count = limit if q.result_record_count is None else min(q.result_record_count, limit)
    page = [(a, projection.project(g, point) if geometry else None) for a, g in rows[offset:offset + count]]
    exceeded = offset + count < len(rows)
    if geojson:
        return _collection(found, page, out, exceeded)
    answer["features"] = [_esri(a, g, out) for a, g in page]
    if exceeded:
        answer["exceededTransferLimit"] = True
    return answer


def _collection(found: Target, page: list[Feature], out: list[str], exceeded: bool) -> dict[str, Any]:
    collection: dict[str, Any] = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": a.get(found.oid), "geometry": g, "properties": {n: a.get(n) for n in out}}
        for a, g in page]}
    if exceeded:
        collection["properties"] = {"exceededTransferLimit": True}
    return collection


def _esri(attributes: dict[str, Any], geometry: dict[str, Any] | None, out: list[str]) -> dict[str, Any]:
    feature: dict[str, Any] = {"attributes": {n: attributes.get(n) for n in out}}
    if geometry is not None:
        feature["geometry"] = features.geojson_to_esri(geometry)
    return feature


# --- edits ---------------------------------------------------------------------------------------------------


class EditFailed(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code, self.description = code, description


def _failure(object_id: Any, exc: EditFailed) -> dict[str, Any]:
    result: dict[str, Any] = {"success": False, "error": {"code": exc.code, "description": exc.description}}
    if isinstance(object_id, int) and not isinstance(object_id, bool):
        result["objectId"] = object_id
    return result


def _features(raw: Any, param: str) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if isinstance(raw, dict) and isinstance(raw.get("features"), list):
        raw = raw["features"]  # a feature set
    if not isinstance(raw, list) or not all(isinstance(f, dict) for f in raw):
        raise bad_request(f"Invalid parameter '{param}': expected a JSON array of features "
                          "([{\"attributes\": {...}, \"geometry\": {...}}, ...]).")
    for i, feature in enumerate(raw):
        if not isinstance(feature.get("attributes", {}), dict):
            raise bad_request(f"Invalid parameter '{param}': feature {i} has no attributes object.")
    return raw


def object_ids(raw: Any, param: str) -> list[int]:
    """Object ids as a comma list or a JSON array."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return []
    text = raw.strip() if isinstance(raw, str) else raw
    try:
        values = json.loads(text) if isinstance(text, str) and text.startswith("[") else (
            text.split(",") if isinstance(text, str) else text)
        ids = [int(v) for v in values]
    except (ValueError, TypeError):
        raise bad_request(f"Invalid parameter '{param}': expected object ids (1,2,3 or [1,2,3]).") from None
    return ids


def _value(field: dict[str, Any], value: Any) -> Any:
    name, kind = field["name"], str(field.get("type"))
    if value is None:
        if field.get("nullable") is False:
            raise EditFailed(BAD_VALUE, f"Setting of value for {name} failed: the field is not nullable.")
        return None
    if kind in NUMERIC:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise EditFailed(BAD_VALUE, f"Setting of value for {name} failed: expected a number.")
        if kind == "esriFieldTypeDouble" or kind == "esriFieldTypeSingle":
            return float(value)
        if value != int(value):
            raise EditFailed(BAD_VALUE, f"Setting of value for {name} failed: expected a whole number.")
        return int(value)
    if kind == "esriFieldTypeString":
        if not isinstance(value, str):
            raise EditFailed(BAD_VALUE, f"Setting of value for {name} failed: expected text.")
        if isinstance(field.get("length"), int) and len(value) > field["length"]:
            raise EditFailed(BAD_VALUE, f"Setting of value for {name} failed: longer than {field['length']}.")
        return value
    if isinstance(value, (dict, list)):
        raise EditFailed(BAD_VALUE, f"Setting of value for {name} failed: expected a plain value.")
    return value


def _apply(found: Target, feature: dict[str, Any], base: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """`base`'s attributes with `feature`'s set, and its geometry (GeoJSON; `...` when not given)."""
    by_lower = {f["name"].lower(): f for f in found.layer.fields}
    attributes = dict(base)
    for key, value in (feature.get("attributes") or {}).items():
        field = by_lower.get(str(key).lower())
        if field is None:
            raise EditFailed(BAD_VALUE, f"Field '{key}' does not exist in the layer.")
        if field["name"] != found.oid:
            attributes[field["name"]] = _value(field, value)
    if "geometry" not in feature or found.layer.geometry_type is None:
        return attributes, ...
    geometry = features.esri_to_geojson(feature["geometry"])
    if feature["geometry"] is not None and (geometry is None or not features.valid_geometry(geometry)):
        raise EditFailed(BAD_VALUE, "The geometry is malformed.")
    if geometry is not None and features.esri_type(geometry) != found.layer.geometry_type:
        raise EditFailed(BAD_VALUE, f"The geometry is not of the layer's type {found.layer.geometry_type}.")
    return attributes, geometry


@attrs.define
class _Edit:
    found: Target
    rows: list[Feature]
    next_oid: int
    failures: list[str] = attrs.Factory(list)

    def index(self, object_id: Any) -> int:
        oid = self.found.oid
        for i, (attributes, _) in enumerate(self.rows):
            if attributes.get(oid) == object_id:
                return i
        raise EditFailed(OBJECT_MISSING, "Object is missing.")

    def run(self, object_id: Any, action: Callable[[], dict[str, Any]], kind: str) -> dict[str, Any]:
        try:
            return action()
        except EditFailed as exc:
            self.failures.append(f"{kind} {len(self.failures) + 1}: {exc.description}")
            return _failure(object_id, exc)

    def add(self, feature: dict[str, Any]) -> dict[str, Any]:
        blank = {f["name"]: None for f in self.found.layer.fields}
        attributes, geometry = _apply(self.found, feature, blank)
        attributes[self.found.oid] = self.next_oid
        self.rows.append((attributes, None if geometry is ... else geometry))
        self.next_oid += 1
        return {"objectId": self.next_oid - 1, "success": True}

    def update(self, feature: dict[str, Any]) -> dict[str, Any]:
        oid = self.found.oid
        object_id = next((v for k, v in (feature.get("attributes") or {}).items() if str(k).lower() == oid.lower()), None)
        if object_id is None:
            raise EditFailed(OBJECT_MISSING, f"The feature's attributes lack its object id ({oid}).")
        i = self.index(object_id)
        attributes, geometry = _apply(self.found, feature, self.rows[i][0])
        self.rows[i] = (attributes, self.rows[i][1] if geometry is ... else geometry)
        return {"objectId": object_id, "success": True}

    def delete(self, object_id: int) -> dict[str, Any]:
        del self.rows[self.index(object_id)]
        return {"objectId": object_id, "success": True}


def apply_edits(found: Target, *, adds: Any = None, updates: Any = None, deletes: Any = None,
                rollback: bool | None = True, params: tuple[str, str, str] = ("adds", "updates", "deletes")) -> dict[str, Any]:
    """Apply the edits (to a copy, kept only when all succeed or `rollback` is false) and answer the results of
    the kinds of edit requested. With rollback, a failure answers an error naming each failed edit."""
    add_list = _features(adds, params[0])
    update_list = _features(updates, params[1])
    delete_ids = object_ids(deletes, params[2])
    layer = found.layer
    ids = [a[found.oid] for a, _ in layer.features if isinstance(a.get(found.oid), int)]
    edit = _Edit(found, list(layer.features), max([*ids, layer.last_oid]) + 1)
    answer: dict[str, Any] = {}
    if adds is not None:
        answer["addResults"] = [edit.run(None, partial(edit.add, f), "add") for f in add_list]
    if updates is not None:
        answer["updateResults"] = [edit.run((f.get("attributes") or {}).get(found.oid), partial(edit.update, f), "update")
                                   for f in update_list]
    if deletes is not None:
        answer["deleteResults"] = [edit.run(i, partial(edit.delete, i), "delete") for i in delete_ids]
    if edit.failures and rollback is not False:
        raise Fault(400, "Unable to complete operation.", [*edit.failures, "No edit was applied (rollbackOnFailure)."])
    layer.features[:] = edit.rows
    layer.last_oid = edit.next_oid - 1
    return answer


def delete_where(found: Target, where: str | None, ids: list[int] | None) -> list[int]:
    """The object ids deleteFeatures' objectIds and where select (at least one of them is needed)."""
    if (where is None or not where.strip()) and not ids:
        raise bad_request("Invalid parameter 'where': deleteFeatures needs objectIds or a where clause.")
    if where is None or not where.strip():
        return list(ids or [])
    return [a[found.oid] for a, _ in select(found, Query(where=where, object_ids=ids or None))]


def edited(portal: PortalState, found: Target) -> None:
    """After edits: the service definition's layer extents follow the data."""
    portal.publishing._redefine(found.hosted)  # noqa: SLF001 - the publishing store owns the definition
