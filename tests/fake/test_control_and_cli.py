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


def test_reset_comes_back_to_a_checkpoint(arcgis_fake: FakeArcGIS, arcgis_portal: PortalClient) -> None:
    arcgis_fake.portal.add_user("alice", "alice-password1", role="org_user")
    kept = arcgis_portal.content.add_item("admin", title="seeded", type="CSV", text="a,b")
    assert _control(arcgis_fake, "checkpoint") == {"controlVersion": 1, "status": "success"}
    arcgis_portal.content.add_item("admin", title="made by a test", type="CSV", text="c")
    arcgis_portal.content.delete("admin", kept.id)
    arcgis_portal.users.delete("alice")
    log, _ = arcgis_fake._undo  # type: ignore[misc]
    assert len(log) > 0
    assert _control(arcgis_fake, "reset")["status"] == "success"
    assert len(log) == 0  # the reset undid the changes one by one
    assert [i.title for i in arcgis_portal.content.search(q="*").results] == ["seeded"]
    assert arcgis_fake.portal.users.get("alice") is not None
    arcgis_portal.content.add_item("admin", title="another test's", type="CSV", text="d")
    arcgis_fake.reset()  # as many times as wanted
    assert arcgis_fake.portal.items.get(kept.id) is not None and len(arcgis_fake.portal.items) == 1


def test_cli_serve_checkpoint_after_seeding(tmp_path: Any) -> None:
    seed_file = tmp_path / "org.yaml"
    seed_file.write_text("users: [{username: alice, password: alice-password1, role: org_user}]\n")
    env = {**os.environ, "ARCGIS_FAKE_CONTROL_TOKEN": "checkpoint-token"}
    process = subprocess.Popen(
        [sys.executable, "-m", "arcgis_typed_fake", "serve", "--http", "--seed-file", str(seed_file), "--checkpoint"],
        stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stdout is not None
        url = next(line.split()[-1] for line in process.stdout if "portal URL" in line)
        base = url.rsplit("/", 1)[0]

        def control(action: str) -> Any:
            request = urllib.request.Request(f"{base}/_fake/{action}", method="POST" if action != "status" else "GET",
                                             headers={HEADER: "checkpoint-token"}, data=b"" if action != "status" else None)
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read())

        assert control("status")["users"] == 2
        assert cli_main(["seed", str(seed_file).replace("org.yaml", "more.yaml"), "--url", url,
                         "--control-token", "checkpoint-token"]) != 0  # (a missing file: refused, nothing seeded)
        (tmp_path / "more.yaml").write_text("users: [{username: bob, password: bob-password1}]\n")
        assert cli_main(["seed", str(tmp_path / "more.yaml"), "--url", url, "--control-token", "checkpoint-token"]) == 0
        assert control("status")["users"] == 3
        assert control("reset")["status"] == "success"
        assert control("status")["users"] == 2  # back to the seeded state, not to an empty one
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)


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


# --- snapshots, seeding, faults, journal and clock through the control plane and the CLI ------------------------

SEED_FILE = os.path.join(os.path.dirname(__file__), "data", "busy.yaml")


def test_control_plane_snapshot_restore_seed_faults_requests_clock() -> None:
    from arcgis_typed_fake import ManualClock

    fake = FakeArcGIS(admin_password="admin-password", seed=2, clock=ManualClock(1_700_000_000_000))
    web = Client(fake)
    headers = {HEADER: fake.control_token}
    with open(SEED_FILE, "rb") as f:
        seeded = web.post("/_fake/seed", data=f.read(), headers=headers).get_json()
    assert "fileBase64" in seeded["error"]["message"]  # a file: entry needs the seed file's folder (or inlining)
    from arcgis_typed_fake import seeding

    doc, folder = seeding.load(SEED_FILE)
    seeded = web.post("/_fake/seed", data=json.dumps(seeding.inline_files(doc, folder)), headers=headers).get_json()
    assert seeded["seeded"]["users"] == 4 and seeded["seeded"]["server.services"] == 2
    snap = web.get("/_fake/snapshot", headers=headers).get_json()["snapshot"]
    assert snap["format"] == "arcgis-typed-fake-snapshot"
    assert web.post("/_fake/reset", headers=headers).get_json()["status"] == "success"
    assert fake.portal.users.get("alice") is None
    assert web.post("/_fake/restore", data=json.dumps(snap), headers=headers).get_json()["status"] == "success"
    assert fake.portal.users.get("alice") is not None
    bad = web.post("/_fake/restore", data=json.dumps({**snap, "version": 2}), headers=headers).get_json()
    assert bad["error"]["code"] == 400 and "version 2" in bad["error"]["message"]
    rule = web.post("/_fake/faults", data=json.dumps({"op": "org.root", "errorCode": 503, "times": 1}),
                    headers=headers).get_json()["rule"]
    assert web.get("/portal/sharing/rest?f=json").get_json()["error"]["code"] == 503
    assert "currentVersion" in web.get("/portal/sharing/rest?f=json").get_json()
    listed = web.get("/_fake/faults", headers=headers).get_json()["rules"]
    assert [(r["id"], r["fired"]) for r in listed] == [(rule["id"], 1)]
    assert web.delete(f"/_fake/faults/{rule['id']}", headers=headers).get_json()["status"] == "success"
    assert web.delete("/_fake/faults/nope", headers=headers).get_json()["error"]["code"] == 404
    invalid = web.post("/_fake/faults", data=json.dumps({"op": "x", "bogus": 1}), headers=headers).get_json()
    assert "bogus" in invalid["error"]["message"]
    journal = web.get("/_fake/requests?op=org.root", headers=headers).get_json()
    assert journal["total"] == 2 and [r["errorCode"] for r in journal["requests"]] == [503, None]
    assert web.post("/_fake/clock", data=json.dumps({"advanceMs": 1000}), headers=headers).get_json()["nowMs"] == (
        1_700_000_001_000)
    assert web.post("/_fake/tokens/expire", headers=headers).get_json()["status"] == "success"
    assert web.delete("/_fake/requests", headers=headers).get_json()["status"] == "success"
    assert len(fake.requests) == 0


