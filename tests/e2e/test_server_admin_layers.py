"""Feature queries and edits of hosted feature layers end to end through the typed client: a CSV item is
published into a hosted feature service, then queried (where, object ids, fields, order, paging, count and
ids only, envelopes, GeoJSON) and edited (applyEdits, addFeatures, updateFeatures, deleteFeatures), with
bad input and permissions. A hypothesis property compares where clauses with a Python reference filter."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from arcgis_typed import ArcGISError, BadRequest, PermissionDenied, PortalClient, ServerAdminClient, Upload
from arcgis_typed_fake import FakeArcGIS
from e2e_helpers import HOST, add_member, server_client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import Client

CSV = ("name,latitude,longitude,visitors,rating\nHarbour,59.91,10.75,120,4.5\nPark,59.92,10.7,80,3\n"
       "Fort,59.9,10.73,,4\nhall_1,60.1,11.0,5,\nO'Hare,41.97,-87.9,300,2.5\n")
Q = ("Hosted", "Places", "FeatureServer", "0")


@pytest.fixture
def arcgis_fake(arcgis_admin_credentials: tuple[str, str]) -> FakeArcGIS:
    username, password = arcgis_admin_credentials
    return FakeArcGIS(admin_username=username, admin_password=password, seed=11)


def publish(client: PortalClient, owner: str, name: str = "Places", text: str = CSV) -> str:
    item_id = client.content.add_item(owner, title=name, type="CSV", tags=["t"],
                                      file=Upload(f"{name}.csv", text.encode(), "text/csv")).id
    result = client.publishing.publish(owner, item_id=item_id, file_type="csv", publish_parameters={"name": name})
    service_item = result.services[0].service_item_id
    assert service_item
    return service_item


@pytest.fixture
def pub(arcgis_fake: FakeArcGIS) -> PortalClient:
    return add_member(arcgis_fake, "pia", "org_publisher")


@pytest.fixture
def places(pub: PortalClient) -> str:
    return publish(pub, "pia")


def as_portal_user(fake: FakeArcGIS, client: PortalClient) -> ServerAdminClient:
    """The services directory with a portal user's token (what a federated server accepts)."""
    assert client.auth is not None
    return server_client(fake, token=client.auth.token())


@pytest.fixture
def owner(arcgis_fake: FakeArcGIS, pub: PortalClient, places: str) -> ServerAdminClient:
    return as_portal_user(arcgis_fake, pub)


def names(result: Any) -> list[str]:
    return [f["attributes"]["name"] for f in result.features]


def stored(fake: FakeArcGIS) -> list[tuple[Any, ...]]:
    layer = next(iter(fake.portal.publishing.hosted.values())).layers[0]
    return [(tuple(sorted(a.items())), json.dumps(g)) for a, g in layer.features]


# --- query ---------------------------------------------------------------------------------------------------


@pytest.mark.seed("Layer.(constructor)")
def test_query_where_fields_order_and_geometry(owner: ServerAdminClient) -> None:
    every = owner.layers.query(*Q, where="1=1", out_fields="*")
    assert every.object_id_field_name == "ObjectId" and every.geometry_type == "esriGeometryPoint"
    assert [f.name for f in every.fields or []][:2] == ["ObjectId", "name"]
    assert names(every) == ["Harbour", "Park", "Fort", "hall_1", "O'Hare"]
    assert every.features is not None and every.features[0]["geometry"] == {"x": 10.75, "y": 59.91}
    assert every.spatial_reference == {"wkid": 4326} and not every.exceeded_transfer_limit

    rated = owner.layers.query(*Q, where="RATING >= 3 and Visitors > 50", out_fields="name,rating",
                               order_by_fields="rating DESC", return_geometry=False)
    assert [f["attributes"] for f in rated.features or []] == [{"name": "Harbour", "rating": 4.5},
                                                               {"name": "Park", "rating": 3.0}]
    assert all("geometry" not in f for f in rated.features or [])
    default = owner.layers.query(*Q, where="name = 'Park'")  # no outFields: the object id only
    assert [f["attributes"] for f in default.features or []] == [{"ObjectId": 2}]

    def where(clause: str) -> list[str]:
        return names(owner.layers.query(*Q, where=clause, out_fields="name"))

    assert where("name LIKE 'h%'") == ["hall_1"] and where("name LIKE 'hall\\_1' ESCAPE '\\'") == ["hall_1"]
    assert where("name LIKE '_ark'") == ["Park"] and where("name NOT LIKE '%a%'") == ["Fort"]
    assert where("name IN ('Fort', 'Park') OR (visitors BETWEEN 100 AND 200)") == ["Harbour", "Park", "Fort"]
    assert where("visitors IS NULL") == ["Fort"] and where("rating IS NOT NULL AND NOT rating > 3") == ["Park", "O'Hare"]
    assert where("NOT visitors > 100") == ["Park", "hall_1"]  # NULL is neither
    assert where("name = 'O''Hare'") == ["O'Hare"] and where("UPPER(name) = 'FORT'") == ["Fort"]
    assert where("visitors * 2 - 10 > 250 AND visitors <> 300") == [] and where("visitors / 2 = 60") == ["Harbour"]
    assert where("\"name\" = 'Park'") == ["Park"] and where("ObjectId IN (1, 5)") == ["Harbour", "O'Hare"]
    ordered = owner.layers.query(*Q, out_fields="name", order_by_fields="visitors DESC, name")
    assert names(ordered) == ["Fort", "O'Hare", "Harbour", "Park", "hall_1"]  # nulls first descending


