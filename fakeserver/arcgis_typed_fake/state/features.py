"""Feature data for hosted services: reading CSV, GeoJSON and feature collections into layers, and writing
layers back out as CSV, GeoJSON and feature collections.

A layer keeps its schema (fields in ArcGIS form, geometry type) and its features (attributes, and a GeoJSON
geometry or None). Nothing here knows about items or services; errors are `Fault`s naming the problem.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from ..errors import Fault, bad_request

OID = "ObjectId"
MAX_FEATURES = 100_000
SAMPLE_RECORDS = 10
LATITUDE_NAMES = ("latitude", "lat", "y", "ycenter", "point_y", "lat_dd")
LONGITUDE_NAMES = ("longitude", "lon", "long", "lng", "x", "xcenter", "point_x", "lon_dd")
_GEOJSON_TO_ESRI = {
    "Point": "esriGeometryPoint",
    "MultiPoint": "esriGeometryMultipoint",
    "LineString": "esriGeometryPolyline",
    "MultiLineString": "esriGeometryPolyline",
    "Polygon": "esriGeometryPolygon",
    "MultiPolygon": "esriGeometryPolygon",
}


@attrs.define(eq=False)
class Layer:
    id: int
    name: str
    geometry_type: str | None  # esriGeometryPoint, ... ; None for a table
    fields: list[dict[str, Any]]  # ArcGIS field definitions, the object id field first
    features: list[tuple[dict[str, Any], dict[str, Any] | None]] = attrs.Factory(list)  # attributes, GeoJSON geometry
    last_oid: int = 0  # the highest object id the layer assigned by an edit (ids are never reused)

    @property
    def kind(self) -> str:
        return "Table" if self.geometry_type is None else "Feature Layer"

    def copy(self, layer_id: int | None = None) -> Layer:
        return Layer(
            id=self.id if layer_id is None else layer_id, name=self.name, geometry_type=self.geometry_type,
            fields=[dict(f) for f in self.fields], features=[(dict(a), g) for a, g in self.features],
        )


def _field(name: str, esri_type: str) -> dict[str, Any]:
    field: dict[str, Any] = {"name": name, "type": esri_type, "alias": name, "nullable": esri_type != "esriFieldTypeOID",
                             "editable": esri_type != "esriFieldTypeOID"}
    if esri_type == "esriFieldTypeString":
        field["length"] = 256
    return field


def _value(text: str) -> Any:
    """A CSV cell as the most specific value: int, float, else the text (empty: None)."""
    text = text.strip()
    if text == "":
        return None
    if "_" in text:
        return text  # Python reads 1_000 as a number; a CSV reader does not
    for convert in (int, float):
        try:
            value = convert(text)
        except ValueError:
            continue
        if isinstance(value, float) and not math.isfinite(value):
            return text
        return value
    return text


def _type_of(values: Iterable[Any]) -> str:
    kinds = {type(v) for v in values if v is not None}
    if not kinds:
        return "esriFieldTypeString"
    if kinds <= {int}:
        return "esriFieldTypeInteger"
    if kinds <= {int, float}:
        return "esriFieldTypeDouble"
    return "esriFieldTypeString"


def _schema(names: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    fields = [_field(OID, "esriFieldTypeOID")]
    for name in names:
        esri = _type_of(r.get(name) for r in rows)
        fields.append(_field(name, esri))
    return fields


def _coerce(rows: list[dict[str, Any]], fields: list[dict[str, Any]]) -> None:
    """Text in a numeric column would have made it a string column: keep one type per column."""
    for f in fields:
        if f["type"] == "esriFieldTypeString":
            for r in rows:
                if r.get(f["name"]) is not None:
                    r[f["name"]] = str(r[f["name"]])
        elif f["type"] == "esriFieldTypeDouble":
            for r in rows:
                if r.get(f["name"]) is not None:
                    r[f["name"]] = float(r[f["name"]])


def _location(names: Sequence[str], parameters: Mapping[str, Any]) -> tuple[str | None, str | None]:
    lat = parameters.get("latitudeFieldName")
    lon = parameters.get("longitudeFieldName")
    if parameters.get("locationType") == "none":
        return None, None
    lower = {n.lower(): n for n in names}
    for wanted, given in (("lat", lat), ("lon", lon)):
        if given is not None and given not in names:
            raise bad_request(f"Invalid parameter '{wanted}itudeFieldName': no column named '{given}'.")
    lat = lat or next((lower[n] for n in LATITUDE_NAMES if n in lower), None)
    lon = lon or next((lower[n] for n in LONGITUDE_NAMES if n in lower), None)
    if parameters.get("locationType") == "coordinates" and (lat is None or lon is None):
        raise bad_request("locationType coordinates needs latitude and longitude columns.")
    return (lat, lon) if lat is not None and lon is not None else (None, None)


def read_csv(data: bytes, name: str, parameters: Mapping[str, Any]) -> tuple[Layer, dict[str, Any]]:
    """A layer from CSV text (a point layer when it has latitude/longitude columns), and what was detected."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise bad_request("The CSV file is not UTF-8 text.") from None
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise bad_request("The CSV file is empty or malformed: it needs a header row.") from None
    names = [h.strip() for h in header]
    if not names or any(n == "" for n in names) or len(set(n.lower() for n in names)) != len(names):
        raise bad_request("The CSV header needs distinct, non-empty column names.")
    if any(n.lower() == OID.lower() for n in names):
        raise bad_request(f"The column name '{OID}' is reserved.")
    rows: list[dict[str, Any]] = []
    try:
        for i, raw in enumerate(reader):
            if not any(cell.strip() for cell in raw):
                continue
            if len(raw) != len(names):
                raise bad_request(f"CSV row {i + 2} has {len(raw)} values; the header has {len(names)}.")
            rows.append({n: _value(v) for n, v in zip(names, raw, strict=True)})
            if len(rows) > MAX_FEATURES:
                raise bad_request(f"The fake publishes at most {MAX_FEATURES} records.")
    except csv.Error as exc:
        raise bad_request(f"The CSV file is malformed: {exc}.") from None
    lat, lon = _location(names, parameters)
    fields = _schema(names, rows)
    _coerce(rows, fields)
    features: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
    for oid, row in enumerate(rows, start=1):
        geometry = None
        if lat is not None and lon is not None:
            y, x = row.get(lat), row.get(lon)
            if isinstance(x, (int, float)) and isinstance(y, (int, float)):
                geometry = {"type": "Point", "coordinates": [float(x), float(y)]}
        features.append(({OID: oid, **row}, geometry))
    layer = Layer(0, name, "esriGeometryPoint" if lat else None, fields, features)
    detected = {"locationType": "coordinates" if lat else "none", "latitudeFieldName": lat, "longitudeFieldName": lon}
    return layer, detected


