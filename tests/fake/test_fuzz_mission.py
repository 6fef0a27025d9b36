"""Malformed input for every operation of the Mission Server's two tables (REST: `{"error": ...}`; Administrator
API: `{"status": "error", ...}`): a missing required parameter or file, or a typed parameter that does not
parse (non-integers, out-of-range numbers, "maybe" for booleans, bad JSON, unknown enum values) gets HTTP 200
with the API's error envelope naming the wire parameter; unknown missions, jobs, machines, certificates,
directories and Web Adaptors in the path get code 404; never a 500, and the Mission Server's configuration,
catalog and the portal's content do not move (log records may: the server logs refused requests). Random
paths and fields under /mission never get a 500 either.

Requests are raw (werkzeug's test client), signed with the portal administrator's token as a Bearer header.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import attrs
import pytest
from arcgis_typed._runtime.operation import Operation, Param
from arcgis_typed.mission._operations import OPERATIONS as REST_OPERATIONS
from arcgis_typed.mission_admin._operations import OPERATIONS as ADMIN_OPERATIONS
from arcgis_typed_fake import FakeArcGIS
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
HOST = {"Host": "fake.arcgis.test"}
FUZZ = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
OPERATIONS = [("mission", op) for op in REST_OPERATIONS] + [("mission_admin", op) for op in ADMIN_OPERATIONS]


@attrs.define
class World:
    fake: FakeArcGIS
    client: Client
    token: str
    mission_id: str
    job_id: str
    web_adaptor_id: str

    def snapshot(self) -> tuple[object, ...]:
        mission = self.fake.mission
        return (json.dumps(mission.configuration(), sort_keys=True), sorted(mission.catalog.jobs),
                sorted(self.fake.portal.items._items), sorted(self.fake.portal.groups._groups))

    def valid(self, param: Param) -> str:
        """A valid value for every required or path parameter of the tables."""
        return {
            "title": "Fuzz", "serviceName": "fuzz_svc", "questions": '[{"type": "Number", "label": "n"}]',
            "missionId": self.mission_id, "jobId": self.job_id, "machineName": "MISSIONSERVER",
            "alias": "selfsignedcertificate" if param.location == "path" else "fresh", "keysize": "1024",
            "commonName": "c.example.com", "organizationalUnit": "ou", "organization": "o", "city": "c",
            "state": "s", "country": "US", "certPassword": "pw", "directoryName": "arcgisoutput", "name": "dir1",
            "path": "/fuzz/dir", "type": "DATA", "webAdaptorId": self.web_adaptor_id, "machineName_form": "wa",
            "machineIP": "10.0.0.1", "webAdaptorURL": "https://wa.example.com/fuzz", "httpPort": "80",
            "httpsPort": "443", "webAdaptorConfig": "{}", "properties": "{}", "username": "siteadmin",
            "password": PASSWORD,
        }[param.wire]


@pytest.fixture(scope="module")
def world() -> World:
    fake = FakeArcGIS(admin_password=PASSWORD, password_iterations=1, seed=17)
    client = Client(fake)
    token = client.post("/portal/sharing/rest/generateToken", headers=HOST, data={
        "username": "admin", "password": PASSWORD, "client": "referer", "referer": "http", "f": "json"}).get_json()["token"]
    auth = {**HOST, "X-Esri-Authorization": f"Bearer {token}", "Referer": "http"}
    created = client.post("/mission/rest/services/createMission", headers=auth,
                          data={"title": "Fuzzed", "async": "true", "f": "json"}).get_json()
    client.post("/mission/admin/system/webadaptors/register", headers=auth, data={
        "machineName": "wa", "machineIP": "10.0.0.2", "webAdaptorURL": "https://wa.example.com/base",
        "httpPort": "80", "httpsPort": "443", "f": "json"})
    web_adaptor = next(iter(fake.mission.web_adaptors))
    return World(fake, client, token, created["missionId"], created["jobId"], web_adaptor)


def root_of(api: str) -> str:
    return "/mission/rest" if api == "mission" else "/mission"


def path_of(api: str, op: Operation, world: World, overrides: dict[str, str] | None = None) -> str:
    path = op.path
    for p in op.params:
        if p.location == "path":
            path = path.replace("{" + p.wire + "}", quote((overrides or {}).get(p.wire, world.valid(p)), safe=""))
    return root_of(api) + path


def send(world: World, api: str, op: Operation, form: dict[str, str], files: dict[str, bytes] | None = None, *,
         method: str | None = None, path: str | None = None) -> TestResponse:
    method = method or ("POST" if "POST" in op.methods else "GET")
    target = path or path_of(api, op, world)
    headers = {**HOST, "X-Esri-Authorization": f"Bearer {world.token}", "Referer": "http"}
    fields: dict[str, Any] = {"f": "json", **form}
    if method == "GET":
        return world.client.get(target, query_string=fields, headers=headers)
    for name, data in (files or {}).items():
        fields[name] = (io.BytesIO(data), f"{name}.bin")
    return world.client.post(target, data=fields, headers=headers)


def error_of(api: str, response: TestResponse) -> tuple[int, str]:
    """(code, first message) of the API's error envelope."""
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/json", response.mimetype
    body = json.loads(response.data)
    if api == "mission":
        assert set(body) == {"error"}, body
        error = body["error"]
        assert isinstance(error["code"], int) and error["message"]
        return error["code"], str(error["message"])
    assert set(body) == {"status", "messages", "code"}, body
    assert body["status"] == "error" and body["messages"]
    return int(body["code"]), str(body["messages"][0])


