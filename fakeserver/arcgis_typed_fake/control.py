"""The control plane under `/_fake/`: drive the fake from outside the process (CLI, other languages).

Every call needs the header `X-Fake-Control: <fake.control_token>` (printed by `arcgis-fake serve`), so a
script under test cannot reset the fake by accident. Versioned: answers carry `"controlVersion": 1`; bodies are
JSON (the seed also takes YAML). The same operations exist on `FakeArcGIS` (Python) and in `arcgis-fake` (CLI);
`GET /_fake/openapi.json` (or `arcgis-fake openapi`) describes them all in OpenAPI 3.1.

* `GET  /_fake/status`          counts of users and items, the portal and server paths, machines and sites
* `POST /_fake/reset`           forget everything but the administrators (a fork: back to its baseline; after a
                                checkpoint: back to it)
* `POST /_fake/checkpoint`      the state now becomes what `reset` returns to (seed, checkpoint, reset per test)
* `GET  /_fake/snapshot`        the state as a versioned snapshot document
* `POST /_fake/restore`         replace the state with a snapshot document (the body)
* `POST /_fake/seed`            seed from a YAML or JSON seed document (the body); answers counts per kind
* `GET  /_fake/clock`           the fake's time; `POST` {"advanceMs": N} or {"setMs": N} (a ManualClock only)
* `POST /_fake/tokens/expire`   every token expires now
* `GET  /_fake/faults`          the fault rules; `POST` adds one; `DELETE` removes all; `DELETE /_fake/faults/<id>`
* `POST /_fake/faults/seed`     {"seed": N}: restart the generator of probabilistic rules
* `GET  /_fake/requests`        the request journal (`?op=content.get&limit=100`); `DELETE` clears it
* `GET  /_fake/dashboard`       an HTML page of the state and the journal (token in `?token=` for browsers)
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import attrs
from werkzeug.wrappers import Request, Response

from .clock import ManualClock
from .errors import Fault
from .snapshot import SnapshotError

if TYPE_CHECKING:
    from .app import FakeArcGIS

CONTROL_VERSION = 1
HEADER = "X-Fake-Control"
MAX_BODY = 512 * 1024 * 1024


@attrs.frozen
class ControlOp:
    """One control operation: what the OpenAPI document says about it, and the function that does it."""

    method: str
    path: str  # under /_fake; "{id}" is a path parameter
    summary: str
    run: Callable[[FakeArcGIS, Request, str], Any]
    body: Mapping[str, Any] | None = None  # JSON schema of the request body
    answer: Mapping[str, Any] = attrs.field(factory=lambda: {"type": "object"})


def _json_body(request: Request) -> Any:
    try:
        return json.loads(request.get_data(cache=False) or b"{}")
    except ValueError:
        raise Fault(400, "The request body is not valid JSON.") from None


def _status(fake: FakeArcGIS, request: Request, _: str) -> Any:
    return {
        "portal": fake.portal_context,
        "users": len(fake.portal.users),
        "items": len(fake.portal.items),
        "groups": len(fake.portal.groups),
        "server": fake.server_context,
        "machines": [
            {"machineName": m.name, "inSite": m.site is not None, "configuredState": m.configured_state}
            for m in fake.server.machines.values()
        ],
        "sites": [
            {"machines": [m.name for m in site.machines], "users": len(site.users),
             "folders": len(site.catalog.folders()), "services": len(site.catalog)}
            for site in fake.server.sites
            if site.machines
        ],
        "mission": fake.mission_context,
        "missions": len(fake.mission.catalog.missions),
        "unimplemented": list(fake.unimplemented),
        "clockMs": fake.clock.now_ms(),
        "faults": len(fake.faults),
        "requests": len(fake.requests),
    }


def _reset(fake: FakeArcGIS, request: Request, _: str) -> Any:
    fake.reset()
    return {"status": "success"}


def _checkpoint(fake: FakeArcGIS, request: Request, _: str) -> Any:
    try:
        fake.checkpoint()
    except SnapshotError as e:
        raise Fault(500, f"Cannot checkpoint: {e}") from None
    return {"status": "success"}


def _snapshot(fake: FakeArcGIS, request: Request, _: str) -> Any:
    return {"snapshot": fake.snapshot()}


def _restore(fake: FakeArcGIS, request: Request, _: str) -> Any:
    try:
        fake.restore(_json_body(request))
    except SnapshotError as e:
        raise Fault(400, f"Cannot restore: {e}") from None
    return {"status": "success"}


def _seed(fake: FakeArcGIS, request: Request, _: str) -> Any:
    from .seeding import SeedError, seed

    try:
        counts = seed(fake, request.get_data(cache=False))
    except SeedError as e:
        raise Fault(400, f"Cannot seed: {e}") from None
    return {"status": "success", "seeded": counts}


def _clock(fake: FakeArcGIS, request: Request, _: str) -> Any:
    if request.method == "POST":
        body = _json_body(request)
        if not isinstance(fake.clock, ManualClock):
            raise Fault(400, "This fake runs on the real clock; start it with a ManualClock (serve --start-time).")
        if isinstance(body.get("setMs"), int):
            fake.clock.set(body["setMs"])
        elif isinstance(body.get("advanceMs"), int) and body["advanceMs"] >= 0:
            fake.clock.advance(seconds=body["advanceMs"] / 1000)
        else:
            raise Fault(400, "Give {\"advanceMs\": N} (N >= 0) or {\"setMs\": epoch milliseconds}.")
    return {"nowMs": fake.clock.now_ms(), "manual": isinstance(fake.clock, ManualClock)}


def _expire(fake: FakeArcGIS, request: Request, _: str) -> Any:
    fake.expire_tokens()
    return {"status": "success"}


def _faults(fake: FakeArcGIS, request: Request, rule_id: str) -> Any:
    if request.method == "POST":
        try:
            rule = fake.faults.add_json(_json_body(request))
        except (TypeError, ValueError) as e:
            raise Fault(400, f"Invalid fault rule: {e}") from None
        return {"rule": rule.to_json()}
    if request.method == "DELETE":
        if rule_id:
            if not fake.faults.remove(rule_id):
                raise Fault(404, f"No fault rule '{rule_id}'.")
        else:
            fake.faults.clear()
        return {"status": "success"}
    return {"rules": [r.to_json() for r in fake.faults]}


def _faults_seed(fake: FakeArcGIS, request: Request, _: str) -> Any:
    value = _json_body(request).get("seed")
    if not isinstance(value, int):
        raise Fault(400, "Give {\"seed\": an integer}.")
    fake.faults.seed(value)
    return {"status": "success"}


def _requests(fake: FakeArcGIS, request: Request, _: str) -> Any:
    if request.method == "DELETE":
        fake.requests.clear()
        return {"status": "success"}
    op = request.args.get("op", "*")
    try:
        limit = int(request.args.get("limit", "1000"))
    except ValueError:
        raise Fault(400, "Invalid parameter 'limit': a whole number.") from None
    found = fake.requests.calls(op)
    return {"total": len(found), "requests": [r.to_json() for r in found[-limit:] if limit > 0]}


def _openapi(fake: FakeArcGIS, request: Request, _: str) -> Any:
    return openapi()


_OK = {"type": "object", "properties": {"controlVersion": {"const": CONTROL_VERSION}, "status": {"const": "success"}}}
_RULE = {
    "type": "object",
    "properties": {
        "op": {"type": "string", "description": "operation name as in the journal: content.get, portal:*, *"},
        "errorCode": {"type": "integer", "description": "answer the ArcGIS error envelope with this code (HTTP 200)"},
        "message": {"type": "string"},
        "httpStatus": {"type": "integer", "description": "answer with this HTTP status instead (e.g. 503, 429)"},
        "retryAfter": {"type": "integer", "description": "Retry-After header (seconds) with httpStatus"},
        "latencyMs": {"type": "integer", "minimum": 0},
        "probability": {"type": "number", "minimum": 0, "maximum": 1},
        "times": {"type": ["integer", "null"], "minimum": 0, "description": "fire at most this often (null: always)"},
        "after": {"type": "integer", "minimum": 0, "description": "let this many matching calls through first"},
        "when": {"type": "object", "additionalProperties": {"type": "string"}},
        "expireTokens": {"type": "boolean"},
        "truncate": {"type": "boolean", "description": "cut the response body in half"},
        "applied": {"type": "boolean", "description": "carry the request out, then answer the error instead"},
    },
    "additionalProperties": False,
}
_REQUEST = {
    "type": "object",
    "properties": {
        "seq": {"type": "integer"}, "op": {"type": ["string", "null"]}, "method": {"type": "string"},
        "path": {"type": "string"}, "params": {"type": "object", "additionalProperties": {"type": "string"}},
        "status": {"type": "integer"}, "errorCode": {"type": ["integer", "null"]}, "timeMs": {"type": "integer"},
        "fault": {"type": ["string", "null"]},
    },
}
_SNAPSHOT = {"type": "object", "required": ["format", "version", "state"],
             "properties": {"format": {"const": "arcgis-typed-fake-snapshot"}, "version": {"type": "integer"},
                            "writer": {"type": "string"}, "clockMs": {"type": "integer"},
                            "settings": {"type": "object"}, "state": {"type": "object"}}}

OPERATIONS: tuple[ControlOp, ...] = (
    ControlOp("GET", "status", "Counts of the state, paths, machines and sites", _status),
    ControlOp("POST", "status", "Counts of the state, paths, machines and sites", _status),
    ControlOp("POST", "reset", "Forget everything but the administrators (a fork or a fake with a checkpoint: back "
              "to it)", _reset,
              answer=_OK),
    ControlOp("POST", "checkpoint", "The state now becomes what reset returns to (undoing the changes since)",
              _checkpoint, answer=_OK),
    ControlOp("GET", "snapshot", "The state as a versioned snapshot document (no live tokens)", _snapshot,
              answer={"type": "object", "properties": {"snapshot": _SNAPSHOT}}),
    ControlOp("POST", "restore", "Replace the state with a snapshot document", _restore, body=_SNAPSHOT, answer=_OK),
    ControlOp("POST", "seed", "Seed from a YAML or JSON seed document (see seeding.py)", _seed,
              body={"type": "object", "description": "version, organization, roles, users, groups, items, server"}),
    ControlOp("GET", "clock", "The fake's time", _clock),
    ControlOp("POST", "clock", "Move a ManualClock", _clock,
              body={"type": "object", "properties": {"advanceMs": {"type": "integer", "minimum": 0},
                                                     "setMs": {"type": "integer"}}}),
    ControlOp("POST", "tokens/expire", "Every token expires now", _expire, answer=_OK),
    ControlOp("GET", "faults", "The fault rules", _faults,
              answer={"type": "object", "properties": {"rules": {"type": "array", "items": _RULE}}}),
    ControlOp("POST", "faults", "Add a fault rule", _faults, body=_RULE),
    ControlOp("DELETE", "faults", "Remove every fault rule", _faults, answer=_OK),
    ControlOp("DELETE", "faults/{id}", "Remove one fault rule", _faults, answer=_OK),
    ControlOp("POST", "faults/seed", "Restart the generator of probabilistic rules", _faults_seed,
              body={"type": "object", "required": ["seed"], "properties": {"seed": {"type": "integer"}}}, answer=_OK),
    ControlOp("GET", "requests", "The request journal (query: op, limit)", _requests,
              answer={"type": "object", "properties": {"total": {"type": "integer"},
                                                       "requests": {"type": "array", "items": _REQUEST}}}),
    ControlOp("DELETE", "requests", "Clear the request journal", _requests, answer=_OK),
    ControlOp("GET", "openapi.json", "This description", _openapi),
    ControlOp("GET", "dashboard", "An HTML page of the state and the journal (the token may be ?token=)",
              lambda fake, request, _: None, answer={"type": "string", "description": "text/html"}),
)


def _find(action: str, method: str) -> tuple[ControlOp, str] | None:
    for op in OPERATIONS:
        if op.method != method:
            continue
        if op.path == action:
            return op, ""
        stem, _, rest = op.path.partition("{id}")
        if rest == "" and stem and action.startswith(stem) and "/" not in action[len(stem):] and action[len(stem):]:
            return op, action[len(stem):]
    return None


def control(fake: FakeArcGIS, request: Request, path: str) -> Response:
    action = path.removeprefix("/_fake").strip("/")
    given = request.headers.get(HEADER, "")
    if action == "dashboard" and request.method == "GET":  # a browser cannot send the header
        given = given or request.args.get("token", "")
    if not hmac.compare_digest(given.encode(), fake.control_token.encode()):
        raise Fault(403, f"The control plane needs the {HEADER} header with the fake's control token.")
    if action == "dashboard" and request.method == "GET":
        from . import dashboard

        return Response(dashboard.page(fake), content_type="text/html; charset=utf-8")
    found = _find(action, request.method)
    if found is None:
        known = ", ".join(f"{op.method} {op.path}" for op in OPERATIONS)
        raise Fault(400, f"Unknown control operation '{action}' (known: {known}).")
    op, rule_id = found
    request.max_content_length = MAX_BODY
    result = op.run(fake, request, rule_id)
    body = result if op.path == "openapi.json" else {"controlVersion": CONTROL_VERSION, **result}
    return Response(json.dumps(body), content_type="application/json")


def openapi() -> dict[str, Any]:
    """The OpenAPI 3.1 description of the control plane."""
    paths: dict[str, Any] = {}
    for op in OPERATIONS:
        entry: dict[str, Any] = {
            "operationId": f"{op.method.lower()}_{op.path.replace('/', '_').replace('{id}', 'one').replace('.', '_')}",
            "summary": op.summary,
            "parameters": [{"name": HEADER, "in": "header", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "the answer, or an ArcGIS error envelope {\"error\": {...}}",
                                  "content": {"application/json": {"schema": dict(op.answer)}}}},
        }
        if "{id}" in op.path:
            entry["parameters"].append({"name": "id", "in": "path", "required": True, "schema": {"type": "string"}})
        if op.body is not None:
            entry["requestBody"] = {"required": True, "content": {"application/json": {"schema": dict(op.body)}}}
        paths.setdefault(f"/_fake/{op.path}", {})[op.method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": "arcgis-typed fake: control plane", "version": str(CONTROL_VERSION),
                 "description": "Drive the fake ArcGIS Enterprise from outside its process (see control.py)."},
        "paths": paths,
    }


__all__ = ["CONTROL_VERSION", "HEADER", "OPERATIONS", "ControlOp", "control", "openapi"]
