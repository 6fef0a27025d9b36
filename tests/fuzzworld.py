"""Generic helpers for the hardening tests (fuzzing, concurrency, security): every API the fake serves, found
from the exported OpenAPI documents and the generated operations tables (so operations added later are covered
without touching these tests), a seeded fake to act on, a fingerprint of the whole state of a fake, and the
checks that a response is one of the ArcGIS envelopes.

`fingerprint(fake)` walks the fake's state objects generically (attrs classes, plain objects, dicts, lists,
sets) and renders them as one comparable value, leaving out derived data (search indexes, caches), the clock
and the id generator. Two fingerprints are equal when no user, item, group, folder, role, token, service ...
changed, whatever new stores other families add to the state later.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import pkgutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import arcgis_typed
import attrs
from arcgis_typed._runtime.operation import Operation
from arcgis_typed_fake import FakeArcGIS
from arcgis_typed_fake.app import error_envelope
from werkzeug.test import Client, TestResponse

ROOT = Path(__file__).resolve().parents[1]
OPENAPI_DIRS = (ROOT / "generated" / "openapi", ROOT / "generated" / "arcgis_typed" / "openapi")
ADMIN_PASSWORD = "hardening-admin-password"
USER_PASSWORD = "hardening-user-password"
SEED = 29
SERVER_ROLES = ("user", "publisher")

# --- the APIs --------------------------------------------------------------------------------------------


@attrs.frozen
class ApiDoc:
    name: str  # portal | server_admin | ... (the file name of the exported document)
    document: dict[str, Any]
    context: str  # "/portal": the path of the document's server URL
    envelope: str  # portal | server


def openapi_documents() -> list[ApiDoc]:
    """Every exported OpenAPI document, with the context path and error envelope it declares."""
    out = []
    seen: set[str] = set()
    for folder in OPENAPI_DIRS:
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else ():
            if path.stem in seen:
                continue
            seen.add(path.stem)
            doc = json.loads(path.read_text())
            context = urlsplit(doc["servers"][0]["url"].replace("{host}", "localhost")).path.rstrip("/")
            envelope_props = doc["components"]["schemas"]["ErrorEnvelope"]["properties"]
            out.append(ApiDoc(path.stem, doc, context, "portal" if "error" in envelope_props else "server"))
    return out


def operation_tables() -> dict[str, tuple[tuple[Operation, ...], str]]:
    """api name -> (its generated operations table, its context path), for every API package of the client."""
    out = {}
    for info in sorted(pkgutil.iter_modules(arcgis_typed.__path__), key=lambda i: i.name):
        if not info.ispkg or info.name.startswith("_"):
            continue
        try:
            module = importlib.import_module(f"arcgis_typed.{info.name}._operations")
        except ModuleNotFoundError:
            continue
        out[info.name] = (tuple(module.OPERATIONS), str(getattr(module, "CONTEXT", "/" + info.name)))
    return out


def served_operations(fake: FakeArcGIS) -> list[tuple[Operation, str]]:
    """(operation, context path) of every operation the fake routes: the tables of the APIs it mounts."""
    contexts = {"portal": fake.portal_context, "server_admin": fake.server_context,
                "mission_admin": getattr(fake, "mission_context", None)}
    out = []
    for api, (ops, default_context) in operation_tables().items():
        context = contexts.get(api, default_context)
        if context is None:
            continue
        out += [(op, context) for op in ops]
    return out


# --- a seeded fake ---------------------------------------------------------------------------------------


@attrs.define
class World:
    fake: FakeArcGIS
    client: Client
    admin_token: str
    user_token: str
    names: tuple[str, ...]  # identifiers of things that exist: usernames, ids, folder and service names
    server_tokens: dict[str, str] = attrs.Factory(dict)  # ArcGIS Server role (user, publisher) -> a token

    def post(self, path: str, data: dict[str, str], token: str | None = None, **kw: Any) -> TestResponse:
        headers = {"X-Esri-Authorization": f"Bearer {token}"} if token else {}
        return self.client.post(path, data={"f": "json", **data}, headers=headers, **kw)


def new_world(seed: int = SEED) -> World:
    """A fake with a few of everything (users, folders, items, groups, a role; server folders and services),
    tokens for the administrator and a plain user, and the names of what exists (for fuzzing path values).
    Deterministic for a given seed: the same names every time."""
    fake = FakeArcGIS(admin_password=ADMIN_PASSWORD, password_iterations=1, seed=seed,
                      server_machines=("MACHINE1", "MACHINE2"))
    portal = fake.portal
    admin = portal.users.require("admin")
    alice = portal.add_user("alice", USER_PASSWORD, role="org_user", email="alice@example.test")
    portal.add_user("bob", USER_PASSWORD, role="org_publisher")
    folder = portal.add_folder("admin", "Fuzzed")
    names: list[str] = ["admin", "alice", "bob", folder.id, folder.title, "org_user", "org_admin", "org_publisher"]
    for i, (owner, access) in enumerate([(admin, "private"), (admin, "public"), (alice, "org")]):
        item = portal.add_item(owner, owner.username, title=f"Item {i}", type="Web Map", text="{}", tags=["x"],
                               folder=folder.id if i == 0 else None)
        if access != "private":
            portal.share_item(owner, item, everyone=access == "public", org=True, groups=[])
        names.append(item.id)
    for owner, access in [(admin, "org"), (alice, "private")]:
        group = portal.groups.create(owner, title=f"Group of {owner.username}", tags=["g"], access=access)
        names.append(group.id)
    role = portal.roles.create("hardening0000000", "Hardening role", "", portal.now(), ["portal:user:joinGroup"])
    names.append(role.id)
    site = fake.server.site
    site.catalog.create_folder("Fuzzed", "A folder to fuzz")
    site.catalog.create_service("Fuzzed", {"serviceName": "Svc", "type": "MapServer"})
    for role in SERVER_ROLES:
        site.add_user(f"server{role}", USER_PASSWORD, role=role)
    names += ["Fuzzed", "Svc", "MapServer", "MACHINE1", "MACHINE2"]
    client = Client(fake)
    tokens = []
    for username, password in (("admin", ADMIN_PASSWORD), ("alice", USER_PASSWORD)):
        body = json.loads(client.post(fake.portal_context + "/sharing/rest/generateToken",
                                      data={"username": username, "password": password, "f": "json"}).data)
        tokens.append(body["token"])
    server_tokens = {}
    for role in SERVER_ROLES:
        body = client.post(f"{fake.server_context}/admin/generateToken", data={
            "username": f"server{role}", "password": USER_PASSWORD, "client": "requestip", "f": "json"}).get_json()
        server_tokens[role] = str(body["token"])
    return World(fake, client, tokens[0], tokens[1], tuple(names), server_tokens)


def forked(world: World) -> World:
    """The same world on a fork of its fake (the fork's changes are tracked: `reset()` undoes them)."""
    fork = world.fake.baseline().fork()
    return attrs.evolve(world, fake=fork, client=Client(fork))


def exact_state(fake: FakeArcGIS) -> tuple[str, Any]:
    """The state as the snapshot writes it, in its own order (dicts as inserted), and what the search indexes
    hold (every field's terms and sort keys): equal for two fakes only when they would answer alike."""
    indexes = {}
    for path, index in _indexes(fake):
        indexes[path] = {name: ({t: sorted(ids) for t, ids in sorted(f.postings.items())}, sorted(f.sort_keys.items()))
                         for name, f in sorted(index._fields.items())}
    return json.dumps(fake.snapshot()["state"]), indexes


def _indexes(fake: FakeArcGIS) -> list[tuple[str, Any]]:
    portal, mission = fake.portal, fake.mission
    return [("items", portal.items.index), ("users", portal.users.index), ("groups", portal.groups.index),
            ("site users", mission.site_users.index)]


# --- fingerprints ----------------------------------------------------------------------------------------

# Derived or incidental: search indexes and caches (rebuilt from the records), the clock, the id generator.
_SKIP_NAMES = ("index", "clock", "ids", "now", "new_id", "_lock")
# a server log records requests (a refused one too), as a journal does: it is not the state a request changes
_SKIP_TYPES = ("SearchIndex", "Clock", "ManualClock", "Ids", "Random", "RLock", "lock", "LogStore")


def _skipped(name: str) -> bool:
    return name in _SKIP_NAMES or "cache" in name.lower() or name in ("_visible",)


def fingerprint(fake: FakeArcGIS) -> Any:
    """The whole state of the fake as one comparable value: every attribute of the fake holding an object of
    its `state` package (the portal, the server, and whatever other state later work adds, a Mission Server's
    for one), not what merely records requests (a journal) or configures the app."""
    states = {name: value for name, value in sorted(vars(fake).items())
              if _class(value).__module__.startswith("arcgis_typed_fake.state")}
    assert {"portal", "server"} <= set(states), sorted(states)
    return _canon(states, set())


def _class(value: Any) -> type:
    """The class of `value`, or the one it stands for in a fork (whose objects are tracked: see undo.py)."""
    cls: type = getattr(type(value), "__undo_base__", type(value))
    return cls


def _canon(value: Any, seen: set[int]) -> Any:
    """`value` as nested tuples; an object met again (a record pointing back at its store, every user pointing
    at the role store) is written as a reference the second time (the walk goes in sorted order, so always
    the same time)."""
    if value is None or isinstance(value, (bool, int, float, str, bytes)):
        return value
    if _class(value).__name__ in _SKIP_TYPES:
        return "<skipped>"
    key = id(value)
    if key in seen:
        return f"<ref {_class(value).__name__}>"
    seen.add(key)
    if isinstance(value, dict):
        return ("dict", [(repr(k), _canon(value[k], seen)) for k in sorted(value, key=repr)])
    if isinstance(value, (list, tuple)):
        return (_class(value).__name__, [_canon(v, seen) for v in value])
    if isinstance(value, (set, frozenset)):
        return ("set", sorted(repr(v) for v in value))
    if attrs.has(type(value)):
        fields = {f.name: getattr(value, f.name) for f in attrs.fields(_class(value))}
    elif hasattr(value, "__dict__"):
        fields = dict(vars(value))
    elif hasattr(value, "__slots__"):
        fields = {n: getattr(value, n) for n in value.__slots__ if hasattr(value, n)}
    else:
        return repr(value)
    return (_class(value).__name__,
            [(n, _canon(fields[n], seen)) for n in sorted(fields) if not _skipped(n) and not callable(fields[n])])


# --- responses -------------------------------------------------------------------------------------------


PORTAL_ERROR_KEYS = {"code", "message", "details", "messageCode"}  # messageCode: e.g. "OAUTH_0007", as Portal


def envelope_error(api_envelope: str, body: Any) -> dict[str, Any] | None:
    """The error of an ArcGIS error envelope (asserting its exact shape), or None when `body` is no error."""
    if not isinstance(body, dict):
        return None
    if api_envelope == "portal":
        if "error" not in body:
            return None
        assert set(body) == {"error"}, body
        error = body["error"]
        assert isinstance(error, dict) and {"code", "message", "details"} <= set(error) <= PORTAL_ERROR_KEYS, body
        assert isinstance(error.get("messageCode", ""), str), body
        assert isinstance(error["code"], int) and isinstance(error["message"], str) and error["message"], body
        assert isinstance(error["details"], list) and all(isinstance(d, str) for d in error["details"]), body
        assert "Traceback" not in error["message"], body
        return dict(error)
    if body.get("status") != "error":
        assert "error" not in body or not isinstance(body["error"], dict) or "code" not in body["error"], body
        return None
    assert set(body) == {"status", "messages", "code"}, body
    assert isinstance(body["code"], int), body
    assert body["messages"] and all(isinstance(m, str) and m for m in body["messages"]), body
    assert "Traceback" not in " ".join(body["messages"]), body
    return {"code": body["code"], "message": body["messages"][0]}


def check_response(op: Operation, api_envelope: str, status: int, content_type: str, data: bytes,
                   fmt: str) -> dict[str, Any] | None:
    """Assert that an answer is something ArcGIS answers: HTTP 200 (302 for a redirecting sign-in) with JSON
    (a result object or the API's error envelope), a page for `f=html` or a text operation, bytes for a
    download. Returns the error when the answer is one."""
    mimetype = content_type.split(";")[0].strip().lower()
    if status == 302:
        assert op.response_kind == "redirect", (op.name, status)
        return None
    assert status == 200, (op.name, status, data[:300])
    if mimetype == "text/html":
        assert (fmt == "html" and op.html) or op.response_kind in ("text", "redirect"), (op.name, fmt, data[:200])
        assert b"Traceback" not in data
        return None
    if mimetype != "application/json":
        assert op.response_kind in ("bytes", "text"), (op.name, mimetype, data[:200])
        return None
    body = json.loads(data)
    error = envelope_error(error_envelope(api_envelope, "", op.path), body)  # the services directory: {"error": ...}
    if error is None:  # a result: an object, or an array for an operation that answers one (`list[Model]`)
        assert isinstance(body, list if op.response.endswith("[]") else dict), (op.name, body)
    else:
        assert error["code"] != 500, (op.name, error)
    return error


class ErrorLog(logging.Handler):
    """Keeps what the fake logs at ERROR (it logs every 500 it answers)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def watch_errors() -> Iterator[ErrorLog]:
    """What the fake logs at ERROR meanwhile."""
    handler = ErrorLog()
    logger = logging.getLogger("arcgis_typed_fake")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
