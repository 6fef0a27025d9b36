"""Malformed input, for every operation of the table: a missing required parameter, or a typed parameter that
does not parse (non-integers, "maybe" for booleans, bad JSON, out-of-range numbers, unknown enum values), gets
HTTP 200 with the ArcGIS error envelope, code 400 and a message naming the wire parameter; never a 500, and
the fake's state does not move. Random paths and form fields never get a 500 either.

Requests are raw (werkzeug's test client), signed with a valid administrator token in `X-Esri-Authorization`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import attrs
import pytest
from arcgis_typed._runtime.operation import Operation, Param
from arcgis_typed.portal._operations import OPERATIONS
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
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from werkzeug.test import Client, TestResponse

ADMIN_PASSWORD = "fuzz-admin-password"
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- the world the requests act on -------------------------------------------------------------------------


@attrs.define
class World:
    fake: FakeArcGIS
    client: Client
    token: str
    item_id: str
    folder_id: str
    role_id: str

    def snapshot(self) -> tuple[object, ...]:
        portal = self.fake.portal
        tokens = portal.tokens
        return (
            sorted((u.username, u.disabled, u.role_id, u.full_name) for u in portal.users),
            sorted((i.id, i.owner, i.title, i.access, i.modified, i.data, tuple(i.tags)) for i in portal.items),
            sorted(f.id for f in portal.items.folders("admin")),
            sorted((r.id, r.name, r.description, r.privileges) for r in portal.roles),
            sorted(i.id for i in portal.users.invitations.pending()),
            len(tokens._tokens), len(tokens._pending), len(tokens._codes),
            sorted((g.id, g.title, g.owner, g.access, g.protected, tuple(sorted(g.members.items())),
                    tuple(sorted(g.applications)), tuple(sorted(g.invitations))) for g in portal.groups),
            portal.marketplace.snapshot(),
            sorted((c.id, c.name, c.domain, c.pem) for c in portal.certificates),
            repr(portal.org.settings), portal.org.name, portal.org.description,
            sorted((u.username, u.user_type_id, u.esri_access, u.thumbnail, tuple(sorted(u.linked)),
                    tuple(r.id for r in portal.users.notifications.of(u.username))) for u in portal.users),
            repr(attrs.astuple(portal.users.defaults)), portal.users.security.allow_signup,
        )

    # Valid values for every required or path parameter of the table, so that one parameter at a time can
    # be left out or spoiled while everything else is right.
    def valid(self, param: Param, op: str = "") -> str:
        if (op, param.wire) in BY_OPERATION:
            return BY_OPERATION[op, param.wire]
        value = self._valid(param)
        if param.enum and value not in param.enum:  # a shared wire name (`type`) with its own values here
            return param.enum[0]
        return value

    def _valid(self, param: Param) -> str:
        return {
            "username": "admin",
            "password": ADMIN_PASSWORD,
            "id": self.item_id,
            "folderId": self.folder_id,
            "title": "A title",
            "type": "Web Map",
            "items": self.item_id,
            "q": "*",
            "client_id": "pythonapi",
            "response_type": "token",
            "redirect_uri": "https://app.example.test/cb",
            "oauth_state": "no-such-state",
            "grant_type": "refresh_token",
            "roleId": self.role_id,
            "name": "A role name",
            "privileges": '{"privileges": ["portal:user:createItem"]}',
            "email": "someone@example.test",
            "user": "alice",
            "role": "org_user",
            "newPassword": "new-password-123",
            "emails": "someone@example.test",
            "invitationId": "no-invitation",
            "tags": "fuzzed",
            "users": "alice",
            "targetUsername": "alice",
            "categorySchema": '{"categorySchema": []}',
            "subject": "A subject",
            "message": "A message",
            "fileName": "thumbnail.png",
            "itemId": self.item_id,
            "fileType": "csv",
            "filetype": "csv",
            "exportFormat": "CSV",
            "createParameters": '{"name": "Fuzzed"}',
            "outputType": "featureService",
            "portalId": "self",
            "toReplaceItemId": self.item_id,
            "replacementItemId": self.item_id,
            "domain": "fuzz.example.test",
            "certificate": "-----BEGIN CERTIFICATE-----\nnot really\n-----END CERTIFICATE-----",
            "certificateId": "no-such-certificate",
            "purchaserOrgId": "no-such-org",
            "orgEntitlements": '{"maxUsers": 1, "entitlements": {}}',
            "userEntitlements": '{"users": ["alice"], "entitlements": []}',
            "userLicenseType": "creatorUT",
            "level": "2",
            "fullname": "Some One",
            "userToken": "no-such-token",
            "securityConfig": '{"allowSignup": false}',
            "notificationId": "no-notification",
            "newTitle": "Renamed",
            "folder": "/",
            "commentId": "no-comment",
            "comment": "A comment",
            "rating": "3",
            "originItemId": self.item_id,
            "destinationItemId": self.item_id,
            "relationshipType": "Map2Service",
            "relationshipTypes": "Map2Service",
            "appType": "browser",
            "clientId": "no-client",
            "startTime": "0",
            "endTime": "86400000",
            "period": "1d",
            "etype": "svcusg",
            "resource": "styles/root.json",
            "datastoreId": self.item_id,
            "serverId": "no-such-server",
            "path": "/",
            "jobId": "no-such-job",
            "templateSvcConfig": '{"type": "MapServer"}',
            "portalFolderId": self.folder_id,
            "serverFolder": "bulk",
            "serviceConfiguration": '{"type": "SceneServer"}',
        }[param.wire]


# Valid values where one wire name means different things in different operations.
BY_OPERATION = {
    ("dependencies.add", "type"): "url",
    ("dependencies.remove", "type"): "url",
    ("publishing.is_service_name_available", "type"): "featureService",
    ("data_store_items.describe", "type"): "datastore",
}


@pytest.fixture(scope="module")
def world() -> World:
    fake = FakeArcGIS(admin_password=ADMIN_PASSWORD, password_iterations=1, seed=11)
    portal = fake.portal
    admin = portal.users.require("admin")
    portal.add_user("alice", "alice-password", role="org_user")
    folder = portal.add_folder("admin", "Fuzzed")
    item = portal.add_item(admin, "admin", title="Original title", type="Web Map", text="{}", tags=["x"])
    portal.add_item(admin, "admin", title="In folder", type="CSV", folder=folder.id)
    role = portal.roles.create("fuzzrole00000000", "Fuzzed role", "", portal.now(), ["portal:user:joinGroup"])
    client = Client(fake)
    token = json.loads(client.post("/portal/sharing/rest/generateToken",
                                   data={"username": "admin", "password": ADMIN_PASSWORD, "f": "json"}).data)["token"]
    return World(fake, client, token, item.id, folder.id, role.id)


# --- sending -----------------------------------------------------------------------------------------------


def path_of(op: Operation, world: World, overrides: dict[str, str] | None = None) -> str:
    path = "/portal" + op.path
    for p in op.params:
        if p.location == "path":
            value = (overrides or {}).get(p.wire, world.valid(p, op.name))
            path = path.replace("{" + p.wire + "}", quote(value, safe=""))
    return path


def send(world: World, op: Operation, form: dict[str, str], *, method: str | None = None,
         path: str | None = None) -> TestResponse:
    method = method or ("POST" if "POST" in op.methods else "GET")
    target = path or path_of(op, world)
    headers = {"X-Esri-Authorization": f"Bearer {world.token}"}
    fields = {"f": "json", **form}
    if method == "GET":
        return world.client.get(target, query_string=fields, headers=headers)
    return world.client.post(target, data=fields, headers=headers)


def error_of(response: TestResponse) -> dict[str, Any]:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/json", response.mimetype
    body = json.loads(response.data)
    assert set(body) == {"error"}, body
    error = body["error"]
    assert isinstance(error["code"], int) and isinstance(error["message"], str)
    assert isinstance(error["details"], list)
    return dict(error)


def assert_refused(world: World, op: Operation, form: dict[str, str], wire: str, method: str | None = None) -> None:
    before = world.snapshot()
    error = error_of(send(world, op, form, method=method))
    assert error["code"] == 400, (op.name, wire, error)
    assert f"'{wire}'" in error["message"], (op.name, wire, error)
    assert world.snapshot() == before, (op.name, wire)


def required_form(op: Operation, world: World) -> dict[str, str]:
    return {p.wire: world.valid(p, op.name) for p in op.params if p.required and p.location == "form"}


def ids(op: Operation) -> str:
    return op.name


# --- missing parameters ------------------------------------------------------------------------------------

REQUIRED = [(op, p) for op in OPERATIONS for p in op.params if p.required and p.location == "form"]


def test_the_table_has_required_parameters() -> None:
    assert {op.name for op, _ in REQUIRED} >= {"content.add_item", "content.search", "tokens.generate_token",
                                               "tokens.oauth2_token", "users.search", "content.share_items"}


@pytest.mark.parametrize(("op", "param"), REQUIRED, ids=[f"{op.name}-{p.wire}" for op, p in REQUIRED])
def test_missing_required_parameter(world: World, op: Operation, param: Param) -> None:
    form = required_form(op, world)
    for method in op.methods:
        del_form = {k: v for k, v in form.items() if k != param.wire}
        assert_refused(world, op, del_form, param.wire, method)
        assert_refused(world, op, {**del_form, param.wire: ""}, param.wire, method)  # empty means not given


@pytest.mark.parametrize("op", [op for op in OPERATIONS if any(p.location == "path" for p in op.params)], ids=ids)
def test_unknown_path_values_are_400(world: World, op: Operation) -> None:
    path_params = [p for p in op.params if p.location == "path"]
    form = required_form(op, world)
    for p in path_params:
        before = world.snapshot()
        target = path_of(op, world, {p.wire: "no-such-" + p.wire.lower()})
        error = error_of(send(world, op, form, path=target))
        assert error["code"] == 400, (op.name, p.wire, error)
        assert world.snapshot() == before


# --- malformed values --------------------------------------------------------------------------------------


BAD_LISTS = st.sampled_from(["[", "[1,", "['a']", "[abc]"]) | TEXT.map(lambda s: "[" + s).filter(not_json)


def malformed(param: Param) -> st.SearchStrategy[str] | None:
    """Values the parameter's declaration refuses, or None when any text is acceptable."""
    if param.location != "form":
        return None
    if param.enum:
        allowed = {e.lower() for e in param.enum}
        return st.sampled_from(["unknown", "ASCENDING", "token code", ""]).filter(bool) | TEXT.filter(
            lambda s: s != "" and s.lower() not in allowed)
    if param.kind == "int":
        strategies = [NON_INTEGERS]
        if param.minimum is not None:
            strategies.append(st.integers(max_value=param.minimum - 1, min_value=param.minimum - 10**6).map(str))
        if param.maximum is not None:
            strategies.append(st.integers(min_value=param.maximum + 1, max_value=10**12).map(str))
        return st.one_of(strategies)
    if param.kind == "bool":
        return NON_BOOLEANS
    if param.kind == "json" or param.encoding == "json":
        return NON_JSON
    if param.encoding == "csv":
        return BAD_LISTS
    return None


