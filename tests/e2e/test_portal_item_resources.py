"""Item resources end to end: files, text and archives, folders, updates, removal, access, limits, and no path
traversal through any name."""

from __future__ import annotations

import io
import zipfile

import pytest
from arcgis_typed import BadRequest, NotFound, PermissionDenied, PortalClient, Upload
from arcgis_typed_fake import FakeArcGIS
from e2e_helpers import bearer
from werkzeug.test import Client

REST = "/portal/sharing/rest"


def names(client: PortalClient, item_id: str) -> list[str]:
    return [r.resource for r in client.item_resources.list(item_id).resources]


def zipped(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buf.getvalue()


@pytest.mark.seed("ResourceManager.(constructor)")
@pytest.mark.seed("Item.resources")
@pytest.mark.seed("ResourceManager.add")
@pytest.mark.seed("ResourceManager.list")
@pytest.mark.seed("ResourceManager.get")
@pytest.mark.seed("ResourceManager.update")
@pytest.mark.seed("ResourceManager.remove")
def test_resource_lifecycle(alice: PortalClient, arcgis_fake: FakeArcGIS) -> None:
    item_id = alice.content.add_item("alice", title="Styled", type="Vector Tile Service").id
    logo = bytes(range(256)) * 3
    added = alice.item_resources.add("alice", item_id, file=Upload("logo.png", logo, "image/png"))
    assert (added.success, added.item_id, added.owner) == (True, item_id, "alice")
    alice.item_resources.add("alice", item_id, text='{"v": 1}', file_name="root.json", resources_prefix="styles")
    alice.item_resources.add("alice", item_id, file=Upload("x.bin", b"renamed", "application/octet-stream"),
                             file_name="data.txt")
    listed = alice.item_resources.list(item_id)
    assert [r.resource for r in listed.resources] == ["data.txt", "logo.png", "styles/root.json"]
    assert {r.resource: r.size for r in listed.resources}["logo.png"] == len(logo)
    assert all(r.created is not None for r in listed.resources)
    assert alice.item_resources.get(item_id, "logo.png") == logo
    assert alice.item_resources.get(item_id, "styles/root.json") == b'{"v": 1}'
    assert alice.item_resources.get(item_id, "data.txt") == b"renamed"
    # The item's size counts its resources.
    assert alice.content.get(item_id).size == len(logo) + len(b'{"v": 1}') + len(b"renamed")

    with pytest.raises(BadRequest):  # a name already taken: update it instead
        alice.item_resources.add("alice", item_id, text="{}", file_name="root.json", resources_prefix="styles")
    alice.item_resources.update("alice", item_id, text='{"v": 2}', file_name="root.json", resources_prefix="styles")
    assert alice.item_resources.get(item_id, "styles/root.json") == b'{"v": 2}'
    with pytest.raises(NotFound):
        alice.item_resources.update("alice", item_id, text="{}", file_name="missing.json")

    assert alice.item_resources.remove("alice", item_id, resource="styles/root.json").success is True
    assert names(alice, item_id) == ["data.txt", "logo.png"]
    with pytest.raises(BadRequest):
        alice.item_resources.get(item_id, "styles/root.json")
    with pytest.raises(NotFound):
        alice.item_resources.remove("alice", item_id, resource="styles/root.json")
    with pytest.raises(BadRequest):
        alice.item_resources.remove("alice", item_id)  # neither a name nor deleteAll
    alice.item_resources.remove("alice", item_id, delete_all=True)
    assert names(alice, item_id) == []
    assert alice.content.get(item_id).size == -1  # no data, no resources
    assert arcgis_fake.portal.items.resources.of(item_id) == []


@pytest.mark.seed("ResourceManager.add")
def test_archives_are_unpacked_into_folders(alice: PortalClient) -> None:
    item_id = alice.content.add_item("alice", title="Bundle", type="Web Mapping Application").id
    archive = zipped({"a.json": b"{}", "img/b.png": b"png", "img/": b"", "fonts/Arial Regular/0-255.pbf": b"pbf"})
    alice.item_resources.add("alice", item_id, file=Upload("bundle.zip", archive, "application/zip"), archive=True)
    assert names(alice, item_id) == ["a.json", "fonts/Arial Regular/0-255.pbf", "img/b.png"]
    assert alice.item_resources.get(item_id, "fonts/Arial Regular/0-255.pbf") == b"pbf"  # slashes kept, space quoted
    assert alice.item_resources.get(item_id, "img/b.png") == b"png"
    # Without archive, a zip is just a file.
    alice.item_resources.add("alice", item_id, file=Upload("bundle.zip", archive, "application/zip"))
    assert "bundle.zip" in names(alice, item_id)
    with pytest.raises(BadRequest):
        alice.item_resources.add("alice", item_id, file=Upload("bad.zip", b"not a zip", "application/zip"),
                                 archive=True)


@pytest.mark.parametrize("entry", ["../escape.txt", "a/../../b.txt", "/etc/passwd", "a/./b.txt", "a\\b.txt",
                                   "/".join("d" * 10) + "/x.txt"])
@pytest.mark.seed("ResourceManager.add")
def test_archive_entries_cannot_escape(alice: PortalClient, arcgis_fake: FakeArcGIS, entry: str) -> None:
    item_id = alice.content.add_item("alice", title="Bundle", type="Web Mapping Application").id
    archive = zipped({"fine.json": b"{}", entry: b"x"})
    with pytest.raises(BadRequest):
        alice.item_resources.add("alice", item_id, file=Upload("evil.zip", archive, "application/zip"),
                                 archive=True)
    assert arcgis_fake.portal.items.resources.of(item_id) == []  # all or nothing


@pytest.mark.parametrize(
    ("file_name", "prefix"),
    [("..", None), (".", None), ("a.json", ".."), ("a.json", "x/../y"), ("../a.json", None), ("a:b.json", None),
     ("a\\..\\b.json", None), ("", "styles")],
)
@pytest.mark.seed("ResourceManager.add")
def test_bad_names_are_refused(alice: PortalClient, arcgis_fake: FakeArcGIS, file_name: str, prefix: str | None) -> None:
    item_id = alice.content.add_item("alice", title="Named", type="Web Map").id
    with pytest.raises(BadRequest):
        alice.item_resources.add("alice", item_id, text="{}", file_name=file_name or None, resources_prefix=prefix)
    assert arcgis_fake.portal.items.resources.of(item_id) == []


def test_traversal_through_the_url_finds_nothing(alice: PortalClient, raw: Client) -> None:
    item_id = alice.content.add_item("alice", title="Named", type="Web Map").id
    alice.item_resources.add("alice", item_id, text="secret", file_name="s.txt", resources_prefix="a")
    assert alice.item_resources.get(item_id, "a/s.txt") == b"secret"
    base = f"{REST}/content/items/{item_id}/resources"
    for path in (f"{base}/..%2Fs.txt", f"{base}/a/..", f"{base}/%2E%2E/s.txt", f"{base}/a/../a/s.txt",
                 f"{base}/x/../a/s.txt", f"{base}//a/s.txt"):
        response = raw.get(path, headers=bearer(alice))
        assert response.status_code in (200, 404)
        assert b"secret" not in response.data, path
    for name in ("a/../a/s.txt", "./a/s.txt"):  # (double slashes are merged, as ArcGIS does)
        with pytest.raises(BadRequest):
            alice.item_resources.get(item_id, name)


@pytest.mark.seed("ResourceManager.add")
@pytest.mark.seed("ResourceManager.get")
def test_who_may_read_and_write(alice: PortalClient, bob: PortalClient, arcgis_portal: PortalClient,
                                anonymous: PortalClient) -> None:
    item_id = alice.content.add_item("alice", title="Shared", type="Web Map").id
    alice.item_resources.add("alice", item_id, text="open", file_name="open.txt")
    alice.item_resources.add("alice", item_id, text="hidden", file_name="hidden.txt", access="private")
    with pytest.raises(BadRequest):
        bob.item_resources.list(item_id)  # cannot see the item
    alice.content.share(item_id, everyone=True)
    assert names(anonymous, item_id) == ["open.txt"]
    assert anonymous.item_resources.get(item_id, "open.txt") == b"open"
    with pytest.raises(BadRequest):
        anonymous.item_resources.get(item_id, "hidden.txt")
    assert names(arcgis_portal, item_id) == ["hidden.txt", "open.txt"]
    assert arcgis_portal.item_resources.get(item_id, "hidden.txt") == b"hidden"
    with pytest.raises(PermissionDenied):
        bob.item_resources.add("alice", item_id, text="{}", file_name="bob.json")
    assert arcgis_portal.item_resources.add("alice", item_id, text="{}", file_name="admin.json").success is True


@pytest.mark.seed("ResourceManager.add")
def test_limits(alice: PortalClient, arcgis_fake: FakeArcGIS, monkeypatch: pytest.MonkeyPatch) -> None:
    from arcgis_typed_fake.state import item_resources

    item_id = alice.content.add_item("alice", title="Full", type="Web Map").id
    monkeypatch.setattr(item_resources, "MAX_RESOURCES", 2)
    monkeypatch.setattr(item_resources, "MAX_RESOURCE_BYTES", 10)
    with pytest.raises(BadRequest) as caught:
        alice.item_resources.add("alice", item_id, file=Upload("big.bin", b"x" * 11, "application/octet-stream"))
    assert "larger" in caught.value.message
    alice.item_resources.add("alice", item_id, text="1", file_name="1.txt")
    alice.item_resources.add("alice", item_id, text="2", file_name="2.txt")
    with pytest.raises(BadRequest) as caught:
        alice.item_resources.add("alice", item_id, text="3", file_name="3.txt")
    assert "at most 2" in caught.value.message
    with pytest.raises(BadRequest):
        alice.item_resources.add("alice", item_id, file=Upload("a.txt", b"a", "text/plain"), text="b", file_name="c.txt")
