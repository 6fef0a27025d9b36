"""Malformed input for every operation of the ArcGIS Server Administrator table: a missing required parameter,
or a typed parameter that does not parse (non-integers, "maybe" for booleans, bad JSON, a service definition
that is not one, out-of-range numbers, unknown enum values), gets HTTP 200 with the Server error envelope
`{"status": "error", "messages": [...], "code": 400}` whose first message names the wire parameter; unknown
folders, services and machines in the path get code 404; never a 500, and the fake's state does not move.
Random paths and form fields under the server's context never get a 500 either.

Requests are raw (werkzeug's test client) to the machine MACHINE1 of a two-machine site, signed with an
administrator's token the way raw scripts send it: in the form body of POSTs, in the query string of GETs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import attrs
import pytest
from arcgis_typed._runtime.operation import Operation, Param
from arcgis_typed.server_admin._operations import OPERATIONS
from arcgis_typed_fake import FakeArcGIS
from arcgis_typed_fake.app import error_envelope
from fuzz_common import (  # noqa: F401  (no_internal_errors: an autouse fixture)
    CHARS,
    NON_BOOLEANS,
    NON_INTEGERS,
    NON_JSON,
    TEXT,
    no_internal_errors,
    not_json,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import Client, TestResponse

PASSWORD = "fuzz-admin-password"
HOST = {"Host": "machine1.fake.test"}
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@attrs.define
class World:
    fake: FakeArcGIS
    client: Client
    token: str

    def snapshot(self) -> tuple[object, ...]:
        server = self.fake.server
        return (
            sorted((m.name, m.site is not None, m.configured_state) for m in server.machines.values()),
            [
                (
                    sorted(site.users),
                    len(site.tokens._tokens),
                    [(f.name, f.description) for f in site.catalog.folders()],
                    sorted((s.folder, s.name, s.type, s.configured_state, json.dumps(s.definition, sort_keys=True))
                           for s in site.catalog),
                    [(i.path, json.dumps(i.info, sort_keys=True), json.dumps(i.manifest)) for i in site.data],
                    dict(site.data.config),
                )
                for site in server.sites
            ],
        )

    def valid(self, param: Param) -> str:
        """A valid value for every required or path parameter of the table."""
        return {
            "username": "admin",
            "password": PASSWORD,
            "adminURL": "https://machine1.fake.test/arcgis/admin",
            "folderName": "Fuzzed",
            "serviceName": "Svc",
            "type": "MapServer",
            "machineName": "MACHINE2",
            "service": '{"serviceName": "Fresh", "type": "MapServer"}',
            "layerId": "0",
            "item": '{"type": "folder", "path": "/fileShares/fresh", "info": {"path": "/data/fresh"}}',
            "itempath": "/fileShares/fuzzed",
            "itemPath": "/fileShares/fuzzed",
            "datastoreConfig": '{"blockDataCopy": false}',
            "rootType": "bigDataFileShares",
            "itemName": "fuzzed",
            "features": "[]",
        }[param.wire]


@pytest.fixture(scope="module")
def world() -> World:
    fake = FakeArcGIS(admin_password=PASSWORD, password_iterations=1, seed=13,
                      server_machines=("MACHINE1", "MACHINE2", "MACHINE3"))
    client = Client(fake)
    joined = client.post("/arcgis/admin/joinSite", headers={"Host": "machine2.fake.test"},
                         data={"adminURL": "https://machine1.fake.test/arcgis/admin", "username": "admin",
                               "password": PASSWORD, "f": "json"}).get_json()
    assert joined == {"status": "success"}
    catalog = fake.server.site.catalog
    catalog.create_folder("Fuzzed", "A folder to fuzz")
    catalog.create_service("Fuzzed", {"serviceName": "Svc", "type": "MapServer"})
    fake.server.site.data.register({"type": "bigDataFileShare", "path": "/bigDataFileShares/fuzzed",
                                    "info": {"connectionString": '{"path": "/shares/fuzzed"}'}})
    token = client.post("/arcgis/admin/generateToken", headers=HOST,
                        data={"username": "admin", "password": PASSWORD, "f": "json"}).get_json()["token"]
    return World(fake, client, token)


# --- sending -----------------------------------------------------------------------------------------------


def path_of(op: Operation, world: World, overrides: dict[str, str] | None = None, *, root: bool = False) -> str:
    """The operation's path with valid (or overridden) values; `root` leaves optional parts out."""
    path = op.path
    if root:
        while "[" in path:
            start = path.index("[")
            path = path[:start] + path[path.index("]", start) + 1:]
    path = path.replace("[", "").replace("]", "")
    for p in op.params:
        if p.location == "path":
            value = (overrides or {}).get(p.wire, world.valid(p))
            path = path.replace("{" + p.wire + "}", quote(value, safe=""))
    return "/arcgis" + path


