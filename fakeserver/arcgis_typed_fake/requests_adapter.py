"""A `requests` transport adapter that calls a WSGI app (normally the fake) in-process: no socket, no TLS.

For code built on `requests`, such as Esri's official `arcgis` package, which mounts adapters given as
`GIS(..., adapter={prefix: adapter})` on its session::

    from arcgis.gis import GIS
    from arcgis_typed_fake import FakeArcGIS
    from arcgis_typed_fake.requests_adapter import WsgiRequestsAdapter

    fake = FakeArcGIS(admin_password="secret-pass")
    gis = GIS("https://fake.arcgis.test/portal", "admin", "secret-pass",
              adapter={"https://fake.arcgis.test": WsgiRequestsAdapter(fake)})

or on any `requests.Session`: `session.mount("https://fake.arcgis.test", WsgiRequestsAdapter(fake))`.

`requests` is not a dependency of `arcgis_typed_fake`; only this module imports it.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterable, Mapping
from email.message import Message
from types import TracebackType
from typing import Any, cast
from urllib.parse import unquote_to_bytes, urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.cookies import extract_cookies_to_jar
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers
from urllib3 import HTTPHeaderDict
from urllib3.response import HTTPResponse

__all__ = ["WsgiRequestsAdapter"]

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
_ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


class _OriginalResponse:
    """Stands in for the `http.client.HTTPResponse` under a urllib3 response: `requests` reads the `Set-Cookie`
    headers from its `.msg` (for `response.cookies` and the session's jar); urllib3 may close it."""

    def __init__(self, method: str, headers: list[tuple[str, str]]) -> None:
        self._method = method
        self._closed = False
        self.msg = Message()
        for name, value in headers:
            self.msg[name] = value

    def close(self) -> None:
        self._closed = True

    def isclosed(self) -> bool:
        return self._closed


class WsgiRequestsAdapter(BaseAdapter):  # type: ignore[misc,unused-ignore]  # Any when requests is untyped
    """Send every request of a `requests` session to `app` (a WSGI callable) directly.

    The WSGI environ is built from the prepared request (method, path, query, headers, body; the URL's scheme,
    host and port become `wsgi.url_scheme`, `HTTP_HOST`, `SERVER_NAME`/`SERVER_PORT`). The answer is a real
    `requests.Response` with status, reason, headers, body, cookies, `url` and `request`; redirects are left to
    the session (`allow_redirects`). `timeout`, `verify`, `cert` and `proxies` have no meaning without a socket
    and are ignored. `remote_addr` is the client address the app sees.
    """

    def __init__(self, app: WsgiApp, *, remote_addr: str = "127.0.0.1") -> None:
        super().__init__()
        self.app = app
        self.remote_addr = remote_addr

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        url = request.url.decode("utf-8") if isinstance(request.url, bytes) else str(request.url or "")
        body = _body_bytes(request.body)
        environ = self._environ(str(request.method or "GET"), url, request.headers, body)

        captured: dict[str, Any] = {}
        written: list[bytes] = []

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: _ExcInfo | None = None
        ) -> Callable[[bytes], None]:
            if exc_info is not None and "status" in captured:
                raise exc_info[1].with_traceback(exc_info[2])
            captured["status"] = status
            captured["headers"] = list(headers)
            return written.append

        result = self.app(environ, start_response)
        try:
            chunks = [bytes(chunk) for chunk in result]
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        if "status" not in captured:
            raise RuntimeError("the WSGI app returned without calling start_response")
        data = b"".join(written) + b"".join(chunks)
        return self._response(request, url, captured["status"], captured["headers"], data)

    def close(self) -> None:
        """Nothing to release: there is no connection pool."""

    # --- helpers ------------------------------------------------------------------------------------------------

    def _environ(self, method: str, url: str, headers: Mapping[str, str | bytes], body: bytes) -> dict[str, Any]:
        parts = urlsplit(url)
        scheme = parts.scheme or "http"
        host = parts.hostname or "localhost"
        port = parts.port or (443 if scheme == "https" else 80)
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method.upper(),
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote_to_bytes(parts.path or "/").decode("latin-1"),
            "QUERY_STRING": parts.query,
            "SERVER_NAME": host,
            "SERVER_PORT": str(port),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": self.remote_addr,
            "HTTP_HOST": parts.netloc or host,
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": scheme,
            "wsgi.input": io.BytesIO(body),
            "wsgi.input_terminated": True,  # the whole body is buffered: reading to EOF is safe
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        if body or method.upper() in ("POST", "PUT", "PATCH"):
            environ["CONTENT_LENGTH"] = str(len(body))
        for name, raw_value in headers.items():
            value = raw_value.decode("latin-1") if isinstance(raw_value, bytes) else str(raw_value)
            key = name.upper().replace("-", "_")
            if key == "CONTENT_TYPE":
                environ["CONTENT_TYPE"] = value
            elif key in ("CONTENT_LENGTH", "TRANSFER_ENCODING"):
                continue  # a chunked body was already joined: the app sees its length (set above)
            elif key == "HOST":
                environ["HTTP_HOST"] = value
            else:
                environ["HTTP_" + key] = value
        return environ

    def _response(
        self,
        request: requests.PreparedRequest,
        url: str,
        status: str,
        headers: list[tuple[str, str]],
        data: bytes,
    ) -> requests.Response:
        code, _, reason = status.partition(" ")
        raw = HTTPResponse(
            body=io.BytesIO(data),
            headers=HTTPHeaderDict(headers),
            status=int(code),
            reason=reason or None,
            preload_content=False,
            decode_content=False,
            request_method=request.method,
            request_url=url,
            original_response=cast(Any, _OriginalResponse(str(request.method or "GET"), headers)),
        )
        response = requests.Response()
        response.status_code = int(code)
        response.reason = reason
        response.headers = CaseInsensitiveDict(raw.headers)
        response.encoding = get_encoding_from_headers(response.headers)
        response.raw = raw
        response.url = url
        response.request = request
        response.connection = cast(Any, self)  # typed as HTTPAdapter; auth handlers only call .send()
        extract_cookies_to_jar(response.cookies, request, raw)  # type: ignore[no-untyped-call,unused-ignore]
        return response


def _body_bytes(body: object) -> bytes:
    """A prepared request's body as bytes: requests gives bytes, str, a file object or an iterable of chunks."""
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    read = getattr(body, "read", None)
    if callable(read):
        content = read()
        return content.encode("utf-8") if isinstance(content, str) else bytes(content)
    if isinstance(body, Iterable):
        return b"".join(c.encode("utf-8") if isinstance(c, str) else bytes(c) for c in body)
    raise TypeError(f"cannot send a request body of type {type(body).__name__}")
