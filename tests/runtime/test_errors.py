"""One reader for both ArcGIS error envelopes, one exception hierarchy keyed by code, operation names in
messages, tokens redacted from URLs, and transport failures translated at the boundary."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from arcgis_typed import PortalClient
from arcgis_typed._runtime import errors
from arcgis_typed._runtime.errors import (
    ArcGISClientError,
    ArcGISError,
    BadRequest,
    ConnectionFailed,
    InvalidToken,
    NotFound,
    PermissionDenied,
    ServerError,
    Timeout,
    TLSError,
    TokenRequired,
    TransportError,
    envelope_error,
    redact,
)
from arcgis_typed._runtime.transport import HttpRequest, HttpResponse, Urllib3Transport
from arcgis_typed_fake.server import serve
from hypothesis import given
from hypothesis import strategies as st
from stubs import StubTransport, json_response

URL = "https://portal.example/portal/sharing/rest/content/items/abc?f=json&token=SECRET-TOKEN"

BY_CODE = [
    (400, BadRequest),
    (401, errors.Unauthorized),
    (403, PermissionDenied),
    (404, NotFound),
    (409, errors.Conflict),
    (498, InvalidToken),
    (499, TokenRequired),
    (500, ServerError),
]


# --- the two envelopes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "cls"), BY_CODE)
def test_portal_envelope_class_by_code(code: int, cls: type[ArcGISError]) -> None:
    payload = {"error": {"code": code, "message": "Something failed.", "details": ["one", "two"]}}
    exc = envelope_error(payload, operation="content.get", url=URL)
    assert type(exc) is cls
    assert exc.code == code
    assert exc.message == "Something failed."
    assert exc.details == ("one", "two")
    assert str(exc) == f"content.get: Something failed. (code {code}) - one; two"


@pytest.mark.parametrize(("code", "cls"), BY_CODE)
def test_server_envelope_class_by_code(code: int, cls: type[ArcGISError]) -> None:
    payload = {"status": "error", "messages": ["Service not found.", "Check the folder."], "code": code}
    exc = envelope_error(payload, operation="services.get", url=URL)
    assert type(exc) is cls
    assert exc.code == code
    assert exc.message == "Service not found."
    assert exc.details == ("Check the folder.",)
    assert str(exc).startswith("services.get: Service not found.")


@pytest.mark.parametrize("code", [200, 418, 1000, 12345, -1])
def test_unknown_codes_are_plain_arcgis_errors(code: int) -> None:
    for payload in ({"error": {"code": code, "message": "odd"}}, {"status": "error", "messages": ["odd"], "code": code}):
        exc = envelope_error(payload)
        assert type(exc) is ArcGISError
        assert exc.code == code


@given(code=st.integers(min_value=-(10**6), max_value=10**6))
def test_every_code_maps_to_exactly_its_class(code: int) -> None:
    exc = envelope_error({"error": {"code": code, "message": "m"}})
    assert exc is not None and exc.code == code
    expected = dict(BY_CODE).get(code, ArcGISError)
    assert type(exc) is expected
    assert isinstance(exc, ArcGISClientError)


def test_codes_given_as_strings() -> None:
    exc = envelope_error({"error": {"code": "498", "message": "Invalid token."}})
    assert type(exc) is InvalidToken


def test_missing_code_falls_back_on_the_http_status() -> None:
    assert type(envelope_error({"error": {"message": "gone"}}, status=404)) is NotFound
    assert type(envelope_error({"error": {"message": "bad"}})) is BadRequest
    assert type(envelope_error({"status": "error", "messages": ["boom"]})) is ServerError
    assert type(envelope_error({"status": "error", "messages": ["no"]}, status=403)) is PermissionDenied


def test_portal_envelope_extras() -> None:
    exc = envelope_error({"error": {"code": 499, "message": "Token Required", "messageCode": "GWM_0003", "details": None}})
    assert type(exc) is TokenRequired
    assert exc.message_code == "GWM_0003"
    assert exc.details == ()
    assert str(exc) == "Token Required (code 499)"
    exc = envelope_error({"error": {"code": 400, "description": "Only a description", "details": "one string"}})
    assert exc is not None and exc.message == "Only a description" and exc.details == ("one string",)
    exc = envelope_error({"error": {"code": 400}})
    assert exc is not None and exc.message == "Unknown error"


def test_server_failure_with_message_and_details() -> None:
    exc = envelope_error({"status": "failure", "code": 500, "message": "Error getting info", "details": ["why"]})
    assert type(exc) is ServerError
    assert exc.message == "Error getting info"
    assert exc.details == ("why",)


@pytest.mark.parametrize(
    "payload",
    [
        None, [], "error", 42,
        {"status": "success"},
        {"status": "error"},  # no messages and no code: an object whose status field says error, not an envelope
        {"id": "abc", "title": "An item called error"},
        {"error": "a string, not an envelope"},
        {"error": None},
        {"status": "failed", "statusMessage": "job failed"},
    ],
)
def test_not_errors(payload: Any) -> None:
    assert envelope_error(payload) is None


# --- redaction ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["token", "TOKEN", "password", "client_secret", "refresh_token", "code", "access_token"])
def test_redact_hides_secrets_in_query_and_fragment(name: str) -> None:
    url = f"https://h/p?f=json&{name}=s3cr3t&x=1#{name}=fr4g&state=ok"
    out = redact(url)
    assert "s3cr3t" not in out and "fr4g" not in out
    assert "f=json" in out and "x=1" in out and "state=ok" in out


@given(secret=st.text(alphabet=st.characters(blacklist_characters="&# \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0"), min_size=4))
def test_redact_property(secret: str) -> None:
    assert secret not in redact(f"https://host/x?a=1&token={secret}").split("?", 1)[1].replace("a=1&token=", "")


def test_errors_never_show_the_token() -> None:
    exc = envelope_error({"error": {"code": 498, "message": "Invalid token."}}, operation="content.get", url=URL)
    assert exc is not None
    assert "SECRET-TOKEN" not in str(exc) and "SECRET-TOKEN" not in repr(exc)
    assert "SECRET-TOKEN" not in exc.url and "token=***" in exc.url
    transport = TransportError("boom", operation="content.get", url=URL)
    assert "SECRET-TOKEN" not in str(transport) and "token=***" in str(transport)
    assert str(transport).startswith("content.get: boom")


# --- through the client -----------------------------------------------------------------------------------


def _client(answer: HttpResponse | Callable[[HttpRequest], HttpResponse], **kw: Any) -> tuple[PortalClient, StubTransport]:
    transport = StubTransport(answer)
    return PortalClient("https://portal.example/portal", transport=transport, **kw), transport


@pytest.mark.parametrize(("code", "cls"), BY_CODE)
def test_client_raises_with_the_operation_name(code: int, cls: type[ArcGISError]) -> None:
    client, transport = _client(json_response({"error": {"code": code, "message": "Nope.", "details": []}}))
    with pytest.raises(cls) as info:
        client.content.get("abc123")
    assert info.value.operation == "content.get"
    assert str(info.value).startswith("content.get: Nope.")
    assert info.value.url == "https://portal.example/portal/sharing/rest/content/items/abc123"
    assert transport.calls == 1


def test_client_server_envelope_and_http_errors() -> None:
    client, _ = _client(json_response({"status": "error", "messages": ["Down for maintenance"], "code": 503}))
    with pytest.raises(ArcGISError) as info:
        client.org.root()
    assert info.value.code == 503 and info.value.operation == "org.root"
    client, _ = _client(HttpResponse(502, {"content-type": "text/html"}, b"<html>Bad gateway</html>"))
    with pytest.raises(ArcGISError) as info:
        client.org.root()
    assert info.value.code == 502 and "org.root" in str(info.value)
    client, _ = _client(HttpResponse(200, {"content-type": "text/html"}, b"<html>sign in</html>"))
    with pytest.raises(errors.ResponseDecodeError) as decode:
        client.org.root()
    assert "org.root" in str(decode.value)


def test_client_errors_never_carry_the_token() -> None:
    client, transport = _client(json_response({"error": {"code": 403, "message": "No."}}), token="SECRET-TOKEN")
    with pytest.raises(PermissionDenied) as info:
        client.content.get("abc")
    (request,) = transport.requests
    assert request.headers["X-Esri-Authorization"] == "Bearer SECRET-TOKEN"
    assert "SECRET-TOKEN" not in request.url
    assert "SECRET-TOKEN" not in str(info.value) and "SECRET-TOKEN" not in info.value.url


# --- transport failures --------------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # closed again: nothing listens there


def _hello(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "application/json")])
    return [b'{"currentVersion": "2024.1"}']


def test_connection_refused_is_connection_failed() -> None:
    transport = Urllib3Transport(retries=1, backoff_factor=0)
    url = f"http://127.0.0.1:{_closed_port()}/portal/sharing/rest?token=SECRET-TOKEN"
    with pytest.raises(ConnectionFailed) as info:
        transport.send(HttpRequest("GET", url, {}), idempotent=True)
    assert isinstance(info.value, TransportError) and isinstance(info.value, ArcGISClientError)
    assert "SECRET-TOKEN" not in str(info.value)


def test_connection_refused_through_the_client_names_the_operation() -> None:
    client = PortalClient(f"http://127.0.0.1:{_closed_port()}/portal", transport=Urllib3Transport(retries=0))
    with pytest.raises(ConnectionFailed) as info:
        client.org.root()
    assert info.value.operation == "org.root"
    assert str(info.value).startswith("org.root: ")


def test_untrusted_certificate_is_tls_error() -> None:
    with serve(_hello, https=True) as server:
        with pytest.raises(TLSError) as info:
            Urllib3Transport(retries=0).send(HttpRequest("GET", server.base_url + "/x?token=SECRET-TOKEN", {}), idempotent=True)
        assert "SECRET-TOKEN" not in str(info.value)
        # trusting the server's CA makes the same request work
        assert server.ca_path is not None
        ok = Urllib3Transport(retries=0, ca_certs=server.ca_path).send(HttpRequest("GET", server.base_url + "/x", {}), idempotent=True)
        assert ok.status == 200 and b"2024.1" in ok.body
        with pytest.raises(TLSError) as through_client:
            PortalClient(server.portal_url).org.root()
        assert through_client.value.operation == "org.root"


def test_slow_server_is_timeout() -> None:
    def slow(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        time.sleep(0.6)
        return _hello(environ, start_response)

    with serve(slow, https=False) as server:
        transport = Urllib3Transport(timeout=0.1, retries=0)
        with pytest.raises(Timeout):
            transport.send(HttpRequest("GET", server.base_url + "/x", {}), idempotent=True)
