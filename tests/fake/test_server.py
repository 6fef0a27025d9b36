"""The threaded loopback server: HTTP and HTTPS, keep-alive, TLS trust, clean stop."""

from __future__ import annotations

import json
import logging
import os
import socket
import stat
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import urllib3
from arcgis_typed_fake.server import RunningServer, serve
from urllib3.exceptions import SSLError

TIMEOUT = urllib3.Timeout(connect=5.0, read=5.0)
StartResponse = Callable[..., Any]


class JsonApp:
    """Tiny WSGI app: echoes the request as JSON and records client ports."""

    portal_context = "/portal"

    def __init__(self, *, chunked: bool = False) -> None:
        self.chunked = chunked
        self.client_ports: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        with self._lock:
            self.client_ports.add(environ["REMOTE_PORT"])
        body = json.dumps(
            {
                "path": environ["PATH_INFO"],
                "query": environ["QUERY_STRING"],
                "scheme": environ["wsgi.url_scheme"],
            }
        ).encode()
        headers = [("Content-Type", "application/json")]
        if not self.chunked:  # without a length cheroot uses chunked encoding
            headers.append(("Content-Length", str(len(body))))
        start_response("200 OK", headers)
        return [body]


class AllContextsApp(JsonApp):
    portal_context = "/gis"
    server_context = "/arcgis"
    mission_context = "/mission"


def client(server: RunningServer, **kwargs: Any) -> urllib3.PoolManager:
    kwargs.setdefault("timeout", TIMEOUT)
    kwargs.setdefault("retries", False)  # a dropped connection must fail the test
    if server.ca_path is not None:
        kwargs.setdefault("cert_reqs", "CERT_REQUIRED")
        kwargs.setdefault("ca_certs", server.ca_path)
    return urllib3.PoolManager(**kwargs)


def get_json(pool: urllib3.PoolManager, url: str) -> Any:
    response = pool.request("GET", url)
    assert response.status == 200
    return response.json()


