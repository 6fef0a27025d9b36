"""Fuzz every operation of every exported OpenAPI document against the fake, in-process (its WSGI app).

For each operation (found in `generated/openapi/*.json` and the generated operations tables, so operations added
later are fuzzed without touching this file), a fresh seeded fake gets:

* schemathesis cases generated from the OpenAPI 3.1 document, positive (what the document allows) and negative
  (what it refuses), with path and text values drawn half the time from the names of things that exist (so
  requests reach the state, not only the router);
* our own hypothesis strategies for the ArcGIS encodings the document can only describe as text: JSON-in-form
  values (valid JSON of any shape, and broken JSON), comma lists (of existing names, with blanks, brackets,
  empty elements), "true"/"false" (and what is neither), out-of-range integers, `f` formats, stray fields, the
  token in the header, the query or the body, GET for POST;

and for every answer: HTTP 200 (302 for a redirecting sign-in), a JSON object, an ArcGIS error envelope of the
right API (never the other's) or a result matching the operation's response schema (for the schemathesis
cases), a page only for `f=html` or a text operation, never a 500 or a traceback; and an
answer that is an error left the state exactly as it was (the fingerprint of the whole fake, `fuzzworld`).

Every operation gets at least `PER_OPERATION` requests, chosen so that all operations together get at least
`TOTAL` (10,000); the count of each operation is checked, and `test_the_plan_sends_enough` checks the total.
"""

from __future__ import annotations

import copy
import io
import json
import logging
import math
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pytest
import schemathesis
from arcgis_typed._runtime.operation import Operation
from fuzzworld import (
    ADMIN_PASSWORD,
    USER_PASSWORD,
    ApiDoc,
    ErrorLog,
    World,
    check_response,
    exact_state,
    fingerprint,
    forked,
    new_world,
    openapi_documents,
    operation_tables,
    watch_errors,
)
from hypothesis import HealthCheck, given, reject, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

TOTAL = 10_000
SECRETS = (ADMIN_PASSWORD.encode(), USER_PASSWORD.encode())
DOCS = openapi_documents()
NAMES = new_world().names  # the same for every world (same seed)


def _with_names(schema: dict[str, Any]) -> dict[str, Any]:
    """A string schema that, half the time, is the name of something that exists."""
    return {"anyOf": [{"enum": list(NAMES)}, schema]}


def _steer(document: dict[str, Any], context: str) -> dict[str, Any]:
    """The document as schemathesis should use it: served at its context path in-process, path values existing
    names (in negative cases: anything else), free-text form values sometimes existing names."""
    doc = copy.deepcopy(document)
    doc["servers"] = [{"url": context}]
    for item in doc["paths"].values():
        for operation in item.values():
            for p in operation.get("parameters", []):
                if p["in"] == "path":  # positive cases name existing things; negative ones anything else
                    p["schema"] = {"type": "string", "enum": list(NAMES)}
                elif p["schema"].get("type") == "string" and "enum" not in p["schema"]:
                    p["schema"] = _with_names(p["schema"])
            for content in operation.get("requestBody", {}).get("content", {}).values():
                props = content["schema"]["properties"]
                for name, schema in props.items():
                    if schema.get("type") == "string" and "enum" not in schema and schema.get("format") != "binary":
                        props[name] = _with_names(schema)
    return doc


@attrs.frozen
class Target:
    api: ApiDoc
    op: Operation
    schemathesis_ops: tuple[Any, ...]  # its schemathesis APIOperations (one per concrete path and method)

    @property
    def id(self) -> str:
        return f"{self.api.name}:{self.op.name}"


def _targets() -> list[Target]:
    tables = operation_tables()
    out = []
    for api in DOCS:
        loaded = schemathesis.openapi.from_dict(_steer(api.document, api.context))
        by_id: dict[str, list[Any]] = {}
        for result in loaded.get_all_operations():
            operation = result.ok()
            by_id.setdefault(operation.definition.raw["operationId"], []).append(operation)
        ops, _ = tables[api.name]
        for op in ops:
            base = op.name.replace(".", "_")
            mine = [o for key, group in by_id.items() if _belongs(key, base) for o in group]
            out.append(Target(api, op, tuple(mine)))
    return out


def _belongs(operation_id: str, base: str) -> bool:
    """Whether an operationId of the export (`family_name`, `_without_<part>` for a path that leaves an optional
    part out, `_<method>` for a second method) is one of operation `base`'s."""
    if not operation_id.startswith(base):
        return False
    rest = operation_id[len(base):]
    return rest == "" or rest.startswith("_without_") or rest in ("_get", "_post", "_put", "_delete")