def _dicts(value: Any) -> list[dict[str, Any]]:
    """The objects of a JSON list (anything else: none)."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _json(data: bytes, what: str) -> Any:
    try:
        return json.loads(data)
    except (UnicodeDecodeError, ValueError):
        raise bad_request(f"The {what} is not valid JSON.") from None


def read_geojson(data: bytes, name: str) -> Layer:
    doc = _json(data, "GeoJSON file")
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise bad_request("The GeoJSON file must hold a FeatureCollection.")
    rows: list[dict[str, Any]] = []
    geometries: list[dict[str, Any] | None] = []
    kinds: set[str] = set()
    for i, feature in enumerate(doc["features"]):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise bad_request(f"GeoJSON feature {i} is not a Feature.")
        props = feature.get("properties") or {}
        geometry = feature.get("geometry")
        if not isinstance(props, dict) or (geometry is not None and not isinstance(geometry, dict)):
            raise bad_request(f"GeoJSON feature {i} has malformed properties or geometry.")
        if geometry is not None:
            if not valid_geometry(geometry):
                raise bad_request(f"GeoJSON feature {i} has an unsupported or malformed geometry.")
            kinds.add(_GEOJSON_TO_ESRI[geometry["type"]])
        rows.append({k: v for k, v in props.items() if not isinstance(v, (dict, list))})
        geometries.append(geometry)
        if len(rows) > MAX_FEATURES:
            raise bad_request(f"The fake publishes at most {MAX_FEATURES} records.")
    if len(kinds) > 1:
        raise bad_request(f"The GeoJSON file mixes geometry types ({', '.join(sorted(kinds))}); publish one per file.")
    names = sorted({k for r in rows for k in r if k.lower() != OID.lower()})
    fields = _schema(names, rows)
    _coerce(rows, fields)
    features = [({OID: i, **{n: r.get(n) for n in names}}, g) for i, (r, g) in enumerate(zip(rows, geometries, strict=True), 1)]
    return Layer(0, name, next(iter(kinds), "esriGeometryPoint"), fields, features)


def read_feature_collection(data: bytes) -> list[Layer]:
    doc = _json(data, "feature collection")
    raw_layers = doc.get("layers") if isinstance(doc, dict) else None
    if not isinstance(raw_layers, list) or not raw_layers:
        raise bad_request("A feature collection needs a non-empty 'layers' list.")
    layers = []
    for i, raw in enumerate(raw_layers):
        definition = raw.get("layerDefinition") if isinstance(raw, dict) else None
        feature_set = raw.get("featureSet") if isinstance(raw, dict) else None
        if not isinstance(definition, dict):
            raise bad_request(f"Feature collection layer {i} has no layerDefinition.")
        features_raw = feature_set.get("features") if isinstance(feature_set, dict) else []
        if not isinstance(features_raw, list):
            raise bad_request(f"Feature collection layer {i}: featureSet.features must be a list.")
        fields = [f for f in _dicts(definition.get("fields")) if isinstance(f.get("name"), str)]
        if not any(f.get("type") == "esriFieldTypeOID" for f in fields):
            fields.insert(0, _field(OID, "esriFieldTypeOID"))
        oid = next(f["name"] for f in fields if f.get("type") == "esriFieldTypeOID")
        features = []
        for n, feature in enumerate(features_raw, start=1):
            attributes = dict(feature.get("attributes") or {}) if isinstance(feature, dict) else {}
            attributes.setdefault(oid, n)
            geometry = esri_to_geojson(feature.get("geometry") if isinstance(feature, dict) else None)
            if geometry is not None and not valid_geometry(geometry):
                raise bad_request(f"Feature collection layer {i}, feature {n}: malformed geometry.")
            features.append((attributes, geometry))
        geometry_type = definition.get("geometryType")
        layers.append(Layer(i, str(definition.get("name") or f"Layer {i}"),
                            geometry_type if isinstance(geometry_type, str) else None, fields, features))
    return layers


def layers_from_definitions(raw: Any, what: str, first_id: int = 0) -> list[Layer]:
    """Empty layers from createService's `layers` / `tables` definitions (name, geometryType, fields)."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise bad_request(f"Invalid parameter 'createParameters': '{what}' must be a list.")
    layers = []
    for i, definition in enumerate(raw):
        if not isinstance(definition, dict) or not isinstance(definition.get("name"), str) or not definition["name"]:
            raise bad_request(f"Invalid parameter 'createParameters': {what}[{i}] needs a name.")
        fields = [dict(f) for f in _dicts(definition.get("fields")) if isinstance(f.get("name"), str)]
        if not any(f.get("type") == "esriFieldTypeOID" for f in fields):
            fields.insert(0, _field(OID, "esriFieldTypeOID"))
        geometry = definition.get("geometryType") if what == "layers" else None
        layer_id = definition.get("id")
        layers.append(Layer(layer_id if isinstance(layer_id, int) and not isinstance(layer_id, bool) else first_id + i,
                            definition["name"], geometry if isinstance(geometry, str) else None, fields))
    ids = [layer.id for layer in layers]
    if len(set(ids)) != len(ids):
        raise bad_request(f"Invalid parameter 'createParameters': two {what} share an id.")
    return layers