@pytest.fixture(params=[True, False], ids=["https", "http"])
def https(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.fixture
def app() -> JsonApp:
    return JsonApp()


@pytest.fixture
def server(app: JsonApp, https: bool) -> Iterator[RunningServer]:
    with serve(app, https=https) as running:
        yield running


def test_urls_and_json_round_trip(server: RunningServer, https: bool) -> None:
    scheme = "https" if https else "http"
    assert server.host == "127.0.0.1"
    assert 0 < server.port < 65536
    assert server.base_url == f"{scheme}://127.0.0.1:{server.port}"
    assert server.portal_url == server.base_url + "/portal"
    assert server.server_admin_url is None
    assert server.mission_admin_url is None
    assert (server.ca_path is not None) == https

    body = get_json(client(server), server.portal_url + "/sharing/rest?f=json")
    assert body == {"path": "/portal/sharing/rest", "query": "f=json", "scheme": scheme}


def test_context_paths_come_from_the_app() -> None:
    with serve(AllContextsApp(), https=False) as server:
        assert server.portal_url == server.base_url + "/gis"
        assert server.server_admin_url == server.base_url + "/arcgis/admin"
        assert server.mission_admin_url == server.base_url + "/mission/admin"


def test_plain_function_app_defaults_to_portal_context() -> None:
    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        start_response("204 No Content", [])
        return []

    with serve(app, https=False) as server:
        assert server.portal_url == server.base_url + "/portal"
        assert client(server).request("GET", server.portal_url).status == 204


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_keep_alive_reuses_one_connection(https: bool, chunked: bool) -> None:
    app = JsonApp(chunked=chunked)
    with serve(app, https=https) as server:
        manager = client(server)
        for i in range(50):
            assert get_json(manager, f"{server.portal_url}/item/{i}")["path"] == f"/portal/item/{i}"
        pool = manager.connection_from_url(server.base_url)
        assert pool.num_requests == 50
        assert pool.num_connections == 1  # client side: one connection opened...
        assert len(app.client_ports) == 1  # ...and server side: one client port seen


def test_concurrent_clients(server: RunningServer) -> None:
    manager = client(server, maxsize=8, block=True)

    def worker(n: int) -> int:
        ok = 0
        for i in range(25):
            body = get_json(manager, f"{server.portal_url}/w{n}?i={i}")
            assert body["path"] == f"/portal/w{n}" and body["query"] == f"i={i}"
            ok += 1
        return ok

    with ThreadPoolExecutor(max_workers=8) as executor:
        results = list(executor.map(worker, range(8), timeout=60))
    assert results == [25] * 8
    pool = manager.connection_from_url(server.base_url)
    assert pool.num_requests == 200
    assert pool.num_connections <= 8


def test_tls_verification_needs_the_ca(app: JsonApp) -> None:
    with serve(app, https=True) as server:
        assert server.ca_path is not None
        with open(server.ca_path, "rb") as pem:
            assert pem.read().startswith(b"-----BEGIN CERTIFICATE-----")
        trusting = client(server)
        assert get_json(trusting, server.portal_url)["scheme"] == "https"
        # The certificate also names localhost (resolves to 127.0.0.1 or falls back to it).
        assert get_json(trusting, f"https://localhost:{server.port}/portal")["scheme"] == "https"

        untrusting = urllib3.PoolManager(cert_reqs="CERT_REQUIRED", timeout=TIMEOUT, retries=False)
        with pytest.raises(SSLError, match="CERTIFICATE_VERIFY_FAILED"):
            untrusting.request("GET", server.portal_url)
        # The server survives the failed handshake.
        assert get_json(trusting, server.portal_url)["path"] == "/portal"


def test_each_server_has_private_tls_files_removed_on_stop(app: JsonApp) -> None:
    first, second = serve(app), serve(app)
    try:
        assert first.ca_path is not None and second.ca_path is not None
        dirs = [os.path.dirname(first.ca_path), os.path.dirname(second.ca_path)]
        assert dirs[0] != dirs[1]
        for directory in dirs:
            assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
            assert len(os.listdir(directory)) == 3  # CA, chain, key
    finally:
        first.stop()
        second.stop()
    assert not any(os.path.exists(d) for d in dirs)


def test_bad_clients_and_app_errors_stay_off_stderr(
    capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    def broken(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        raise RuntimeError("boom")

    caplog.set_level(logging.DEBUG, logger="arcgis_typed_fake.server")
    with serve(broken, https=True) as server:
        address = (server.host, server.port)
        with socket.create_connection(address, timeout=5):
            pass  # connect and hang up before the handshake
        for junk in (
            b"GET /portal?token=secret HTTP/1.1\r\nHost: x\r\n\r\n",  # plain HTTP into TLS
            b"\x16\x03\x01\x00\x05hello",  # garbage instead of a ClientHello
        ):
            with socket.create_connection(address, timeout=5) as raw:
                raw.sendall(junk)
                try:  # cheroot means to answer 400 to plain HTTP, but the
                    raw.recv(100)  # socket is already closed: usually a reset
                except OSError:
                    pass
        with pytest.raises(SSLError):  # client rejects the certificate
            urllib3.PoolManager(cert_reqs="CERT_REQUIRED", timeout=TIMEOUT, retries=False).request(
                "GET", server.portal_url
            )
        response = client(server).request("GET", server.portal_url + "?token=secret")
        assert response.status == 500

    out, err = capfd.readouterr()
    assert out == "" and err == ""
    assert any("boom" in r.getMessage() and r.levelno == logging.ERROR for r in caplog.records)
    assert not any("secret" in r.getMessage() for r in caplog.records)


def test_start_and_stop_three_servers_in_a_row(app: JsonApp) -> None:
    for https in (True, False, True):
        server = serve(app, https=https)  # usable without `with`
        assert get_json(client(server), server.portal_url)["path"] == "/portal"
        server.stop()
        server.stop()  # idempotent
        # The port is free again: a fresh listener can bind it.
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((server.host, server.port))
        with pytest.raises(OSError):
            socket.create_connection((server.host, server.port), timeout=5).close()


def test_all_server_threads_are_daemons(app: JsonApp) -> None:
    before = set(threading.enumerate())
    with serve(app, https=False, threads=3) as server:
        get_json(client(server), server.portal_url)
        started = set(threading.enumerate()) - before
        assert len(started) >= 4  # serving thread + 3 workers (+ cheroot's 503 thread)
        assert all(t.daemon for t in started)
    for thread in started:
        thread.join(5)
    assert not any(t.is_alive() for t in started)


def test_bind_failure_is_raised(app: JsonApp) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        with pytest.raises(OSError):
            serve(app, https=True, port=taken.getsockname()[1])


def test_threads_must_be_positive(app: JsonApp) -> None:
    with pytest.raises(ValueError):
        serve(app, threads=0)


def test_apps_without_machines_get_one_port(server: RunningServer) -> None:
    assert server.machine_admin_urls == {}


def test_each_server_machine_gets_its_own_port(https: bool) -> None:
    from arcgis_typed_fake import FakeArcGIS

    fake = FakeArcGIS(admin_password="machine-admin-password", password_iterations=1,
                      server_machines=("M1", "M2", "M3"))
    with serve(fake, https=https) as server:
        urls = server.machine_admin_urls
        assert list(urls) == ["M1", "M2", "M3"]
        ports = [urllib3.util.parse_url(u).port for u in urls.values()]
        assert ports[0] == server.port and len(set(ports)) == 3
        assert server.server_admin_url == urls["M1"]
        manager = client(server)  # one CA for every port
        answers = {}
        for name, url in urls.items():
            response = manager.request("POST", f"{url}/generateToken",
                                       fields={"username": "admin", "password": "machine-admin-password", "f": "json"},
                                       encode_multipart=False)
            answers[name] = response.json()
        assert "token" in answers["M1"]
        for name in ("M2", "M3"):  # the port decides the machine: these are in no site
            assert answers[name]["status"] == "error" and f"'{name}' does not participate" in answers[name]["messages"][0]
        address = (server.host, ports[2])
    with pytest.raises(OSError):  # every port is closed on stop
        socket.create_connection(address, timeout=5).close()
