"""`FakeArcGIS`: one WSGI app hosting a stateful fake Portal and a fake ArcGIS Server (Administrator API).

Routes and request validation come from the generated operations tables (`arcgis_typed.<api>._operations`),
each API mounted at its context path; parameters are decoded with the client's own codec; handlers (in
`handlers/`, registered as `"<api>:<family>.<op>"`) are short and the rules live in `state/`. Every error is
the error envelope of the API that was called (Portal: `{"error": {...}}`, Server: `{"status": "error",
"messages": [...], "code": N}`) with HTTP 200, as the real servers answer.
"""

from __future__ import annotations

import functools
import importlib
import json
import logging
import os
import re
import secrets
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import attrs
from arcgis_typed._runtime import params as param_codec
from arcgis_typed._runtime import wire
from arcgis_typed._runtime.operation import Operation, Upload
from arcgis_typed.mission._operations import OPERATIONS as MISSION_OPERATIONS
from arcgis_typed.mission_admin._operations import OPERATIONS as MISSION_ADMIN_OPERATIONS
from arcgis_typed.portal._operations import OPERATIONS as PORTAL_OPERATIONS
from arcgis_typed.server_admin._operations import OPERATIONS as SERVER_ADMIN_OPERATIONS
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import NotFound as RoutingNotFound
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from . import handlers as _handlers  # noqa: F401  (registers every handler)
from . import html, product
from .call import Call, MissionCall, ServerCall
from .clock import Clock, Ids
from .errors import TOKEN_REQUIRED, Fault, forbidden
from .faults import Faults
from .journal import RequestJournal
from .registry import HANDLERS
from .state.mission import MissionState
from .undo import UndoLog
from .state.portal import PortalState
from .state.server import MachineRecord, ServerState, ServerUser
from .state.servers import ARCGIS_SERVER
from .state.users import UserRecord

log = logging.getLogger("arcgis_typed_fake")

_SLASHES = re.compile(r"/{2,}")
_PLACEHOLDER = re.compile(r"<(\w+)>")
_SLASHED = re.compile(r"<path:(\w+)>")  # a placeholder with `encoding: path`: the rest of the path, slashes kept
MAX_REQUEST_BYTES = 110 * 1024 * 1024
# Set by `machine_app` (which `serve` uses to give each server machine its own port); not settable by clients.
MACHINE_KEY = "arcgis_typed_fake.machine"
ORIGINS_KEY = "arcgis_typed_fake.machine_origins"
POST_TOKEN_IN_URL = (
    "Requests to the Administrator API that use POST carry the token in the request body (or the "
    "X-Esri-Authorization header), not in the URL."
)


def _resolve(ref: str) -> Any:
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)


@attrs.frozen
class _Api:
    name: str  # portal | server_admin
    context: str  # e.g. /portal
    envelope: str  # portal | server
    operations: tuple[Operation, ...]
    post_token_in_body: bool = False  # Server admin: a POST's token goes in the body, never in the URL

    def owns(self, path: str) -> bool:
        return path.lower() == self.context.lower() or path.lower().startswith(self.context.lower() + "/")


@attrs.frozen
class _Route:
    api: _Api
    key: str  # "<api>:<family>.<op>", the handler registry key
    op: Operation
    rule: str  # the matched Werkzeug rule, context included
    params_class: type[Any]
    segments: tuple[re.Pattern[str] | None, ...]  # per path segment: None for fixed text, else its placeholders


_Routing = tuple[Map, dict[str, _Route], dict[str, list[tuple[str, Operation]]]]