TARGETS = _targets()
PER_OPERATION = max(30, math.ceil(TOTAL / max(len(TARGETS), 1)))


def test_the_plan_sends_enough() -> None:
    """Every operation of every document is a target, each has schemathesis operations, and the plan adds up."""
    assert len(DOCS) >= 2 and {d.name for d in DOCS} >= {"portal", "server_admin"}
    documented = sum(len(m) for d in DOCS for m in d.document["paths"].values())
    assert sum(len(t.schemathesis_ops) for t in TARGETS) == documented
    assert all(t.schemathesis_ops for t in TARGETS), [t.id for t in TARGETS if not t.schemathesis_ops]
    assert len(TARGETS) * PER_OPERATION >= TOTAL


# --- the run of one operation ----------------------------------------------------------------------------


@attrs.define
class Run:
    world: World
    target: Target
    errors: ErrorLog
    sent: int = 0
    refused: int = 0
    state: Any = None

    def __attrs_post_init__(self) -> None:
        self.state = fingerprint(self.world.fake)

    def judge(self, status: int, content_type: str, data: bytes, fmt: str, what: str) -> None:
        self.sent += 1
        if self.errors.records:
            record = self.errors.records[0]
            text = logging.Formatter().formatException(record.exc_info) if record.exc_info else ""
            raise AssertionError(f"500 for {what}:\n{text}")
        for secret in SECRETS:  # no answer ever carries a password (errors included)
            assert secret not in data, f"{what} answered with a password"
        error = check_response(self.target.op, self.target.api.envelope, status, content_type, data, fmt)
        after = fingerprint(self.world.fake)
        if error is not None:
            self.refused += 1
            assert after == self.state, f"{what} was refused ({error}) but changed the state"
        self.state = after


def _fmt(value: Any) -> str:
    return str(value).lower() if isinstance(value, str) else ""


FUZZ = settings(deadline=None, database=None, suppress_health_check=list(HealthCheck))


def _schemathesis_part(run: Run, mode: GenerationMode, examples: int) -> None:
    target, world = run.target, run.world
    strategy = st.one_of([o.as_strategy(generation_mode=mode) for o in target.schemathesis_ops])
    tokens = st.sampled_from([world.admin_token, world.user_token, None])

    @seed(run.sent)
    @settings(FUZZ, max_examples=examples)
    @given(case=strategy, token=tokens)
    def check(case: Any, token: str | None) -> None:
        headers = {"X-Esri-Authorization": f"Bearer {token}"} if token else {}
        try:
            response = case.call(app=world.fake, headers=headers)
        except ValueError as exc:  # schemathesis cannot send a path value holding "?" (the WSGI transport refuses)
            if "Query string is defined in the path" not in str(exc):
                raise
            reject()
        body = case.body if isinstance(case.body, dict) else {}
        fmt = _fmt((case.query or {}).get("f") or body.get("f"))
        content_type = next((v for k, v in response.headers.items() if k.lower() == "content-type"), "")
        content_type = content_type[0] if isinstance(content_type, list) else content_type
        run.judge(response.status_code, content_type, response.content, fmt, repr(case))
        if content_type.startswith("application/json"):
            case.validate_response(response, checks=[response_schema_conformance])  # a result or an envelope

    check()


# --- the ArcGIS encodings ----------------------------------------------------------------------------------

CHARS = st.characters(codec="utf-8")
TEXT = st.text(CHARS, max_size=24)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3), max_leaves=6)
BROKEN_JSON = st.sampled_from(["{", "[1,", "{'a': 1}", "undefined", '{"a":}', "NaN", "{}}", "\x00", "[" * 200])
NAME_VALUES = st.sampled_from(NAMES)


def _csv() -> st.SearchStrategy[str]:
    element = NAME_VALUES | TEXT | st.sampled_from(["", " ", "[", "]", "..", "../etc/passwd", "%2C"])
    joined = st.lists(element, max_size=5).map(",".join)
    return joined | st.lists(NAME_VALUES, max_size=4).map(json.dumps) | st.just(",,,")


def _int(p: Any) -> st.SearchStrategy[str]:
    low = p.minimum if p.minimum is not None else -(2**40)
    high = p.maximum if p.maximum is not None else 2**40
    return (st.integers(low, high) | st.integers(-(2**70), 2**70)).map(str) | st.sampled_from(
        ["1.5", "1e3", "0x1", " 7 ", "-0", "", "nan"])


