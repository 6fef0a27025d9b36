"""Esri's official `arcgis` client (2.4.4), unmodified, against the fake: `tox -e compat`.

Every scenario runs twice: in-process, through the `requests` adapter that calls the fake's WSGI app
(`GIS(..., adapter={"https://fake.arcgis.test": WsgiRequestsAdapter(fake)})`, no socket), and over HTTPS
against the threaded fake (`serve(fake, https=True)`; the client trusts its throwaway CA through
`ca_bundles=`, because 2.4.4 accepts only booleans in `verify_cert`).

A recording WSGI wrapper sits in front of the fake so the tests can also check what the client sent on the
wire (OAuth2 sign-in instead of generateToken, the paging parameters), not only what it returned.
"""

from __future__ import annotations

import io
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

pytest.importorskip("arcgis")

from arcgis.auth._error import ArcGISLoginError  # in arcgis.auth.__all__, but not imported there
from arcgis.gis import GIS, Item
from arcgis_typed_fake import FakeArcGIS, RunningServer, serve
from arcgis_typed_fake.requests_adapter import WsgiRequestsAdapter

pytestmark = pytest.mark.compat

FAKE_ORIGIN = "https://fake.arcgis.test"
CSV = b"name,value\nalpha,1\nbeta,2\n"


class Recorder:
    """WSGI middleware that notes method, path and parameters of every request before the fake serves it."""

    def __init__(self, app: FakeArcGIS) -> None:
        self.app = app
        self.portal_context = app.portal_context  # `serve` builds `.portal_url` from it
        self.calls: list[tuple[str, str, dict[str, str], dict[str, str]]] = []
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        params = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BytesIO(body)
            params.update({k: v[-1] for k, v in parse_qs(body.decode("utf-8")).items()})
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        with self._lock:
            self.calls.append((environ["REQUEST_METHOD"], environ["PATH_INFO"], params, headers))
        return self.app(environ, start_response)

    def to(self, path_suffix: str) -> list[dict[str, str]]:
        """Parameters of the requests whose path (with `//` collapsed) ends with `path_suffix`."""
        with self._lock:
            return [p for _, path, p, _ in self.calls if path.replace("//", "/").rstrip("/").endswith(path_suffix)]

    def paths(self) -> list[str]:
        with self._lock:
            return [path for _, path, _, _ in self.calls]


class Target:
    """Where the official client finds the fake, and how to build a `GIS` against it."""

    def __init__(self, url: str, recorder: Recorder, gis_kwargs: dict[str, Any]) -> None:
        self.url = url
        self.recorder = recorder
        self.gis_kwargs = gis_kwargs

    def gis(self, username: str, password: str) -> GIS:
        return GIS(self.url, username, password, **self.gis_kwargs)


@pytest.fixture(params=["in-process", "https"])
def target(
    request: pytest.FixtureRequest, arcgis_fake: FakeArcGIS, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Target]:
    # Downloads (`Item.get_data`) go to tempfile.gettempdir(); keep them inside the test's tmp_path.
    downloads: Path = request.getfixturevalue("tmp_path") / "downloads"
    downloads.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(downloads))
    recorder = Recorder(arcgis_fake)
    if request.param == "in-process":
        yield Target(f"{FAKE_ORIGIN}/portal", recorder, {"adapter": {FAKE_ORIGIN: WsgiRequestsAdapter(recorder)}})
        return
    # Trust comes from the fake's own CA only, whatever the machine's environment says.
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    with serve(recorder, https=True) as server:
        assert server.ca_path is not None
        yield Target(server.portal_url, recorder, {"ca_bundles": server.ca_path})


@pytest.fixture
def gis(target: Target, arcgis_admin_credentials: tuple[str, str]) -> GIS:
    username, password = arcgis_admin_credentials
    return target.gis(username, password)


@pytest.fixture
def csv_file(tmp_path: Path) -> Path:
    path = tmp_path / "cities.csv"
    path.write_bytes(CSV)
    return path


