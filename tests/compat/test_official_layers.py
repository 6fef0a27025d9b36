"""Esri's official `arcgis` client (2.4.4), unmodified, querying and editing a hosted feature layer of the fake:
`FeatureLayer.query` (where, out_fields, ids, counts) returns FeatureSets of the right features, and
`edit_features` adds, updates and deletes them. Same targets as test_official_client.py."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("arcgis")

from arcgis.features import FeatureLayer, FeatureSet
from arcgis.gis import GIS
from arcgis_typed_fake import FakeArcGIS
from test_official_client import Target, gis, target  # noqa: F401  (fixtures)

pytestmark = pytest.mark.compat

CITIES = (b"city,latitude,longitude,population\nOslo,59.91,10.75,700000\nBergen,60.39,5.32,285000\n"
          b"Tromso,69.65,18.96,77000\n")


@pytest.fixture
def layer(gis: GIS, arcgis_fake: FakeArcGIS) -> FeatureLayer:  # noqa: F811
    portal = arcgis_fake.portal
    portal.publishing.job_ms = 0
    admin = portal.users.require("admin")
    record = portal.add_item(admin, "admin", title="Cities", type="CSV", data=CITIES, data_name="cities.csv")
    published = gis.content.get(record.id).publish()  # a job that completes at once (job_ms 0)
    return FeatureLayer(f"{published.url}/0", gis)


def test_query_returns_feature_sets(layer: FeatureLayer, target: Target) -> None:  # noqa: F811
    found = layer.query(where="population > 100000", out_fields="city,population")
    assert isinstance(found, FeatureSet)
    assert [f.attributes["city"] for f in found.features] == ["Oslo", "Bergen"]
    assert found.features[0].geometry["x"] == 10.75 and found.fields[0]["name"] == "ObjectId"
    assert layer.query(where="city LIKE 'T%'", return_count_only=True) == 1
    assert layer.query(where="1=1", return_ids_only=True)["objectIds"] == [1, 2, 3]
    assert [f.attributes["city"] for f in layer.query(order_by_fields="population ASC", out_fields="city").features] == [
        "Tromso", "Bergen", "Oslo"]
    with pytest.raises(Exception, match="Unable to complete operation"):
        layer.query(where="nope = 1")


def test_edit_features(layer: FeatureLayer) -> None:
    added = layer.edit_features(adds=[{"attributes": {"city": "Bodo", "population": 52000},
                                       "geometry": {"x": 14.4, "y": 67.28}}])
    assert [(r["objectId"], r["success"]) for r in added["addResults"]] == [(4, True)]
    updated = layer.edit_features(updates=[{"attributes": {"ObjectId": 3, "population": 78000}}], deletes="1")
    assert updated["updateResults"][0]["success"] and updated["deleteResults"][0]["objectId"] == 1
    rows = layer.query(where="1=1", out_fields="city,population").features
    assert [(f.attributes["city"], f.attributes["population"]) for f in rows] == [
        ("Bergen", 285000), ("Tromso", 78000), ("Bodo", 52000)]


def test_statistics_distinct_values_and_out_sr(layer: FeatureLayer) -> None:
    layer.edit_features(adds=[{"attributes": {"city": "Oslo", "population": 300000}, "geometry": {"x": 10.8, "y": 59.9}}])
    stats = layer.query(out_statistics=[
        {"statisticType": "sum", "onStatisticField": "population", "outStatisticFieldName": "people"},
        {"statisticType": "count", "onStatisticField": "ObjectId", "outStatisticFieldName": "places"}],
        group_by_fields_for_statistics="city", order_by_fields="people DESC")
    assert isinstance(stats, FeatureSet)
    # FeatureSet numbers rows without an object id field itself (OBJECTID), as it does for a real server's answer
    rows = [{k: v for k, v in f.attributes.items() if k != "OBJECTID"} for f in stats.features]
    assert rows == [{"city": "Oslo", "people": 1000000, "places": 2}, {"city": "Bergen", "people": 285000, "places": 1},
                    {"city": "Tromso", "people": 77000, "places": 1}]
    assert [f["name"] for f in stats.fields][:3] == ["city", "people", "places"]
    distinct = layer.query(where="1=1", out_fields="city", return_distinct_values=True, return_geometry=False)
    assert sorted(f.attributes["city"] for f in distinct.features) == ["Bergen", "Oslo", "Tromso"]
    mercator = layer.query(where="city = 'Bergen'", out_fields="city", out_sr=3857)
    assert mercator.spatial_reference["latestWkid"] == 3857
    assert round(mercator.features[0].geometry["x"]) == round(6378137 * math.radians(5.32))
    extent = layer.query(where="city = 'Tromso'", return_extent_only=True)
    assert extent["extent"]["xmin"] == 18.96
