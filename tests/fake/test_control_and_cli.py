"""The control plane (`/_fake/...`), the `arcgis-fake` CLI and the pytest plugin's fixtures."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from typing import Any

import pytest
from arcgis_typed import PortalClient
from arcgis_typed_fake import FakeArcGIS, RunningServer
from arcgis_typed_fake.cli import main as cli_main
from arcgis_typed_fake.control import HEADER
from werkzeug.test import Client


def _control(fake: FakeArcGIS, action: str, method: str = "POST", token: str | None = None) -> Any:
    headers = {HEADER: fake.control_token if token is None else token}
    response = Client(fake).open(f"/_fake/{action}", method=method, headers=headers)
    assert response.status_code == 200
    return json.loads(response.get_data())


def test_control_plane_needs_the_control_token(arcgis_fake: FakeArcGIS) -> None:
    body = _control(arcgis_fake, "reset", token="wrong")
    assert body["error"]["code"] == 403
    body = Client(arcgis_fake).post("/_fake/reset").get_json()
    assert body["error"]["code"] == 403


def test_status_and_reset(arcgis_fake: FakeArcGIS, arcgis_portal: PortalClient) -> None:
    arcgis_portal.content.add_item("admin", title="kept until reset", type="CSV", text="a,b")
    arcgis_fake.portal.add_user("alice", "alice-password", role="org_user")
    status = _control(arcgis_fake, "status", method="GET")
    assert (status["controlVersion"], status["portal"], status["users"], status["items"]) == (
        1,
        "/portal",
        2,
        1,
    )
    assert status["unimplemented"] == []
    assert _control(arcgis_fake, "reset") == {"controlVersion": 1, "status": "success"}
    after = _control(arcgis_fake, "status", method="GET")
    assert (after["users"], after["items"]) == (1, 0)
    assert arcgis_fake.portal.users.get("alice") is None
    # the administrator survives with the same password; old tokens do not
    fresh = PortalClient(
        arcgis_portal.url,
        transport=arcgis_portal.transport,
        username="admin",
        password=arcgis_fake.admin_password,
    )
    assert fresh.users.me().username == "admin"


def test_unknown_control_operation(arcgis_fake: FakeArcGIS) -> None:
    body = _control(arcgis_fake, "explode")
    assert body["error"]["code"] == 400 and "explode" in body["error"]["message"]


def test_cli_status_and_reset_against_a_served_fake(
    arcgis_fake: FakeArcGIS,
    arcgis_fake_server: RunningServer,
    arcgis_portal: PortalClient,
    capsys: pytest.CaptureFixture[str],
) -> None:
    arcgis_portal.content.add_item("admin", title="to be reset", type="CSV", text="x")
    common = [
        "--url",
        arcgis_fake_server.portal_url,
        f"--control-token={arcgis_fake.control_token}",
        "--cafile",
        str(arcgis_fake_server.ca_path),
    ]
    assert cli_main(["status", *common]) == 0
    assert json.loads(capsys.readouterr().out)["items"] == 1
    assert cli_main(["reset", *common]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "success"
    assert len(arcgis_fake.portal.items) == 0


def test_cli_reset_without_a_token_explains(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ARCGIS_FAKE_CONTROL_TOKEN", raising=False)
    assert cli_main(["reset", "--url", "https://127.0.0.1:1/portal"]) == 2
    assert "--control-token" in capsys.readouterr().err


def test_serve_prints_url_and_credentials_and_stops_on_sigterm() -> None:
    env = dict(os.environ, ARCGIS_FAKE_ADMIN_PASSWORD="cli-admin-password")
    proc = subprocess.Popen(
        [sys.executable, "-m", "arcgis_typed_fake", "serve", "--http"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = proc.stdout.readline() if proc.stdout else ""
            if not line:
                break
            lines.append(line)
            if "Ctrl+C" in line:
                break
        text = "".join(lines)
        assert "admin / cli-admin-password" in text
        url = next(line.split()[-1] for line in lines if "portal URL" in line)
        assert url.startswith("http://127.0.0.1:") and url.endswith("/portal")
        with urllib.request.urlopen(f"{url}/sharing/rest?f=json", timeout=10) as response:
            assert json.loads(response.read())["currentVersion"].count(".") >= 1
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            assert proc.wait(timeout=15) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
            for stream in (proc.stdout, proc.stderr):
                if stream:
                    stream.close()


def test_serve_help_lists_the_options() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "arcgis_typed_fake", "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    for option in ("--host", "--port", "--http", "--admin-username", "--admin-password", "--seed"):
        assert option in result.stdout


def test_plugin_fixtures_serve_the_same_fake_over_https(
    arcgis_fake: FakeArcGIS, arcgis_fake_server: RunningServer
) -> None:
    assert arcgis_fake_server.ca_path is not None
    client = PortalClient(
        arcgis_fake_server.portal_url,
        username="admin",
        password=arcgis_fake.admin_password,
        ca_certs=str(arcgis_fake_server.ca_path),
    )
    added = client.content.add_item("admin", title="over https", type="CSV", text="1")
    assert arcgis_fake.portal.items.get(added.id) is not None  # the same state object as in-process


def test_serve_prints_the_server_machines_and_each_answers() -> None:
    env = dict(os.environ, ARCGIS_FAKE_ADMIN_PASSWORD="cli-admin-password")
    proc = subprocess.Popen(
        [sys.executable, "-m", "arcgis_typed_fake", "serve", "--http", "--server-machines", "M1,M2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = proc.stdout.readline() if proc.stdout else ""
            if not line:
                break
            lines.append(line)
            if "Ctrl+C" in line:
                break
        admin = next(line.split()[-1] for line in lines if "server admin" in line)
        second = next(line.split()[-1] for line in lines if "machine M2:" in line)
        assert admin.endswith("/arcgis/admin") and second.endswith("/arcgis/admin") and admin != second
        for url, answer in ((admin, "token"), (second, "status")):
            request = urllib.request.Request(
                f"{url}/generateToken",
                method="POST",
                data=b"username=admin&password=cli-admin-password&f=json",
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                assert answer in json.loads(response.read())  # M2 is in no site: an error envelope
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            assert proc.wait(timeout=15) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
            for stream in (proc.stdout, proc.stderr):
                if stream:
                    stream.close()


def test_status_lists_the_server_machines_and_sites(arcgis_fake: FakeArcGIS) -> None:
    status = _control(arcgis_fake, "status", method="GET")
    assert status["server"] == "/arcgis"
    assert status["machines"] == [{"machineName": "MACHINE1", "inSite": True, "configuredState": "STARTED"}]
    assert status["sites"] == [{"machines": ["MACHINE1"], "users": 1, "folders": 2, "services": 5}]