def test_query_paging_counts_ids_and_envelopes(arcgis_fake: FakeArcGIS, owner: ServerAdminClient) -> None:
    page = owner.layers.query(*Q, where="1=1", out_fields="name", result_offset=1, result_record_count=2)
    assert names(page) == ["Park", "Fort"] and page.exceeded_transfer_limit is True
    last = owner.layers.query(*Q, where="1=1", out_fields="name", result_offset=4, result_record_count=2)
    assert names(last) == ["O'Hare"] and not last.exceeded_transfer_limit
    next(iter(arcgis_fake.portal.publishing.hosted.values())).max_record_count = 3
    capped = owner.layers.query(*Q, where="1=1", out_fields="name", result_record_count=10)
    assert len(names(capped)) == 3 and capped.exceeded_transfer_limit is True

    assert owner.layers.query(*Q, where="rating > 2.9", return_count_only=True).count == 3
    ids = owner.layers.query(*Q, where="rating > 2.9", return_ids_only=True, order_by_fields="rating")
    assert (ids.object_id_field_name, ids.object_ids) == ("ObjectId", [2, 3, 1])
    assert owner.layers.query(*Q, object_ids=[2, 4, 99], where="visitors > 10", return_ids_only=True).object_ids == [2]

    oslo = owner.layers.query(*Q, geometry="10.7,59.9,10.74,59.95", out_fields="name")
    assert names(oslo) == ["Park", "Fort"]
    as_json = json.dumps({"xmin": 10, "ymin": 59, "xmax": 12, "ymax": 61, "spatialReference": {"wkid": 4326}})
    assert owner.layers.query(*Q, geometry=as_json, geometry_type="esriGeometryEnvelope",
                              spatial_rel="esriSpatialRelIntersects", return_count_only=True).count == 4
    with pytest.raises(ArcGISError, match="not implemented in the fake"):
        owner.layers.query(*Q, geometry=as_json, spatial_rel="esriSpatialRelWithin")
    with pytest.raises(ArcGISError, match="not implemented in the fake"):
        owner.layers.query(*Q, geometry='{"x": 1, "y": 2}', geometry_type="esriGeometryPoint")


def test_query_as_geojson_and_over_post(arcgis_fake: FakeArcGIS, pub: PortalClient, places: str) -> None:
    assert pub.auth is not None
    http = Client(arcgis_fake)
    http_headers = {"Referer": "http"}  # the typed client's tokens are bound to this referer
    url = f"{HOST}/arcgis/rest/services/Hosted/Places/FeatureServer/0/query"
    answer = http.post(url, data={"where": "visitors >= 120", "outFields": "name,visitors", "f": "geojson",
                                  "token": pub.auth.token()}, headers=http_headers)
    assert answer.mimetype == "application/geo+json"
    body = answer.get_json(force=True)
    assert body["type"] == "FeatureCollection"
    assert [(f["id"], f["properties"], f["geometry"]["type"]) for f in body["features"]] == [
        (1, {"name": "Harbour", "visitors": 120}, "Point"), (5, {"name": "O'Hare", "visitors": 300}, "Point")]
    bad = http.get(url, query_string={"where": "nope = 1", "f": "json", "token": pub.auth.token()},
                   headers=http_headers).get_json()
    assert bad["error"]["code"] == 400 and bad["error"]["message"] == "Unable to complete operation."
    assert "nope" in bad["error"]["details"][0]