def encoded_value(p: Any) -> st.SearchStrategy[str]:
    """A value for a parameter of the operations table, in the ways ArcGIS encodes it (and gets it wrong)."""
    if p.encoding == "bool" or p.kind == "bool":
        return st.sampled_from(["true", "false", "True", "FALSE", " true", "1", "0", "yes", ""]) | TEXT
    if p.encoding == "csv":
        return _csv()
    if p.encoding == "json" or p.kind in ("json", "model", "list", "dict"):
        return JSON_VALUES.map(json.dumps) | BROKEN_JSON | TEXT
    if p.kind == "int":
        return _int(p)
    if p.kind == "float":
        return st.floats(allow_nan=True).map(str) | TEXT
    if p.enum:
        return st.sampled_from(p.enum) | st.sampled_from([e.upper() for e in p.enum]) | TEXT
    return NAME_VALUES | TEXT | st.sampled_from(["..", "../../etc/passwd", "a/b", "%2e%2e", "\\..\\", "*"])


@st.composite
def arcgis_requests(draw: Callable[..., Any], op: Operation, context: str, world: World) -> dict[str, Any]:
    path = op.url("", {p.wire: draw(NAME_VALUES | st.text(CHARS, min_size=1, max_size=12))
                       for p in op.params if p.location == "path" and draw(st.integers(0, 4))})
    fields: dict[str, str] = {}
    for p in op.params:
        if p.location == "form" and draw(st.booleans() if not p.required else st.integers(0, 5).map(bool)):
            fields[p.wire] = draw(encoded_value(p))
    files = {}
    for p in op.params:
        if p.location == "file" and draw(st.booleans()):
            name = draw(st.sampled_from(["a.png", "../../evil.png", "..", "x/../../y.json", "C:\\x.txt", ""]) | TEXT)
            files[p.wire] = (draw(st.binary(max_size=64)), name)
    fields.update(draw(st.dictionaries(st.sampled_from(["f", "token", "callback", "start", "num"]) | TEXT,
                                       TEXT, max_size=2)))
    fields["f"] = draw(st.sampled_from(["json", "pjson", "html", "JSON", "kmz", ""]))
    method = draw(st.sampled_from(sorted({*op.methods, "GET", "POST"})))
    token = draw(st.sampled_from([world.admin_token, world.user_token, None, "not-a-token"]))
    where = draw(st.sampled_from(["header", "query", "body"]))
    return {"path": context + path.replace("//", "/"), "fields": fields, "files": files, "method": method,
            "token": token, "where": where}


def _arcgis_part(run: Run, examples: int) -> None:
    target, world = run.target, run.world

    @seed(run.sent)
    @settings(FUZZ, max_examples=examples)
    @given(request=arcgis_requests(target.op, target.api.context, world))
    def check(request: dict[str, Any]) -> None:
        fields, headers, query = dict(request["fields"]), {}, {}
        if request["token"]:
            if request["where"] == "header":
                headers["X-Esri-Authorization"] = f"Bearer {request['token']}"
            elif request["where"] == "query" or request["method"] == "GET":
                query["token"] = request["token"]
            else:
                fields["token"] = request["token"]
        if request["method"] == "GET":
            response = world.client.get(request["path"], query_string={**fields, **query}, headers=headers)
        else:
            data: dict[str, Any] = dict(fields)
            for wire, (content, name) in request["files"].items():
                data[wire] = (io.BytesIO(content), name)
            response = world.client.post(request["path"], query_string=query, data=data, headers=headers)
        run.judge(response.status_code, response.headers.get("Content-Type", ""), response.data,
                  _fmt(fields.get("f")), repr(request))

    check()


@pytest.fixture
def errors() -> Iterator[ErrorLog]:
    with watch_errors() as log:
        yield log


@pytest.mark.parametrize("target", TARGETS, ids=[t.id for t in TARGETS])
def test_fuzz_operation(target: Target, errors: ErrorLog) -> None:
    world = new_world()
    expected = exact_state(world.fake)
    run = Run(forked(world), target, errors)  # on a fork: whatever the requests did, reset() must undo
    third = PER_OPERATION // 3
    _schemathesis_part(run, GenerationMode.POSITIVE, third)
    _schemathesis_part(run, GenerationMode.NEGATIVE, third)
    for _ in range(20):  # hypothesis stops early when it runs out of distinct inputs: top up
        if run.sent >= PER_OPERATION:
            break
        _arcgis_part(run, PER_OPERATION - run.sent)
    assert not errors.records, [r.getMessage() for r in errors.records]
    assert run.sent >= PER_OPERATION, (target.id, run.sent)
    run.world.fake.reset()
    assert exact_state(run.world.fake) == expected, f"{target.id}: the fork's reset left changes behind"
    logging.getLogger(__name__).info("fuzzed %s: %d requests, %d refused", target.id, run.sent, run.refused)
