"""Security review, privileges: for every operation of the table (so operations added later are covered), a
request the fake refuses stays refused - with the state unchanged - however it is dressed up: `//` and trailing
slashes in the path, the path in other letter cases, GET instead of POST (and the reverse), the token in the
header, the query string or the body (`X-Esri-Authorization` or `Authorization`), other `f` formats, parameter
names in other cases. Checked for a plain user (alice, org_user), a signed-out caller, a disabled user's token
and a garbage token, against the administrator's objects."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from arcgis_typed._runtime.operation import Operation, Param
from arcgis_typed_fake.app import error_envelope
from fuzzworld import USER_PASSWORD, World, envelope_error, fingerprint, new_world, operation_tables
from werkzeug.test import TestResponse

OPERATIONS = [(op, context) for ops, context in operation_tables().values() for op in ops]


@attrs.frozen
class Request:
    method: str
    path: str
    form: dict[str, str]
    token: str | None
    where: str = "header"  # header | auth-header | query | body

    def send(self, world: World) -> TestResponse:
        form, query, headers = dict(self.form), {}, {}
        if self.token is not None:
            if self.where == "header":
                headers["X-Esri-Authorization"] = f"Bearer {self.token}"
            elif self.where == "auth-header":
                headers["Authorization"] = f"Bearer {self.token}"
            elif self.where == "query" or self.method == "GET":
                query["token"] = self.token
            else:
                form["token"] = self.token
        raw_path = {"PATH_INFO": self.path}  # as a server passes it: `//x` is a path, not a host
        if self.method == "GET":
            return world.client.open("/", method="GET", query_string={**form, **query}, headers=headers,
                                     environ_overrides=raw_path)
        return world.client.open("/", method=self.method, data=form, query_string=query, headers=headers,
                                 environ_overrides=raw_path)


FIXED = {"username": "admin", "user": "admin", "targetusername": "admin", "users": "admin", "admins": "admin",
         "roleid": "hardening0000000", "foldername": "Fuzzed", "servicename": "Svc", "type": "Web Map",
         "machinename": "MACHINE1", "service": '{"serviceName": "Fresh", "type": "MapServer"}'}


def value_for(p: Param, world: World) -> str:
    """A plausible value, aimed at the administrator's things, so that a request gets past parameter checks to
    the privilege and ownership checks."""
    portal = world.fake.portal
    wire = p.wire.lower()
    if p.enum:
        return p.enum[0]
    if p.kind == "bool" or p.encoding == "bool":
        return "true"
    if p.kind == "int":
        return str(p.minimum if p.minimum is not None else 1)
    if wire in ("id", "items", "itemids"):
        return next(i.id for i in portal.items if i.owner == "admin" and i.access == "private")
    if wire in ("groupid", "groups"):
        return next(g.id for g in portal.groups if g.owner == "admin")
    if wire == "folderid":
        return next(f.id for f in portal.items.folders("admin"))
    if wire in FIXED:
        return FIXED[wire]
    if p.kind == "json" or p.encoding == "json":
        return "{}"
    return "x"


def canonical(op: Operation, context: str, world: World, token: str | None) -> Request:
    path_values = {}
    for p in op.params:
        if p.location == "path":
            value = value_for(p, world)
            if p.wire == "id" and "/groups/" in op.path:
                value = next(g.id for g in world.fake.portal.groups if g.owner == "admin")
            if p.wire == "type":
                value = "MapServer"
            path_values[p.wire] = value
    form = {p.wire: value_for(p, world) for p in op.params if p.location == "form"
            and (p.required or p.wire in ("title", "type", "text", "name", "everyone", "org", "role"))}
    return Request(op.methods[-1], op.url(context, path_values), {"f": "json", **form}, token)


def variants(request: Request, op: Operation) -> Iterator[Request]:
    path = request.path
    context, rest = "/" + path.strip("/").split("/", 1)[0], path.strip("/").split("/", 1)[1]
    for p in (f"{context}//{rest}", f"{context}/{rest}/", f"{context}/{rest.replace('/', '//')}",
              path.upper(), path.lower(), path.swapcase(), "/" + path):
        yield attrs.evolve(request, path=p)
    for method in ("GET", "POST"):
        if method != request.method:
            yield attrs.evolve(request, method=method)
    for where in ("auth-header", "query", "body"):
        yield attrs.evolve(request, where=where)
        yield attrs.evolve(request, where=where, method="GET" if request.method == "POST" else "POST")
    for fmt in ("pjson", "html", "JSON"):
        yield attrs.evolve(request, form={**request.form, "f": fmt})
    yield attrs.evolve(request, form={k.upper(): v for k, v in request.form.items()})
    yield attrs.evolve(request, form={**request.form, "token": "", "TOKEN": request.token or ""})


def outcome(response: TestResponse, envelope: str) -> int | None:
    """The error code of a refused request, or None when it was served."""
    if response.status_code == 302:
        return None
    assert response.status_code == 200, response.status_code
    if response.mimetype != "application/json":
        return None
    error = envelope_error(envelope, json.loads(response.data))
    return None if error is None else int(error["code"])


@attrs.define
class Callers:
    alice: str
    disabled: str
    garbage: str = "0123456789abcdef" * 4


def callers(world: World) -> Callers:
    bob = json.loads(world.client.post(world.fake.portal_context + "/sharing/rest/generateToken", data={
        "username": "bob", "password": USER_PASSWORD, "f": "json"}).data)["token"]
    world.post(world.fake.portal_context + "/sharing/rest/community/users/bob/disable", {}, world.admin_token)
    return Callers(world.user_token, bob)


@pytest.mark.parametrize(("op", "context"), OPERATIONS, ids=[f"{op.api}:{op.name}" for op, _ in OPERATIONS])
def test_a_refusal_cannot_be_dressed_up(op: Operation, context: str) -> None:
    world = new_world()
    who = callers(world)
    envelope = "portal" if op.envelope == "portal" else "server"
    answers = error_envelope(envelope, "", op.path)  # a server's services directory answers {"error": ...}
    checked = 0
    plain = (who.alice,) if op.api == "portal" else tuple(world.server_tokens.values())
    # a Server reads a POST's token from the body or the header only (one in the query is ignored), so on a
    # resource open to anonymous callers such a request is simply served as anonymous: no refusal is bypassed
    open_server_resource = envelope == "server" and outcome(canonical(op, context, world, None).send(world),
                                                            answers) is None
    for token in (*plain, None, who.disabled, who.garbage):
        request = canonical(op, context, world, token)
        before = fingerprint(world.fake)
        code = outcome(request.send(world), answers)
        after = fingerprint(world.fake)
        if code is None or (open_server_resource and code in (498, 499)):
            continue  # served (alice may read the org's things, anyone may sign in): no refusal to bypass
        assert after == before, (op.name, code)
        for variant in variants(request, op):
            answer = variant.send(world)
            assert outcome(answer, answers) is not None, (op.name, variant, answer.data[:300])
            checked += 1
        assert fingerprint(world.fake) == before, op.name  # no refused variant changed anything
    assert checked or op.auth == "anonymous" or open_server_resource, op.name


def test_every_privileged_operation_is_refused_to_a_plain_user() -> None:
    """alice (org_user) lacks the privileges these operations require: each answers 403 (or a parameter error
    before it), never a result."""
    refused = 0
    for op, context in OPERATIONS:
        world = new_world()
        alice = world.fake.portal.users.require("alice")
        if op.api != "portal" or not op.privileges or all(alice.has(p) for p in op.privileges):
            continue
        request = canonical(op, context, world, world.user_token)
        code = outcome(request.send(world), "portal")
        assert code in (400, 403), (op.name, code)
        refused += code == 403
    assert refused >= 5


def test_every_privileged_server_operation_is_refused_to_a_lesser_role() -> None:
    """ArcGIS Server: a `user` lacks PUBLISH and ADMINISTER, a `publisher` lacks ADMINISTER; each operation
    needing a privilege the role lacks answers 403."""
    refused = set()
    for op, context in OPERATIONS:
        if op.api != "server_admin" or not op.privileges:
            continue
        for role in ("user", "publisher"):
            world = new_world()
            user = world.fake.server.site.users[f"server{role}"]
            if all(user.has(p) for p in op.privileges):
                continue
            code = outcome(canonical(op, context, world, world.server_tokens[role]).send(world), "server")
            assert code == 403, (op.name, role, code)
            refused.add((op.name, role))
    assert {("machines.stop", "publisher"), ("services.create_service", "user")} <= refused


def _admin_private_item(world: World) -> Any:
    return next(i for i in world.fake.portal.items if i.owner == "admin" and i.access == "private")


def test_ownership_cannot_be_dressed_up() -> None:
    """alice may not update, delete or share the administrator's private item, or read it, in any dress."""
    world = new_world()
    item = _admin_private_item(world)
    before = fingerprint(world.fake)
    rest = "/portal/sharing/rest"
    attempts = [
        Request("POST", f"{rest}/content/users/admin/items/{item.id}/update", {"f": "json", "title": "Mine"},
                world.user_token),
        Request("POST", f"{rest}/content/users/alice/items/{item.id}/update", {"f": "json", "title": "Mine"},
                world.user_token),
        Request("POST", f"{rest}/content/users/admin/items/{item.id}/delete", {"f": "json"}, world.user_token),
        Request("POST", f"{rest}/content/items/{item.id}/share", {"f": "json", "everyone": "true"},
                world.user_token),
        Request("GET", f"{rest}/content/items/{item.id}", {"f": "json"}, world.user_token),
        Request("GET", f"{rest}/content/items/{item.id}/data", {"f": "json"}, world.user_token),
    ]
    for request in attempts:
        for variant in [request, *variants(request, _op("content.update"))]:
            answer = variant.send(world)
            assert outcome(answer, "portal") is not None, (variant, answer.data[:200])
            assert fingerprint(world.fake) == before


def _op(name: str) -> Operation:
    return next(op for op, _ in OPERATIONS if op.name == name)