def test_login_reads_the_signed_in_user(gis: GIS, target: Target, arcgis_fake: FakeArcGIS) -> None:
    me = gis.users.me
    assert me is not None
    assert me.username == "admin"
    assert me.fullName == "Administrator"
    assert me.orgId == arcgis_fake.portal.org.id
    assert "portal:admin:viewUsers" in me.privileges
    assert me._is_admin  # drives the client's admin code paths (content.add, Item.delete)
    assert gis.properties.portalName == "ArcGIS Enterprise"
    assert gis.properties.id == arcgis_fake.portal.org.id
    assert gis.version == [2024, 1]
    # The 2.4.4 client signs in with the OAuth2 implicit flow (never generateToken) and sends the token
    # only as a Bearer header.
    assert target.recorder.to("/sharing/oauth2/signin")[0]["username"] == "admin"
    assert target.recorder.to("/generateToken") == []
    authorised = [h for _, path, _, h in target.recorder.calls if path.endswith("/portals/self")]
    assert any(h.get("x-esri-authorization", "").startswith("Bearer ") for h in authorised)


def test_users_get(gis: GIS, target: Target) -> None:
    admin = gis.users.get("admin")
    assert admin is not None
    assert admin.username == "admin"
    assert admin.fullName == "Administrator"
    assert admin.role == "org_admin"
    assert "portal:user:createItem" in admin.privileges
    assert gis.users.get("nobody-here") is None
    assert target.recorder.to("/community/users/nobody-here")


def test_wrong_password_is_a_login_error(target: Target, arcgis_fake: FakeArcGIS) -> None:
    admin = arcgis_fake.portal.users.get("admin")
    assert admin is not None
    last_login = admin.last_login
    with pytest.raises(Exception) as raised:
        target.gis("admin", "not-the-password")
    # The connection layer re-raises the auth handler's ArcGISLoginError as a plain Exception; the
    # original is in the chain.
    chain: list[BaseException] = []
    exc: BaseException | None = raised.value
    while exc is not None and len(chain) < 10:
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    login_errors = [e for e in chain if isinstance(e, ArcGISLoginError)]
    assert login_errors, f"no ArcGISLoginError in {chain!r}"
    assert login_errors[0].message == "Invalid username or password."
    assert target.recorder.to("/sharing/oauth2/signin")[0]["username"] == "admin"
    assert admin.last_login == last_login  # no successful sign-in happened


def test_item_lifecycle(gis: GIS, target: Target, arcgis_fake: FakeArcGIS, csv_file: Path) -> None:
    # 2.4.4 deprecates ContentManager.add and Item.share (the calls of the seeds) and forces its warnings
    # on with warnings.simplefilter("always"), so a filterwarnings mark cannot hide them: expect them.
    with pytest.warns(DeprecationWarning, match="add is deprecated"):
        added = gis.content.add(
            item_properties={"title": "Cities", "type": "CSV", "tags": "cities,test", "snippet": "Two cities"},
            data=str(csv_file),
        )
    assert isinstance(added, Item)
    assert (added.title, added.type, added.owner) == ("Cities", "CSV", "admin")
    record = arcgis_fake.portal.items.get(added.id)
    assert record is not None
    assert (record.title, record.owner, record.data) == ("Cities", "admin", CSV)
    assert len(target.recorder.to("/content/users/admin/addItem")) == 1

    item = gis.content.get(added.id)
    assert item is not None
    assert item.id == added.id
    assert (item.title, item.type, item.owner, item.access) == ("Cities", "CSV", "admin", "private")
    assert item.tags == ["cities", "test"]
    assert item.snippet == "Two cities"
    assert item.size == len(CSV)

    downloaded = item.get_data()
    assert Path(downloaded).read_bytes() == CSV
    assert Path(downloaded).parent == Path(tempfile.gettempdir())

    assert item.update(item_properties={"title": "Cities (renamed)"}) is True
    assert item.title == "Cities (renamed)"
    renamed = arcgis_fake.portal.items.get(item.id)
    assert renamed is not None and renamed.title == "Cities (renamed)"
    assert gis.content.get(item.id).title == "Cities (renamed)"

    with pytest.warns(DeprecationWarning, match="share is deprecated"):
        shared = item.share(org=True)
    assert shared["itemId"] == item.id
    assert shared["notSharedWith"] == []
    shared_record = arcgis_fake.portal.items.get(item.id)
    assert shared_record is not None and shared_record.access == "org"
    assert gis.content.get(item.id).access == "org"
    share_call = target.recorder.to(f"/content/items/{item.id}/share")
    assert share_call[0]["org"] == "true" and share_call[0]["everyone"] == "false"

    assert item.delete() is True
    assert arcgis_fake.portal.items.get(item.id) is None
    assert gis.content.get(item.id) is None
    assert [r.id for r in gis.content.search(f"id:{item.id}")] == []


