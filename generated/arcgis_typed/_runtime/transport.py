"""Transports: how a request reaches a server.

`Urllib3Transport` talks HTTP(S) through one urllib3 pool (keep-alive, timeouts, TLS verification on by
default, retries only for idempotent operations, `Retry-After` honoured). `WsgiTransport` calls a WSGI
application (such as `arcgis_typed_fake.FakeArcGIS`) in-process, with no socket.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol
from urllib.parse import unquote_to_bytes, urlsplit

import attrs
import urllib3

from .errors import ConnectionFailed, Timeout, TLSError, TransportError, redact


def _headers_repr(headers: Mapping[str, str]) -> str:
    """Headers as repr shows them: credentials hidden."""
    return repr({k: "***" if k.lower() in _SECRET_HEADERS else v for k, v in headers.items()})


_SECRET_HEADERS = frozenset({"x-esri-authorization", "authorization", "cookie", "x-fake-control"})


@attrs.frozen
class HttpRequest:
    method: str
    url: str = attrs.field(repr=lambda url: repr(redact(url)))
    headers: Mapping[str, str] = attrs.field(repr=_headers_repr)
    body: bytes | None = attrs.field(default=None, repr=lambda body: "None" if body is None else f"<{len(body)} bytes>")


@attrs.frozen
class HttpResponse:
    status: int
    headers: Mapping[str, str]  # lower-case names
    body: bytes


class Transport(Protocol):
    def send(self, request: HttpRequest, *, idempotent: bool) -> HttpResponse: ...


RETRY_STATUSES = frozenset({429, 502, 503, 504})


class Urllib3Transport:
    """HTTP(S) over a urllib3 PoolManager."""

    def __init__(
        self,
        *,
        timeout: float | urllib3.Timeout = 30.0,
        retries: int = 3,
        backoff_factor: float = 0.2,
        verify: bool = True,
        ca_certs: str | None = None,
        maxsize: int = 10,
        pool: urllib3.PoolManager | None = None,
    ) -> None:
        self.timeout = timeout if isinstance(timeout, urllib3.Timeout) else urllib3.Timeout(connect=timeout, read=timeout)
        self._idempotent_retry = urllib3.Retry(
            total=retries,
            connect=retries,
            read=retries,
            status=retries,
            other=0,
            allowed_methods=None,  # the operation, not the HTTP method, says whether a retry is safe
            status_forcelist=RETRY_STATUSES,
            backoff_factor=backoff_factor,
            respect_retry_after_header=True,
            raise_on_status=False,
            redirect=False,
        )
        # A request that never reached the server (connection refused) is safe to resend; anything else is not.
        self._unsafe_retry = urllib3.Retry(
            total=retries, connect=retries, read=0, status=0, other=0, redirect=False, raise_on_status=False
        )
        if pool is None:
            kw: dict[str, Any] = {"maxsize": maxsize, "block": False}
            if verify:
                kw["cert_reqs"] = "CERT_REQUIRED"
                if ca_certs:
                    kw["ca_certs"] = ca_certs
            else:
                kw["cert_reqs"] = "CERT_NONE"
            pool = urllib3.PoolManager(**kw)
        self.pool = pool

    def send(self, request: HttpRequest, *, idempotent: bool) -> HttpResponse:
        try:
            r = self.pool.request(
                request.method,
                request.url,
                body=request.body,
                headers=dict(request.headers),
                retries=self._idempotent_retry if idempotent else self._unsafe_retry,
                redirect=False,
                timeout=self.timeout,
                preload_content=True,
            )
        except urllib3.exceptions.MaxRetryError as exc:
            raise _translate(exc.reason or exc, request.url) from exc
        except urllib3.exceptions.HTTPError as exc:
            raise _translate(exc, request.url) from exc
        return HttpResponse(r.status, {k.lower(): v for k, v in r.headers.items()}, r.data)

    def close(self) -> None:
        self.pool.clear()


def _translate(exc: BaseException, url: str) -> TransportError:
    if isinstance(exc, urllib3.exceptions.SSLError):
        return TLSError(str(exc), url=url)
    # NewConnectionError (refused, unreachable, DNS) subclasses ConnectTimeoutError in urllib3 2.x: test it first
    if isinstance(exc, urllib3.exceptions.NewConnectionError):
        return ConnectionFailed(str(exc), url=url)
    if isinstance(exc, urllib3.exceptions.TimeoutError):
        return Timeout(str(exc), url=url)
    return ConnectionFailed(str(exc), url=url)


WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class WsgiTransport:
    """Call a WSGI app directly: the moto-style in-process path, no socket and no TLS."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def send(self, request: HttpRequest, *, idempotent: bool) -> HttpResponse:
        parts = urlsplit(request.url)
        body = request.body or b""
        host = parts.hostname or "localhost"
        port = str(parts.port or (443 if parts.scheme == "https" else 80))
        environ: dict[str, Any] = {
            "REQUEST_METHOD": request.method,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote_to_bytes(parts.path or "/").decode("latin-1"),
            "QUERY_STRING": parts.query,
            "SERVER_NAME": host,
            "SERVER_PORT": port,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": parts.netloc,
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": parts.scheme or "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "CONTENT_LENGTH": str(len(body)),
        }
        for name, value in request.headers.items():
            key = name.upper().replace("-", "_")
            if key == "CONTENT_TYPE":
                environ["CONTENT_TYPE"] = value
            elif key != "CONTENT_LENGTH":
                environ["HTTP_" + key] = value
        captured: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
            captured["status"] = int(status.split(" ", 1)[0])
            captured["headers"] = {k.lower(): v for k, v in headers}
            return lambda _data: None

        result = self.app(environ, start_response)
        try:
            data = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        return HttpResponse(captured["status"], captured["headers"], data)
