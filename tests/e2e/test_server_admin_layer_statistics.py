"""Statistics, distinct values, spatial references and extents of hosted feature layer queries, end to end
through the typed client: outStatistics grouped by groupByFieldsForStatistics, filtered by having and ordered
by orderByFields; returnDistinctValues; outSR and inSR in WGS84 and Web Mercator; returnExtentOnly; bad input.
A hypothesis property compares grouped statistics of random small tables with a Python reference."""

from __future__ import annotations

import json
import math
import statistics as pystats
from typing import Any

import pytest
from arcgis_typed import ArcGISError, BadRequest, PortalClient, ServerAdminClient
from arcgis_typed_fake import FakeArcGIS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_server_admin_layers import arcgis_fake, as_portal_user, pub, publish  # noqa: F401  (fixtures)

CSV = ("kind,latitude,longitude,visitors,rating\ncafe,59.91,10.75,120,4.5\ncafe,59.92,10.7,80,3\n"
       "park,59.9,10.73,,4\npark,60.1,11.0,5,\nmuseum,41.97,-87.9,300,2.5\n,41.0,-87.0,7,1\n")
S = ("Hosted", "Spots", "FeatureServer", "0")
MERCATOR = {"wkid": 102100, "latestWkid": 3857}
R = 6378137.0


@pytest.fixture
def spots(arcgis_fake: FakeArcGIS, pub: PortalClient) -> ServerAdminClient:  # noqa: F811
    publish(pub, "pia", "Spots", CSV)
    return as_portal_user(arcgis_fake, pub)


def attributes(result: Any) -> list[dict[str, Any]]:
    return [f["attributes"] for f in result.features or []]


def mercator(lon: float, lat: float) -> tuple[float, float]:
    return R * math.radians(lon), R * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


STATS = [{"statisticType": "count", "onStatisticField": "*", "outStatisticFieldName": "n"},
         {"statisticType": "sum", "onStatisticField": "visitors", "outStatisticFieldName": "total"},
         {"statisticType": "AVG", "onStatisticField": "rating", "outStatisticFieldName": "mean"}]