TYPED = [(op, p) for op in OPERATIONS for p in op.params if malformed(p) is not None]


def test_the_table_has_typed_parameters() -> None:
    kinds = {(p.kind, bool(p.enum), p.encoding) for _, p in TYPED}
    assert ("int", False, "plain") in kinds and ("bool", False, "bool") in kinds
    assert ("json", False, "json") in kinds and ("str", True, "plain") in kinds and ("list", False, "csv") in kinds
    assert {op.name for op, _ in TYPED} >= {"content.search", "content.share", "content.add_item", "users.org_users"}


@pytest.mark.parametrize(("op", "param"), TYPED, ids=[f"{op.name}-{p.wire}" for op, p in TYPED])
def test_malformed_typed_parameter(world: World, op: Operation, param: Param) -> None:
    strategy = malformed(param)
    assert strategy is not None

    @FUZZ
    @given(value=strategy, method=st.sampled_from(op.methods))
    def check(value: str, method: str) -> None:
        assert_refused(world, op, {**required_form(op, world), param.wire: value}, param.wire, method)

    check()


@pytest.mark.parametrize("op", [op for op in OPERATIONS if any(p.kind == "int" and (p.minimum is not None or
                                                                                     p.maximum is not None)
                                                                for p in op.params)], ids=ids)