def test_control_plane_openapi_is_valid() -> None:
    from arcgis_typed_fake.control import openapi
    from openapi_spec_validator import validate

    document = openapi()
    validate(document)  # type: ignore[arg-type]
    assert {"/_fake/snapshot", "/_fake/restore", "/_fake/seed", "/_fake/faults", "/_fake/requests",
            "/_fake/clock"} <= set(document["paths"])
    fake = FakeArcGIS(admin_password="admin-password")
    served = Client(fake).get("/_fake/openapi.json", headers={HEADER: fake.control_token}).get_json()
    assert served == document


def test_cli_seed_snapshot_restore_faults_against_a_served_fake(
    arcgis_fake: FakeArcGIS, arcgis_fake_server: RunningServer, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    common = ["--url", arcgis_fake_server.portal_url, f"--control-token={arcgis_fake.control_token}",
              "--cafile", str(arcgis_fake_server.ca_path)]
    assert cli_main(["seed", SEED_FILE, *common]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out)["seeded"]["items"] == 4
    assert "seeded 16/16 entities (100%)" in out.err
    assert arcgis_fake.portal.items.search(None, "title:logo")  # the file entry was sent inline
    snap = tmp_path / "state.json"
    assert cli_main(["snapshot", *common, "--out", str(snap)]) == 0
    assert cli_main(["reset", *common]) == 0
    assert arcgis_fake.portal.users.get("alice") is None
    capsys.readouterr()
    assert cli_main(["restore", str(snap), *common]) == 0
    assert arcgis_fake.portal.users.get("alice") is not None
    assert cli_main(["faults", "add", '{"op": "content.get", "errorCode": 500}', *common]) == 0
    assert len(arcgis_fake.faults) == 1
    assert cli_main(["faults", "clear", *common]) == 0 and len(arcgis_fake.faults) == 0
    capsys.readouterr()
    assert cli_main(["requests", "--op", "content.*", *common]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 0
    (tmp_path / "old.json").write_text(json.dumps({"format": "arcgis-typed-fake-snapshot", "version": 0, "state": {}}))
    assert cli_main(["restore", str(tmp_path / "old.json"), *common]) == 1
    assert "version 0" in capsys.readouterr().err


def test_cli_seed_into_a_data_dir_then_serve_it_survives_restarts(tmp_path: Any) -> None:
    data = tmp_path / "fake-state"
    env = dict(os.environ, ARCGIS_FAKE_ADMIN_PASSWORD="cli-admin-password")
    seeded = subprocess.run([sys.executable, "-m", "arcgis_typed_fake", "seed", SEED_FILE, "--data-dir", str(data)],
                            capture_output=True, text=True, timeout=120, env=env, check=False)
    assert seeded.returncode == 0, seeded.stderr
    assert seeded.stderr.count("seeded 16/16 entities (100%)") == 1

    def serve_once(title: str | None) -> list[str]:
        proc = subprocess.Popen(
            [sys.executable, "-m", "arcgis_typed_fake", "serve", "--http", "--data-dir", str(data)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )
        try:
            lines = []
            while proc.stdout:
                line = proc.stdout.readline()
                if not line:
                    break
                lines.append(line)
                if "Ctrl+C" in line:
                    break
            url = next(line.split()[-1] for line in lines if "portal URL" in line)
            client = PortalClient(url, username="alice", password="alice-password")
            if title is not None:
                client.content.add_item("alice", title=title, type="CSV", text="x")
            return sorted(i.title for i in client.content.search_all(q="owner:alice"))
        finally:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=30) == 0
            for stream in (proc.stdout, proc.stderr):
                if stream:
                    stream.close()

    first = serve_once("added while serving")
    assert "added while serving" in first and "Road list" in first
    assert serve_once(None) == first  # a new process, the same state


def test_remote_fake_is_the_typed_python_api_of_a_served_fake(
    arcgis_fake: FakeArcGIS, arcgis_fake_server: RunningServer, arcgis_portal: PortalClient, tmp_path: Any
) -> None:
    from arcgis_typed_fake.remote import ControlError, RemoteFake

    remote = RemoteFake(arcgis_fake_server.portal_url, arcgis_fake.control_token, cafile=str(arcgis_fake_server.ca_path))
    seen: list[tuple[int, int]] = []
    assert remote.seed(SEED_FILE, progress=lambda done, total: seen.append((done, total)), chunk=3)["items"] == 4
    assert seen[-1] == (16, 16) and len(seen) > 3
    remote.snapshot(tmp_path / "s.json")
    rule = remote.add_fault(op="users.me", errorCode=500, times=1)
    with pytest.raises(Exception, match="Injected fault"):
        arcgis_portal.users.me()
    [record] = remote.requests(op="users.me")
    assert (record.error_code, record.fault) == (500, rule["id"])
    remote.reset()
    assert arcgis_fake.portal.users.get("alice") is None
    remote.restore(tmp_path / "s.json")
    assert arcgis_fake.portal.users.get("alice") is not None
    with pytest.raises(ControlError, match="Invalid fault rule"):
        remote.add_fault(op="users.me")
    with pytest.raises(ControlError, match="ManualClock"):
        remote.advance(1000)