@functools.lru_cache(maxsize=16)
def _routing(apis: tuple[_Api, ...]) -> _Routing:
    """The Werkzeug map of every operation of `apis` at its context (one rule per concrete path), the route of
    each endpoint, and each API's (rule, operation) pairs. Built once per set of contexts: compiling the rules is
    most of what creating a fake costs, and the result never changes."""
    rules = []
    by_endpoint: dict[str, _Route] = {}
    api_rules: dict[str, list[tuple[str, Operation]]] = {}
    for api in apis:
        for op in api.operations:
            key = f"{api.name}:{op.name}"
            params_class = _resolve(op.params_class)
            for i, variant in enumerate(op.all_rules):
                rule = api.context + variant
                segments = tuple(_segment_pattern(s) for s in rule.strip("/").split("/"))
                endpoint = f"{key}#{i}"
                by_endpoint[endpoint] = _Route(api, key, op, rule, params_class, segments)
                api_rules.setdefault(api.name, []).append((rule, op))
                rules.append(Rule(rule.lower(), endpoint=endpoint))
    return Map(rules, merge_slashes=False, strict_slashes=False), by_endpoint, api_rules


def _segment_pattern(segment: str) -> re.Pattern[str] | None:
    """`<serviceName>.<type>` -> a pattern capturing both (greedy, like Werkzeug's default converter)."""
    if "<" not in segment:
        return None
    slashed = _SLASHED.fullmatch(segment)
    if slashed is not None:
        return re.compile(f"(?P<{slashed[1]}>.+)", re.DOTALL)
    parts = _PLACEHOLDER.split(segment)  # text, name, text, name, ..., text
    regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>[^/]+)" for i, part in enumerate(parts))
    return re.compile(regex, re.IGNORECASE)