# --- geometry --------------------------------------------------------------------------------------------------


_DEPTH = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2, "Polygon": 2, "MultiPolygon": 3}


def _positions(node: Any, depth: int) -> bool:
    """Whether `node` is a position (depth 0: two or more numbers) or a non-empty nest of them `depth` deep."""
    if depth == 0:
        return (isinstance(node, list) and len(node) >= 2
                and all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in node))
    return isinstance(node, list) and bool(node) and all(_positions(child, depth - 1) for child in node)


def valid_geometry(geometry: Any) -> bool:
    """A GeoJSON geometry of a supported type whose coordinates nest as the type says."""
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    return kind in _DEPTH and _positions(geometry.get("coordinates"), _DEPTH[kind])


def esri_to_geojson(geometry: Any) -> dict[str, Any] | None:
    if not isinstance(geometry, dict):
        return None
    if isinstance(geometry.get("x"), (int, float)) and isinstance(geometry.get("y"), (int, float)):
        return {"type": "Point", "coordinates": [geometry["x"], geometry["y"]]}
    for key, single, multi in (("points", None, "MultiPoint"), ("paths", "LineString", "MultiLineString"),
                               ("rings", "Polygon", "Polygon")):
        value = geometry.get(key)
        if isinstance(value, list):
            if key == "rings":
                return {"type": "Polygon", "coordinates": value}
            return {"type": single if single and len(value) == 1 else multi, "coordinates": value[0] if single and len(value) == 1 else value}
    return None


