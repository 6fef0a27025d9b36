"""Transports: urllib3 retries idempotent operations only (Retry-After honoured); the in-process WSGI
transport hands the app exactly what was sent."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from arcgis_typed import PortalClient, Upload
from arcgis_typed._runtime.errors import ArcGISError
from arcgis_typed._runtime.transport import HttpRequest, Urllib3Transport, WsgiTransport
from arcgis_typed_fake.server import RunningServer, serve
from werkzeug.wrappers import Request

StartResponse = Callable[..., Any]


class Flaky:
    """A WSGI app answering 503 (with Retry-After) `failures` times, then 200; it counts every request."""

    def __init__(self, failures: int, retry_after: str | None = "0") -> None:
        self.failures = failures
        self.retry_after = retry_after
        self.requests: list[tuple[str, str]] = []
        self.times: list[float] = []
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        environ["wsgi.input"].read()
        with self._lock:
            self.requests.append((environ["REQUEST_METHOD"], environ["PATH_INFO"]))
            self.times.append(time.monotonic())
            failing = len(self.requests) <= self.failures
        if failing:
            headers = [("Content-Type", "text/plain")]
            if self.retry_after is not None:
                headers.append(("Retry-After", self.retry_after))
            start_response("503 Service Unavailable", headers)
            return [b"busy"]
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps({"currentVersion": "2024.1", "success": True, "itemId": "i1", "id": "i1"}).encode()]


@pytest.fixture
def flaky() -> Iterator[tuple[Flaky, RunningServer]]:
    app = Flaky(failures=2)
    with serve(app, https=False) as server:
        yield app, server


def test_idempotent_requests_are_retried_on_503(flaky: tuple[Flaky, RunningServer]) -> None:
    app, server = flaky
    transport = Urllib3Transport(retries=3, backoff_factor=0)
    response = transport.send(HttpRequest("GET", server.base_url + "/x", {}), idempotent=True)
    assert response.status == 200
    assert len(app.requests) == 3


def test_non_idempotent_requests_are_not_retried(flaky: tuple[Flaky, RunningServer]) -> None:
    app, server = flaky
    transport = Urllib3Transport(retries=3, backoff_factor=0)
    response = transport.send(HttpRequest("POST", server.base_url + "/x", {}, b"a=1"), idempotent=False)
    assert response.status == 503
    assert response.body == b"busy"
    assert len(app.requests) == 1


def test_retries_are_bounded() -> None:
    app = Flaky(failures=100)
    with serve(app, https=False) as server:
        response = Urllib3Transport(retries=2, backoff_factor=0).send(
            HttpRequest("GET", server.base_url + "/x", {}), idempotent=True
        )
    assert response.status == 503
    assert len(app.requests) == 3  # the first try and two retries


def test_retry_after_is_honoured() -> None:
    app = Flaky(failures=1, retry_after="1")
    with serve(app, https=False) as server:
        response = Urllib3Transport(retries=3, backoff_factor=0).send(
            HttpRequest("GET", server.base_url + "/x", {}), idempotent=True
        )
    assert response.status == 200
    assert len(app.times) == 2
    assert app.times[1] - app.times[0] >= 0.9  # waited the second the server asked for (a lower bound only)


def test_the_client_retries_by_operation_not_by_method() -> None:
    app = Flaky(failures=1)
    with serve(app, https=False) as server:
        transport = Urllib3Transport(retries=3, backoff_factor=0)
        client = PortalClient(server.portal_url, transport=transport, token="tok")
        # content.update is a POST the spec declares idempotent: retried
        result = client.content.update("ann", "i1", title="New")
        assert result.success and result.id == "i1"
        assert [m for m, _ in app.requests] == ["POST", "POST"]
        # content.delete is not idempotent: one request, and the 503 surfaces as an error
        app.requests.clear()
        app.failures = 1
        with pytest.raises(ArcGISError) as info:
            client.content.delete("ann", "i1")
        assert info.value.code == 503 and info.value.operation == "content.delete"
        assert len(app.requests) == 1
        # a read (GET) is retried
        app.requests.clear()
        app.failures = 1
        assert client.org.root().current_version == "2024.1"
        assert [m for m, _ in app.requests] == ["GET", "GET"]


def test_keep_alive_reuses_one_connection() -> None:
    app = Flaky(failures=0)
    with serve(app, https=False) as server:
        transport = Urllib3Transport()
        for _ in range(5):
            assert transport.send(HttpRequest("GET", server.base_url + "/x", {}), idempotent=True).status == 200
        pool = transport.pool.connection_from_url(server.base_url)
        assert pool.num_connections == 1
        transport.close()


# --- WsgiTransport ------------------------------------------------------------------------------------------


class Recorder:
    def __init__(self, status: str = "201 Created", headers: list[tuple[str, str]] | None = None) -> None:
        self.environ: dict[str, Any] = {}
        self.body = b""
        self.status = status
        self.headers = headers or [("Content-Type", "application/json"), ("X-Answer", "42")]
        self.closed = False

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        self.environ = environ
        self.body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        start_response(self.status, self.headers)
        recorder = self

        class Body:
            def __iter__(self) -> Iterator[bytes]:
                yield b'{"ok":'
                yield b" true}"

            def close(self) -> None:
                recorder.closed = True

        return Body()


def test_wsgi_transport_passes_the_request_through() -> None:
    app = Recorder()
    request = HttpRequest(
        "POST",
        "https://fake.local:8443/portal/sharing/rest/content/items/a%20b%2Fc%C3%A9?f=json&q=title%3Ax%20y",
        {"Content-Type": "application/x-www-form-urlencoded", "X-Esri-Authorization": "Bearer t", "User-Agent": "ua"},
        b"title=T&tags=a%2Cb",
    )
    response = WsgiTransport(app).send(request, idempotent=False)
    env = app.environ
    assert env["REQUEST_METHOD"] == "POST"
    assert env["PATH_INFO"] == "/portal/sharing/rest/content/items/a b/c" + "é".encode().decode("latin-1")
    assert env["QUERY_STRING"] == "f=json&q=title%3Ax%20y"
    assert env["SERVER_NAME"] == "fake.local" and env["SERVER_PORT"] == "8443"
    assert env["HTTP_HOST"] == "fake.local:8443"
    assert env["wsgi.url_scheme"] == "https"
    assert env["CONTENT_TYPE"] == "application/x-www-form-urlencoded"
    assert env["CONTENT_LENGTH"] == str(len(request.body or b""))
    assert env["HTTP_X_ESRI_AUTHORIZATION"] == "Bearer t"
    assert env["HTTP_USER_AGENT"] == "ua"
    assert "HTTP_CONTENT_TYPE" not in env and "HTTP_CONTENT_LENGTH" not in env
    assert app.body == b"title=T&tags=a%2Cb"
    assert response.status == 201
    assert response.headers == {"content-type": "application/json", "x-answer": "42"}
    assert response.body == b'{"ok": true}'
    assert app.closed


def test_wsgi_transport_get_without_body() -> None:
    app = Recorder(status="200 OK")
    WsgiTransport(app).send(HttpRequest("GET", "http://h/portal/sharing/rest?f=json", {}), idempotent=True)
    assert app.environ["REQUEST_METHOD"] == "GET"
    assert app.environ["SERVER_PORT"] == "80"
    assert app.environ["wsgi.url_scheme"] == "http"
    assert app.environ["CONTENT_LENGTH"] == "0"
    assert app.body == b""


def test_wsgi_transport_through_the_client_with_multipart() -> None:
    seen: dict[str, Any] = {}

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        seen["method"] = request.method
        seen["path"] = request.path
        seen["form"] = dict(request.form)
        seen["files"] = {
            name: (f.filename, f.read(), f.mimetype) for name, f in request.files.items()
        }
        seen["auth"] = request.headers.get("X-Esri-Authorization")
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"success": true, "id": "new1", "folder": ""}']

    client = PortalClient("https://fake.local/portal", transport=WsgiTransport(app), token="tok")
    result = client.content.add_item(
        "ann", title="Data", type="CSV", tags=["a", "b"], file=Upload("data.csv", b"x,y\n1,2\n", "text/csv")
    )
    assert result.id == "new1"
    assert seen["method"] == "POST"
    assert seen["path"] == "/portal/sharing/rest/content/users/ann/addItem"
    assert seen["form"] == {"f": "json", "title": "Data", "type": "CSV", "tags": "a,b"}
    assert seen["files"] == {"file": ("data.csv", b"x,y\n1,2\n", "text/csv")}
    assert seen["auth"] == "Bearer tok"


def test_wsgi_transport_against_the_fake() -> None:
    fake_module = pytest.importorskip("arcgis_typed_fake")
    fake = fake_module.FakeArcGIS(admin_username="admin", admin_password="secret-pass1")
    client = PortalClient("https://fake.local/portal", transport=WsgiTransport(fake))
    assert client.org.root().current_version
