"""Server tokens end to end: admin/generateToken (valid only on the machine that issued it), the token service
tokens/generateToken (valid on every machine of the site), expiry and bindings, where a token may travel (a
POST carries it in the body or the Bearer header, never in the URL), and the Server error envelope."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from arcgis_typed import (
    BadRequest,
    InvalidToken,
    ServerAdminClient,
    SignInError,
    TokenRequired,
    WsgiTransport,
)
from arcgis_typed_fake import FakeArcGIS, ManualClock
from e2e_helpers import server_client, server_url
from werkzeug.test import Client

START_MS = 1_700_000_000_000
START = datetime.fromtimestamp(START_MS / 1000, tz=UTC)
PASSWORD = "server-admin-password"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START_MS)


@pytest.fixture
def fake(clock: ManualClock) -> FakeArcGIS:
    fake = FakeArcGIS(admin_password=PASSWORD, clock=clock, server_machines=("MACHINE1", "MACHINE2"),
                      password_iterations=1)
    joining = server_client(fake, machine="MACHINE2")
    joining.site.join_site(admin_url="https://machine1.fake.test/arcgis/admin", username="admin", password=PASSWORD)
    return fake


def raw_token(fake: FakeArcGIS, path: str = "/arcgis/admin/generateToken", host: str = "machine1.fake.test",
              **form: str) -> dict[str, object]:
    response = Client(fake).post(path, data={"username": "admin", "password": PASSWORD, "f": "json", **form},
                                 headers={"Host": host})
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert isinstance(body, dict)
    return body


def get(fake: FakeArcGIS, path: str, host: str = "machine1.fake.test", **kw: Any) -> dict[str, object]:
    body = Client(fake).get(path, headers={"Host": host}, **kw).get_json()
    assert isinstance(body, dict)
    return body


@pytest.mark.seed("ServerAdmin.generateToken")
def test_generate_token_expires_after_the_requested_minutes(fake: FakeArcGIS, clock: ManualClock) -> None:
    anonymous = server_client(fake)
    info = anonymous.tokens.generate_token(username="admin", password=PASSWORD, expiration=30)
    assert info.expires == START + timedelta(minutes=30)
    assert info.ssl is True and len(info.token) >= 32
    client = server_client(fake, token=info.token)
    assert client.info.admin_info().logged_in_user == "admin"
    clock.advance(minutes=31)
    with pytest.raises(InvalidToken):
        client.info.admin_info()


@pytest.mark.seed("ServerAdmin.status-error-envelope")
def test_wrong_credentials_get_the_server_envelope(fake: FakeArcGIS) -> None:
    body = raw_token(fake, password="wrong")
    assert body == {"status": "error", "messages": ["Unable to generate token.", "Invalid username or password."],
                    "code": 400}
    with pytest.raises(SignInError, match="Invalid username or password"):
        server_client(fake, "admin", "wrong")


def test_admin_tokens_only_work_on_the_machine_that_issued_them(fake: FakeArcGIS) -> None:
    token = str(raw_token(fake)["token"])  # issued by MACHINE1
    headers = {"X-Esri-Authorization": f"Bearer {token}"}
    ok = Client(fake).get("/arcgis/admin/machines", query_string={"f": "json"},
                          headers={**headers, "Host": "machine1.fake.test"}).get_json()
    assert [m["machineName"] for m in ok["machines"]] == ["MACHINE1", "MACHINE2"]
    refused = Client(fake).get("/arcgis/admin/machines", query_string={"f": "json"},
                               headers={**headers, "Host": "machine2.fake.test"}).get_json()
    assert refused["status"] == "error" and refused["code"] == 498
    assert refused["messages"][0] == "Invalid token."
    # the typed client signed in on MACHINE1 cannot be pointed at MACHINE2 with the same token
    signed_in = server_client(fake, "admin", machine="MACHINE1")
    assert signed_in.auth is not None
    elsewhere = server_client(fake, machine="MACHINE2", token=signed_in.auth.token())
    with pytest.raises(InvalidToken, match="only valid on the machine that issued it"):
        elsewhere.machines.list()


def test_the_token_service_issues_tokens_every_machine_accepts(fake: FakeArcGIS) -> None:
    info = server_client(fake).tokens.generate_server_token(username="admin", password=PASSWORD)
    for machine in ("MACHINE1", "MACHINE2"):
        client = server_client(fake, machine=machine, token=info.token)
        assert client.info.admin_info().logged_in_user_privilege == "ADMINISTER"
    # ... but only the machines of its site: an unregistered machine knows no token
    server_client(fake, token=info.token).machines.unregister("MACHINE2")
    with pytest.raises(BadRequest, match="does not participate in a site"):
        server_client(fake, machine="MACHINE2", token=info.token).machines.list()


def test_info_advertises_the_token_service(fake: FakeArcGIS) -> None:
    client = server_client(fake)
    for info in (client.info.server_info(), client.info.rest_info()):
        assert info.current_version == 11.4 and info.full_version == "11.4.0"
        assert info.auth_info is not None and info.auth_info.is_token_based_security
        assert info.auth_info.token_services_url == "https://fake.arcgis.test/arcgis/tokens/generateToken"
    body = get(fake, "/arcgis/rest/info", query_string={"f": "json"})
    assert body["currentVersion"] == 11.4  # a number on Server (Portal's is a dotted string)
    assert body["authInfo"] == {"isTokenBasedSecurity": True, "shortLivedTokenValidity": 60,
                                "tokenServicesUrl": "http://machine1.fake.test/arcgis/tokens/generateToken"}


def test_bindings_referer_and_ip(fake: FakeArcGIS) -> None:
    bound = str(raw_token(fake, client="referer", referer="https://app.example.test")["token"])
    headers = {"X-Esri-Authorization": f"Bearer {bound}", "Host": "machine1.fake.test"}
    ok = Client(fake).get("/arcgis/admin/info", query_string={"f": "json"},
                          headers={**headers, "Referer": "https://app.example.test"}).get_json()
    assert ok["loggedInUser"] == "admin"
    assert Client(fake).get("/arcgis/admin/info", query_string={"f": "json"}, headers=headers).get_json()["code"] == 498
    assert raw_token(fake, client="referer")["code"] == 400  # the referer is required with client=referer
    assert raw_token(fake, client="ip")["code"] == 400
    by_ip = str(raw_token(fake, client="ip", ip="10.1.2.3")["token"])
    refused = Client(fake).get("/arcgis/admin/info", query_string={"f": "json", "token": by_ip},
                               headers={"Host": "machine1.fake.test"}).get_json()
    assert refused["code"] == 498  # the test client comes from 127.0.0.1
    by_request = str(raw_token(fake, client="requestip")["token"])
    assert get(fake, "/arcgis/admin/info", query_string={"f": "json", "token": by_request})["loggedInUser"] == "admin"


@pytest.mark.seed("ServerAdmin.privilege-check")
def test_a_post_carries_its_token_in_the_body_or_the_bearer_header(fake: FakeArcGIS) -> None:
    token = str(raw_token(fake)["token"])
    client = Client(fake)
    host = {"Host": "machine1.fake.test"}
    in_url = client.post("/arcgis/admin/services/createFolder", query_string={"token": token},
                         data={"folderName": "FromUrl", "f": "json"}, headers=host).get_json()
    assert in_url["status"] == "error" and in_url["code"] == 499
    assert "request body" in in_url["messages"][1]
    in_body = client.post("/arcgis/admin/services/createFolder",
                          data={"folderName": "FromBody", "f": "json", "token": token}, headers=host).get_json()
    assert in_body == {"status": "success"}
    bearer = client.post("/arcgis/admin/services/createFolder", data={"folderName": "FromHeader", "f": "json"},
                         headers={**host, "X-Esri-Authorization": f"Bearer {token}"}).get_json()
    assert bearer == {"status": "success"}
    authorization = client.post("/arcgis/admin/services/createFolder", data={"folderName": "FromAuth", "f": "json"},
                                headers={**host, "Authorization": f"Bearer {token}"}).get_json()
    assert authorization == {"status": "success"}
    none = client.post("/arcgis/admin/services/createFolder", data={"folderName": "NoToken", "f": "json"},
                       headers=host).get_json()
    assert none["code"] == 499 and none["messages"][0] == "Token Required"
    # GET requests may carry it in the query string
    assert get(fake, "/arcgis/admin/services", query_string={"f": "json", "token": token})["folderName"] == "/"
    folders = [f.name for f in fake.server.site.catalog.folders()]
    assert folders == ["System", "Utilities", "FromBody", "FromHeader", "FromAuth"]
    with pytest.raises(TokenRequired):
        server_client(fake).services.create_folder(folder_name="Anonymous")


def test_password_sign_in_refreshes_after_expiry(fake: FakeArcGIS, clock: ManualClock) -> None:
    client = ServerAdminClient(server_url(fake), transport=WsgiTransport(fake), username="admin", password=PASSWORD)
    assert client.machines.list().machines
    clock.advance(hours=2)  # the token expired: the client fetches a new one by itself
    assert client.machines.list().machines
