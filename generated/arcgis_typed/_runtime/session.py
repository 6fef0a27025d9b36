"""The base of every generated client: builds a request from an operation and its parameters, sends it,
reads the ArcGIS envelope and turns the answer into the operation's model."""

from __future__ import annotations

import functools
import importlib
import json
from typing import Any, TypeVar, overload
from urllib.parse import urlencode

import urllib3

from . import params as _params
from . import wire
from .auth import Auth, TokenAuth
from .errors import InvalidToken, ResponseDecodeError, TransportError, envelope_error, error_for
from .operation import Operation
from .transport import HttpRequest, HttpResponse, Transport, Urllib3Transport

T = TypeVar("T")

USER_AGENT = "arcgis-typed/0.1"
MAX_GET_URL = 2000  # longer reads are sent as POST, which every read endpoint accepts


def response_model(op: Operation) -> type[Any]:
    """The response model class of an operation (its `response`, "module:Class"), imported on first use: the
    generated ops modules name their models for the type checker only, so importing them stays cheap."""
    return _resolve(op.response)


@functools.cache
def _resolve(ref: str) -> type[Any]:
    """"module:Class", or "module:Class[]" for an operation that answers a JSON array of them."""
    many = ref.endswith("[]")
    module, _, name = ref.removesuffix("[]").partition(":")
    cls: type[Any] = getattr(importlib.import_module(module), name)
    return list[cls] if many else cls  # type: ignore[valid-type]


class Session:
    """A connection to one ArcGIS API root (e.g. `https://host/portal`)."""

    def __init__(
        self,
        url: str,
        *,
        auth: Auth | None = None,
        token: str | None = None,
        transport: Transport | None = None,
        timeout: float = 30.0,
        verify: bool = True,
        ca_certs: str | None = None,
        referer: str = "http",
    ) -> None:
        self.url = url.rstrip("/")
        self.auth: Auth | None = auth if auth is not None else (TokenAuth(token) if token else None)
        self.transport: Transport = transport or Urllib3Transport(timeout=timeout, verify=verify, ca_certs=ca_certs)
        self.referer = referer

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url!r})"

    @overload
    def call(self, op: Operation, params: Any, result: type[T]) -> T: ...
    @overload
    def call(self, op: Operation, params: Any, result: None = None) -> Any: ...

    def call(self, op: Operation, params: Any, result: type[T] | None = None) -> Any:
        encoded = _params.encode(op, params)
        url = op.url(self.url, encoded.path)
        use_token = op.auth != "anonymous" and self.auth is not None
        token = self.auth.token() if use_token and self.auth is not None else None
        response = self._send(op, url, encoded, token)
        refreshed = False
        while True:
            try:
                return self._read(op, url, response, result)
            except InvalidToken:
                if refreshed or not use_token or self.auth is None or not self.auth.refresh():
                    raise
                refreshed = True  # exactly one reactive refresh: never a loop
                response = self._send(op, url, encoded, self.auth.token())

    def _send(self, op: Operation, url: str, encoded: _params.Encoded, token: str | None) -> HttpResponse:
        form = {"f": "json", **encoded.form}
        headers = {"User-Agent": USER_AGENT, "Referer": self.referer, "Accept": "application/json"}
        if token:
            headers["X-Esri-Authorization"] = f"Bearer {token}"
        body: bytes | None = None
        method = "GET" if "GET" in op.methods and not encoded.files else "POST"
        query = urlencode(form)
        if method == "GET" and len(url) + len(query) + 1 > MAX_GET_URL and "POST" in op.methods:
            method = "POST"
        if method == "GET":
            url = f"{url}?{query}"
        elif encoded.files:
            fields: dict[str, Any] = dict(form)
            for wire_name, upload in encoded.files.items():
                fields[wire_name] = (upload.filename, upload.data, upload.content_type)
            body, content_type = urllib3.encode_multipart_formdata(fields)
            headers["Content-Type"] = content_type
        else:
            body = query.encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            return self.transport.send(HttpRequest(method, url, headers, body), idempotent=op.idempotent)
        except TransportError as exc:
            if not exc.operation:
                exc.operation = op.name
                exc.args = (f"{op.name}: {exc.args[0] if exc.args else exc}",)
            raise

    def _read(self, op: Operation, url: str, response: HttpResponse, result: type[T] | None) -> Any:
        kind = op.response_kind
        content_type = response.headers.get("content-type", "")
        if kind == "redirect" and 300 <= response.status < 400:
            return response.headers.get("location", "")
        is_json = "json" in content_type or response.body[:1] in (b"{", b"[")
        if kind in ("bytes", "text") and response.status < 400 and not (is_json and b'"error"' in response.body[:200]):
            return response.body if kind == "bytes" else response.body.decode("utf-8", "replace")
        try:
            payload = json.loads(response.body)
        except ValueError:
            if response.status >= 400:
                raise error_for(response.status, f"HTTP {response.status}", operation=op.name, url=url) from None
            raise ResponseDecodeError(
                f"expected JSON, got {response.body[:120]!r}", operation=op.name, url=url
            ) from None
        error = envelope_error(payload, status=response.status, operation=op.name, url=url)
        if error is not None:
            raise error
        if response.status >= 400:
            raise error_for(response.status, f"HTTP {response.status}", operation=op.name, url=url)
        if kind in ("bytes", "text", "redirect"):
            raise ResponseDecodeError(f"expected a {kind} answer, got JSON", operation=op.name, url=url)
        if result is None:
            return payload
        try:
            return wire.structure(payload, result)
        except Exception as exc:
            raise ResponseDecodeError(
                f"the answer does not fit {result.__name__}: {wire.describe(exc)}", operation=op.name, url=url
            ) from None
