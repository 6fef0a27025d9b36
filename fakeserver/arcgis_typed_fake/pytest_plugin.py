"""pytest fixtures for testing ArcGIS code against the fake (registered through the `pytest11` entry point).

* `arcgis_fake`        - a fresh `FakeArcGIS` per test (admin: `arcgis_admin_credentials`)
* `arcgis_portal`      - a typed `PortalClient` signed in as the administrator, in-process (no socket)
* `arcgis_server_admin` - a typed `ServerAdminClient` of the fake's ArcGIS Server, signed in as its primary
                         site administrator, in-process
* `arcgis_fake_server` - the same fake served over HTTPS on 127.0.0.1 (ephemeral port, private CA in
                         `.ca_path`), for code that needs a real URL, such as the official `arcgis` client
* `arcgis_worker_fake` / `arcgis_worker_fake_server` - one fake (and one HTTPS server for it) per test session,
                         which under pytest-xdist means one per worker: its own port, certificate authority and
                         temporary folder, nothing shared between workers. Tests using them share its state;
                         call `arcgis_worker_fake.reset()` where that matters.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from arcgis_typed import PortalClient, ServerAdminClient, WsgiTransport

from .app import FakeArcGIS
from .server import RunningServer, serve

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "fake-admin-password"


@pytest.fixture
def arcgis_admin_credentials() -> tuple[str, str]:
    return ADMIN_USERNAME, ADMIN_PASSWORD


@pytest.fixture
def arcgis_fake(arcgis_admin_credentials: tuple[str, str]) -> FakeArcGIS:
    username, password = arcgis_admin_credentials
    return FakeArcGIS(admin_username=username, admin_password=password)


@pytest.fixture
def arcgis_portal(arcgis_fake: FakeArcGIS) -> PortalClient:
    return PortalClient(
        f"https://fake.arcgis.test{arcgis_fake.portal_context}",
        transport=WsgiTransport(arcgis_fake),
        username=arcgis_fake.admin_username,
        password=arcgis_fake.admin_password,
    )


@pytest.fixture
def arcgis_server_admin(arcgis_fake: FakeArcGIS) -> ServerAdminClient:
    return ServerAdminClient(
        f"https://fake.arcgis.test{arcgis_fake.server_context or '/arcgis'}",
        transport=WsgiTransport(arcgis_fake),
        username=arcgis_fake.server_admin_username,
        password=arcgis_fake.server_admin_password,
    )


@pytest.fixture
def arcgis_fake_server(arcgis_fake: FakeArcGIS) -> Iterator[RunningServer]:
    with serve(arcgis_fake, https=True) as server:
        yield server


@pytest.fixture(scope="session")
def arcgis_worker_fake() -> FakeArcGIS:
    return FakeArcGIS(admin_username=ADMIN_USERNAME, admin_password=ADMIN_PASSWORD)


@pytest.fixture(scope="session")
def arcgis_worker_fake_server(arcgis_worker_fake: FakeArcGIS) -> Iterator[RunningServer]:
    with serve(arcgis_worker_fake, https=True) as server:
        yield server