def send(world: World, op: Operation, form: dict[str, str], *, method: str | None = None,
         path: str | None = None) -> TestResponse:
    method = method or ("POST" if "POST" in op.methods else "GET")
    target = path or path_of(op, world)
    fields = {"f": "json", "token": world.token, **form}
    if method == "GET":
        return world.client.get(target, query_string=fields, headers=HOST)
    return world.client.post(target, data=fields, headers=HOST)


def error_of(response: TestResponse) -> dict[str, Any]:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/json", response.mimetype
    body = json.loads(response.data)
    if error_envelope("server", "/arcgis", response.request.path) == "portal":
        # the services directory answers the REST envelope: read it as the Server one
        assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, body
        body = {"status": "error", "messages": [body["error"]["message"], *body["error"]["details"]],
                "code": body["error"]["code"]}
    assert set(body) == {"status", "messages", "code"}, body
    assert body["status"] == "error" and isinstance(body["code"], int)
    assert body["messages"] and all(isinstance(m, str) and m for m in body["messages"])
    return dict(body)


def assert_refused(world: World, op: Operation, form: dict[str, str], wire: str, method: str | None = None) -> None:
    before = world.snapshot()
    error = error_of(send(world, op, form, method=method))
    assert error["code"] == 400, (op.name, wire, error)
    assert f"'{wire}'" in error["messages"][0], (op.name, wire, error)
    assert world.snapshot() == before, (op.name, wire)


def required_form(op: Operation, world: World) -> dict[str, str]:
    return {p.wire: world.valid(p) for p in op.params if p.required and p.location == "form"}


def ids(op: Operation) -> str:
    return op.name


# --- missing parameters ------------------------------------------------------------------------------------

REQUIRED = [(op, p) for op in OPERATIONS for p in op.params if p.required and p.location == "form"]


def test_the_table_has_required_parameters() -> None:
    assert {op.name for op, _ in REQUIRED} >= {"tokens.generate_token", "tokens.generate_server_token",
                                               "site.create_site", "site.join_site", "services.create_folder",
                                               "services.create_service"}


@pytest.mark.parametrize(("op", "param"), REQUIRED, ids=[f"{op.name}-{p.wire}" for op, p in REQUIRED])
def test_missing_required_parameter(world: World, op: Operation, param: Param) -> None:
    form = required_form(op, world)
    for method in op.methods:
        rest = {k: v for k, v in form.items() if k != param.wire}
        assert_refused(world, op, rest, param.wire, method)
        assert_refused(world, op, {**rest, param.wire: ""}, param.wire, method)  # empty means not given


PATHED = [op for op in OPERATIONS if any(p.location == "path" for p in op.params)]


@pytest.mark.parametrize("op", PATHED, ids=ids)
def test_unknown_path_values_are_404(world: World, op: Operation) -> None:
    form = required_form(op, world)
    for p in op.params:
        if p.location != "path":
            continue
        for value in ("NoSuch" + p.wire[:1].upper() + p.wire[1:], "no_such_thing"):
            before = world.snapshot()
            error = error_of(send(world, op, form, path=path_of(op, world, {p.wire: value})))
            assert error["code"] == 404, (op.name, p.wire, error)
            assert world.snapshot() == before


@pytest.mark.parametrize("op", [op for op in PATHED if len(op.all_rules) > 1], ids=ids)
def test_optional_folder_left_out_means_the_root_folder(world: World, op: Operation) -> None:
    """Without the folder part, the root folder: Svc lives in Fuzzed, so the root has no Svc.MapServer."""
    before = world.snapshot()
    response = send(world, op, {**required_form(op, world), "service": '{"serviceName": "", "type": "MapServer"}'},
                    path=path_of(op, world, root=True))
    body = json.loads(response.data)
    if op.name == "services.list":
        assert body["folderName"] == "/"
    else:
        assert body["status"] == "error" and body["code"] in (400, 404), (op.name, body)
    assert world.snapshot() == before


# --- malformed values --------------------------------------------------------------------------------------


# JSON that is not a service definition: no name or type, wrong shapes, wrong field types
NOT_A_SERVICE = NON_JSON | st.sampled_from([
    "{}", "[]", "1", "\"MapServer\"", "null", "{\"serviceName\": \"x\"}", "{\"type\": \"MapServer\"}",
    "{\"serviceName\": \"x\", \"type\": \"MapServer\", \"maxInstancesPerNode\": \"many\"}",
    "{\"serviceName\": [\"x\"], \"type\": \"MapServer\"}", "{\"serviceName\": \"x\", \"type\": {}}",
])


def malformed(param: Param) -> st.SearchStrategy[str] | None:
    if param.location != "form":
        return None
    if param.enum:
        allowed = {e.lower() for e in param.enum}
        return st.sampled_from(["unknown", "REFERRER", "request ip"]) | TEXT.filter(
            lambda s: s != "" and s.lower() not in allowed)
    if param.kind == "int":
        strategies = [NON_INTEGERS]
        if param.minimum is not None:
            strategies.append(st.integers(max_value=param.minimum - 1, min_value=param.minimum - 10**6).map(str))
        return st.one_of(strategies)
    if param.kind == "bool":
        return NON_BOOLEANS
    if param.kind == "model":
        return NOT_A_SERVICE
    if param.kind == "json" or param.encoding == "json":
        return NON_JSON
    return None


