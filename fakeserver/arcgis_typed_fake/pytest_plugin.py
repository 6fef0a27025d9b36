"""pytest fixtures for testing ArcGIS code against the fake (registered through the `pytest11` entry point).

* `arcgis_fake`        - a fresh `FakeArcGIS` per test (admin: `arcgis_admin_credentials`)
* `arcgis_portal`      - a typed `PortalClient` signed in as the administrator, in-process (no socket)
* `arcgis_server_admin` - a typed `ServerAdminClient` of the fake's ArcGIS Server, signed in as its primary
                         site administrator, in-process
* `arcgis_fake_server` - the same fake served over HTTPS on 127.0.0.1 (ephemeral port, private CA in
                         `.ca_path`), for code that needs a real URL, such as the official `arcgis` client

Seeded baseline, one cheap fork per test (the baseline is built once per session):

* `arcgis_seed_file`   - the YAML seed of the baseline: `--arcgis-seed-file FILE`, the ini option
                         `arcgis_seed_file`, or override this fixture (None: only the administrator)
* `arcgis_fake_options` - keyword arguments of the baseline's `FakeArcGIS` (override: seed=, clock=, ...)
* `arcgis_baseline`    - the seeded baseline (session scope): `arcgis_baseline.fork()` makes a fake from it
* `arcgis_fork`        - a fork of the baseline for this test; `arcgis_fork_portal` - a client of it. At teardown
                         the fork is rolled back through its undo log and its state serves the next test's fork,
                         so a test pays for what it changed, not for the size of the baseline

Conformance (see conformance.py): `arcgis_target` runs a test's calls against a fork (`--arcgis-target fake`,
the default) or a live portal (`--arcgis-target live`, from ARCGIS_LIVE_URL / _USERNAME / _PASSWORD [/ _CA];
skipped when unset), recording or comparing normalised response shapes in `--arcgis-record DIR`.
* `arcgis_worker_fake` / `arcgis_worker_fake_server` - one fake (and one HTTPS server for it) per test session,
                         which under pytest-xdist means one per worker: its own port, certificate authority and
                         temporary folder, nothing shared between workers. Tests using them share its state;
                         call `arcgis_worker_fake.reset()` where that matters.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from arcgis_typed import PortalClient, ServerAdminClient, Urllib3Transport, WsgiTransport

from . import conformance
from .app import FakeArcGIS
from .journal import warn_partial
from .product import Baseline
from .server import RunningServer, serve

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "fake-admin-password"


@pytest.fixture
def arcgis_admin_credentials() -> tuple[str, str]:
    return ADMIN_USERNAME, ADMIN_PASSWORD


@pytest.fixture
def arcgis_fake(arcgis_admin_credentials: tuple[str, str]) -> Iterator[FakeArcGIS]:
    username, password = arcgis_admin_credentials
    fake = FakeArcGIS(admin_username=username, admin_password=password)
    yield fake
    warn_partial(fake.requests)  # FakeFidelityWarning: the test used operations the fake implements partly


@pytest.fixture
def arcgis_portal(arcgis_fake: FakeArcGIS) -> PortalClient:
    return admin_portal(arcgis_fake)


def admin_portal(fake: FakeArcGIS) -> PortalClient:
    """A typed client of `fake`'s portal, in-process, signed in as its administrator."""
    return PortalClient(
        f"https://fake.arcgis.test{fake.portal_context}",
        transport=WsgiTransport(fake),
        username=fake.admin_username,
        password=fake.admin_password,
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


# --- a seeded baseline and a fork per test -----------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("arcgis", "arcgis-typed fake")
    group.addoption("--arcgis-seed-file", default=None, help="YAML seed of the arcgis_baseline fixture")
    group.addoption("--arcgis-target", choices=("fake", "live"), default="fake",
                    help="run arcgis_target tests against a fork of the fake (default) or a live portal")
    group.addoption("--arcgis-record", default=".arcgis-conformance",
                    help="folder of the live recordings and of report.md (default: .arcgis-conformance)")
    group.addoption("--arcgis-strict", action="store_true", help="a conformance deviation fails the test")
    parser.addini("arcgis_seed_file", "YAML seed of the arcgis_baseline fixture", default="")


@pytest.fixture(scope="session")
def arcgis_seed_file(pytestconfig: pytest.Config) -> str | None:
    given = pytestconfig.getoption("--arcgis-seed-file") or pytestconfig.getini("arcgis_seed_file")
    if not given:
        return None
    path = Path(str(given))
    return str(path if path.is_absolute() else Path(str(pytestconfig.rootpath)) / path)


@pytest.fixture(scope="session")
def arcgis_fake_options() -> dict[str, Any]:
    return {}


@pytest.fixture(scope="session")
def arcgis_baseline(arcgis_seed_file: str | None, arcgis_fake_options: dict[str, Any]) -> Baseline:
    from .seeding import seed

    options = {"admin_username": ADMIN_USERNAME, "admin_password": ADMIN_PASSWORD, **arcgis_fake_options}
    fake = FakeArcGIS(**options)
    if arcgis_seed_file:
        seed(fake, arcgis_seed_file)
    return fake.baseline()


@pytest.fixture
def arcgis_fork(arcgis_baseline: Baseline) -> Iterator[FakeArcGIS]:
    fork = arcgis_baseline.fork()
    yield fork
    warn_partial(fork.requests)
    arcgis_baseline.release(fork)  # rolled back (undo log): the next test's fork reuses it


@pytest.fixture
def arcgis_fork_portal(arcgis_fork: FakeArcGIS) -> PortalClient:
    return admin_portal(arcgis_fork)


# --- conformance: the same test against the fake or a live portal ------------------------------------------------

LIVE_ENV = ("ARCGIS_LIVE_URL", "ARCGIS_LIVE_USERNAME", "ARCGIS_LIVE_PASSWORD")
_DEVIATIONS = pytest.StashKey[dict[str, list[str]]]()


@attrs.define
class Target:
    """What a conformance test talks to: `portal` (a typed client); `fake` is None on the live target."""

    kind: str
    portal: PortalClient
    fake: FakeArcGIS | None
    recorder: conformance.RecordingTransport


@pytest.fixture
def arcgis_target(request: pytest.FixtureRequest, arcgis_baseline: Baseline) -> Iterator[Target]:
    config = request.config
    kind = str(config.getoption("--arcgis-target"))
    folder = Path(str(config.getoption("--arcgis-record")))
    if kind == "live":
        missing = [name for name in LIVE_ENV if not os.environ.get(name)]
        if missing:
            pytest.skip(f"no live portal configured (set {', '.join(missing)})")
        ca = os.environ.get("ARCGIS_LIVE_CA")
        recorder = conformance.RecordingTransport(Urllib3Transport(ca_certs=ca) if ca else Urllib3Transport())
        portal = PortalClient(os.environ["ARCGIS_LIVE_URL"], transport=recorder,
                              username=os.environ["ARCGIS_LIVE_USERNAME"], password=os.environ["ARCGIS_LIVE_PASSWORD"])
        yield Target("live", portal, None, recorder)
        conformance.save(folder, request.node.nodeid, recorder.exchanges)
        return
    fake = arcgis_baseline.fork()
    recorder = conformance.RecordingTransport(WsgiTransport(fake))
    portal = PortalClient(f"https://fake.arcgis.test{fake.portal_context}", transport=recorder,
                          username=fake.admin_username, password=fake.admin_password)
    yield Target("fake", portal, fake, recorder)
    recording = conformance.recording_path(folder, request.node.nodeid)
    if recording.exists():
        import json

        lines = conformance.compare(json.loads(recording.read_text(encoding="utf-8")), recorder.exchanges)
        config.stash.setdefault(_DEVIATIONS, {})[request.node.nodeid] = lines
        if lines and config.getoption("--arcgis-strict"):
            arcgis_baseline.release(fake)
            pytest.fail("the fake deviates from the live recording:\n" + "\n".join(lines), pytrace=False)
    arcgis_baseline.release(fake)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    deviations = config.stash.get(_DEVIATIONS, None)
    if deviations is None:
        return
    text = conformance.report({k: v for k, v in deviations.items() if v})
    folder = Path(str(config.getoption("--arcgis-record")))
    conformance.write_report(folder, text)
    terminalreporter.section("arcgis conformance")
    terminalreporter.write_line(f"{len(deviations)} test(s) compared with live recordings; report: {folder / 'report.md'}")
    for test_id, lines in sorted(deviations.items()):
        for line in lines[:20]:
            terminalreporter.write_line(f"{test_id}: {line}")


@pytest.fixture(scope="session")
def arcgis_worker_fake() -> FakeArcGIS:
    return FakeArcGIS(admin_username=ADMIN_USERNAME, admin_password=ADMIN_PASSWORD)


@pytest.fixture(scope="session")
def arcgis_worker_fake_server(arcgis_worker_fake: FakeArcGIS) -> Iterator[RunningServer]:
    with serve(arcgis_worker_fake, https=True) as server:
        yield server
