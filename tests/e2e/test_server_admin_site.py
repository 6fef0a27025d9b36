"""Sites end to end: seed 003's flow (get a token, join a machine to a site, start the machine) as a plain
standard-library script against the threaded fake with one port per machine, the same flow through the typed
client (in-process and over HTTPS), createNewSite on machines that are in no site, and joinSite's refusals."""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from arcgis_typed import BadRequest, PermissionDenied, ServerAdminClient, SignInError
from arcgis_typed_fake import FakeArcGIS, RunningServer, serve
from e2e_helpers import password_of, server_client
from werkzeug.test import Client

SCRIPT = Path(__file__).parent / "scripts" / "join_machine_to_site.py"
MACHINES = ("MACHINE1", "MACHINE2", "MACHINE3")


@pytest.fixture
def fake() -> FakeArcGIS:
    return FakeArcGIS(admin_password="site-admin-password", server_machines=MACHINES, password_iterations=1)


@pytest.fixture
def served(fake: FakeArcGIS) -> Iterator[RunningServer]:
    with serve(fake, https=True) as server:
        yield server


def _states(fake: FakeArcGIS) -> dict[str, tuple[bool, str]]:
    return {m.name: (m.site is not None, m.configured_state) for m in fake.server.machines.values()}


# --- seed 003, as a standard-library script ------------------------------------------------------------------


@pytest.mark.seed("ServerAdmin.joinSite")
@pytest.mark.seed("ServerAdmin.machines/{name}/start")
@pytest.mark.seed("ServerAdmin.generateToken")
def test_seed_003_script_joins_and_starts_a_machine(fake: FakeArcGIS, served: RunningServer) -> None:
    urls = served.machine_admin_urls
    assert list(urls) == list(MACHINES)
    assert len({urllib.parse.urlsplit(u).port for u in urls.values()}) == 3  # one port per machine
    assert served.server_admin_url == urls["MACHINE1"]
    assert _states(fake)["MACHINE2"] == (False, "STOPPED")

    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--site", urls["MACHINE1"], "--joining", urls["MACHINE2"],
         "--machine", "MACHINE2", "--username", "admin", "--cafile", str(served.ca_path)],
        env={**os.environ, "ARCGIS_PASSWORD": "site-admin-password"},
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("Success.") == 3
    assert _states(fake)["MACHINE2"] == (True, "STARTED")
    assert fake.server.machine("MACHINE2").site is fake.server.site  # type: ignore[union-attr]

    # Run again: the machine is in the site now, so joining fails and the script says so (status-error-envelope).
    again = subprocess.run(
        [sys.executable, str(SCRIPT), "--site", urls["MACHINE1"], "--joining", urls["MACHINE2"],
         "--machine", "MACHINE2", "--username", "admin", "--cafile", str(served.ca_path)],
        env={**os.environ, "ARCGIS_PASSWORD": "site-admin-password"},
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert again.returncode == 1
    assert "already participates in a site" in again.stderr


@pytest.mark.seed("ServerAdmin.status-error-envelope")
def test_seed_003_script_reports_wrong_credentials(fake: FakeArcGIS, served: RunningServer) -> None:
    urls = served.machine_admin_urls
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--site", urls["MACHINE1"], "--joining", urls["MACHINE3"],
         "--machine", "MACHINE3", "--username", "admin", "--cafile", str(served.ca_path)],
        env={**os.environ, "ARCGIS_PASSWORD": "not-the-password"},
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 1
    assert "Unable to generate token" in result.stderr and "'status': 'error'" in result.stderr
    assert _states(fake)["MACHINE3"] == (False, "STOPPED")


def test_the_raw_answers_of_each_step(fake: FakeArcGIS, served: RunningServer) -> None:
    """What the script checks, step by step, with the exact JSON the fake answers."""
    urls = served.machine_admin_urls
    context = ssl.create_default_context(cafile=served.ca_path)

    def post(url: str, **form: str) -> object:
        data = urllib.parse.urlencode({**form, "f": "json"}).encode()
        with urllib.request.urlopen(urllib.request.Request(url, data=data), context=context, timeout=30) as r:
            assert r.status == 200 and r.headers["Content-Type"].startswith("application/json")
            return json.loads(r.read())

    token = post(urls["MACHINE1"] + "/generateToken", username="admin", password="site-admin-password",
                 client="requestip")
    assert isinstance(token, dict) and set(token) == {"token", "expires", "ssl"} and token["ssl"] is True
    assert post(urls["MACHINE3"] + "/joinSite", username="admin", password="site-admin-password",
                adminURL=urls["MACHINE1"]) == {"status": "success"}
    assert post(urls["MACHINE1"] + "/machines/MACHINE3/start", token=token["token"]) == {"status": "success"}
    # the same token on another machine of the site: refused (seed 003's warning)
    refused = post(urls["MACHINE3"] + "/machines/MACHINE3/stop", token=token["token"])
    assert isinstance(refused, dict) and refused["status"] == "error" and refused["code"] == 498
    assert "only valid on the machine that issued it" in " ".join(refused["messages"])
    assert _states(fake)["MACHINE3"] == (True, "STARTED")
    listed = post(urls["MACHINE1"] + "/machines", token=token["token"])
    assert listed == {"machines": [{"machineName": "MACHINE1", "adminURL": urls["MACHINE1"]},
                                   {"machineName": "MACHINE3", "adminURL": urls["MACHINE3"]}]}


# --- the same flow through the typed client --------------------------------------------------------------------