@pytest.mark.parametrize("clause, problem", [
    ("nope = 1", "field 'nope'"), ("name = ", "expected a value"), ("name = 'x' AND", "expected a value"),
    ("(rating > 1", "expected )"), ("rating > 'x'", "types must match"), ("name LIKE 3", "LIKE needs"),
    ("rating LIKE 'x'", "text fields only"), ("name = 'x' rating", "unexpected"), ("a # b", "unexpected character"),
    ("SOUNDEX(name) = 'x'", "SOUNDEX is not supported"), ("name = 'unterminated", "unexpected character"),
    ("(" * 3000 + "1=1" + ")" * 3000, "nested"),
])
def test_bad_where_clauses_name_the_problem(owner: ServerAdminClient, clause: str, problem: str) -> None:
    with pytest.raises(BadRequest, match="Unable to complete operation") as raised:
        owner.layers.query(*Q, where=clause)
    assert problem in str(raised.value)


def test_bad_query_parameters(owner: ServerAdminClient) -> None:
    for kwargs, problem in (({"out_fields": "name,nope"}, "'outFields' names the field 'nope'"),
                            ({"order_by_fields": "rating SIDEWAYS"}, "orderByFields"),
                            ({"order_by_fields": "nope"}, "field 'nope'"),
                            ({"geometry": "1,2,3"}, "'geometry' must be an envelope"),
                            ({"geometry": "5,5,1,1"}, "xmin <= xmax")):
        with pytest.raises(BadRequest, match=problem):
            owner.layers.query(*Q, **kwargs)
    with pytest.raises(ArcGISError, match="does not exist"):
        owner.layers.query("Hosted", "Places", "FeatureServer", "7")


def test_who_may_query(arcgis_fake: FakeArcGIS, pub: PortalClient, places: str,
                       member: Callable[..., PortalClient]) -> None:
    anonymous = server_client(arcgis_fake)
    with pytest.raises(ArcGISError, match="Token Required"):
        anonymous.layers.query(*Q, where="1=1")
    with pytest.raises(PermissionDenied):
        as_portal_user(arcgis_fake, member("olga")).layers.query(*Q, where="1=1")
    admin = server_client(arcgis_fake, arcgis_fake.server_admin_username)
    assert admin.layers.query(*Q, return_count_only=True).count == 5
    item = arcgis_fake.portal.items.get(places)
    assert item is not None
    item.access = "public"
    assert anonymous.layers.query(*Q, return_count_only=True).count == 5


# --- edits ---------------------------------------------------------------------------------------------------


def test_apply_edits_then_queries_see_them(arcgis_fake: FakeArcGIS, owner: ServerAdminClient) -> None:
    result = owner.layers.apply_edits(
        *Q,
        adds=[{"attributes": {"name": "Pier", "visitors": 7, "rating": 5}, "geometry": {"x": 10.74, "y": 59.905}},
              {"attributes": {"NAME": "Attic"}}],
        updates=[{"attributes": {"ObjectId": 2, "rating": 3.5}, "geometry": {"x": 1, "y": 2}}],
        deletes="3,1",
    )
    assert [(r.object_id, r.success) for r in result.add_results or []] == [(6, True), (7, True)]
    assert [(r.object_id, r.success) for r in result.update_results or []] == [(2, True)]
    assert [(r.object_id, r.success) for r in result.delete_results or []] == [(3, True), (1, True)]
    after = owner.layers.query(*Q, where="1=1", out_fields="ObjectId,name,rating")
    assert [(f["attributes"]["ObjectId"], f["attributes"]["name"], f["attributes"]["rating"])
            for f in after.features or []] == [(2, "Park", 3.5), (4, "hall_1", None), (5, "O'Hare", 2.5),
                                               (6, "Pier", 5.0), (7, "Attic", None)]
    assert (after.features or [])[0]["geometry"] == {"x": 1, "y": 2} and "geometry" not in (after.features or [])[4]
    # object ids are never reused, and the layer's extent follows the data
    owner.layers.delete_features(*Q, object_ids=[7])
    assert [r.object_id for r in owner.layers.add_features(*Q, features=[{"attributes": {"name": "Z"}}]).add_results or []] == [8]
    assert owner.layers.layer(*Q).extent == {"xmin": -87.9, "ymin": 2, "xmax": 11.0, "ymax": 60.1,
                                             "spatialReference": {"wkid": 4326}}