def test_out_of_range_numbers_name_their_bound(world: World, op: Operation) -> None:
    for p in op.params:
        if p.kind != "int":
            continue
        if p.minimum is not None:
            before = world.snapshot()
            error = error_of(send(world, op, {**required_form(op, world), p.wire: str(p.minimum - 1)}))
            assert error["message"] == f"Invalid parameter '{p.wire}': must be at least {p.minimum}"
            assert world.snapshot() == before
        if p.maximum is not None:
            error = error_of(send(world, op, {**required_form(op, world), p.wire: str(p.maximum + 1)}))
            assert error["message"] == f"Invalid parameter '{p.wire}': must be at most {p.maximum}"


@pytest.mark.parametrize("op", [op for op in OPERATIONS if any(p.location == "file" for p in op.params)], ids=ids)
def test_file_parameters_must_be_file_parts(world: World, op: Operation) -> None:
    for p in op.params:
        if p.location == "file":
            assert_refused(world, op, {**required_form(op, world), p.wire: "just text"}, p.wire)


def test_a_malformed_value_wins_over_a_valid_request(world: World) -> None:
    """Spoiling one parameter of an otherwise valid addItem adds nothing."""
    op = next(o for o in OPERATIONS if o.name == "content.add_item")
    assert_refused(world, op, {"title": "t", "type": "Web Map", "text": "{}", "properties": "{bad"}, "properties")
    assert_refused(world, op, {"title": "t", "type": "Web Map", "tags": "[oops"}, "tags")


