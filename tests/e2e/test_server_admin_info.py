"""The Administrator API's root and info resources, and the browsable `f=html` pages of the Server
Administrator Directory (the admin root and the services resource)."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from arcgis_typed import PermissionDenied, ServerAdminClient, TokenRequired
from arcgis_typed.server_admin.models.services import Service
from arcgis_typed_fake import FakeArcGIS
from e2e_helpers import add_server_user, server_client
from werkzeug.test import Client

PASSWORD = "server-admin-password"


@pytest.fixture
def fake() -> FakeArcGIS:
    return FakeArcGIS(admin_password=PASSWORD, password_iterations=1)


@pytest.fixture
def token(fake: FakeArcGIS) -> str:
    body = Client(fake).post("/arcgis/admin/generateToken",
                             data={"username": "admin", "password": PASSWORD, "f": "json"}).get_json()
    return str(body["token"])


def test_admin_root_lists_its_resources(fake: FakeArcGIS) -> None:
    root = server_client(fake, "admin").info.admin_root()
    assert root.resources == ["machines", "services", "info"]
    assert root.current_version == 11.4 and root.is_server_licensed
    with pytest.raises(TokenRequired):
        server_client(fake).info.admin_root()


def test_admin_info_names_the_callers_privilege(fake: FakeArcGIS) -> None:
    assert server_client(fake, "admin").info.admin_info().logged_in_user_privilege == "ADMINISTER"
    assert add_server_user(fake, "pub", "publisher").info.admin_info().logged_in_user_privilege == "PUBLISH"
    plain = add_server_user(fake, "viewer", "user")
    assert plain.info.admin_info().logged_in_user_privilege == "ACCESS"
    with pytest.raises(PermissionDenied):
        plain.info.admin_root()  # the directory needs the administer or the publish privilege


def test_json_and_pjson_stay_the_default(fake: FakeArcGIS, token: str) -> None:
    raw = Client(fake)
    plain = raw.get("/arcgis/admin", query_string={"token": token})
    assert plain.mimetype == "application/json" and plain.get_json()["resources"]
    pretty = raw.get("/arcgis/admin", query_string={"token": token, "f": "pjson"})
    assert pretty.mimetype == "application/json" and b"\n  " in pretty.data
    assert json.loads(pretty.data) == plain.get_json()


def test_the_admin_root_page(fake: FakeArcGIS, token: str) -> None:
    response = Client(fake).get("/arcgis/admin", query_string={"f": "html", "token": token})
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "<title>ArcGIS Server Administrator Directory</title>" in page
    links = [unescape(h) for h in re.findall(r'href="([^"]+)"', page)]
    for resource in ("machines", "services", "info"):
        assert f"/arcgis/admin/{resource}?f=html&token={token}" in links
    forms = re.findall(r'<form method="post" action="([^"]+)">', page)
    assert forms == ["/arcgis/admin/createNewSite", "/arcgis/admin/generateToken", "/arcgis/admin/joinSite"]
    assert '<input name="adminURL" type="text" required>' in page
    assert '<input name="password" type="password" required>' in page  # secrets are password fields
    assert page.count(f'<input type="hidden" name="token" value="{token}">') == 3


def test_the_services_pages(fake: FakeArcGIS, token: str) -> None:
    client = server_client(fake, "admin")
    client.services.create_folder(folder_name="Maps", description="City maps")
    client.services.create_service(service=Service(service_name="Roads", type="MapServer"), folder_name="Maps")
    raw = Client(fake)
    root = raw.get("/arcgis/admin/services", query_string={"f": "html", "token": token}).get_data(as_text=True)
    links = [unescape(h).split("?")[0] for h in re.findall(r'href="([^"]+)"', root)]
    assert {"/arcgis/admin/services/System", "/arcgis/admin/services/Utilities", "/arcgis/admin/services/Maps",
            "/arcgis/admin/services/SampleWorldCities.MapServer"} <= set(links)
    assert re.findall(r'action="([^"]+)"', root) == ["/arcgis/admin/services/createFolder",
                                                     "/arcgis/admin/services/createService"]
    folder = raw.get("/arcgis/admin/services/maps", query_string={"f": "html", "token": token}).get_data(as_text=True)
    assert "/arcgis/admin/services/maps/Roads.MapServer?f=html" in unescape(folder)
    assert re.findall(r'action="([^"]+)"', folder) == ["/arcgis/admin/services/maps/createService",
                                                       "/arcgis/admin/services/maps/deleteFolder"]
    # the page's links and forms work: submit the deleteFolder form as a browser would
    done = raw.post("/arcgis/admin/services/maps/deleteFolder", data={"token": token, "f": "json"}).get_json()
    assert done == {"status": "success"}


def test_everything_on_a_page_is_escaped(fake: FakeArcGIS, token: str) -> None:
    evil = '<script>alert("x")</script>&"'
    client = server_client(fake, "admin")
    client.services.create_folder(folder_name="Evil", description=evil)
    client.services.create_service(service=Service(service_name="Svc", type="MapServer", description=evil))
    for path in ("/arcgis/admin/services", "/arcgis/admin/services/Evil"):
        page = Client(fake).get(path, query_string={"f": "html", "token": token}).get_data(as_text=True)
        assert "<script>" not in page and "&lt;script&gt;" in page
    # a token is echoed into links and hidden inputs: escaped too (it must still be a valid token to get a page)
    page = Client(fake).get("/arcgis/admin", query_string={"f": "html", "token": token}).get_data(as_text=True)
    assert f'value="{token}"' in page


def test_html_errors_use_the_server_envelope(fake: FakeArcGIS) -> None:
    body = Client(fake).get("/arcgis/admin/services", query_string={"f": "html"}).get_json()
    assert body["status"] == "error" and body["code"] == 499


def test_the_plugin_fixture_is_signed_in_as_the_primary_site_administrator(
    arcgis_server_admin: ServerAdminClient, arcgis_fake: FakeArcGIS
) -> None:
    assert arcgis_server_admin.info.admin_info().logged_in_user == arcgis_fake.server_admin_username
    assert arcgis_fake.server.site.users[arcgis_fake.server_admin_username.lower()].primary