def test_update_and_delete_features(owner: ServerAdminClient) -> None:
    updated = owner.layers.update_features(*Q, features=[{"attributes": {"objectid": 5, "name": "ORD"}}])
    assert [(r.object_id, r.success) for r in updated.update_results or []] == [(5, True)]
    deleted = owner.layers.delete_features(*Q, where="visitors < 100")
    assert [r.object_id for r in deleted.delete_results or []] == [2, 4]
    assert names(owner.layers.query(*Q, out_fields="name")) == ["Harbour", "Fort", "ORD"]
    with pytest.raises(BadRequest, match="objectIds or a where"):
        owner.layers.delete_features(*Q)
    with pytest.raises(BadRequest, match="field 'nope'"):
        owner.layers.delete_features(*Q, where="nope = 1")


def test_failed_edits_roll_back_or_report_per_feature(arcgis_fake: FakeArcGIS, owner: ServerAdminClient) -> None:
    before = stored(arcgis_fake)
    bad = [{"attributes": {"name": "ok"}}, {"attributes": {"visitors": "many"}}, {"attributes": {"colour": "red"}},
           {"attributes": {"name": "x"}, "geometry": {"paths": [[[0, 0], [1, 1]]]}}]
    with pytest.raises(BadRequest, match="Unable to complete operation") as raised:
        owner.layers.apply_edits(*Q, adds=bad, deletes="1")
    assert "expected a number" in str(raised.value) and "colour" in str(raised.value)
    assert stored(arcgis_fake) == before
    with pytest.raises(BadRequest, match="Object is missing"):
        owner.layers.delete_features(*Q, object_ids=[1, 99])
    assert stored(arcgis_fake) == before

    partial = owner.layers.apply_edits(*Q, adds=bad, updates=[{"attributes": {"ObjectId": 42, "name": "x"}}],
                                       rollback_on_failure=False)
    assert [r.success for r in partial.add_results or []] == [True, False, False, False]
    failure = (partial.add_results or [])[1].error
    assert failure is not None and failure.code == 1000 and "visitors" in failure.description
    missing = (partial.update_results or [])[0]
    assert (missing.object_id, missing.success, missing.error and missing.error.code) == (42, False, 1019)
    assert owner.layers.query(*Q, return_count_only=True).count == 6

    for kwargs, problem in (({"adds": {"not": "a list"}}, "'adds'"), ({"deletes": "one,two"}, "'deletes'"),
                            ({"updates": [1, 2]}, "'updates'")):
        with pytest.raises(BadRequest, match=problem):
            owner.layers.apply_edits(*Q, **kwargs)
    with pytest.raises(ArcGISError, match="useGlobalIds"):
        owner.layers.apply_edits(*Q, adds=[], use_global_ids=True)


def test_who_may_edit(arcgis_fake: FakeArcGIS, pub: PortalClient, places: str,
                      member: Callable[..., PortalClient]) -> None:
    before = stored(arcgis_fake)
    add = [{"attributes": {"name": "New"}}]
    with pytest.raises(ArcGISError, match="Token Required"):
        server_client(arcgis_fake).layers.add_features(*Q, features=add)
    item = arcgis_fake.portal.items.get(places)
    assert item is not None
    item.access = "org"
    olga = as_portal_user(arcgis_fake, member("olga"))
    assert olga.layers.query(*Q, return_count_only=True).count == 5  # she may read ...
    with pytest.raises(PermissionDenied, match="capabilities"):
        olga.layers.add_features(*Q, features=add)  # ... but not edit a service that allows only Query
    with pytest.raises(ArcGISError, match="Token Required"):  # a public item: anonymous may read, not edit
        item.access = "public"
        server_client(arcgis_fake).layers.add_features(*Q, features=add)
    assert stored(arcgis_fake) == before
    hosted = arcgis_fake.portal.publishing.hosted[places]
    hosted.capabilities = "Query,Create,Editing"
    assert [r.success for r in olga.layers.add_features(*Q, features=add).add_results or []] == [True]
    with pytest.raises(PermissionDenied):
        olga.layers.delete_features(*Q, object_ids=[1])
    admin = as_portal_user(arcgis_fake, add_member(arcgis_fake, "ada", "org_admin"))
    assert [r.success for r in admin.layers.delete_features(*Q, object_ids=[1]).delete_results or []] == [True]
    server_admin = server_client(arcgis_fake, arcgis_fake.server_admin_username)
    assert server_admin.layers.update_features(*Q, features=[{"attributes": {"ObjectId": 2, "name": "P"}}]).update_results


# --- where clauses against a reference filter ------------------------------------------------------------------


