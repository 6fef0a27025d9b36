"""Esri's official `arcgis` client (2.4.4), unmodified, against the fake ArcGIS Server: `tox -e compat`.

`arcgis.gis.server.Server(url=".../arcgis/admin", username=..., password=...)` reads `info`, POSTs the token
service it advertises (`authInfo.tokenServicesUrl`, tokens/generateToken), builds its managers from the admin
root's `resources`, and sends the token as `X-Esri-Authorization: Bearer`. Every scenario runs in-process (the `requests` adapter mounted through
`custom_adapter=`) and over HTTPS against the threaded fake with two machines, trusting the fake's CA
(`verify_cert=True, ca_bundles=server.ca_path`; REQUESTS_CA_BUNDLE is cleared so only that CA is trusted).
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import parse_qs

import pytest

pytest.importorskip("arcgis")

from arcgis.gis.server import Server
from arcgis_typed_fake import FakeArcGIS, serve
from arcgis_typed_fake.requests_adapter import WsgiRequestsAdapter

pytestmark = pytest.mark.compat

ORIGIN = "https://fake.arcgis.test"
PASSWORD = "server-admin-password"


class Recorder:
    """WSGI middleware noting method, path, parameters and headers of every request, on every machine's port."""

    def __init__(self, fake: FakeArcGIS) -> None:
        self.fake = fake
        self.portal_context = fake.portal_context
        self.server_context = fake.server_context
        self.server_machines = fake.server_machines
        self.calls: list[tuple[str, str, dict[str, str], dict[str, str]]] = []
        self._lock = threading.Lock()

    def _record(self, app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
        def recorded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            params = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
            if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
                body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
                environ["wsgi.input"] = io.BytesIO(body)
                params.update({k: v[-1] for k, v in parse_qs(body.decode("utf-8")).items()})
            headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
            with self._lock:
                self.calls.append((environ["REQUEST_METHOD"], environ["PATH_INFO"], params, headers))
            return app(environ, start_response)

        return recorded

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        return self._record(self.fake)(environ, start_response)

    def machine_app(self, machine: str, origins: Mapping[str, str]) -> Callable[..., Iterable[bytes]]:
        return self._record(self.fake.machine_app(machine, origins))

    def to(self, suffix: str) -> list[tuple[str, dict[str, str], dict[str, str]]]:
        with self._lock:
            return [(m, p, h) for m, path, p, h in self.calls if path.replace("//", "/").rstrip("/").endswith(suffix)]


@pytest.fixture
def fake() -> FakeArcGIS:
    return FakeArcGIS(admin_password=PASSWORD, server_machines=("MACHINE1", "MACHINE2"), password_iterations=1)


@pytest.fixture(params=["in-process", "https"])
def connect(request: pytest.FixtureRequest, fake: FakeArcGIS,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Callable[..., Server], Recorder, dict[str, str]]]:
    recorder = Recorder(fake)
    if request.param == "in-process":
        # in-process, the host name picks the machine: machine2.fake.test reaches MACHINE2
        second = "https://machine2.fake.test"
        adapter = {ORIGIN: WsgiRequestsAdapter(recorder), second: WsgiRequestsAdapter(recorder)}
        urls = {"MACHINE1": f"{ORIGIN}/arcgis/admin", "MACHINE2": f"{second}/arcgis/admin"}
        yield (lambda username, password, machine="MACHINE1": Server(
            url=urls[machine], username=username, password=password, custom_adapter=adapter)), recorder, urls
        return
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    with serve(recorder, https=True) as server:
        assert server.ca_path is not None
        ca = server.ca_path
        urls = dict(server.machine_admin_urls)
        yield (lambda username, password, machine="MACHINE1": Server(
            url=urls[machine], username=username, password=password, verify_cert=True, ca_bundles=ca)), recorder, urls


def test_login_and_the_admin_root(connect: tuple[Callable[..., Server], Recorder, dict[str, str]]) -> None:
    server, recorder, _ = connect
    admin = server("admin", PASSWORD)
    assert admin.resources == ["machines", "services", "info"]
    # it signed in at the token service that info advertises, and sends the token as a Bearer header
    assert recorder.to("/arcgis/info")
    (method, form, _), *_ = recorder.to("/arcgis/tokens/generateToken")
    assert method == "POST" and form["username"] == "admin" and form["client"] == "referer"
    _, _, headers = recorder.to("/arcgis/admin")[-1]
    assert headers.get("x-esri-authorization", "").startswith("Bearer ")