def geojson_to_esri(geometry: dict[str, Any] | None) -> dict[str, Any] | None:
    if geometry is None:
        return None
    kind, coords = geometry["type"], geometry["coordinates"]
    if kind == "Point":
        return {"x": coords[0], "y": coords[1]}
    if kind == "MultiPoint":
        return {"points": coords}
    if kind == "LineString":
        return {"paths": [coords]}
    if kind == "MultiLineString":
        return {"paths": coords}
    if kind == "Polygon":
        return {"rings": coords}
    return {"rings": [ring for polygon in coords for ring in polygon]}  # MultiPolygon


def _coordinates(node: Any) -> Iterable[tuple[float, float]]:
    if isinstance(node, list) and len(node) >= 2 and all(isinstance(v, (int, float)) for v in node[:2]):
        yield float(node[0]), float(node[1])
    elif isinstance(node, list):
        for child in node:
            yield from _coordinates(child)


def coordinates(node: Any) -> list[tuple[float, float]]:
    """Every (x, y) position of GeoJSON coordinates."""
    return list(_coordinates(node))


def esri_type(geometry: dict[str, Any]) -> str:
    """The Esri geometry type of a valid GeoJSON geometry."""
    return _GEOJSON_TO_ESRI[geometry["type"]]


def extent(layer: Layer, spatial_reference: dict[str, Any]) -> dict[str, Any] | None:
    """The bounding box of the layer's geometries (None for a table or a layer without any)."""
    points = [xy for _, g in layer.features if g is not None for xy in _coordinates(g["coordinates"])]
    if not points:
        return None
    xs, ys = [x for x, _ in points], [y for _, y in points]
    return {"xmin": min(xs), "ymin": min(ys), "xmax": max(xs), "ymax": max(ys), "spatialReference": spatial_reference}


# --- writing ---------------------------------------------------------------------------------------------------


def _attribute_names(layer: Layer) -> list[str]:
    return [f["name"] for f in layer.fields]


def write_csv(layer: Layer) -> bytes:
    """The layer as CSV; point layers whose coordinates are not already columns get x and y columns."""
    names = _attribute_names(layer)
    points = layer.geometry_type == "esriGeometryPoint" and not (
        {n.lower() for n in names} & set(LATITUDE_NAMES) and {n.lower() for n in names} & set(LONGITUDE_NAMES)
    )
    out = io.StringIO()
    writer = csv.writer(out)  # RFC 4180 line ends, so a field holding a lone CR is quoted
    writer.writerow(names + (["x", "y"] if points else []))
    for attributes, geometry in layer.features:
        row = ["" if attributes.get(n) is None else attributes[n] for n in names]
        if points:
            xy = geometry["coordinates"][:2] if geometry and geometry["type"] == "Point" else ["", ""]
            row += list(xy)
        writer.writerow(row)
    return out.getvalue().encode()


def write_geojson(layer: Layer) -> bytes:
    features = [{"type": "Feature", "geometry": g, "properties": a} for a, g in layer.features]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def write_feature_collection(layers: Sequence[Layer]) -> bytes:
    out = []
    for layer in layers:
        definition = {"name": layer.name, "type": layer.kind, "geometryType": layer.geometry_type,
                      "objectIdField": OID, "fields": layer.fields}
        features = [{"attributes": a, "geometry": geojson_to_esri(g)} for a, g in layer.features]
        out.append({"layerDefinition": definition, "featureSet": {"geometryType": layer.geometry_type, "features": features}})
    return json.dumps({"layers": out}).encode()


def sample(layer: Layer) -> list[dict[str, Any]]:
    return [dict(a) for a, _ in layer.features[:SAMPLE_RECORDS]]


def not_implemented(what: str) -> Fault:
    return Fault(501, f"{what} is not implemented in the fake.",
                 ["The fake reads and writes CSV, GeoJSON and feature collections."])