@pytest.mark.seed("Layer.(constructor)")
def test_statistics_grouped_ordered_and_filtered(spots: ServerAdminClient) -> None:
    whole = spots.layers.query(*S, out_statistics=[
        {"statisticType": "count", "onStatisticField": "visitors", "outStatisticFieldName": "counted"},
        {"statisticType": "min", "onStatisticField": "rating", "outStatisticFieldName": "low"},
        {"statisticType": "max", "onStatisticField": "kind", "outStatisticFieldName": "last_kind"},
        {"statisticType": "stddev", "onStatisticField": "visitors", "outStatisticFieldName": "spread"},
        {"statisticType": "var", "onStatisticField": "visitors * 2", "outStatisticFieldName": "var2"}])
    row, = attributes(whole)
    visitors = [120, 80, 5, 300, 7]
    assert row["counted"] == 5 and row["low"] == 1.0 and row["last_kind"] == "park"
    assert row["spread"] == pytest.approx(pystats.stdev(visitors))
    assert row["var2"] == pytest.approx(pystats.variance([2 * v for v in visitors]))
    assert [(f.name, f.type) for f in whole.fields or []] == [
        ("counted", "esriFieldTypeInteger"), ("low", "esriFieldTypeDouble"), ("last_kind", "esriFieldTypeString"),
        ("spread", "esriFieldTypeDouble"), ("var2", "esriFieldTypeDouble")]
    assert all("geometry" not in f for f in whole.features or []) and whole.object_id_field_name is None

    grouped = spots.layers.query(*S, out_statistics=STATS, group_by_fields_for_statistics="KIND")
    assert attributes(grouped) == [  # by the group field, NULL last; NULLs are left out of each statistic
        {"kind": "cafe", "n": 2, "total": 200, "mean": 3.75}, {"kind": "museum", "n": 1, "total": 300, "mean": 2.5},
        {"kind": "park", "n": 2, "total": 5, "mean": 4.0}, {"kind": None, "n": 1, "total": 7, "mean": 1.0}]
    assert grouped.field_aliases == {"kind": "kind", "n": "n", "total": "total", "mean": "mean"}
    assert [f.name for f in grouped.fields or []] == ["kind", "n", "total", "mean"]

    def kinds(**kwargs: Any) -> list[Any]:
        answer = spots.layers.query(*S, out_statistics=STATS, group_by_fields_for_statistics="kind", **kwargs)
        return [a["kind"] for a in attributes(answer)]

    assert kinds(order_by_fields="total DESC") == ["museum", "cafe", None, "park"]
    assert kinds(order_by_fields="n DESC, kind DESC") == ["park", "cafe", None, "museum"]
    assert kinds(having="COUNT(*) > 1") == ["cafe", "park"]
    assert kinds(having="AVG(rating) >= 3 AND kind <> 'park'") == ["cafe"]
    assert kinds(having="total > 100 OR SUM(visitors * 2) < 12") == ["cafe", "museum", "park"]
    assert kinds(where="visitors > 50") == ["cafe", "museum"]
    assert kinds(result_record_count=2, order_by_fields="kind") == ["cafe", "museum"]
    assert spots.layers.query(*S, out_statistics=STATS, group_by_fields_for_statistics="kind",
                              return_count_only=True).count == 4
    nothing = spots.layers.query(*S, where="1=0", out_statistics=STATS)
    assert attributes(nothing) == [{"n": 0, "total": None, "mean": None}]  # one row without group-by
    assert attributes(spots.layers.query(*S, where="1=0", out_statistics=STATS,
                                         group_by_fields_for_statistics="kind")) == []
    named = spots.layers.query(*S, out_statistics=[{"statisticType": "sum", "onStatisticField": "visitors"}])
    assert attributes(named) == [{"sum_visitors": 512}]


@pytest.mark.parametrize("kwargs, problem", [
    ({"out_statistics": [{"statisticType": "median", "onStatisticField": "rating"}]}, "statisticType 'median'"),
    ({"out_statistics": [{"statisticType": "sum", "onStatisticField": "kind"}]}, "needs a numeric field"),
    ({"out_statistics": [{"statisticType": "avg", "onStatisticField": "nope"}]}, "'outStatistics' names the field 'nope'"),
    ({"out_statistics": [{"statisticType": "avg"}]}, "needs an onStatisticField"),
    ({"out_statistics": "count"}, "'outStatistics' must be a JSON array"),
    ({"out_statistics": [{"statisticType": "count", "onStatisticField": "kind", "outStatisticFieldName": "a b"}]},
     "outStatisticFieldName 'a b'"),
    ({"out_statistics": STATS[:1] * 2}, "distinct name"),
    ({"out_statistics": STATS, "group_by_fields_for_statistics": "nope"}, "'groupByFieldsForStatistics' names"),
    ({"group_by_fields_for_statistics": "kind"}, "only together with 'outStatistics'"),
    ({"having": "COUNT(*) > 1"}, "'having' applies only together with 'outStatistics'"),
    ({"out_statistics": STATS, "order_by_fields": "rating"}, "'orderByFields' names the field 'rating'"),
    ({"out_statistics": STATS, "having": "nope > 1"}, "'having' names the field 'nope'"),
    ({"out_statistics": STATS, "having": "AVG(kind) > 1"}, "needs a numeric field"),
    ({"return_distinct_values": True, "out_fields": "kind", "order_by_fields": "rating"}, "'orderByFields' names"),
    ({"out_sr": "wgs84"}, "'outSR' must be a wkid"),
    ({"in_sr": "{nope", "geometry": "1,2,3,4"}, "'inSR' must be a wkid"),
])
def test_bad_statistics_and_references_name_the_parameter(spots: ServerAdminClient, kwargs: dict[str, Any],
                                                          problem: str) -> None:
    with pytest.raises(BadRequest, match="Unable to complete operation") as raised:
        spots.layers.query(*S, **kwargs)
    assert problem in str(raised.value)