FIELDS = {"n": "esriFieldTypeInteger", "x": "esriFieldTypeDouble", "s": "esriFieldTypeString"}
TEXT = st.sampled_from(["a", "b", "ab", "Ba", "a_b", "", "%"])
ROW = st.fixed_dictionaries({"n": st.none() | st.integers(-3, 3), "x": st.none() | st.sampled_from([-1.5, 0.0, 2.25]),
                             "s": st.none() | TEXT})
Ref = Callable[[dict[str, Any]], "bool | None"]


def _cmp(field: str, op: str, value: Any) -> Ref:
    ops: dict[str, Callable[[Any, Any], bool]] = {"=": lambda a, b: a == b, "<>": lambda a, b: a != b,
                                                   "<": lambda a, b: a < b, ">=": lambda a, b: a >= b}
    return lambda row: None if row[field] is None else ops[op](row[field], value)


@st.composite
def predicates(draw: st.DrawFn) -> tuple[str, Ref]:
    kind = draw(st.sampled_from(["cmp", "in", "between", "like", "null"]))
    field = draw(st.sampled_from(sorted(FIELDS)))
    literal = TEXT if field == "s" else st.integers(-3, 3)

    def sql(v: Any) -> str:
        return "'" + v.replace("'", "''") + "'" if isinstance(v, str) else str(v)

    if kind == "cmp":
        op, value = draw(st.sampled_from(["=", "<>", "<", ">="])), draw(literal)
        return f"{field.upper()} {op} {sql(value)}", _cmp(field, op, value)
    if kind == "in":
        values = draw(st.lists(literal, min_size=1, max_size=3))
        return (f"{field} IN ({', '.join(sql(v) for v in values)})",
                lambda row: None if row[field] is None else row[field] in values)
    if kind == "between":
        low, high = draw(literal), draw(literal)
        return (f"{field} BETWEEN {sql(low)} AND {sql(high)}",
                lambda row: None if row[field] is None else low <= row[field] <= high)
    if kind == "like":
        prefix = draw(TEXT.filter(lambda t: "%" not in t and "_" not in t))
        return f"s LIKE '{prefix}%'", lambda row: None if row["s"] is None else row["s"].startswith(prefix)
    negate = draw(st.booleans())
    return (f"{field} IS {'NOT ' if negate else ''}NULL",
            lambda row: (row[field] is not None) if negate else (row[field] is None))


def _and(a: Ref, b: Ref) -> Ref:
    def test(row: dict[str, Any]) -> bool | None:
        x, y = a(row), b(row)
        return False if x is False or y is False else None if x is None or y is None else True
    return test


def _or(a: Ref, b: Ref) -> Ref:
    def test(row: dict[str, Any]) -> bool | None:
        x, y = a(row), b(row)
        return True if x is True or y is True else None if x is None or y is None else False
    return test


def _not(a: Ref) -> Ref:
    return lambda row: None if (v := a(row)) is None else not v


CLAUSES = st.recursive(
    predicates(),
    lambda inner: st.one_of(
        st.tuples(inner, inner).map(lambda p: (f"({p[0][0]}) AND ({p[1][0]})", _and(p[0][1], p[1][1]))),
        st.tuples(inner, inner).map(lambda p: (f"({p[0][0]}) or ({p[1][0]})", _or(p[0][1], p[1][1]))),
        inner.map(lambda p: (f"NOT ({p[0]})", _not(p[1]))),
    ),
    max_leaves=5,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(ROW, max_size=8), clause=CLAUSES)
def test_where_matches_a_reference_filter(arcgis_fake: FakeArcGIS, owner: ServerAdminClient,
                                          rows: list[dict[str, Any]], clause: tuple[str, Ref]) -> None:
    from arcgis_typed_fake.state.features import Layer

    hosted = arcgis_fake.portal.publishing.hosted
    service = next(iter(hosted.values()))
    fields = [{"name": "ObjectId", "type": "esriFieldTypeOID"}] + [{"name": n, "type": t} for n, t in FIELDS.items()]
    service.tables = [Layer(1, "T", None, fields, [({"ObjectId": i, **r}, None) for i, r in enumerate(rows, 1)])]
    arcgis_fake.portal.publishing._redefine(service)  # the services directory lists the new table
    text, reference = clause
    answer = owner.layers.query("Hosted", "Places", "FeatureServer", "1", where=text, return_ids_only=True)
    assert answer.object_ids == [i for i, r in enumerate(rows, 1) if reference(r) is True], text