def required_form(op: Operation, world: World) -> dict[str, str]:
    return {p.wire: (world.valid(p) if not (p.wire == "machineName" and p.location == "form") else "wa")
            for p in op.params if p.required and p.location == "form"}


def required_files(op: Operation) -> dict[str, bytes]:
    return {p.wire: b"not a certificate" for p in op.params if p.required and p.location == "file"}


def assert_refused(world: World, api: str, op: Operation, form: dict[str, str], files: dict[str, bytes], wire: str,
                   method: str | None = None) -> None:
    before = world.snapshot()
    code, message = error_of(api, send(world, api, op, form, files, method=method))
    assert code == 400, (op.name, wire, code, message)
    assert f"'{wire}'" in message, (op.name, wire, message)
    assert world.snapshot() == before, (op.name, wire)


# --- missing parameters ------------------------------------------------------------------------------------

REQUIRED = [(api, op, p) for api, op in OPERATIONS for p in op.params if p.required and p.location in ("form", "file")]


def test_the_tables_have_required_parameters() -> None:
    names = {op.name for _, op, _ in REQUIRED}
    assert {"missions.create", "missions.add_report", "certificates.generate", "certificates.import_existing",
            "directories.register", "webadaptors.register", "system.update_properties"} <= names


@pytest.mark.parametrize(("api", "op", "param"), REQUIRED, ids=[f"{a}-{o.name}-{p.wire}" for a, o, p in REQUIRED])
def test_missing_required_parameter(world: World, api: str, op: Operation, param: Param) -> None:
    form, files = required_form(op, world), required_files(op)
    for method in op.methods:
        rest = {k: v for k, v in form.items() if k != param.wire}
        rest_files = {k: v for k, v in files.items() if k != param.wire}
        assert_refused(world, api, op, rest, rest_files, param.wire, method)
        if param.location == "form":
            assert_refused(world, api, op, {**rest, param.wire: ""}, rest_files, param.wire, method)


PATHED = [(api, op) for api, op in OPERATIONS if any(p.location == "path" for p in op.params)]


@pytest.mark.parametrize(("api", "op"), PATHED, ids=[f"{a}-{o.name}" for a, o in PATHED])
def test_unknown_path_values_are_404(world: World, api: str, op: Operation) -> None:
    for p in op.params:
        if p.location != "path":
            continue
        for value in ("NoSuch" + p.wire, "no_such_thing"):
            before = world.snapshot()
            response = send(world, api, op, required_form(op, world), required_files(op),
                            path=path_of(api, op, world, {p.wire: value}))
            code, message = error_of(api, response)
            assert code == 404, (op.name, p.wire, code, message)
            assert world.snapshot() == before


# --- malformed values --------------------------------------------------------------------------------------