def test_search_pages_through_more_than_one_page(gis: GIS, target: Target, arcgis_fake: FakeArcGIS) -> None:
    portal = arcgis_fake.portal
    owner = portal.users.get("admin")
    assert owner is not None
    seeded = {portal.add_item(owner, "admin", title=f"Seeded {n:03d}", type="CSV").id: n for n in range(130)}
    others = portal.add_user("other", "other-password-1", role="org_publisher")
    portal.add_item(others, "other", title="Not mine", type="CSV")

    # A small max_items is one page of that size.
    first = gis.content.search("owner:admin", max_items=15, sort_field="title", sort_order="asc")
    assert [i.title for i in first] == [f"Seeded {n:03d}" for n in range(15)]
    assert all(i.owner == "admin" for i in first)

    # More than the 100-per-page maximum: the client asks for 100 at a time, from start=1 and start=101.
    found = gis.content.search("owner:admin", max_items=300)
    assert len(found) == 130
    assert {i.id for i in found} == set(seeded)
    assert {i.title for i in found} == {f"Seeded {n:03d}" for n in range(130)}
    pages = target.recorder.to("/sharing/rest/search")[1:]
    assert {(p["start"], p["num"]) for p in pages} >= {("1", "100"), ("101", "100")}
    assert all(p["q"] == f"owner:admin accountid:{portal.org.id}" for p in pages)

    # User.items() follows nextStart through the user's content, 99 items a page.
    mine = list(gis.users.me.items(max_items=1000))
    assert len(mine) == 130
    assert {i.id for i in mine} == set(seeded)
    listing = target.recorder.to("/content/users/admin")
    assert [(p.get("start"), p.get("num")) for p in listing if "num" in p] == [("1", "99"), ("100", "99")]


def test_https_is_verified_against_the_fakes_ca(
    arcgis_fake_server: RunningServer, arcgis_admin_credentials: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    username, password = arcgis_admin_credentials
    with pytest.raises(Exception, match="(?i)certificate verify failed"):
        GIS(arcgis_fake_server.portal_url, username, password)
    # verify_cert=False is the other documented way in (no CA at all)
    assert GIS(arcgis_fake_server.portal_url, username, password, verify_cert=False).users.me.username == "admin"


def test_roles_and_member_administration(gis: GIS, target: Target, arcgis_fake: FakeArcGIS) -> None:
    """RoleManager / Role and the member-administration methods of `User` / `UserManager`, unmodified."""
    arcgis_fake.portal.add_user("bobby", "Bobby-pass-1", role="org_user")
    roles = gis.users.roles
    role = roles.create(name="Editors", description="Edit", privileges=["portal:user:joinGroup", "features:user:edit"])
    assert role is not None and role.name == "Editors"
    assert sorted(role.privileges) == ["features:user:edit", "portal:user:joinGroup"]
    assert roles.exists("Editors") and [r.name for r in roles.all()] == ["Viewer", "Editors"]
    assert roles.get_role(role.role_id).name == "Editors"
    assert target.recorder.to("/portals/self/roles")  # also read after sign-in, to name the user's role
    bobby = gis.users.get("bobby")
    assert bobby.update_role(role)
    assert arcgis_fake.portal.users.require("bobby").role_id == role.role_id
    with pytest.raises(Exception, match="assigned to 1 member"):
        role.delete()
    assert bobby.disable() and arcgis_fake.portal.users.require("bobby").disabled
    assert bobby.enable() and not arcgis_fake.portal.users.require("bobby").disabled
    assert gis.users.disable_users(["bobby"]) and arcgis_fake.portal.users.require("bobby").disabled
    assert gis.users.enable_users(["bobby"]) and not arcgis_fake.portal.users.require("bobby").disabled
    assert bobby.update_role("org_user")
    assert role.delete() and not roles.exists("Editors")
    own = target.gis("bobby", "Bobby-pass-1").users.me
    assert own.reset(password="Bobby-pass-1", new_password="Bobby-pass-2")
    assert target.gis("bobby", "Bobby-pass-2").users.me.username == "bobby"