# --- anything at all ---------------------------------------------------------------------------------------

WIRE_NAMES = sorted({p.wire for op in OPERATIONS for p in op.params} | {"f", "token", "text", "file"})
ROUTE_WORDS = sorted({s for op in OPERATIONS for s in op.path.strip("/").split("/") if not s.startswith("{")})
VALUES = (
    TEXT
    | st.integers(min_value=-(10**20), max_value=10**20).map(str)
    | st.sampled_from(["true", "false", "*", "[]", "{}", "null", "admin", "pjson", "json", "[\"a\"]", "%00", "..",
                       "title:(a OR", "/.*/", "owner:admin", "1e309"])
)
SEGMENTS = st.sampled_from(ROUTE_WORDS + ["admin", "alice", "..", ".", "%2F", "addItem", "data", "oauth2"]) | st.text(
    CHARS, min_size=1, max_size=12)


@st.composite
def paths(draw: Callable[..., Any], world: World) -> str:
    if draw(st.booleans()):  # a real route with random values in its placeholders
        op = draw(st.sampled_from(OPERATIONS))
        overrides = {p.wire: draw(st.one_of(st.just(world.valid(p, op.name)), st.text(CHARS, min_size=1, max_size=12)))
                     for p in op.params if p.location == "path"}
        path = path_of(op, world, overrides)
    else:
        segments = draw(st.lists(SEGMENTS, max_size=6))
        path = "/portal/sharing/rest/" + "/".join(quote(s, safe="") for s in segments)
    if draw(st.booleans()):
        path = path.replace("/", "//", draw(st.integers(0, 3)))
    return path


def test_random_requests_never_get_a_500(world: World) -> None:
    non_json_ops = {op.name: op for op in OPERATIONS if op.response_kind in ("bytes", "text", "redirect")}
    assert set(non_json_ops) == {"content.get_data", "groups.thumbnail", "tokens.oauth2_authorize",
                                 "tokens.oauth2_signin", "users.thumbnail", "users.homepage", "groups.homepage",
                                 "content.item_page", "content.metadata", "content.thumbnail", "item_resources.get"}

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(path=paths(world), form=st.dictionaries(st.sampled_from(WIRE_NAMES) | TEXT, VALUES, max_size=6),
           method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "HEAD"]), signed=st.booleans())
    def check(path: str, form: dict[str, str], method: str, signed: bool) -> None:
        headers = {"X-Esri-Authorization": f"Bearer {world.token}"} if signed else {}
        # PATH_INFO is set directly, so leading '//' and odd characters reach the app as sent
        response = world.client.open("/", method=method, headers=headers,
                                     query_string=form if method in ("GET", "HEAD", "DELETE") else None,
                                     data=form if method in ("POST", "PUT") else None,
                                     environ_overrides={"PATH_INFO": path})
        assert response.status_code in (200, 302), response.status_code
        if method == "HEAD":
            return
        if response.status_code == 302:
            assert "signin" in path.lower() and response.headers["Location"]
            return
        if response.mimetype != "application/json" or not response.data.startswith(b'{"error"'):
            # a successful answer: JSON of the operation, or the data / sign-in page of the non-JSON operations
            if response.mimetype == "application/json":
                assert isinstance(json.loads(response.data), (dict, list))  # list: `response: list[Model]`
            return
        error = json.loads(response.data)["error"]
        assert isinstance(error["code"], int) and error["code"] != 500, error
        assert isinstance(error["message"], str) and error["message"]
        assert "Traceback" not in error["message"]

    check()


def test_random_search_queries_never_get_a_500(world: World) -> None:
    ops = [op for op in OPERATIONS if op.name in ("content.search", "users.search")]

    @settings(max_examples=200, deadline=None)
    @given(op=st.sampled_from(ops), q=st.text(st.sampled_from('ab*?~^:"()[]{}+-!/\\ ANDORNOT TOowner01'),
                                               min_size=1, max_size=25),
           sort=st.sampled_from(["", "title", "created", "username", "bogus", "title,created", ","]))
    def check(op: Operation, q: str, sort: str) -> None:
        assume(q.strip())
        response = send(world, op, {"q": q, "sortField": sort}, method="GET")
        assert response.status_code == 200
        body = json.loads(response.data)
        if "error" in body:
            assert body["error"]["code"] == 400, body
        else:
            assert body["nextStart"] == -1 or body["nextStart"] > 1
            assert isinstance(body["results"], list)

    check()
