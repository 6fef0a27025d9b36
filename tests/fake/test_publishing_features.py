"""The fake's feature-data readers and writers (state/features.py): any JSON or CSV either reads into layers
that every writer can write, or is refused with a Fault naming the problem - never another exception."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from arcgis_typed_fake.errors import Fault
from arcgis_typed_fake.state import features
from hypothesis import given, settings
from hypothesis import strategies as st

KEYS = st.sampled_from(["type", "features", "geometry", "properties", "coordinates", "layers", "layerDefinition",
                        "featureSet", "fields", "name", "geometryType", "attributes", "x", "y", "paths", "rings",
                        "points", "id"])
WORDS = st.sampled_from(["Feature", "FeatureCollection", "Point", "MultiPoint", "LineString", "MultiLineString",
                         "Polygon", "MultiPolygon", "esriGeometryPoint", "esriFieldTypeOID"])
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=False) | st.text(max_size=4) | WORDS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=30,
)


def write_all(layers: list[features.Layer]) -> None:
    for layer in layers:
        rows = list(csv.reader(io.StringIO(features.write_csv(layer).decode())))
        assert len(rows) == len(layer.features) + 1
        assert len(json.loads(features.write_geojson(layer))["features"]) == len(layer.features)
        features.extent(layer, {"wkid": 4326})
    assert len(json.loads(features.write_feature_collection(layers))["layers"]) == len(layers)


@settings(max_examples=400, deadline=None)
@given(doc=JSON)
def test_json_reads_or_is_refused(doc: Any) -> None:
    data = json.dumps(doc).encode()
    for read in (features.read_feature_collection, lambda d: [features.read_geojson(d, "layer")]):
        try:
            layers = read(data)
        except Fault as fault:
            assert fault.code == 400 and fault.message
            continue
        write_all(layers)
    try:
        features.layers_from_definitions(doc, "layers")
    except Fault as fault:
        assert fault.code == 400


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.lists(st.text(max_size=6) | st.integers().map(str) | st.floats().map(str), max_size=4),
                     max_size=5))
def test_csv_reads_or_is_refused(rows: list[list[str]]) -> None:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    try:
        layer, detected = features.read_csv(out.getvalue().encode(), "t", {})
    except Fault as fault:
        assert fault.code == 400
        return
    assert detected["locationType"] in ("coordinates", "none")
    write_all([layer])


def test_geometries_round_trip_between_geojson_and_esri_json() -> None:
    for geometry in ({"type": "Point", "coordinates": [1, 2]}, {"type": "LineString", "coordinates": [[0, 0], [1, 1]]},
                     {"type": "MultiLineString", "coordinates": [[[0, 0], [1, 1]], [[2, 2], [3, 3]]]},
                     {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]},
                     {"type": "MultiPoint", "coordinates": [[0, 0], [1, 1]]}):
        assert features.valid_geometry(geometry)
        assert features.esri_to_geojson(features.geojson_to_esri(geometry)) == geometry
    assert not features.valid_geometry({"type": "Point", "coordinates": []})
    assert not features.valid_geometry({"type": "Polygon", "coordinates": [[1, 2]]})
