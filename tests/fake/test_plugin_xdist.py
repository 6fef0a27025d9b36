"""The pytest plugin under pytest-xdist (run with pytester): every worker gets its own fake, served on its own
port with its own certificate authority in its own temporary folder; function-scoped fakes are never shared
either; everything the plugin wrote is gone afterwards; and a test's state never leaks into another worker."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]
# plugins the inner run does not need (each worker would import them)
QUIET = [arg for name in ("schemathesis", "benchmark", "typeguard", "anyio", "hypothesispytest")
         for arg in ("-p", f"no:{name}")]

TESTS = '''
import json, os, threading, time
from pathlib import Path

import pytest
import urllib3
from arcgis_typed import PortalClient

OUT = Path({out!r})


def record(kind, server, extra=None):
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    ca = Path(server.ca_path)
    row = {{"kind": kind, "worker": worker, "pid": os.getpid(), "port": server.port,
            "ca_path": str(ca), "ca": ca.read_text(), "url": server.portal_url, **(extra or {{}})}}
    (OUT / f"{{kind}}-{{worker}}-{{time.monotonic_ns()}}.json").write_text(json.dumps(row))


@pytest.mark.parametrize("n", range({count}))
def test_worker_server(arcgis_worker_fake, arcgis_worker_fake_server, n):
    client = PortalClient(arcgis_worker_fake_server.portal_url, ca_certs=arcgis_worker_fake_server.ca_path,
                          username="admin", password="fake-admin-password")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    added = client.content.add_item("admin", title=f"{{worker}}-{{n}}", type="CSV", text="a")
    titles = {{i.title for i in arcgis_worker_fake.portal.items}}
    assert all(t.startswith(worker + "-") for t in titles), titles  # no other worker's items
    record("worker", arcgis_worker_fake_server, {{"item": added.id}})
    time.sleep(0.02)  # overlap with the other worker


@pytest.mark.parametrize("n", range({count}))
def test_function_server(arcgis_fake_server, arcgis_portal, n):
    assert len(list(arcgis_portal.content.search(q="*").results)) == 0  # a fresh fake per test
    arcgis_portal.content.add_item("admin", title="mine", type="CSV", text="a")
    pool = urllib3.PoolManager(ca_certs=arcgis_fake_server.ca_path)
    assert pool.request("GET", arcgis_fake_server.portal_url + "/sharing/rest/info?f=json").status == 200
    record("function", arcgis_fake_server)
    time.sleep(0.02)
'''


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_one_fake_per_worker_and_nothing_shared(pytester: pytest.Pytester, tmp_path: Path) -> None:
    out = tmp_path / "rows"
    out.mkdir()
    pytester.makepyfile(test_served=TESTS.format(out=str(out), count=4))
    result = pytester.runpytest_subprocess("-n", "2", "-p", "xdist", "-q", "-p", "no:cacheprovider", *QUIET)
    result.assert_outcomes(passed=8)
    rows = [json.loads(p.read_text()) for p in sorted(out.iterdir())]
    assert len(rows) == 8

    workers = {r["worker"] for r in rows}
    assert workers == {"gw0", "gw1"}, workers
    assert len({r["pid"] for r in rows}) == 2

    worker_rows = [r for r in rows if r["kind"] == "worker"]
    by_worker: dict[str, set[tuple[int, str, str]]] = {}
    for r in worker_rows:
        by_worker.setdefault(r["worker"], set()).add((r["port"], r["ca_path"], r["ca"]))
    assert all(len(v) == 1 for v in by_worker.values()), by_worker  # one server per worker, all session long
    (port0, ca_path0, ca0), (port1, ca_path1, ca1) = (next(iter(v)) for v in by_worker.values())
    assert port0 != port1 and ca0 != ca1 and Path(ca_path0).parent != Path(ca_path1).parent

    function_rows = [r for r in rows if r["kind"] == "function"]
    assert len({r["ca_path"] for r in function_rows}) == len(function_rows)  # a folder and a CA per test
    assert len({r["ca"] for r in function_rows}) == len(function_rows)
    assert not {r["ca"] for r in function_rows} & {ca0, ca1}

    for r in rows:  # the plugin cleaned up after itself
        assert not Path(r["ca_path"]).exists(), r["ca_path"]
        assert not Path(r["ca_path"]).parent.exists()