@pytest.mark.seed("ServerAdmin.joinSite")
@pytest.mark.seed("ServerAdmin.machines/{name}/start")
@pytest.mark.seed("ServerAdmin.generateToken")
def test_typed_client_joins_and_starts_a_machine_in_process(fake: FakeArcGIS) -> None:
    site = server_client(fake, "admin", machine="MACHINE1")
    info = site.tokens.generate_token(username="admin", password="site-admin-password", client="requestip")
    assert info.token and info.expires is not None
    joining = server_client(fake, machine="MACHINE2")  # anonymous: the joining machine is in no site yet
    assert joining.site.join_site(
        admin_url=site.machines.get("MACHINE1").admin_url or "", username="admin", password="site-admin-password"
    ).status == "success"
    assert site.machines.status("MACHINE2").configured_state == "STOPPED"  # a joined machine waits to be started
    assert site.machines.start("MACHINE2").status == "success"
    status = site.machines.status("machine2")  # machine names match case-insensitively
    assert (status.configured_state, status.real_time_state) == ("STARTED", "STARTED")
    assert [m.machine_name for m in site.machines.list().machines] == ["MACHINE1", "MACHINE2"]
    # the joined machine now answers for the site, with its own tokens
    on_two = server_client(fake, "admin", machine="MACHINE2")
    assert [m.machine_name for m in on_two.machines.list().machines] == ["MACHINE1", "MACHINE2"]


def test_typed_client_flow_over_https(fake: FakeArcGIS, served: RunningServer) -> None:
    urls = served.machine_admin_urls
    ca = str(served.ca_path)
    site = ServerAdminClient(urls["MACHINE1"].removesuffix("/admin"), username="admin",
                             password="site-admin-password", ca_certs=ca)
    joining = ServerAdminClient(urls["MACHINE2"].removesuffix("/admin"), ca_certs=ca)
    joining.site.join_site(admin_url=urls["MACHINE1"], username="admin", password="site-admin-password")
    site.machines.start("MACHINE2")
    assert {m.machine_name: m.admin_url for m in site.machines.list().machines} == {
        "MACHINE1": urls["MACHINE1"], "MACHINE2": urls["MACHINE2"]}
    assert site.machines.get("MACHINE2").configured_state == "STARTED"


# --- createNewSite and joinSite's refusals -----------------------------------------------------------------------


def test_create_new_site_on_a_fake_without_a_site() -> None:
    fake = FakeArcGIS(server_machines=("ALPHA", "BETA"), server_site=False, password_iterations=1)
    assert fake.server.sites == []
    anonymous = server_client(fake)
    with pytest.raises(BadRequest, match="does not participate in a site"):
        anonymous.tokens.generate_token(username="psa", password="psa-password")
    assert anonymous.site.create_site(username="psa", password="psa-password",
                                      config_store_connection={"type": "FILESYSTEM"}).status == "success"
    psa = server_client(fake, "psa", "psa-password")
    assert [m.machine_name for m in psa.machines.list().machines] == ["ALPHA"]
    assert psa.machines.status("ALPHA").configured_state == "STARTED"  # the creating machine starts
    assert psa.services.list().folders == ["System", "Utilities"]  # a new site comes with its default folders
    with pytest.raises(BadRequest, match="already participates"):
        anonymous.site.create_site(username="other", password="other-password")
    # BETA creates a second, independent site: its users and tokens are its own
    beta = server_client(fake, machine="BETA")
    beta.site.create_site(username="beta-admin", password="beta-password")
    assert len(fake.server.sites) == 2
    with pytest.raises(SignInError, match="Unable to generate token"):
        server_client(fake, "psa", "psa-password", machine="BETA")


def test_join_site_refusals(fake: FakeArcGIS) -> None:
    fake.server.site.add_user("pub", password_of("pub"), role="publisher")
    joining = server_client(fake, machine="MACHINE2")
    site_url = "https://machine1.fake.test/arcgis/admin"
    cases: list[tuple[dict[str, str], type[Exception], str]] = [
        ({"admin_url": "https://nowhere.example/arcgis/admin"}, BadRequest, "no site answers"),
        ({"admin_url": "https://machine1.fake.test/other/admin"}, BadRequest, "no site answers"),
        ({"admin_url": "https://machine3.fake.test/arcgis/admin"}, BadRequest, "no site answers"),  # in no site
        ({"admin_url": "not a url"}, BadRequest, "no site answers"),
        ({"password": "wrong-password"}, BadRequest, "invalid username or password"),
        ({"username": "pub", "password": password_of("pub")}, PermissionDenied, "not an administrator"),
    ]
    for override, error, words in cases:
        form = {"admin_url": site_url, "username": "admin", "password": "site-admin-password", **override}
        with pytest.raises(error, match=words):
            joining.site.join_site(**form)
        assert _states(fake)["MACHINE2"] == (False, "STOPPED")
    # a machine already in the site cannot join (again)
    with pytest.raises(BadRequest, match="already participates"):
        server_client(fake, machine="MACHINE1").site.join_site(
            admin_url=site_url, username="admin", password="site-admin-password")


def test_site_operations_need_a_post_and_answer_the_server_envelope(fake: FakeArcGIS) -> None:
    raw = Client(fake)
    body = raw.get("/arcgis/admin/joinSite", query_string={"f": "json"}).get_json()
    assert body["status"] == "error" and body["code"] == 405
    body = raw.post("/arcgis/admin/createNewSite", data={"f": "json", "username": "x"}).get_json()
    assert body == {"status": "error", "code": 400, "messages": [
        "Invalid parameter 'password': is required", "'password' is not valid for site.create_site."]}