class FakeArcGIS:
    """A stateful fake ArcGIS Enterprise - a Portal and an ArcGIS Server - as a WSGI app that owns its state.

    `admin_password` defaults to a random one (see `.admin_password`). The server's primary site
    administrator has the same credentials as the portal administrator unless `server_admin_username` /
    `server_admin_password` say otherwise. `server_machines` names the server's machines; the first one is in
    a site from the start unless `server_site=False` (then createNewSite / joinSite make one). Pass
    `server_context=None` to serve no ArcGIS Server. Pass `clock=ManualClock(...)` and `seed=` for
    deterministic time and ids. Thread-safe: requests are applied to the state one at a time.

    Beyond answering requests (see `product.py`): `snapshot(path)` / `restore(path)` (versioned JSON files),
    `baseline()` / `fork()` (cheap isolated copies; `reset()` of a fork goes back to its baseline), `requests`
    (the request journal, with assertions) and `faults` (fault injection rules).
    """

    # The objects that hold state: snapshots and forks copy exactly these. A new state root adds its name here.
    STATE_ROOTS: tuple[str, ...] = ("portal", "server", "mission")

    def __init__(
        self,
        admin_username: str = "admin",
        admin_password: str | None = None,
        *,
        portal_context: str = "/portal",
        server_context: str | None = "/arcgis",
        server_machines: Sequence[str] = ("MACHINE1",),
        server_site: bool = True,
        server_admin_username: str | None = None,
        server_admin_password: str | None = None,
        org_id: str | None = None,
        org_name: str = "Fake Organization",
        clock: Clock | None = None,
        seed: int | None = None,
        password_iterations: int = 1000,
        control_token: str | None = None,
        mission_context: str | None = "/mission",
        mission_machines: Sequence[str] = ("MISSIONSERVER",),
        mission_files: str | None = None,
        mission_admin_username: str | None = None,
        mission_admin_password: str | None = None,
    ) -> None:
        self.admin_username = admin_username
        self.admin_password = admin_password or secrets.token_urlsafe(12)
        self.server_admin_username = server_admin_username or admin_username
        self.server_admin_password = server_admin_password or self.admin_password
        self.control_token = control_token or secrets.token_hex(20)  # hex: never starts with "-" on a command line
        self.portal_context = "/" + portal_context.strip("/")
        self.server_context: str | None = "/" + server_context.strip("/") if server_context is not None else None
        self.mission_context: str | None = "/" + mission_context.strip("/") if mission_context is not None else None
        self.mission_machines = tuple(mission_machines)
        self._mission_files = mission_files
        self.mission_admin_username = mission_admin_username or "siteadmin"  # the primary site administrator
        self.mission_admin_password = mission_admin_password or self.admin_password
        if self.server_context is not None and self.server_context.lower() == self.portal_context.lower():
            raise ValueError("the portal and the server need different context paths")
        self.server_machines = tuple(server_machines)
        self._server_site = server_site
        self.clock = clock or Clock()
        self._seed = seed
        self._org_id = org_id
        self._org_name = org_name
        self._password_iterations = password_iterations
        self._lock = threading.RLock()
        apis = [_Api("portal", self.portal_context, "portal", PORTAL_OPERATIONS)]
        if self.server_context is not None:
            apis.append(_Api("server_admin", self.server_context, "server", SERVER_ADMIN_OPERATIONS,
                             post_token_in_body=True))
        if self.mission_context is not None:
            if self.mission_context.lower() in (self.portal_context.lower(), (self.server_context or "").lower()):
                raise ValueError("the Mission Server needs a context path of its own")
            apis.append(_Api("mission", self.mission_context + "/rest", "portal", MISSION_OPERATIONS))
            apis.append(_Api("mission_admin", self.mission_context, "server", MISSION_ADMIN_OPERATIONS,
                             post_token_in_body=True))
        self._apis = tuple(apis)
        self._routes, self._by_endpoint, self._api_rules = _routing(self._apis)
        self.unimplemented = tuple(
            sorted(f"{api.name}:{op.name}" for api in self._apis for op in api.operations
                   if f"{api.name}:{op.name}" not in HANDLERS)
        )
        self.portal: PortalState
        self.server: ServerState
        self.portal, self.server = self._new_state()
        self.mission: MissionState = self._new_mission()
        self.requests = RequestJournal()
        self.faults = Faults(seed)
        self._baseline: product.Baseline | None = None  # a fork's (see product.py)
        self._undo: tuple[UndoLog, dict[str, Any]] | None = None  # a fork's undo log and state (see undo.py)
        self._after_write: Callable[[], None] | None = None  # the CLI's persistence, told after each POST

    # --- state ------------------------------------------------------------------------------------------------

    def _new_state(self) -> tuple[PortalState, ServerState]:
        ids = Ids(self._seed)
        portal = PortalState(
            clock=self.clock,
            ids=ids,
            org_id=self._org_id or ids.new()[:16],
            org_name=self._org_name,
            password_iterations=self._password_iterations,
        )
        portal.add_user(self.admin_username, self.admin_password, role="org_admin", full_name="Administrator")
        server = ServerState(
            clock=self.clock,
            ids=Ids(None if self._seed is None else self._seed + 1),  # a stream of its own: portal ids stay put
            machines=self.server_machines,
            password_iterations=self._password_iterations,
            admin=(self.server_admin_username, self.server_admin_password) if self._server_site else None,
        )
        portal.publishing.attach(server if self.server_context is not None else None, self.server_context)
        if self.server_context is not None:  # the hosting server, federated (portals/self/servers, data store items)
            portal.servers.add(ARCGIS_SERVER, self.server_context, role="HOSTING_SERVER", hosted=True,
                               server_id=Ids(None if self._seed is None else self._seed + 3).new()[:16])
        return portal, server

    def _new_mission(self) -> MissionState:
        """The Mission Server, federated with the portal (listed by its portals/self/servers)."""
        mission = MissionState(
            clock=self.clock, ids=Ids(None if self._seed is None else self._seed + 2), portal=self.portal,
            machines=self.mission_machines, files=self._mission_files,
            portal_context=self.portal_context, admin=(self.mission_admin_username, self.mission_admin_password),
            password_iterations=self._password_iterations,
        )
        if self.mission_context is not None:
            server = self.portal.servers.add("ARCGIS_MISSION_SERVER", self.mission_context, server_id=mission.ids.new(),
                                             function="MissionServer")
            mission.security.portal_properties["serverId"] = server.id
        return mission

    def reset(self) -> None:
        """Forget everything but the administrators (a fresh organization and server with the same settings);
        a fork goes back to its baseline instead, and a fake that took a `checkpoint()` to it. The request
        journal and fault rules are cleared too."""
        with self._lock:
            if self._baseline is not None:
                product.rewind(self)
            else:
                self.portal, self.server = self._new_state()
                self.mission = self._new_mission()
            self.requests.clear()
            self.faults.clear()

    # --- snapshots, baselines and forks (product.py) ------------------------------------------------------------

    def snapshot(self, path: str | os.PathLike[str] | None = None) -> dict[str, Any]:
        """The state as a versioned JSON document; written atomically to `path` when given. Live tokens are
        left out (clients sign in again after a restore); password hashes are kept."""
        return product.snapshot(self, path)

    def restore(self, source: str | os.PathLike[str] | Mapping[str, Any]) -> None:
        """Replace the state with a snapshot's (a file written by `snapshot`, or its document)."""
        product.restore(self, source)

    def baseline(self) -> product.Baseline:
        """The state now, frozen: `baseline.fork()` gives any number of independent fakes starting from it."""
        return product.Baseline.of(self)

    def checkpoint(self) -> product.Baseline:
        """From now on `reset()` comes back to the state as it is now (undoing the changes made since, so a reset
        costs what changed, not the size of the state); returns that state as a baseline to fork from too."""
        return product.checkpoint(self)

    def fork(self) -> FakeArcGIS:
        """An independent copy of this fake (state, clock, settings); its `reset()` comes back to this point."""
        return self.baseline().fork()

    def expire_tokens(self) -> None:
        """Every token expires now: the next request with one gets 498 (Invalid token)."""
        product.expire_tokens(self)

    # --- routing ------------------------------------------------------------------------------------------------

    def _api_for(self, path: str) -> _Api:
        """The API a path belongs to (by context), for routing errors; the portal when none matches."""
        for api in sorted(self._apis, key=lambda a: -len(a.context)):
            if api.owns(path):
                return api
        return self._apis[0]

    def _match(self, path: str) -> tuple[_Route, dict[str, str]]:
        adapter = self._routes.bind("fake", "/")
        try:
            endpoint, _ = adapter.match(path.lower(), method="GET")
        except RoutingNotFound:
            api = self._api_for(path)
            code = 404 if api.envelope == "server" else 400
            raise Fault(code, f"Could not find resource or operation '{path}' on the system.") from None
        route = self._by_endpoint[str(endpoint)]
        original = path.strip("/").split("/")
        if len(original) > len(route.segments):  # only a trailing <path:...> placeholder matches more segments
            n = len(route.segments) - 1
            original = [*original[:n], "/".join(original[n:])]
        values: dict[str, str] = {}
        for pattern, segment in zip(route.segments, original, strict=True):
            if pattern is not None:
                found = pattern.fullmatch(segment)
                if found is None:
                    raise Fault(404, f"Could not find resource or operation '{path}' on the system.")
                values.update(found.groupdict())
        return route, values

    # --- server machines --------------------------------------------------------------------------------------

    def machine_app(self, machine: str, origins: Mapping[str, str]) -> Callable[..., Iterable[bytes]]:
        """A WSGI app that serves this fake as server machine `machine` (`serve` gives each machine a port);
        `origins` maps every machine name to the scheme://host:port that reaches it (read at each request, so
        the caller may fill it in once every port is bound)."""
        if self.server.machine(machine) is None:
            raise ValueError(f"no server machine {machine!r}")

        def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            environ[MACHINE_KEY] = machine
            environ[ORIGINS_KEY] = origins
            return self(environ, start_response)

        return app

    def _machine_of(self, request: Request) -> MachineRecord:
        named = request.environ.get(MACHINE_KEY)
        found = self.server.machine(named) if isinstance(named, str) else None
        if found is None:
            found = self.server.machine_for_host(urlsplit("//" + request.host).hostname or "")
        return found or self.server.default_machine

    # --- WSGI ---------------------------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        request.max_content_length = MAX_REQUEST_BYTES
        try:
            response = self._dispatch(request)
        except Fault as fault:
            response = self._error(fault, request)
        except RequestEntityTooLarge:
            response = self._error(Fault(413, "The request is larger than the fake accepts."), request)
        except Exception:
            log.exception("internal error in the fake while serving %s %s", request.method, request.path)
            response = self._error(Fault(500, "Internal error in the fake server (this is a bug; see its log)."), request)
        finally:
            request.close()  # uploaded file parts are spooled to temporary files; handlers have read them
        if self.mission_context is not None and self.mission.security.hsts_enabled and request.scheme == "https" \
                and self._api_for(_SLASHES.sub("/", request.path)).name.startswith("mission"):
            response.headers["Strict-Transport-Security"] = "max-age=31536000"  # the Mission Server's HSTS setting
        response = product.finish(self, request, response)  # fault effects on the body; the request journal
        return response(environ, start_response)

    def _dispatch(self, request: Request) -> Response:
        path = _SLASHES.sub("/", request.path)
        if len(path) > 1:
            path = path.rstrip("/")
        if path.startswith("/_fake"):
            from .control import control

            return control(self, request, path)
        route, path_values = self._match(path)
        op = route.op
        if request.method not in op.methods and not (request.method == "HEAD" and "GET" in op.methods):
            raise Fault(405, f"Method {request.method} is not supported by {op.path}; use {' or '.join(op.methods)}.")
        values: dict[str, str] = dict(request.args.items())
        files: dict[str, Upload] = {}
        if request.method == "POST":
            values.update((name, value) for name, value in request.form.items() if name)  # a part may lack a name
            for name, storage in request.files.items():
                if name:
                    files[name] = _upload(storage)
        injected = product.inject(self, request, route.op, route.key, {**path_values, **values})  # journal; faults
        if injected is not None:
            return injected
        token = _token(request, values, route.api)
        call: Call | ServerCall | MissionCall
        if route.api.name == "portal":
            user = self._portal_caller(request, token, op)
            call = Call(state=self.portal, op=op, request=request, caller=user, api_url=self._api_url(request, route.api))
        elif route.api.name in ("mission", "mission_admin"):
            call = self._mission_call(request, token, op, route.api)
        else:
            call = self._server_call(request, token, op, route.api)
        caller: UserRecord | ServerUser | None = call.caller
        try:
            params = param_codec.decode(op, values, files, path_values, route.params_class)
        except param_codec.ParamError as exc:
            raise Fault(400, str(exc), [f"'{exc.param}' is not valid for {op.name}."]) from None
        if caller is not None:
            lacking = [p for p in op.privileges if not caller.has(p)]
            if lacking:
                raise forbidden()
        handler = HANDLERS[route.key]
        with self._lock:
            result = handler(call, params)
        if isinstance(result, Response):
            return result
        payload = wire.unstructure(result)
        fmt = values.get("f", "").lower()
        if fmt == "html" and op.html:
            return self._html(request, route, path, payload, token if "token" in request.args else None)
        return _json(payload, pretty=fmt == "pjson")

    def _api_url(self, request: Request, api: _Api) -> str:
        return f"{request.scheme}://{request.host}{api.context}"

    def _portal_caller(self, request: Request, token: str | None, op: Operation) -> UserRecord | None:
        if op.auth == "anonymous":
            return None
        if token is None:
            if op.auth == "token":
                raise Fault(499, TOKEN_REQUIRED)
            return None
        with self._lock:
            return self.portal.caller_for(token, referer=request.headers.get("Referer"), ip=request.remote_addr)

    def _mission_call(self, request: Request, token: str | None, op: Operation, api: _Api) -> MissionCall:
        """The Mission Server is federated: its callers are portal users with portal tokens, and its security
        configuration decides which requests it answers at all."""
        with self._lock:
            self.mission.check_access(scheme=request.scheme, ip=request.remote_addr or "",
                                      admin=api.name == "mission_admin",
                                      host=request.headers.get("X-Forwarded-Host") or request.host)
        user = None
        if token is not None and api.name == "mission_admin" and op.auth != "anonymous":
            with self._lock:  # the primary site administrator's own tokens open the Administrator API
                user = self.mission.site_caller(token, referer=request.headers.get("Referer"), ip=request.remote_addr)
        if user is None:
            user = self._portal_caller(request, token, op)
        return MissionCall(state=self.portal, mission=self.mission, op=op, request=request, caller=user,
                           api_url=self._api_url(request, api))

    def _server_call(self, request: Request, token: str | None, op: Operation, api: _Api) -> ServerCall:
        origins: Mapping[str, str] = request.environ.get(ORIGINS_KEY) or {}
        with self._lock:
            machine = self._machine_of(request)
            caller = None
            portal_caller = None
            if op.auth != "anonymous":
                if token is None:
                    if op.auth == "token":
                        in_url = request.method == "POST" and "token" in {k.lower() for k in request.args}
                        raise Fault(499, TOKEN_REQUIRED, [POST_TOKEN_IN_URL] if in_url else [
                            "Generate a token with the generateToken operation."])
                elif op.auth == "optional" and self._portal_token(request, token):
                    caller = None  # a federated server's services directory accepts the portal's tokens
                    portal_caller = self.portal.caller_for(
                        token, referer=request.headers.get("Referer"), ip=request.remote_addr)
                else:
                    caller = self.server.caller_for(
                        machine, token, referer=request.headers.get("Referer"), ip=request.remote_addr
                    )
        return ServerCall(
            server=self.server, machine=machine, op=op, request=request, caller=caller,
            api_url=self._api_url(request, api), context=api.context, origins=origins,
            portal=self.portal, portal_caller=portal_caller,
        )

    def _portal_token(self, request: Request, token: str) -> bool:
        """Whether `token` is a live token of the portal (which the server, federated with it, trusts)."""
        try:
            self.portal.caller_for(token, referer=request.headers.get("Referer"), ip=request.remote_addr)
        except Fault:
            return False
        return True

    def _html(self, request: Request, route: _Route, path: str, payload: Any, token: str | None) -> Response:
        page = html.page(
            title=f"ArcGIS {'Server Administrator Directory' if route.api.envelope == 'server' else 'Portal Directory'}",
            path=path,
            rule=route.rule,
            payload=payload,
            routes=self._api_rules.get(route.api.name, []),
            home=f"{route.api.context}/admin" if route.api.envelope == "server" else f"{route.api.context}/sharing/rest",
            token=token,
        )
        return Response(page, status=200, content_type="text/html; charset=utf-8")

    def _error(self, fault: Fault, request: Request) -> Response:
        pretty = request.args.get("f", "").lower() == "pjson"
        path = _SLASHES.sub("/", request.path)
        api = self._api_for(path)
        envelope = fault.server_envelope() if error_envelope(api.envelope, api.context, path) == "server" else fault.portal_envelope()
        return _json(envelope, pretty=pretty)