def test_services_and_folders(connect: tuple[Callable[..., Server], Recorder, dict[str, str]],
                              fake: FakeArcGIS) -> None:
    server, recorder, _ = connect
    admin = server("admin", PASSWORD)
    assert sorted(admin.services.folders) == ["/", "System", "Utilities"]
    root = admin.services.list()
    assert [s.properties.serviceName for s in root] == ["SampleWorldCities"]
    assert [s.properties.type for s in admin.services.list(folder="Utilities")] == ["GeometryServer", "GPServer"]
    assert admin.services.create_folder("Maps", "City maps") is True
    assert "Maps" in admin.services.folders
    (method, form, headers), = recorder.to("/arcgis/admin/services/createFolder")
    assert (method, form["folderName"], form["description"]) == ("POST", "Maps", "City maps")
    assert headers["x-esri-authorization"].startswith("Bearer ")  # the Bearer header stands in for a body token
    assert admin.services.create_service({"serviceName": "Roads", "type": "MapServer"}) == {"status": "success"}
    roads = next(s for s in admin.services.list() if s.properties.serviceName == "Roads")
    assert roads.status == {"configuredState": "STARTED", "realTimeState": "STARTED"}
    assert roads.stop() is True
    assert roads.status["configuredState"] == "STOPPED"
    assert roads.start() is True and roads.delete() is True
    assert admin.services.delete_folder("Maps") is True
    assert [f.name for f in fake.server.site.catalog.folders()] == ["System", "Utilities"]
    assert [s.name for s in fake.server.site.catalog.in_folder(None)] == ["SampleWorldCities"]


def test_machines_list_and_start(connect: tuple[Callable[..., Server], Recorder, dict[str, str]],
                                 fake: FakeArcGIS) -> None:
    server, recorder, urls = connect
    admin = server("admin", PASSWORD)
    machines = admin.machines.list()
    assert [m.properties.machineName for m in machines] == ["MACHINE1"]
    served = urls["MACHINE1"].startswith("https://127.0.0.1")
    assert machines[0].properties.adminURL == (urls["MACHINE1"] if served else "https://machine1.fake.test/arcgis/admin")
    fake.server.stop_machine(fake.server.site, "MACHINE1")
    assert machines[0].start() is True
    assert machines[0].status == {"configuredState": "STARTED", "realTimeState": "STARTED"}
    assert recorder.to("/arcgis/admin/machines/MACHINE1/start")[0][0] == "POST"


def test_machine_two_joined_then_started(connect: tuple[Callable[..., Server], Recorder, dict[str, str]],
                                         fake: FakeArcGIS) -> None:
    """Seed 003's site, managed with the official client: a second machine joins, then it is started."""
    server, _, urls = connect
    fake.server.join_site(fake.server.machine("MACHINE2"), fake.server.default_machine,  # type: ignore[arg-type]
                          urls["MACHINE1"], "admin", PASSWORD)
    admin = server("admin", PASSWORD)
    two = next(m for m in admin.machines.list() if m.properties.machineName == "MACHINE2")
    assert two.properties.adminURL == urls["MACHINE2"]
    assert two.status["configuredState"] == "STOPPED"
    assert two.start() is True
    assert fake.server.site.machine("MACHINE2").configured_state == "STARTED"
    # the client signed in on MACHINE2 itself gets its own token there
    on_two = server("admin", PASSWORD, "MACHINE2")
    assert [m.properties.machineName for m in on_two.machines.list()] == ["MACHINE1", "MACHINE2"]


def test_wrong_password(connect: tuple[Callable[..., Server], Recorder, dict[str, str]]) -> None:
    server, recorder, _ = connect
    # 2.4.4 swallows the failed sign-in: the Server object it builds has no managers
    with pytest.raises(AttributeError, match="resources"):
        _ = server("admin", "not-the-password").resources
    assert recorder.to("/arcgis/tokens/generateToken")
    assert not any(h.get("x-esri-authorization") for _, _, h in recorder.to("/arcgis/admin"))