def malformed(param: Param) -> st.SearchStrategy[str] | None:
    if param.location != "form":
        return None
    if param.enum:
        allowed = {e.lower() for e in param.enum}
        return st.sampled_from(["unknown", "SHA1withMD5", "HTTPX"]) | TEXT.filter(
            lambda s: s != "" and s.lower() not in allowed)
    if param.kind == "int":
        strategies = [NON_INTEGERS]
        if param.minimum is not None:
            strategies.append(st.integers(max_value=param.minimum - 1, min_value=param.minimum - 10**6).map(str))
        if param.maximum is not None:
            strategies.append(st.integers(min_value=param.maximum + 1, max_value=param.maximum + 10**6).map(str))
        return st.one_of(strategies)
    if param.kind == "bool":
        return NON_BOOLEANS
    if param.kind == "json" or param.encoding == "json":
        return NON_JSON
    return None


TYPED = [(api, op, p) for api, op in OPERATIONS for p in op.params if malformed(p) is not None]


def test_the_tables_have_typed_parameters() -> None:
    kinds = {(p.kind, bool(p.enum)) for _, _, p in TYPED}
    assert {("int", False), ("bool", False), ("json", False), ("str", True)} <= kinds


@pytest.mark.parametrize(("api", "op", "param"), TYPED, ids=[f"{a}-{o.name}-{p.wire}" for a, o, p in TYPED])
def test_malformed_typed_parameter(world: World, api: str, op: Operation, param: Param) -> None:
    strategy = malformed(param)
    assert strategy is not None

    @FUZZ
    @given(value=strategy, method=st.sampled_from(op.methods))
    def check(value: str, method: str) -> None:
        assert_refused(world, api, op, {**required_form(op, world), param.wire: value}, required_files(op),
                       param.wire, method)

    check()


# --- anything at all ---------------------------------------------------------------------------------------

WIRE_NAMES = sorted({p.wire for _, op in OPERATIONS for p in op.params} | {"f", "token"})
ROUTE_WORDS = sorted({s for _, op in OPERATIONS for r in op.all_rules for s in r.strip("/").split("/") if "<" not in s})
VALUES = (
    TEXT
    | st.integers(min_value=-(10**20), max_value=10**20).map(str)
    | st.sampled_from(["true", "false", "[]", "{}", "null", "pjson", "json", "html", "%00", "..", "/..", "C:\\",
                       '[{"type": "Number", "label": "n"}]', '{"codes": [1]}', "MISSIONSERVER", "DEBUG"])
)
SEGMENTS = st.sampled_from(ROUTE_WORDS + ["MISSIONSERVER", "selfsignedcertificate", "..", ".", "%2F"]) | st.text(
    CHARS, min_size=1, max_size=12)


@st.composite
def paths(draw: Callable[..., Any], world: World) -> str:
    if draw(st.booleans()):
        api, op = draw(st.sampled_from(OPERATIONS))
        overrides = {p.wire: draw(st.one_of(st.just(world.valid(p)), st.text(CHARS, min_size=1, max_size=12)))
                     for p in op.params if p.location == "path"}
        path = path_of(api, op, world, overrides)
    else:
        path = "/mission/" + "/".join(quote(s, safe="") for s in draw(st.lists(SEGMENTS, max_size=6)))
    if draw(st.booleans()):
        path = path.replace("/", "//", draw(st.integers(0, 3)))
    return path


def test_random_requests_never_get_a_500(world: World) -> None:
    @settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(path=paths(world), form=st.dictionaries(st.sampled_from(WIRE_NAMES) | TEXT, VALUES, max_size=6),
           method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "HEAD"]), signed=st.booleans())
    def check(path: str, form: dict[str, str], method: str, signed: bool) -> None:
        headers = {**HOST, **({"X-Esri-Authorization": f"Bearer {world.token}"} if signed else {})}
        response = world.client.open("/", method=method, headers=headers,
                                     query_string=form if method in ("GET", "HEAD", "DELETE") else None,
                                     data=form if method in ("POST", "PUT") else None,
                                     environ_overrides={"PATH_INFO": path})
        assert response.status_code == 200, response.status_code
        if method == "HEAD" or response.mimetype != "application/json":
            return
        body = json.loads(response.data)
        if isinstance(body, dict) and body.get("status") == "error":
            assert isinstance(body["code"], int) and body["code"] != 500, body
        if isinstance(body, dict) and "error" in body:
            assert body["error"]["code"] != 500, body

    check()