def error_envelope(api_envelope: str, context: str, path: str) -> str:
    """The error envelope a path answers: its API's, except that a server's services directory
    (`<context>/rest/services/...`: feature queries and edits) answers the REST envelope `{"error": {...}}`."""
    if api_envelope == "server" and path.lower().startswith(f"{context}/rest/services/".lower()):
        return "portal"
    return api_envelope


def _token(request: Request, values: dict[str, str], api: _Api) -> str | None:
    """The caller's token: a Bearer header, else the `token` parameter (for a Server admin POST: the body's)."""
    query_token = values.pop("token", None)
    for header in ("X-Esri-Authorization", "Authorization"):
        raw = request.headers.get(header, "")
        if raw[:7].lower() == "bearer " and raw[7:].strip():
            return raw[7:].strip()
    if api.post_token_in_body and request.method == "POST":
        return request.form.get("token") or None
    return query_token or None


def _upload(storage: FileStorage) -> Upload:
    return Upload(
        filename=storage.filename or "data",
        data=storage.read(),
        content_type=storage.mimetype or "application/octet-stream",
    )


def _json(payload: Any, *, pretty: bool = False) -> Response:
    text = json.dumps(payload, indent=2) if pretty else json.dumps(payload, separators=(",", ":"))
    return Response(text, status=200, content_type="application/json; charset=utf-8")


__all__ = ["FakeArcGIS"]