TYPED = [(op, p) for op in OPERATIONS for p in op.params if malformed(p) is not None]


def test_the_table_has_typed_parameters() -> None:
    kinds = {(p.kind, bool(p.enum)) for _, p in TYPED}
    assert {("int", False), ("bool", False), ("json", False), ("str", True), ("model", False)} <= kinds


@pytest.mark.parametrize(("op", "param"), TYPED, ids=[f"{op.name}-{p.wire}" for op, p in TYPED])
def test_malformed_typed_parameter(world: World, op: Operation, param: Param) -> None:
    strategy = malformed(param)
    assert strategy is not None

    @FUZZ
    @given(value=strategy, method=st.sampled_from(op.methods))
    def check(value: str, method: str) -> None:
        assert_refused(world, op, {**required_form(op, world), param.wire: value}, param.wire, method)

    check()


@pytest.mark.parametrize("value", [
    '{"serviceName": "bad name", "type": "MapServer"}', '{"serviceName": "Ok", "type": "NoServer"}',
    '{"serviceName": "Ok", "type": "MapServer", "minInstancesPerNode": 5, "maxInstancesPerNode": 1}',
    '{"serviceName": "Ok", "type": "MapServer", "maxWaitTime": -5}',
])
def test_service_definitions_that_parse_but_break_the_rules(world: World, value: str) -> None:
    op = next(o for o in OPERATIONS if o.name == "services.create_service")
    assert_refused(world, op, {"service": value}, "service")


def test_out_of_range_expiration_names_its_bound(world: World) -> None:
    for op in OPERATIONS:
        for p in op.params:
            if p.kind == "int" and p.minimum is not None:
                before = world.snapshot()
                error = error_of(send(world, op, {**required_form(op, world), p.wire: str(p.minimum - 1)}))
                assert error["messages"][0] == f"Invalid parameter '{p.wire}': must be at least {p.minimum}"
                assert world.snapshot() == before


# --- anything at all ---------------------------------------------------------------------------------------

WIRE_NAMES = sorted({p.wire for op in OPERATIONS for p in op.params} | {"f", "token", "detail"})
ROUTE_WORDS = sorted({s for op in OPERATIONS for r in op.all_rules for s in r.strip("/").split("/")
                      if "<" not in s})
VALUES = (
    TEXT
    | st.integers(min_value=-(10**20), max_value=10**20).map(str)
    | st.sampled_from(["true", "false", "[]", "{}", "null", "admin", "pjson", "json", "html", "%00", "..",
                       '{"serviceName": "Z", "type": "MapServer"}', "MACHINE2", "Fuzzed"])
)
SEGMENTS = st.sampled_from(ROUTE_WORDS + ["Fuzzed", "Svc.MapServer", "MACHINE1", "..", ".", "%2F", "x.y.z"]) | st.text(
    CHARS, min_size=1, max_size=12)


@st.composite
def paths(draw: Callable[..., Any], world: World) -> str:
    if draw(st.booleans()):
        op = draw(st.sampled_from(OPERATIONS))
        overrides = {p.wire: draw(st.one_of(st.just(world.valid(p)), st.text(CHARS, min_size=1, max_size=12)))
                     for p in op.params if p.location == "path"}
        path = path_of(op, world, overrides, root=draw(st.booleans()))
    else:
        path = "/arcgis/" + "/".join(quote(s, safe="") for s in draw(st.lists(SEGMENTS, max_size=6)))
    if draw(st.booleans()):
        path = path.replace("/", "//", draw(st.integers(0, 3)))
    return path


def test_random_requests_never_get_a_500(world: World) -> None:
    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(path=paths(world), form=st.dictionaries(st.sampled_from(WIRE_NAMES) | TEXT, VALUES, max_size=6),
           method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "HEAD"]), signed=st.booleans(),
           host=st.sampled_from(["machine1.fake.test", "machine2.fake.test", "machine3.fake.test", "other.test"]))
    def check(path: str, form: dict[str, str], method: str, signed: bool, host: str) -> None:
        fields = {**form, **({"token": world.token} if signed else {})}
        response = world.client.open("/", method=method, headers={"Host": host},
                                     query_string=fields if method in ("GET", "HEAD", "DELETE") else None,
                                     data=fields if method in ("POST", "PUT") else None,
                                     environ_overrides={"PATH_INFO": path})
        assert response.status_code == 200, response.status_code
        if method == "HEAD":
            return
        if response.mimetype == "text/html":
            assert b"<script" not in response.data.lower()
            return
        assert response.mimetype == "application/json"
        body = json.loads(response.data)
        if isinstance(body, dict) and body.get("status") == "error":
            assert "error" not in body  # the Server envelope, never the Portal one, under /arcgis
            assert isinstance(body["code"], int) and body["code"] != 500, body
            assert body["messages"] and "Traceback" not in " ".join(body["messages"])

    check()