def test_distinct_values(spots: ServerAdminClient) -> None:
    def distinct(**kwargs: Any) -> list[dict[str, Any]]:
        answer = spots.layers.query(*S, return_distinct_values=True, **kwargs)
        assert all(set(f) == {"attributes"} for f in answer.features or [])  # never a geometry
        return attributes(answer)

    assert distinct(out_fields="kind") == [{"kind": "cafe"}, {"kind": "museum"}, {"kind": "park"}, {"kind": None}]
    assert distinct(out_fields="kind", order_by_fields="kind DESC") == [
        {"kind": None}, {"kind": "park"}, {"kind": "museum"}, {"kind": "cafe"}]
    assert distinct(out_fields="kind", where="visitors > 50") == [{"kind": "cafe"}, {"kind": "museum"}]
    assert distinct(out_fields="kind,rating", where="kind = 'park' OR kind = 'cafe'") == [
        {"kind": "cafe", "rating": 3.0}, {"kind": "cafe", "rating": 4.5}, {"kind": "park", "rating": 4.0},
        {"kind": "park", "rating": None}]
    page = spots.layers.query(*S, return_distinct_values=True, out_fields="kind", result_offset=1, result_record_count=2)
    assert attributes(page) == [{"kind": "museum"}, {"kind": "park"}] and page.exceeded_transfer_limit
    assert [f.name for f in page.fields or []] == ["kind"]
    assert spots.layers.query(*S, return_distinct_values=True, out_fields="kind", return_count_only=True).count == 4


def test_out_sr_projects_geometries(spots: ServerAdminClient) -> None:
    first = {"where": "kind = 'cafe'", "out_fields": "kind"}
    native = spots.layers.query(*S, **first)
    assert native.spatial_reference == {"wkid": 4326}
    for given in ("3857", "102100", '{"wkid": 3857}', '{"wkid": 102100, "latestWkid": 3857}'):
        projected = spots.layers.query(*S, out_sr=given, **first)
        assert projected.spatial_reference == MERCATOR, given
        x, y = mercator(10.75, 59.91)
        assert (projected.features or [])[0]["geometry"] == {"x": pytest.approx(x), "y": pytest.approx(y)}
    assert spots.layers.query(*S, out_sr='{"wkid": 4326}', **first).features == native.features
    for unsupported in ("2056", '{"wkid": 27700}', '{"wkt": "PROJCS[...]"}'):
        with pytest.raises(ArcGISError, match="not implemented in the fake") as raised:
            spots.layers.query(*S, out_sr=unsupported)
        assert "Only wkids 4326" in str(raised.value)


def test_in_sr_envelopes(spots: ServerAdminClient) -> None:
    (xmin, ymin), (xmax, ymax) = mercator(10.69, 59.9), mercator(10.74, 59.95)
    box = f"{xmin},{ymin},{xmax},{ymax}"

    def kinds(**kwargs: Any) -> list[str]:
        return [a["kind"] for a in attributes(spots.layers.query(*S, out_fields="kind", **kwargs))]

    assert kinds(geometry="10.69,59.9,10.74,59.95") == ["cafe", "park"]
    assert kinds(geometry=box, in_sr="3857") == ["cafe", "park"]
    assert kinds(geometry=box, in_sr='{"wkid": 102100}') == ["cafe", "park"]
    own = json.dumps({"xmin": xmin, "ymin": ymin, "xmax": xmax, "ymax": ymax, "spatialReference": MERCATOR})
    assert kinds(geometry=own) == ["cafe", "park"]
    assert kinds(geometry=box) == []  # read as degrees: far outside the world's features
    with pytest.raises(ArcGISError, match="Only wkids 4326"):
        spots.layers.query(*S, geometry=box, in_sr="32632")


