"""`f=html` directories on the fake's roots (Portal sharing/rest, Server admin) and the dashboard of the fake's
state and journal: structurally, and as a person sees them in headless Chromium (skipped when no chromium)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from arcgis_typed_fake import FakeArcGIS, RunningServer, serve
from arcgis_typed_fake.control import HEADER
from werkzeug.test import Client

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


class Page(HTMLParser):
    """The text a person reads, the links (text -> href) and the forms (legend -> field names) of a page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.text: list[str] = []
        self.links: dict[str, str] = {}
        self.forms: dict[str, list[str]] = {}
        self._href: str | None = None
        self._legend = False
        self._fields: list[str] = []
        self._skip = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a":
            self._href = a.get("href")
        elif tag in ("style", "script"):
            self._skip += 1
        elif tag == "form":
            self._fields = []
        elif tag == "legend":
            self._legend = True
        elif tag in ("input", "select") and a.get("name"):
            self._fields.append(str(a["name"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._href = None
        elif tag in ("style", "script"):
            self._skip -= 1
        elif tag == "legend":
            self._legend = False
        elif tag == "form" and self.forms:
            self.forms[list(self.forms)[-1]] = list(self._fields)

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.text.append(data)
        if self._href is not None and data.strip():
            self.links[data.strip()] = self._href
        if self._legend:
            self.forms[data.strip()] = []

    @property
    def words(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.text))


@pytest.fixture
def fake() -> FakeArcGIS:
    fake = FakeArcGIS(admin_password="admin-password", seed=3)
    admin = fake.portal.users.require("admin")
    fake.portal.add_item(admin, "admin", title="<script>alert(1)</script> Roads", type="CSV")
    return fake


def test_portal_root_directory(fake: FakeArcGIS) -> None:
    web = Client(fake)
    response = web.get("/portal/sharing/rest?f=html")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = Page(response.get_data(as_text=True))
    assert "ArcGIS Portal Directory" in page.words and '"currentVersion": "2024.1"' in page.words
    assert {"info", "search"} <= set(page.links)
    assert page.forms["generateToken"][:2] == ["username", "password"]
    assert "Up" not in page.links  # the root has no parent
    for name in ("info", "search"):
        followed = web.get(page.links[name])
        assert followed.status_code == 200
    assert web.get("/portal/sharing/rest?f=json").get_json() == {"currentVersion": "2024.1"}


def server_token(web: Client) -> str:
    body = web.post("/arcgis/admin/generateToken",
                    data={"username": "admin", "password": "admin-password", "client": "requestip", "f": "json"})
    return str(body.get_json()["token"])


def test_server_admin_root_directory(fake: FakeArcGIS) -> None:
    web = Client(fake)
    page = Page(web.get(f"/arcgis/admin?f=html&token={server_token(web)}").get_data(as_text=True))
    assert "ArcGIS Server Administrator Directory" in page.words
    assert "services" in page.links and "token=" in page.links["services"]  # links carry the token
    assert web.get(page.links["services"]).status_code == 200


def test_dashboard_shows_state_and_journal_escaped(fake: FakeArcGIS) -> None:
    web = Client(fake)
    web.get("/portal/sharing/rest?f=json")
    fake.faults.add("content.get", error_code=500, times=2)
    assert web.get("/_fake/dashboard").get_json()["error"]["code"] == 403
    assert web.get("/_fake/dashboard?token=wrong").get_json()["error"]["code"] == 403
    response = web.get(f"/_fake/dashboard?token={fake.control_token}")
    html = response.get_data(as_text=True)
    assert response.mimetype == "text/html" and "<script>alert" not in html
    page = Page(html)
    assert "<script>alert(1)</script> Roads" in page.words  # shown as text, not run
    assert "1 users, 0 groups, 1 items" in page.words
    assert "org.root" in page.words and "content.get" in page.words and "error 500" in page.words
    assert page.links["Portal directory"] == "/portal/sharing/rest?f=html"
    header_page = web.get("/_fake/dashboard", headers={HEADER: fake.control_token})
    assert header_page.status_code == 200


@pytest.fixture
def served(fake: FakeArcGIS) -> Iterator[RunningServer]:
    with serve(fake, https=False) as server:
        yield server


def chromium_text(url: str) -> Page:
    assert CHROMIUM is not None
    result = subprocess.run(
        [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--no-first-run", "--user-data-dir=/tmp/arcgis-fake-chromium", "--dump-dom", url],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return Page(result.stdout)


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine (Debian: apt-get install chromium)")
def test_a_person_browses_the_fake_in_chromium(fake: FakeArcGIS, served: RunningServer) -> None:
    dashboard = chromium_text(f"{served.base_url}/_fake/dashboard?token={fake.control_token}")
    assert "arcgis-typed fake" in dashboard.words and "<script>alert(1)</script> Roads" in dashboard.words
    directory = chromium_text(served.base_url + dashboard.links["Portal directory"])
    assert "ArcGIS Portal Directory" in directory.words and "generateToken" in directory.forms
    info = chromium_text(served.base_url + directory.links["info"])  # following a child link, as a click would
    assert "owningSystemUrl" in info.words or "authInfo" in info.words
    request = urllib.request.Request(f"{served.server_admin_url}/generateToken", method="POST",
                                     data=b"username=admin&password=admin-password&client=requestip&f=json")
    with urllib.request.urlopen(request, timeout=30) as answer:
        token = json.loads(answer.read())["token"]
    signed_in = dashboard.links["Server Administrator Directory"] + f"&token={token}"
    admin = chromium_text(served.base_url + signed_in)
    assert "ArcGIS Server Administrator Directory" in admin.words
    services = chromium_text(served.base_url + admin.links["services"])
    assert "Supported Operations" in services.words
