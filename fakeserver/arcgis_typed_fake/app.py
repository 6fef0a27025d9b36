"""`FakeArcGIS`: one WSGI app hosting a stateful fake Portal.

Routes and request validation come from the generated operations table (`arcgis_typed.portal._operations`);
parameters are decoded with the client's own codec; handlers (in `handlers/`) are short and the rules live in
`state/`. Every error is the ArcGIS envelope with HTTP 200, as the real server answers.
"""

from __future__ import annotations

import importlib
import json
import logging
import re
import secrets
import threading
from collections.abc import Callable, Iterable
from typing import Any

import attrs
from arcgis_typed._runtime import params as param_codec
from arcgis_typed._runtime import wire
from arcgis_typed._runtime.operation import Operation, Upload
from arcgis_typed.portal._operations import OPERATIONS as PORTAL_OPERATIONS
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import NotFound as RoutingNotFound
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from . import handlers as _handlers  # noqa: F401  (registers every handler)
from .call import Call
from .clock import Clock, Ids, ManualClock
from .errors import INVALID_TOKEN, TOKEN_REQUIRED, Fault, forbidden
from .registry import HANDLERS
from .state.portal import PortalState
from .state.users import UserRecord

log = logging.getLogger("arcgis_typed_fake")

_SLASHES = re.compile(r"/{2,}")
MAX_REQUEST_BYTES = 110 * 1024 * 1024


def _resolve(ref: str) -> Any:
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)


@attrs.frozen
class _Route:
    op: Operation
    params_class: type[Any]
    segments: tuple[str | None, ...]  # None where the rule has a placeholder
    names: tuple[str, ...]


class FakeArcGIS:
    """A stateful fake ArcGIS Enterprise (Portal for now), as a WSGI app that owns its state.

    `admin_password` defaults to a random one (see `.admin_password`). Pass `clock=ManualClock(...)` and
    `seed=` for deterministic time and ids. Thread-safe: requests are applied to the state one at a time.
    """

    def __init__(
        self,
        admin_username: str = "admin",
        admin_password: str | None = None,
        *,
        portal_context: str = "/portal",
        org_id: str | None = None,
        org_name: str = "Fake Organization",
        clock: Clock | None = None,
        seed: int | None = None,
        password_iterations: int = 1000,
        control_token: str | None = None,
    ) -> None:
        self.admin_username = admin_username
        self.admin_password = admin_password or secrets.token_urlsafe(12)
        self.control_token = control_token or secrets.token_urlsafe(24)
        self.portal_context = "/" + portal_context.strip("/")
        self.server_context: str | None = None
        self.mission_context: str | None = None
        self.clock = clock or Clock()
        self._seed = seed
        self._org_id = org_id
        self._org_name = org_name
        self._password_iterations = password_iterations
        self._lock = threading.RLock()
        self._routes = self._build_routes(PORTAL_OPERATIONS)
        missing = sorted(f"portal:{op.name}" for op in PORTAL_OPERATIONS if f"portal:{op.name}" not in HANDLERS)
        self.unimplemented = tuple(missing)
        self.portal: PortalState = self._new_state()

    # --- state ------------------------------------------------------------------------------------------------

    def _new_state(self) -> PortalState:
        ids = Ids(self._seed)
        state = PortalState(
            clock=self.clock,
            ids=ids,
            org_id=self._org_id or ids.new()[:16],
            org_name=self._org_name,
            password_iterations=self._password_iterations,
        )
        state.add_user(self.admin_username, self.admin_password, role="org_admin", full_name="Administrator")
        return state

    def reset(self) -> None:
        """Forget everything but the administrator (a fresh organization with the same settings)."""
        with self._lock:
            self.portal = self._new_state()

    # --- routing ------------------------------------------------------------------------------------------------

    def _build_routes(self, operations: Iterable[Operation]) -> Map:
        rules = []
        self._by_endpoint: dict[str, _Route] = {}
        for op in operations:
            rule = self.portal_context + op.rule
            segments = tuple(None if s.startswith("<") else s.lower() for s in rule.strip("/").split("/"))
            names = tuple(s[1:-1] for s in rule.strip("/").split("/") if s.startswith("<"))
            endpoint = f"portal:{op.name}"
            self._by_endpoint[endpoint] = _Route(op, _resolve(op.params_class), segments, names)
            rules.append(Rule(rule.lower(), endpoint=endpoint))
        return Map(rules, merge_slashes=False, strict_slashes=False)

    def _match(self, path: str) -> tuple[_Route, dict[str, str]]:
        adapter = self._routes.bind("fake", "/")
        try:
            endpoint, _ = adapter.match(path.lower(), method="GET")
        except RoutingNotFound:
            raise Fault(400, f"Could not find resource or operation '{path}' on the system.") from None
        route = self._by_endpoint[str(endpoint)]
        original = path.strip("/").split("/")
        values = [original[i] for i, s in enumerate(route.segments) if s is None]
        return route, dict(zip(route.names, values))

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
            values.update(request.form.items())
            for name, storage in request.files.items():
                files[name] = _upload(storage)
        caller = self._caller(request, values, op)
        try:
            params = param_codec.decode(op, values, files, path_values, route.params_class)
        except param_codec.ParamError as exc:
            raise Fault(400, str(exc), [f"'{exc.param}' is not valid for {op.name}."]) from None
        if caller is not None:
            lacking = [p for p in op.privileges if not caller.has(p)]
            if lacking:
                raise forbidden()
        handler = HANDLERS[f"portal:{op.name}"]
        call = Call(state=self.portal, op=op, request=request, caller=caller, api_url=self._api_url(request))
        with self._lock:
            result = handler(call, params)
        if isinstance(result, Response):
            return result
        return _json(wire.unstructure(result), pretty=values.get("f", "").lower() == "pjson")

    def _api_url(self, request: Request) -> str:
        return f"{request.scheme}://{request.host}{self.portal_context}"

    def _caller(self, request: Request, values: dict[str, str], op: Operation) -> UserRecord | None:
        token = _token(request, values)
        if op.auth == "anonymous":
            return None
        if token is None:
            if op.auth == "token":
                raise Fault(499, TOKEN_REQUIRED)
            return None
        with self._lock:
            return self.portal.caller_for(token, referer=request.headers.get("Referer"), ip=request.remote_addr)

    def _error(self, fault: Fault, request: Request) -> Response:
        pretty = request.args.get("f", "").lower() == "pjson"
        return _json(fault.portal_envelope(), pretty=pretty)


def _token(request: Request, values: dict[str, str]) -> str | None:
    for header in ("X-Esri-Authorization", "Authorization"):
        raw = request.headers.get(header, "")
        if raw[:7].lower() == "bearer " and raw[7:].strip():
            return raw[7:].strip()
    token = values.pop("token", None)
    return token or None


def _upload(storage: FileStorage) -> Upload:
    return Upload(
        filename=storage.filename or "data",
        data=storage.read(),
        content_type=storage.mimetype or "application/octet-stream",
    )


def _json(payload: Any, *, pretty: bool = False) -> Response:
    text = json.dumps(payload, indent=2) if pretty else json.dumps(payload, separators=(",", ":"))
    return Response(text, status=200, content_type="application/json; charset=utf-8")


__all__ = ["INVALID_TOKEN", "FakeArcGIS", "ManualClock"]