def test_extent_only(spots: ServerAdminClient) -> None:
    cafes = spots.layers.query(*S, where="kind = 'cafe'", return_extent_only=True)
    assert cafes.extent == {"xmin": 10.7, "ymin": 59.91, "xmax": 10.75, "ymax": 59.92, "spatialReference": {"wkid": 4326}}
    assert cafes.features is None and cafes.count is None
    both = spots.layers.query(*S, where="kind = 'cafe'", return_extent_only=True, return_count_only=True, out_sr="3857")
    (xmin, ymin), (xmax, ymax) = mercator(10.7, 59.91), mercator(10.75, 59.92)
    assert both.count == 2 and both.extent == {"xmin": pytest.approx(xmin), "ymin": pytest.approx(ymin),
                                               "xmax": pytest.approx(xmax), "ymax": pytest.approx(ymax),
                                               "spatialReference": MERCATOR}
    empty = spots.layers.query(*S, where="1=0", return_extent_only=True)
    assert empty.extent is not None and empty.extent["xmin"] == "NaN"


# --- property: statistics against a Python reference ----------------------------------------------------------

ROWS = st.lists(st.fixed_dictionaries({
    "g": st.sampled_from(["a", "b", None]),
    "n": st.one_of(st.none(), st.integers(-50, 50)),
    "x": st.one_of(st.none(), st.floats(-1e3, 1e3, allow_nan=False).map(lambda v: round(v, 3))),
}), max_size=9)


def reference(kind: str, values: list[Any]) -> Any:
    present = [v for v in values if v is not None]
    if kind == "count":
        return len(present)
    if not present:
        return None
    if kind in ("var", "stddev"):
        return None if len(present) < 2 else (
            pystats.variance(present) if kind == "var" else pystats.stdev(present))
    return {"sum": sum, "min": min, "max": max, "avg": pystats.mean}[kind](present)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=ROWS, kinds=st.lists(st.sampled_from(["count", "sum", "min", "max", "avg", "stddev", "var"]),
                                 min_size=1, max_size=4), field=st.sampled_from(["n", "x"]), grouped=st.booleans())
def test_statistics_match_a_reference(arcgis_fake: FakeArcGIS, spots: ServerAdminClient,  # noqa: F811
                                      rows: list[dict[str, Any]], kinds: list[str], field: str,
                                      grouped: bool) -> None:
    from arcgis_typed_fake.state.features import Layer

    service = next(h for h in arcgis_fake.portal.publishing.hosted.values() if h.name == "Spots")
    fields = [{"name": "ObjectId", "type": "esriFieldTypeOID"}, {"name": "g", "type": "esriFieldTypeString"},
              {"name": "n", "type": "esriFieldTypeInteger"}, {"name": "x", "type": "esriFieldTypeDouble"}]
    service.tables = [Layer(1, "T", None, fields, [({"ObjectId": i, **r}, None) for i, r in enumerate(rows, 1)])]
    arcgis_fake.portal.publishing._redefine(service)
    stats = [{"statisticType": k, "onStatisticField": field, "outStatisticFieldName": f"s{i}"} for i, k in enumerate(kinds)]
    answer = spots.layers.query("Hosted", "Spots", "FeatureServer", "1", out_statistics=stats,
                                group_by_fields_for_statistics="g" if grouped else None)
    groups: dict[Any, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row["g"] if grouped else (), []).append(row)
    if not grouped:
        groups = {(): rows}
    order = sorted(groups, key=lambda g: (g is None, g if isinstance(g, str) else ""))
    expected = [{**({"g": g} if grouped else {}),
                 **{f"s{i}": reference(k, [r[field] for r in groups[g]]) for i, k in enumerate(kinds)}} for g in order]
    got = attributes(answer)
    assert len(got) == len(expected)
    for mine, theirs in zip(got, expected, strict=True):
        assert mine.keys() == theirs.keys()
        for key, value in theirs.items():
            assert (mine[key] is None) == (value is None), (key, mine, theirs)
            if value is not None:
                assert mine[key] == (value if isinstance(value, str) else pytest.approx(value, rel=1e-9, abs=1e-9))
