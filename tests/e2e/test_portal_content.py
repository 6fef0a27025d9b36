"""Items end to end: adding (file, text, url), reading, data, updating, deleting, sharing with the privilege
rules, user and folder content, and search (query terms, org scoping, sorting, paging, anonymous callers)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from arcgis_typed import (
    ArcGISError,
    BadRequest,
    Conflict,
    PermissionDenied,
    PortalClient,
    TokenRequired,
    Upload,
    WsgiTransport,
)
from arcgis_typed._runtime.transport import HttpRequest, HttpResponse
from arcgis_typed_fake import FakeArcGIS, ManualClock
from e2e_helpers import add_member, bearer, client_for, raw_json
from werkzeug.test import Client

Member = Callable[..., PortalClient]
REST = "/portal/sharing/rest"
PNG = bytes(range(256)) * 40 + b"\x00\r\n\xff end"


def snapshot(fake: FakeArcGIS) -> list[tuple[object, ...]]:
    return sorted(
        (i.id, i.owner, i.title, i.access, tuple(i.tags), i.data, i.modified, i.protected, i.folder_id)
        for i in fake.portal.items
    )


@pytest.fixture
def viewer(member: Member) -> PortalClient:
    return member("vic", "viewer")


# --- adding and reading ------------------------------------------------------------------------------------


@pytest.mark.seed("ContentManager.add")
@pytest.mark.seed("ContentManager.get")
@pytest.mark.seed("Item.(constructor)")
@pytest.mark.seed("Item.get_data")
@pytest.mark.seed("Item.download")
def test_add_item_with_a_file(alice: PortalClient, arcgis_fake: FakeArcGIS) -> None:
    added = alice.content.add_item(
        "alice", title="Survey photo", type="Image", file=Upload("photo.png", PNG, "image/png"),
        tags=["field", "2024"], type_keywords=["Data", "Image"], snippet="A photo", description="<b>desc</b>",
        extent="-10.5,40,-9,41.25", culture="en-us", access_information="Me", license_info="CC-BY",
        properties={"capturedBy": "drone", "n": 3},
    )
    assert added.success is True
    assert added.folder is None
    assert len(added.id) == 32 and int(added.id, 16) >= 0

    item = alice.content.get(added.id)
    assert item.id == added.id
    assert item.owner == "alice"
    assert item.org_id == arcgis_fake.portal.org.id
    assert item.title == "Survey photo"
    assert item.type == "Image"
    assert item.name == "photo.png"
    assert item.size == len(PNG)
    assert item.tags == ["field", "2024"]
    assert item.type_keywords == ["Data", "Image"]
    assert item.snippet == "A photo"
    assert item.description == "<b>desc</b>"
    assert item.extent == [[-10.5, 40.0], [-9.0, 41.25]]
    assert item.culture == "en-us"
    assert item.access_information == "Me"
    assert item.license_info == "CC-BY"
    assert item.properties == {"capturedBy": "drone", "n": 3}
    assert item.access == "private"
    assert item.protected is False
    assert item.owner_folder is None
    assert item.created == item.modified

    assert alice.content.get_data(added.id) == PNG  # byte for byte, multipart and back


def test_get_data_answers_with_the_uploaded_type_and_name(alice: PortalClient, raw: Client) -> None:
    added = alice.content.add_item("alice", title="CSV", type="CSV", file=Upload("../../etc/a b.csv", b"x,y\n1,2\n",
                                                                                   "text/csv"))
    response = raw.get(f"{REST}/content/items/{added.id}/data", headers=bearer(alice) | {"Referer": "http"})
    assert response.status_code == 200
    assert response.data == b"x,y\n1,2\n"
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="a b.csv"'  # no folder part


@pytest.mark.seed("ContentManager.add")
@pytest.mark.seed("Item.get_data")
def test_add_item_with_text(alice: PortalClient) -> None:
    web_map = json.dumps({"operationalLayers": [], "baseMap": {"title": "Topographic"}, "version": "2.31"})
    added = alice.content.add_item("alice", title="My map", type="Web Map", text=web_map)
    assert alice.content.get_data(added.id) == web_map.encode()
    assert json.loads(alice.content.get_data(added.id))["baseMap"]["title"] == "Topographic"
    item = alice.content.get(added.id)
    assert item.size == len(web_map.encode())
    assert item.name is None
    assert item.url is None


@pytest.mark.seed("ContentManager.add")
def test_add_item_with_a_url(alice: PortalClient) -> None:
    url = "https://services.example.test/arcgis/rest/services/Rivers/FeatureServer"
    added = alice.content.add_item("alice", title="Rivers", type="Feature Service", url=url, tags=["hydro"])
    item = alice.content.get(added.id)
    assert item.url == url
    assert item.type == "Feature Service"
    assert item.size == -1


@pytest.mark.seed("ContentManager.add")
def test_add_item_refuses_bad_input(alice: PortalClient, arcgis_fake: FakeArcGIS) -> None:
    before = snapshot(arcgis_fake)
    with pytest.raises(BadRequest) as several:
        alice.content.add_item("alice", title="x", type="Web Map", text="{}", url="https://x.test")
    assert "one of file, text or url" in several.value.message
    with pytest.raises(BadRequest) as empty:
        alice.content.add_item("alice", title="", type="Web Map")
    assert empty.value.message == "Invalid parameter 'title': is required"
    with pytest.raises(BadRequest) as blank:
        alice.content.add_item("alice", title="   ", type="Web Map")
    assert "title" in blank.value.message
    with pytest.raises(BadRequest) as extent:
        alice.content.add_item("alice", title="x", type="Web Map", extent="1,2,3")
    assert "extent" in extent.value.message
    with pytest.raises(BadRequest):
        alice.content.add_item("nobody", title="x", type="Web Map")
    assert snapshot(arcgis_fake) == before


@pytest.mark.seed("ContentManager.add")
def test_only_the_owner_adds_to_their_content(alice: PortalClient, bob: PortalClient, arcgis_portal: PortalClient,
                                              arcgis_fake: FakeArcGIS) -> None:
    with pytest.raises(PermissionDenied) as caught:
        bob.content.add_item("alice", title="intruder", type="Web Map")
    assert caught.value.message == "You can only add items to your own content."
    with pytest.raises(PermissionDenied):
        arcgis_portal.content.add_item("alice", title="admin too", type="Web Map")
    assert len(arcgis_fake.portal.items) == 0


@pytest.mark.seed("ContentManager.add")
def test_a_viewer_cannot_create_items(viewer: PortalClient, arcgis_fake: FakeArcGIS) -> None:
    with pytest.raises(PermissionDenied) as caught:
        viewer.content.add_item("vic", title="Not allowed", type="Web Map", text="{}")
    assert caught.value.code == 403
    assert len(arcgis_fake.portal.items) == 0


def test_adding_needs_a_token(anonymous: PortalClient) -> None:
    with pytest.raises(TokenRequired):
        anonymous.content.add_item("admin", title="x", type="Web Map")


@pytest.mark.seed("ContentManager.get")
def test_get_unknown_item_is_400(arcgis_portal: PortalClient) -> None:
    with pytest.raises(BadRequest) as caught:
        arcgis_portal.content.get("0" * 32)
    assert caught.value.message == "Item does not exist or is inaccessible."
    with pytest.raises(BadRequest):
        arcgis_portal.content.get_data("0" * 32)


# --- updating and deleting ---------------------------------------------------------------------------------


@pytest.mark.seed("Item.update")
def test_update_title_tags_and_data() -> None:
    clock = ManualClock()
    fake = FakeArcGIS(admin_password="admin-password", clock=clock)
    alice = add_member(fake, "alice")
    added = alice.content.add_item("alice", title="Draft", type="Web Map", text='{"v":1}', tags=["a"],
                                   snippet="first")
    created = alice.content.get(added.id).created
    assert created is not None

    clock.advance(minutes=5)
    result = alice.content.update("alice", added.id, title="Final", tags=["b", "c"], text='{"v":2}')
    assert (result.success, result.id) == (True, added.id)
    item = alice.content.get(added.id)
    assert item.title == "Final"
    assert item.tags == ["b", "c"]
    assert item.snippet == "first"  # not given: unchanged
    assert item.created == created
    assert item.modified == created + timedelta(minutes=5)
    assert alice.content.get_data(added.id) == b'{"v":2}'

    clock.advance(minutes=1)
    alice.content.update("alice", added.id, file=Upload("v3.json", b'{"v":3}', "application/json"))
    assert alice.content.get_data(added.id) == b'{"v":3}'
    assert alice.content.get(added.id).name == "v3.json"
    assert [i.title for i in alice.content.search(q="title:final").results] == ["Final"]  # reindexed
    assert alice.content.search(q="title:draft").total == 0


@pytest.mark.seed("Item.update")
def test_update_refuses_bad_input(alice: PortalClient, arcgis_fake: FakeArcGIS) -> None:
    added = alice.content.add_item("alice", title="Keep", type="Web Map")
    before = snapshot(arcgis_fake)
    with pytest.raises(BadRequest):
        alice.content.update("alice", added.id, title="  ")
    with pytest.raises(BadRequest):
        alice.content.update("alice", added.id, text="{}", file=Upload("a", b"b"))
    with pytest.raises(BadRequest):
        alice.content.update("alice", "f" * 32, title="nope")
    with pytest.raises(BadRequest):  # the path names the wrong owner
        alice.content.update("bob", added.id, title="nope")
    assert snapshot(arcgis_fake) == before


@pytest.mark.seed("Item.delete")
def test_delete_then_get_is_400(alice: PortalClient, arcgis_fake: FakeArcGIS) -> None:
    keep = alice.content.add_item("alice", title="Keep", type="Web Map").id
    doomed = alice.content.add_item("alice", title="Doomed", type="Web Map", text="{}").id
    assert alice.content.user_content("alice").total == 2
    result = alice.content.delete("alice", doomed)
    assert (result.success, result.item_id) == (True, doomed)
    with pytest.raises(BadRequest):
        alice.content.get(doomed)
    with pytest.raises(BadRequest):
        alice.content.get_data(doomed)
    with pytest.raises(BadRequest):
        alice.content.delete("alice", doomed)  # deleting twice
    assert [i.id for i in alice.content.user_content("alice").items] == [keep]
    assert alice.content.search(q="doomed").total == 0
    assert arcgis_fake.portal.items.get(doomed) is None


@pytest.mark.seed("Item.delete")
def test_protected_items_cannot_be_deleted(alice: PortalClient, arcgis_portal: PortalClient,
                                           arcgis_fake: FakeArcGIS) -> None:
    item_id = alice.content.add_item("alice", title="Precious", type="Web Map").id
    arcgis_fake.portal.items.get(item_id).protected = True  # type: ignore[union-attr]
    for who in (alice, arcgis_portal):
        with pytest.raises(BadRequest) as caught:
            who.content.delete("alice", item_id)
        assert caught.value.message == "Unable to delete item. Delete protection is turned on."
    assert alice.content.get(item_id).protected is True
    arcgis_fake.portal.items.get(item_id).protected = False  # type: ignore[union-attr]
    assert alice.content.delete("alice", item_id).success is True


# --- who may do what to whose item ----------------------------------------------------------------------------


@pytest.mark.seed("Item.share")
def test_an_org_user_shares_their_item_with_the_org_and_everyone(
    alice: PortalClient, bob: PortalClient, anonymous: PortalClient
) -> None:
    item_id = alice.content.add_item("alice", title="Shared map", type="Web Map", text="{}").id
    with pytest.raises(BadRequest):
        bob.content.get(item_id)  # private: hidden, not forbidden

    result = alice.content.share(item_id, org=True)
    assert result.item_id == item_id and result.not_shared_with == []
    assert bob.content.get(item_id).access == "org"
    assert bob.content.get_data(item_id) == b"{}"
    with pytest.raises(BadRequest):
        anonymous.content.get(item_id)

    alice.content.share(item_id, everyone=True)
    assert anonymous.content.get(item_id).access == "public"
    assert anonymous.content.get_data(item_id) == b"{}"

    alice.content.share(item_id, everyone=False)  # stays shared with the org
    assert bob.content.get(item_id).access == "org"
    with pytest.raises(BadRequest):
        anonymous.content.get(item_id)

    alice.content.share(item_id, everyone=False, org=False)
    assert alice.content.get(item_id).access == "private"
    with pytest.raises(BadRequest):
        bob.content.get(item_id)


@pytest.mark.seed("Item.share")
def test_sharing_with_unknown_groups_reports_them(alice: PortalClient) -> None:
    item_id = alice.content.add_item("alice", title="x", type="Web Map").id
    result = alice.content.share(item_id, groups=["g1", "g2"])
    assert result.not_shared_with == ["g1", "g2"]
    assert alice.content.get(item_id).access == "private"


@pytest.mark.seed("Item.share")
def test_public_sharing_can_be_switched_off_for_the_org(alice: PortalClient, arcgis_fake: FakeArcGIS) -> None:
    item_id = alice.content.add_item("alice", title="x", type="Web Map").id
    arcgis_fake.portal.org.can_share_public = False
    with pytest.raises(PermissionDenied):
        alice.content.share(item_id, everyone=True)
    assert alice.content.get(item_id).access == "private"
    alice.content.share(item_id, org=True)
    assert alice.content.get(item_id).access == "org"


@pytest.mark.seed("Item.update")
@pytest.mark.seed("Item.delete")
@pytest.mark.seed("Item.share")
@pytest.mark.parametrize("access", ["private", "org", "public"])
def test_a_non_owner_cannot_touch_someone_elses_item(
    alice: PortalClient, bob: PortalClient, viewer: PortalClient, arcgis_fake: FakeArcGIS, access: str
) -> None:
    item_id = alice.content.add_item("alice", title="Alice's", type="Web Map", text="{}").id
    if access != "private":
        alice.content.share(item_id, org=True, everyone=access == "public")
    before = snapshot(arcgis_fake)
    # Hidden items look missing (400); visible ones are forbidden (403).
    expected = BadRequest if access == "private" else PermissionDenied
    for intruder in (bob, viewer):
        with pytest.raises(expected):
            intruder.content.update("alice", item_id, title="mine now")
        with pytest.raises(expected):
            intruder.content.delete("alice", item_id)
        for everyone, org in ((True, True), (False, True), (False, False), (None, None)):
            with pytest.raises(expected):
                intruder.content.share(item_id, everyone=everyone, org=org)
    assert snapshot(arcgis_fake) == before


@pytest.mark.seed("Item.update")
@pytest.mark.seed("Item.delete")
@pytest.mark.seed("Item.share")
def test_an_admin_may_update_share_and_delete_anyones_item(
    alice: PortalClient, bob: PortalClient, arcgis_portal: PortalClient
) -> None:
    item_id = alice.content.add_item("alice", title="Alice's", type="Web Map").id
    assert arcgis_portal.content.get(item_id).access == "private"  # admins see private items of the org
    arcgis_portal.content.update("alice", item_id, title="Fixed by admin", tags=["reviewed"])
    arcgis_portal.content.share(item_id, org=True)
    item = bob.content.get(item_id)
    assert (item.title, item.tags, item.owner, item.access) == ("Fixed by admin", ["reviewed"], "alice", "org")
    arcgis_portal.content.share(item_id, everyone=True)
    assert alice.content.get(item_id).access == "public"
    arcgis_portal.content.share(item_id, everyone=False, org=False)
    assert alice.content.get(item_id).access == "private"
    assert arcgis_portal.content.delete("alice", item_id).success is True
    with pytest.raises(BadRequest):
        alice.content.get(item_id)


@pytest.mark.seed("ContentManager.share_items")
def test_share_items_reports_each_item(alice: PortalClient, bob: PortalClient, arcgis_fake: FakeArcGIS) -> None:
    mine = [alice.content.add_item("alice", title=f"mine {i}", type="Web Map").id for i in range(2)]
    theirs = bob.content.add_item("bob", title="theirs", type="Web Map").id
    missing = "e" * 32
    result = alice.content.share_items("alice", items=[mine[0], theirs, missing, mine[1]], org=True)
    by_id = {r.item_id: r for r in result.results}
    assert [r.item_id for r in result.results] == [mine[0], theirs, missing, mine[1]]
    assert by_id[mine[0]].success and by_id[mine[1]].success
    assert by_id[mine[0]].not_shared_with == []
    assert not by_id[theirs].success and by_id[theirs].error == {
        "code": 400, "message": "Item does not exist or is inaccessible."}
    assert not by_id[missing].success and by_id[missing].error["code"] == 400  # type: ignore[index]
    assert [alice.content.get(i).access for i in mine] == ["org", "org"]
    assert bob.content.get(theirs).access == "private"


@pytest.mark.seed("ContentManager.share_items")
def test_share_items_of_someone_else(alice: PortalClient, bob: PortalClient, arcgis_portal: PortalClient) -> None:
    item_id = alice.content.add_item("alice", title="a", type="Web Map").id
    alice.content.share(item_id, org=True)
    with pytest.raises(PermissionDenied):
        bob.content.share_items("alice", items=[item_id], everyone=True)
    assert alice.content.get(item_id).access == "org"
    with pytest.raises(BadRequest):
        arcgis_portal.content.share_items("nobody", items=[item_id], everyone=True)
    done = arcgis_portal.content.share_items("alice", items=[item_id], everyone=True)
    assert done.results[0].success is True
    assert alice.content.get(item_id).access == "public"


# --- user and folder content ----------------------------------------------------------------------------------


@pytest.mark.seed("User.items")
@pytest.mark.seed("User.folders")
def test_user_and_folder_content(alice: PortalClient, bob: PortalClient, arcgis_portal: PortalClient,
                                 arcgis_fake: FakeArcGIS) -> None:
    portal = arcgis_fake.portal
    projects = portal.add_folder("alice", "Projects")
    archive = portal.add_folder("alice", "Archive")
    record = portal.users.require("alice")
    root_ids = [alice.content.add_item("alice", title=f"root {i}", type="Web Map").id for i in range(3)]
    in_projects = [portal.add_item(record, "alice", title=f"project {i}", type="CSV", folder=projects.id).id
                   for i in range(12)]

    root = alice.content.user_content("alice", num=100)
    assert root.username == "alice"
    assert root.current_folder is None
    assert sorted(i.id for i in root.items) == sorted(root_ids)
    assert root.total == 3 and root.next_start == -1
    assert [(f.id, f.title) for f in root.folders or []] == [(archive.id, "Archive"), (projects.id, "Projects")]
    assert {f.username for f in root.folders or []} == {"alice"}

    folder = alice.content.folder_content("alice", projects.id, num=5)
    assert folder.current_folder is not None and folder.current_folder.title == "Projects"
    assert folder.total == 12 and len(folder.items) == 5 and folder.next_start == 6
    assert all(i.owner_folder == projects.id for i in folder.items)
    assert sorted(i.id for i in alice.content.folder_content_all("alice", projects.id, page_size=5)) == sorted(
        in_projects)
    assert alice.content.folder_content("alice", archive.id).total == 0
    # A folder can be named by its title too.
    assert alice.content.folder_content("alice", "projects").total == 12

    # Only the owner and administrators may list a user's content.
    with pytest.raises(PermissionDenied):
        bob.content.user_content("alice")
    with pytest.raises(PermissionDenied):
        bob.content.folder_content("alice", projects.id)
    assert arcgis_portal.content.user_content("alice").total == 3
    with pytest.raises(BadRequest):
        alice.content.folder_content("alice", "no-such-folder")
    with pytest.raises(BadRequest):
        arcgis_portal.content.user_content("nobody")


@pytest.mark.seed("User.items")
def test_user_content_sorts_and_pages(alice: PortalClient) -> None:
    titles = ["delta", "alpha", "charlie", "bravo", "echo"]
    for title in titles:
        alice.content.add_item("alice", title=title, type="Web Map")
    page = alice.content.user_content("alice", sort_field="title", sort_order="desc", start=2, num=2)
    assert [i.title for i in page.items] == ["delta", "charlie"]
    assert (page.total, page.start, page.num, page.next_start) == (5, 2, 2, 4)
    assert [i.title for i in alice.content.user_content_all("alice", sort_field="title", page_size=2)] == sorted(
        titles)


# --- search ---------------------------------------------------------------------------------------------------


@pytest.fixture
def corpus(arcgis_fake: FakeArcGIS) -> dict[str, str]:
    """Items of alice (private, org, public) and bob (org, public); returns title -> id."""
    alice = add_member(arcgis_fake, "alice")
    bob = add_member(arcgis_fake, "bob")
    spec = [
        (alice, "alice", "River flood map", "Web Map", ["hydro", "flood"], None),
        (alice, "alice", "River gauges", "Feature Service", ["hydro"], "org"),
        (alice, "alice", "Mountain trails", "Web Map", ["hiking"], "public"),
        (bob, "bob", "Flood zones", "Feature Service", ["flood", "risk"], "public"),
        (bob, "bob", "Bob notes", "CSV", ["notes"], "org"),
        (bob, "bob", "Secret plan", "CSV", ["notes"], None),
    ]
    ids = {}
    for client, owner, title, type_, tags, access in spec:
        item_id = client.content.add_item(owner, title=title, type=type_, tags=tags).id
        if access:
            client.content.share(item_id, org=True, everyone=access == "public")
        ids[title] = item_id
    return ids


def titles(client: PortalClient, q: str, **kw: object) -> list[str]:
    return [i.title or "" for i in client.content.search_all(q=q, sort_field="title", **kw)]  # type: ignore[arg-type]


@pytest.mark.seed("GIS.content")
@pytest.mark.seed("ContentManager.search")
def test_search_by_field(corpus: dict[str, str], arcgis_portal: PortalClient, arcgis_fake: FakeArcGIS) -> None:
    admin = arcgis_portal
    assert titles(admin, "river") == ["River flood map", "River gauges"]
    assert titles(admin, "title:flood") == ["Flood zones", "River flood map"]
    assert titles(admin, "owner:bob") == ["Bob notes", "Flood zones", "Secret plan"]
    assert titles(admin, 'type:"Feature Service"') == ["Flood zones", "River gauges"]
    assert titles(admin, "type:CSV") == ["Bob notes", "Secret plan"]
    assert titles(admin, "tags:hydro") == ["River flood map", "River gauges"]
    assert titles(admin, "tags:flood AND owner:alice") == ["River flood map"]
    assert titles(admin, "tags:flood OR tags:hiking") == ["Flood zones", "Mountain trails", "River flood map"]
    assert titles(admin, "flood -owner:bob") == ["River flood map"]
    assert titles(admin, f"id:{corpus['Secret plan']}") == ["Secret plan"]
    assert titles(admin, "access:public") == ["Flood zones", "Mountain trails"]
    org = arcgis_fake.portal.org.id
    assert titles(admin, f"flood accountid:{org}") == ["Flood zones", "River flood map"]
    assert titles(admin, f"flood orgid:{org}") == ["Flood zones", "River flood map"]
    assert titles(admin, "flood accountid:0123456789abcdef") == []
    assert len(titles(admin, "*")) == 6
    assert titles(admin, "no-such-word") == []


@pytest.mark.seed("ContentManager.search")
def test_search_sees_only_what_the_caller_may(corpus: dict[str, str], arcgis_fake: FakeArcGIS) -> None:
    anonymous = client_for(arcgis_fake)
    alice = client_for(arcgis_fake, "alice")
    viewer = add_member(arcgis_fake, "vic", "viewer")
    assert titles(anonymous, "*") == ["Flood zones", "Mountain trails"]
    assert titles(anonymous, "owner:alice") == ["Mountain trails"]
    assert titles(alice, "*") == ["Bob notes", "Flood zones", "Mountain trails", "River flood map", "River gauges"]
    assert titles(viewer, "*") == ["Bob notes", "Flood zones", "Mountain trails", "River gauges"]
    assert titles(viewer, "owner:bob") == ["Bob notes", "Flood zones"]
    page = anonymous.content.search(q="*")
    assert page.total == 2  # totals count only visible items


@pytest.mark.seed("ContentManager.search")
def test_search_sorts_and_pages(corpus: dict[str, str], arcgis_portal: PortalClient) -> None:
    every = sorted(corpus)
    down = arcgis_portal.content.search(q="*", sort_field="title", sort_order="desc", num=100)
    assert [i.title for i in down.results] == every[::-1]
    by_type = [(i.type, i.title) for i in arcgis_portal.content.search(q="*", sort_field="type,title", num=100).results]
    assert by_type == sorted(by_type)

    seen: list[str] = []
    start = 1
    while start != -1:
        page = arcgis_portal.content.search(q="*", sort_field="title", start=start, num=4)
        assert (page.total, page.start, page.num) == (6, start, 4)
        assert page.query == "*"
        seen += [i.title or "" for i in page.results]
        start = page.next_start
        assert start in (5, -1)
    assert seen == every
    empty = arcgis_portal.content.search(q="*", start=7, num=4)
    assert (empty.results, empty.next_start) == ([], -1)


@pytest.mark.seed("ContentManager.search")
def test_search_all_fetches_more_than_one_page(arcgis_fake: FakeArcGIS) -> None:
    record = arcgis_fake.portal.users.require("admin")
    for i in range(130):
        arcgis_fake.portal.add_item(record, "admin", title=f"Bulk item {i:03d}", type="CSV", tags=["bulk"])
    arcgis_fake.portal.add_item(record, "admin", title="Other", type="CSV")

    requests: list[str] = []

    class Counting(WsgiTransport):
        def send(self, request: HttpRequest, *, idempotent: bool) -> HttpResponse:
            if "/search" in request.url:
                requests.append(request.url)
            return super().send(request, idempotent=idempotent)

    client = PortalClient("https://fake.arcgis.test/portal", transport=Counting(arcgis_fake), username="admin",
                          password=arcgis_fake.admin_password)
    found = [i.title for i in client.content.search_all(q="tags:bulk", sort_field="title")]
    assert found == [f"Bulk item {i:03d}" for i in range(130)]
    assert len(requests) == 2
    assert "start=1&" in requests[0] and "start=101&" in requests[1]
    assert len(list(client.content.search_all(q="tags:bulk", page_size=13))) == 130
    assert len(requests) == 2 + 10


@pytest.mark.seed("ContentManager.search")
@pytest.mark.parametrize(
    ("kwargs", "wire"),
    [({"sort_field": "flavour"}, None), ({"num": 101}, "num"), ({"num": -1}, "num"), ({"start": 0}, "start"),
     ({"q": "title:(unclosed"}, None)],
)
def test_search_refuses_bad_input(arcgis_portal: PortalClient, kwargs: dict[str, object], wire: str | None) -> None:
    with pytest.raises(BadRequest) as caught:
        arcgis_portal.content.search(**{"q": "*", **kwargs})  # type: ignore[arg-type]
    if wire:
        assert f"'{wire}'" in caught.value.message
    else:
        assert caught.value.message


# --- raw requests the typed client does not send --------------------------------------------------------------


def test_items_are_read_with_post_and_double_slashes(alice: PortalClient, raw: Client) -> None:
    item_id = alice.content.add_item("alice", title="Posted", type="Web Map", text='{"k":1}').id
    headers = bearer(alice) | {"Referer": "http"}
    by_get = raw_json(raw.get(f"{REST}/content/items/{item_id}?f=json", headers=headers))
    by_post = raw_json(raw.post(f"/portal/sharing/rest//content/items/{item_id}", data={"f": "json"},
                                headers=headers))
    token_in_form = raw_json(raw.post(f"{REST}/content/items/{item_id}",
                                      data={"f": "json", "token": headers["X-Esri-Authorization"][7:]},
                                      headers={"Referer": "http"}))
    assert by_get == by_post == token_in_form
    assert by_get["title"] == "Posted" and by_get["owner"] == "alice"
    data = raw.post(f"{REST}//content//items/{item_id}/data", data={"f": "json"}, headers=headers)
    assert data.data == b'{"k":1}'
    search = raw_json(raw.post(f"{REST}//search", data={"q": "posted", "f": "json"}, headers=headers))
    assert [r["id"] for r in search["results"]] == [item_id]
    content = raw_json(raw.post("/portal/sharing/rest//content/users/alice", data={"f": "json"}, headers=headers))
    assert [i["id"] for i in content["items"]] == [item_id]


def test_add_item_raw_multipart_with_file_name(alice: PortalClient, raw: Client) -> None:
    import io

    response = raw.post(
        f"{REST}/content/users/alice/addItem",
        data={"f": "json", "title": "Raw upload", "type": "Shapefile", "fileName": "roads.zip", "tags": "a, b,,c",
              "file": (io.BytesIO(b"PK\x03\x04zip"), "upload.bin", "application/zip")},
        headers=bearer(alice) | {"Referer": "http"},
    )
    body = raw_json(response)
    assert body["success"] is True and body.get("folder") is None  # root folder: no folder id
    item = alice.content.get(body["id"])
    assert item.name == "roads.zip"
    assert item.tags == ["a", "b", "c"]
    assert alice.content.get_data(body["id"]) == b"PK\x03\x04zip"


def test_file_sent_as_a_plain_field_is_refused(alice: PortalClient, raw: Client, arcgis_fake: FakeArcGIS) -> None:
    body = raw_json(raw.post(f"{REST}/content/users/alice/addItem",
                             data={"f": "json", "title": "x", "type": "CSV", "file": "not-a-file-part"},
                             headers=bearer(alice) | {"Referer": "http"}))
    assert body["error"]["code"] == 400
    assert "'file'" in body["error"]["message"]
    assert len(arcgis_fake.portal.items) == 0


# --- folders ---------------------------------------------------------------------------------------------------


@pytest.mark.seed("ContentManager.(constructor)")
@pytest.mark.seed("ContentManager.create_folder")
@pytest.mark.seed("ContentManager.rename_folder")
@pytest.mark.seed("ContentManager.delete_folder")
def test_folder_lifecycle(alice: PortalClient, bob: PortalClient, arcgis_portal: PortalClient,
                          arcgis_fake: FakeArcGIS) -> None:
    created = alice.content.create_folder("alice", title="Projects")
    assert created.success is True and created.folder is not None
    folder = created.folder
    assert (folder.title, folder.username) == ("Projects", "alice")
    assert [f.id for f in alice.content.user_content("alice").folders or []] == [folder.id]
    with pytest.raises(Conflict):
        alice.content.create_folder("alice", title="projects")  # titles are unique per user, any case
    with pytest.raises(BadRequest):
        alice.content.create_folder("alice", title="a/b")
    with pytest.raises(PermissionDenied):
        bob.content.create_folder("alice", title="Bob was here")
    # Folders are per user: bob may have his own "Projects".
    assert bob.content.create_folder("bob", title="Projects").success is True
    # An administrator may create a member's folder.
    assert arcgis_portal.content.create_folder("alice", title="Admin made").success is True

    renamed = alice.content.rename_folder("alice", folder.id, new_title="Work")
    assert renamed.folder is not None and renamed.folder.title == "Work"
    assert alice.content.folder_content("alice", "work").current_folder.id == folder.id  # type: ignore[union-attr]
    with pytest.raises(Conflict):
        alice.content.rename_folder("alice", folder.id, new_title="admin made")
    with pytest.raises(BadRequest):
        alice.content.rename_folder("alice", "nope", new_title="X")

    # Deleting a folder deletes what is in it, with what hangs off those items.
    inside = alice.content.add_item("alice", folder_id=folder.id, title="Inside", type="Web Map").id
    outside = alice.content.add_item("alice", title="Outside", type="Web Map").id
    assert alice.content.get(inside).owner_folder == folder.id
    alice.item_comments.add(inside, comment="bye")
    done = alice.content.delete_folder("alice", folder.id)
    assert done.success is True and done.folder is not None and done.folder.id == folder.id
    with pytest.raises(BadRequest):
        alice.content.get(inside)
    assert alice.content.get(outside).id == outside
    assert arcgis_fake.portal.items.comments.count(inside) == 0
    assert "Work" not in [f.title for f in alice.content.user_content("alice").folders or []]
    with pytest.raises(BadRequest):
        alice.content.delete_folder("alice", folder.id)


@pytest.mark.seed("ContentManager.delete_folder")
def test_a_folder_holding_a_protected_item_is_not_deleted(alice: PortalClient, arcgis_fake: FakeArcGIS) -> None:
    folder = alice.content.create_folder("alice", title="Keep").folder
    assert folder is not None
    plain = alice.content.add_item("alice", folder_id=folder.id, title="Plain", type="CSV").id
    precious = alice.content.add_item("alice", folder_id=folder.id, title="Precious", type="CSV").id
    alice.content.protect("alice", precious, folder_id=folder.id)
    before = snapshot(arcgis_fake)
    with pytest.raises(BadRequest) as caught:
        alice.content.delete_folder("alice", folder.id)
    assert "protection" in caught.value.message
    assert snapshot(arcgis_fake) == before
    assert {i.id for i in alice.content.folder_content("alice", folder.id).items} == {plain, precious}


# --- moving, reassigning, protecting, deleting ------------------------------------------------------------------


@pytest.mark.seed("Item.move")
def test_move_between_folders(alice: PortalClient, bob: PortalClient, arcgis_fake: FakeArcGIS) -> None:
    a = alice.content.create_folder("alice", title="A").folder
    b = alice.content.create_folder("alice", title="B").folder
    assert a is not None and b is not None
    item_id = alice.content.add_item("alice", title="Mover", type="Web Map").id
    moved = alice.content.move("alice", item_id, folder=a.id)
    assert (moved.success, moved.item_id, moved.owner, moved.folder) == (True, item_id, "alice", a.id)
    assert [i.id for i in alice.content.folder_content("alice", a.id).items] == [item_id]
    assert alice.content.user_content("alice").total == 0
    # The official client names the current folder in the path; a folder by title works as a destination.
    assert alice.content.move("alice", item_id, folder_id=a.id, folder="b").folder == b.id
    with pytest.raises(BadRequest):
        alice.content.move("alice", item_id, folder_id=a.id, folder="/")  # it is not in A any more
    assert alice.content.move("alice", item_id, folder="/").folder == "/"
    assert alice.content.get(item_id).owner_folder is None
    before = snapshot(arcgis_fake)
    with pytest.raises(BadRequest):
        alice.content.move("alice", item_id, folder="no such folder")
    with pytest.raises(BadRequest):
        bob.content.move("alice", item_id, folder="/")  # bob cannot even see it
    assert snapshot(arcgis_fake) == before


@pytest.mark.seed("Item.reassign_to")
def test_reassign_keeps_sharing_and_checks_the_target(alice: PortalClient, bob: PortalClient, member: Member,
                                                      arcgis_portal: PortalClient, arcgis_fake: FakeArcGIS) -> None:
    carol = member("carol")
    member("vera", "viewer")
    group = alice.groups.create(title="Team", tags=["t"], access="org").group
    assert group is not None
    alice.groups.add_users(group.id, users=["bob"])
    folder = alice.content.create_folder("alice", title="Src").folder
    assert folder is not None
    item_id = alice.content.add_item("alice", folder_id=folder.id, title="Gift", type="Web Map").id
    alice.content.share(item_id, groups=[group.id])
    other = alice.content.add_item("alice", title="Related", type="Feature Service").id
    alice.item_relationships.add("alice", origin_item_id=item_id, destination_item_id=other,
                                 relationship_type="Map2Service")

    with pytest.raises(PermissionDenied):
        alice.content.reassign("alice", item_id, folder_id=folder.id, target_username="bob")
    before = snapshot(arcgis_fake)
    with pytest.raises(BadRequest):  # carol is not in the group the item is shared with
        arcgis_portal.content.reassign("alice", item_id, folder_id=folder.id, target_username="carol")
    with pytest.raises(BadRequest):  # viewers cannot own items
        arcgis_portal.content.reassign("alice", item_id, folder_id=folder.id, target_username="vera")
    with pytest.raises(BadRequest):
        arcgis_portal.content.reassign("alice", item_id, target_username="nobody")
    assert snapshot(arcgis_fake) == before

    done = arcgis_portal.content.reassign("alice", item_id, folder_id=folder.id, target_username="bob",
                                          target_folder_name="From Alice")
    assert (done.success, done.item_id) == (True, item_id)
    item = bob.content.get(item_id)
    assert item.owner == "bob"
    from_alice = [f for f in bob.content.user_content("bob").folders or [] if f.title == "From Alice"]
    assert len(from_alice) == 1 and item.owner_folder == from_alice[0].id  # created on the way
    assert [i.id for i in bob.content.folder_content("bob", from_alice[0].id).items] == [item_id]
    assert alice.content.folder_content("alice", folder.id).total == 0
    assert item.access == "shared" and group.id in {g.id for g in bob.content.item_groups(item_id).member}
    # The relationship stays; bob only sees related items he may see.
    related = arcgis_portal.item_relationships.related_items(item_id, relationship_types=["Map2Service"])
    assert [i.id for i in related.related_items] == [other]
    assert bob.item_relationships.related_items(item_id, relationship_types=["Map2Service"]).total == 0
    assert arcgis_portal.content.search(q=f"owner:bob AND id:{item_id}").total == 1
    assert arcgis_portal.content.search(q=f"owner:alice AND id:{item_id}").total == 0
    # Root folder by default.
    arcgis_portal.content.reassign("bob", item_id, folder_id=from_alice[0].id, target_username="alice")
    assert alice.content.get(item_id).owner_folder is None
    assert carol.content.user_content("carol").total == 0


@pytest.mark.seed("Item.protect")
@pytest.mark.seed("Item.delete")
@pytest.mark.seed("ContentManager.can_delete")
def test_protect_blocks_delete_until_unprotected(alice: PortalClient, bob: PortalClient,
                                                 arcgis_portal: PortalClient, arcgis_fake: FakeArcGIS) -> None:
    item_id = alice.content.add_item("alice", title="Precious", type="Web Map").id
    assert alice.content.can_delete("alice", item_id).success is True
    assert alice.content.protect("alice", item_id).success is True
    assert alice.content.get(item_id).protected is True
    with pytest.raises(BadRequest) as caught:
        alice.content.can_delete("alice", item_id)
    assert caught.value.message == "Unable to delete item. Delete protection is turned on."
    for who in (alice, arcgis_portal):
        with pytest.raises(BadRequest):
            who.content.delete("alice", item_id)
        with pytest.raises(BadRequest):
            who.content.delete("alice", item_id, force=True)  # force does not override protection
    with pytest.raises(BadRequest):
        bob.content.unprotect("alice", item_id)
    assert arcgis_fake.portal.items.get(item_id) is not None
    assert arcgis_portal.content.unprotect("alice", item_id).success is True
    assert alice.content.get(item_id).protected is False
    assert alice.content.can_delete("alice", item_id).item_id == item_id
    assert alice.content.delete("alice", item_id, force=True).success is True


@pytest.mark.seed("Item.delete")
def test_deleting_an_item_removes_what_hangs_off_it(alice: PortalClient, bob: PortalClient,
                                                    arcgis_fake: FakeArcGIS) -> None:
    web_map = alice.content.add_item("alice", title="Map", type="Web Map").id
    service = alice.content.add_item("alice", title="Svc", type="Feature Service").id
    alice.content.share(web_map, org=True)
    alice.item_relationships.add("alice", origin_item_id=web_map, destination_item_id=service,
                                 relationship_type="Map2Service")
    bob.item_comments.add(web_map, comment="nice")
    bob.item_comments.add_rating(web_map, rating=4)
    alice.item_resources.add("alice", web_map, text="{}", file_name="a.json")
    store = arcgis_fake.portal.items
    assert len(store.relationships) == 1
    alice.content.delete("alice", web_map)
    assert len(store.relationships) == 0
    assert store.comments.count(web_map) == 0 and store.comments.rating_stats(web_map) == (0, 0.0)
    assert store.resources.of(web_map) == []
    assert alice.item_relationships.related_items(service, relationship_types=["Map2Service"],
                                                  direction="reverse").total == 0


@pytest.mark.seed("ContentManager.delete_items")
def test_delete_items_reports_each(alice: PortalClient, bob: PortalClient, arcgis_portal: PortalClient) -> None:
    a = alice.content.add_item("alice", title="A", type="CSV").id
    b = alice.content.add_item("alice", title="B", type="CSV").id
    c = alice.content.add_item("alice", title="C", type="CSV").id
    alice.content.protect("alice", b)
    with pytest.raises(PermissionDenied):
        bob.content.delete_items("alice", items=[a])
    result = alice.content.delete_items("alice", items=[a, b, "0" * 32])
    outcome = {r.item_id: r.success for r in result.results}
    assert outcome == {a: True, b: False, "0" * 32: False}
    errors = {r.item_id: r.error for r in result.results}
    assert errors[b]["message"] == "Unable to delete item. Delete protection is turned on."  # type: ignore[index]
    assert {i.id for i in alice.content.user_content("alice").items} == {b, c}
    assert arcgis_portal.content.delete_items("alice", items=[c]).results[0].success is True


@pytest.mark.seed("Item.status")
def test_item_status(alice: PortalClient, bob: PortalClient) -> None:
    item_id = alice.content.add_item("alice", title="S", type="CSV").id
    status = alice.publishing.status("alice", item_id)
    assert (status.status, status.item_id) == ("completed", item_id)
    with pytest.raises(BadRequest):
        alice.publishing.status("alice", item_id, job_id="nope", job_type="publish")
    with pytest.raises(ArcGISError):
        bob.publishing.status("alice", item_id)


# --- thumbnails, metadata, content status, proxies, item page ---------------------------------------------------

PNG_THUMB = b"\x89PNG\r\n\x1a\n" + bytes(range(200))


@pytest.mark.seed("Item.get_thumbnail")
@pytest.mark.seed("Item.download_thumbnail")
@pytest.mark.seed("Item.update")
def test_thumbnail_upload_and_download(alice: PortalClient, bob: PortalClient, anonymous: PortalClient) -> None:
    item_id = alice.content.add_item("alice", title="T", type="Web Map",
                                     thumbnail=Upload("thumb.png", PNG_THUMB, "image/png")).id
    item = alice.content.get(item_id)
    assert item.thumbnail == "thumbnail/thumb.png"
    assert alice.content.thumbnail(item_id, "thumb.png") == PNG_THUMB
    with pytest.raises(BadRequest):
        bob.content.thumbnail(item_id, "thumb.png")  # private item
    alice.content.share(item_id, everyone=True)
    assert anonymous.content.thumbnail(item_id, "thumb.png") == PNG_THUMB
    alice.content.update("alice", item_id, thumbnail=Upload("new.jpg", b"\xff\xd8jpeg", "image/jpeg"))
    assert alice.content.get(item_id).thumbnail == "thumbnail/new.jpg"
    assert alice.content.thumbnail(item_id, "new.jpg") == b"\xff\xd8jpeg"
    with pytest.raises(BadRequest):
        alice.content.thumbnail(item_id, "thumb.png")
    with pytest.raises(BadRequest):
        alice.content.update("alice", item_id, thumbnail=Upload("evil.exe", b"MZ", "application/octet-stream"))
    with pytest.raises(BadRequest):
        alice.content.update("alice", item_id, thumbnail=Upload("big.png", b"\0" * (1024 * 1024 + 1), "image/png"))
    assert alice.content.get(item_id).thumbnail == "thumbnail/new.jpg"


@pytest.mark.seed("Item.metadata")
@pytest.mark.seed("Item.download_metadata")
@pytest.mark.seed("Item.update")
def test_metadata_upload_and_download(alice: PortalClient, bob: PortalClient) -> None:
    item_id = alice.content.add_item("alice", title="M", type="Web Map").id
    with pytest.raises(BadRequest) as caught:
        alice.content.metadata(item_id)
    assert "Metadata for item not found" in caught.value.message
    xml = b'<?xml version="1.0"?><metadata><dataIdInfo><idAbs>About</idAbs></dataIdInfo></metadata>'
    alice.content.update("alice", item_id, metadata=Upload("metadata.xml", xml, "text/xml"))
    assert alice.content.metadata(item_id) == xml
    assert "Metadata" in (alice.content.get(item_id).type_keywords or [])
    with pytest.raises(BadRequest):
        bob.content.metadata(item_id)
    with pytest.raises(BadRequest):
        alice.content.update("alice", item_id, metadata=Upload("metadata.xml", b"not xml", "text/xml"))
    assert alice.content.metadata(item_id) == xml


@pytest.mark.seed("Item.content_status")
def test_content_status(alice: PortalClient, bob: PortalClient, arcgis_portal: PortalClient) -> None:
    item_id = alice.content.add_item("alice", title="C", type="Web Map").id
    alice.content.share(item_id, org=True)
    assert alice.content.get(item_id).content_status is None
    assert alice.content.set_content_status(item_id, status="authoritative").success is True
    assert alice.content.get(item_id).content_status == "org_authoritative"
    assert arcgis_portal.content.search(q=f"id:{item_id}").results[0].content_status == "org_authoritative"
    with pytest.raises(PermissionDenied):
        alice.content.set_content_status(item_id, status="public_authoritative")
    with pytest.raises(PermissionDenied):
        bob.content.set_content_status(item_id, status="deprecated")
    with pytest.raises(BadRequest):
        alice.content.set_content_status(item_id, status="shiny")
    with pytest.raises(BadRequest):
        alice.content.set_content_status(item_id, status="")
    arcgis_portal.content.set_content_status(item_id, status="public_authoritative")
    assert alice.content.get(item_id).content_status == "public_authoritative"
    alice.content.set_content_status(item_id, status="", clear_empty_fields=True)
    assert alice.content.get(item_id).content_status is None


@pytest.mark.seed("Item.proxies")
def test_proxies(alice: PortalClient, bob: PortalClient, arcgis_portal: PortalClient) -> None:
    item_id = alice.content.add_item("alice", title="App", type="Web Mapping Application").id
    assert alice.content.proxies("alice", item_id).app_proxies == []
    assert arcgis_portal.content.proxies("alice", item_id).app_proxies == []
    alice.content.share(item_id, org=True)
    with pytest.raises(PermissionDenied):
        bob.content.proxies("alice", item_id)


@pytest.mark.seed("Item.homepage")
def test_item_page(alice: PortalClient, anonymous: PortalClient) -> None:
    item_id = alice.content.add_item("alice", title="<Home & Page>", type="Web Map", snippet="About it").id
    page = alice.content.item_page(id=item_id)
    assert "<h1>&lt;Home &amp; Page&gt;</h1>" in page and "About it" in page
    assert f"/sharing/rest/content/items/{item_id}" in page
    with pytest.raises(BadRequest):
        anonymous.content.item_page(id=item_id)
    alice.content.share(item_id, everyone=True)
    assert "About it" in anonymous.content.item_page(id=item_id)


# --- the search language over the new fields -------------------------------------------------------------------


@pytest.mark.seed("ContentManager.search")
def test_search_ranges_type_keywords_and_org() -> None:
    clock = ManualClock()
    arcgis_fake = FakeArcGIS(admin_username="admin", admin_password="admin-password-1", clock=clock)
    alice = add_member(arcgis_fake, "alice")
    arcgis_portal = client_for(arcgis_fake, "admin")
    t0 = clock.now_ms()
    first = alice.content.add_item("alice", title="First", type="Web Map", type_keywords=["Offline", "Data"]).id
    clock.advance(days=2)
    t1 = clock.now_ms()
    second = alice.content.add_item("alice", title="Second", type="CSV", type_keywords=["Data"]).id
    clock.advance(days=2)
    alice.content.update("alice", first, snippet="touched")
    t2 = clock.now_ms()
    org = arcgis_fake.portal.org.id

    def ids(q: str) -> set[str]:
        return {i.id for i in arcgis_portal.content.search_all(q=q)}

    assert ids(f"created:[{t0:019d} TO {t1 - 1:019d}]") == {first}
    assert ids(f"created:[{t1} TO *]") == {second}
    assert ids(f"modified:[{t2} TO {t2}]") == {first}
    assert ids(f"modified:{{{t0} TO {t2}}}") == {second}
    assert ids("typekeywords:offline") == {first}
    assert ids("typekeywords:data") == {first, second}
    assert ids(f"accountid:{org} AND type:csv") == {second}
    assert ids(f"orgid:{org} AND title:first") == {first}
    assert ids("accountid:someotherorg") == set()
    assert ids('type:"web map" OR type:csv') == {first, second}
    assert ids("itemtype:text") == set()
    bob_item = alice.content.add_item("alice", title="Txt", type="CSV", text="a,b").id
    assert ids("itemtype:text") == {bob_item}


@pytest.mark.seed("ContentManager.categories")
@pytest.mark.seed("ContentManager.bulk_update")
def test_bulk_update_of_item_categories(alice: PortalClient, bob: PortalClient, arcgis_portal: PortalClient) -> None:
    schema = {"categorySchema": [{"title": "Themes", "categories": [{"title": "Water"}, {"title": "Roads"}]}]}
    arcgis_portal.categories.assign(category_schema=schema)
    paths = [c.title for c in alice.categories.schema().category_schema[0].categories or []]
    assert paths == ["Water", "Roads"]
    a = alice.content.add_item("alice", title="A", type="CSV").id
    b = alice.content.add_item("alice", title="B", type="CSV").id
    result = alice.categories.update_items(items=[{i: {"categories": ["/Themes/Water"]}} for i in (a, b)])
    assert [r.success for r in result.results] == [True, True]
    assert alice.content.get(a).categories == ["/Themes/Water"]
    assert arcgis_portal.content.search(q='categories:"/Themes/Water"').total == 2
    refused = bob.categories.update_items(items=[{a: {"categories": ["/Themes/Roads"]}}]).results[0]
    assert refused.success is False
    assert alice.content.get(a).categories == ["/Themes/Water"]


@pytest.mark.seed("ContentManager.search")
def test_search_by_categories(alice: PortalClient, bob: PortalClient, arcgis_portal: PortalClient,
                              arcgis_fake: FakeArcGIS) -> None:
    schema = {"categorySchema": [
        {"title": "Categories", "categories": [
            {"title": "Water", "categories": [{"title": "Rivers"}, {"title": "Lakes"}]},
            {"title": "Forest"}, {"title": "Desert"}]},
        {"title": "Region", "categories": [{"title": "US"}, {"title": "EU"}]},
    ]}
    arcgis_portal.categories.assign(category_schema=schema)
    river = alice.content.add_item("alice", title="River", type="CSV", tags=["t"]).id
    lake = alice.content.add_item("alice", title="Lake", type="CSV", tags=["t"]).id
    forest = alice.content.add_item("alice", title="Forest", type="CSV", tags=["t"]).id
    water = alice.content.add_item("alice", title="Water", type="CSV", tags=["t"]).id
    plain = alice.content.add_item("alice", title="Plain", type="CSV", tags=["t"]).id
    alice.content.share(river, org=True)
    alice.content.share(forest, everyone=True)
    result = alice.categories.update_items(items=[
        {river: {"categories": ["/Categories/Water/Rivers", "/Region/US"]}},
        {lake: {"categories": ["/Categories/Water/Lakes", "/Region/EU"]}},
        {forest: {"categories": ["/Categories/Forest", "/Region/US"]}},
        {water: {"categories": ["/Categories/Water"]}},
    ])
    assert [r.success for r in result.results] == [True] * 4

    def found(client: PortalClient, categories: list[str] | None = None, filters: str | None = None,
              q: str = "*") -> set[str]:
        return {i.id for i in client.content.search_all(q=q, categories=categories, category_filters=filters)}

    assert found(alice) == {river, lake, forest, water, plain}
    assert found(alice, ["/Categories/Water"]) == {river, lake, water}  # a sub-category matches its parent
    assert found(alice, ["/Categories/Water/Rivers"]) == {river}
    assert found(alice, ["/categories/water/"]) == {river, lake, water}  # case and a trailing slash do not matter
    assert found(alice, ["/Categories/Water/Lakes,/Categories/Forest"]) == {lake, forest}  # OR within a string
    assert found(alice, ["/Categories/Water", "/Region/US"]) == {river}  # AND across strings
    assert found(alice, ["/Categories/Water,/Categories/Forest", "/Region/US"]) == {river, forest}
    assert found(alice, ["/Categories/Desert"]) == set()
    assert found(alice, ["/Categories/Wat"]) == set()  # whole levels only, no prefix of a title
    assert found(alice, ["/Water"]) == set()  # the full path is needed
    assert found(alice, ["/Region"]) == {river, lake, forest}
    assert found(alice, ["/Region/US"], q="title:forest") == {forest}  # with the query
    assert found(bob, ["/Region/US"]) == {river, forest}  # only what the caller may see
    assert found(client_for(arcgis_fake), ["/Region/US"]) == {forest}
    assert arcgis_portal.content.search(q="*", categories=["/Categories/Water"], num=1).total == 3
    # categoryFilters: up to three titles or paths, ORed
    assert found(alice, filters="Water") == {river, lake, water}  # a title at any level
    assert found(alice, filters="rivers,forest") == {river, forest}
    assert found(alice, filters="US") == {river, forest}
    assert found(alice, filters="/Categories/Water/Lakes,EU") == {lake}
    assert found(alice, filters="Wat") == set()
    # changes show at once: new categories, cleared categories, a deleted item
    alice.categories.update_items(items=[{plain: {"categories": ["/Categories/Desert"]}},
                                         {water: {"categories": []}}])
    assert found(alice, ["/Categories/Desert"]) == {plain}
    assert found(alice, ["/Categories/Water"]) == {river, lake}
    alice.content.delete("alice", lake)
    assert found(alice, filters="EU") == set()


@pytest.mark.seed("ContentManager.search")
@pytest.mark.parametrize(
    ("kwargs", "wire"),
    [({"categories": ["Water"]}, "categories"),
     ({"categories": [","]}, "categories"),
     ({"categories": ["/A"] * 9}, "categories"),
     ({"categories": [",".join(f"/A/{i}" for i in range(9))]}, "categories"),
     ({"category_filters": ""}, "categoryFilters"),
     ({"category_filters": "a,b,c,d"}, "categoryFilters"),
     ({"categories": ["/A"], "category_filters": "a"}, "categoryFilters")],
)
def test_search_refuses_bad_categories(alice: PortalClient, arcgis_fake: FakeArcGIS, kwargs: dict[str, object],
                                       wire: str) -> None:
    before = snapshot(arcgis_fake)
    with pytest.raises(BadRequest) as caught:
        alice.content.search(q="*", **kwargs)  # type: ignore[arg-type]
    assert f"'{wire}'" in caught.value.message
    assert snapshot(arcgis_fake) == before


def test_search_categories_wire_shapes(alice: PortalClient, raw: Client) -> None:
    headers = bearer(alice) | {"Referer": "http"}
    bad = raw_json(raw.get(f"{REST}/search?f=json&q=*&categories=%5B%22%2FA%22", headers=headers))
    assert bad["error"]["code"] == 400 and "categories" in json.dumps(bad)
    none = raw_json(raw.get(f"{REST}/search?f=json&q=*&categories=%5B%22%2FA%22%5D", headers=headers))
    assert none["total"] == 0


@pytest.mark.seed("Item.shared_with")
def test_user_item_with_its_sharing(alice: PortalClient, bob: PortalClient, arcgis_portal: PortalClient) -> None:
    folder = alice.content.create_folder("alice", title="F").folder
    assert folder is not None
    item_id = alice.content.add_item("alice", folder_id=folder.id, title="Mine", type="Web Map").id
    group = alice.groups.create(title="G", tags=["g"]).group
    assert group is not None
    alice.content.share(item_id, org=True, groups=[group.id])
    got = alice.content.user_item("alice", item_id, folder_id=folder.id)
    assert (got.item.id, got.item.owner_folder) == (item_id, folder.id)
    assert (got.sharing.access, got.sharing.groups) == ("org", [group.id])
    assert arcgis_portal.content.user_item("alice", item_id).sharing.access == "org"
    with pytest.raises(BadRequest):
        alice.content.user_item("alice", item_id, folder_id="elsewhere")
    with pytest.raises(PermissionDenied):
        bob.content.user_item("alice", item_id)
