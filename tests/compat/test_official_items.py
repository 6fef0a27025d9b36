"""Esri's official `arcgis` client (2.4.4), unmodified, on item management: folders, moving, resources,
relationships, comments, protection and deletion, thumbnails and metadata (`tox -e compat`).

Same targets as test_official_client.py (in-process through the requests adapter, and over HTTPS).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

pytest.importorskip("arcgis")

from arcgis.gis import GIS, Item
from arcgis_typed_fake import FakeArcGIS
from test_official_client import CSV, Target, csv_file, gis, target  # noqa: F401  (fixtures)

pytestmark = pytest.mark.compat

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))


def add(gis: GIS, path: Path, **properties: str) -> Item:  # noqa: F811
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        item = gis.content.add(item_properties={"tags": "test", **properties}, data=str(path))
    assert isinstance(item, Item)
    return item


def test_folders_move_and_delete(gis: GIS, target: Target, arcgis_fake: FakeArcGIS, csv_file: Path) -> None:  # noqa: F811
    portal = arcgis_fake.portal
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        created = gis.content.create_folder("Work")
    assert created is not None and created["title"] == "Work"
    folder = portal.items.folder("admin", "Work")
    assert folder is not None and created["id"] == folder.id

    item = add(gis, csv_file, title="Cities", type="CSV")
    item.move("Work")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert item.shared_with == {"everyone": False, "org": False, "groups": []}  # read in the item's folder
    record = portal.items.get(item.id)
    assert record is not None and record.folder_id == folder.id
    assert item.ownerFolder == folder.id
    assert target.recorder.to(f"/items/{item.id}/move")[0]["folder"] == folder.id

    # Protected: the official client's delete goes through the item's folder and fails.
    item.protect(True)
    assert record.protected is True
    assert target.recorder.to(f"/admin/{folder.id}/items/{item.id}/protect")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception, match="Delete protection"):
            item.delete()
        assert item.delete(dry_run=True)["can_delete"] is False
        assert item.can_delete is False  # a property in 2.4.4, read with GET
        assert "Delete protection" in str(gis.content.can_delete(item))
    assert portal.items.get(item.id) is not None
    item.protect(False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert item.delete(dry_run=True) == {"can_delete": True}
        assert item.can_delete is True
        assert item.delete() is True
    assert portal.items.get(item.id) is None

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert gis.content.rename_folder("Work", "Done") is True
        assert portal.items.folder("admin", "Done") is not None
        assert gis.content.delete_folder("Done") is True
    assert portal.items.folder("admin", "Done") is None


def test_resources(gis: GIS, target: Target, arcgis_fake: FakeArcGIS, csv_file: Path, tmp_path: Path) -> None:  # noqa: F811
    item = add(gis, csv_file, title="With resources", type="CSV")
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    assert item.resources.add(file=str(logo))["success"] is True
    assert item.resources.add(text='{"a": 1}', file_name="conf.json", folder_name="cfg")["success"] is True
    listed = sorted(r["resource"] for r in item.resources.list())
    assert listed == ["cfg/conf.json", "logo.png"]
    assert item.resources.get("cfg/conf.json") == {"a": 1}
    (tmp_path / "out").mkdir()
    got = item.resources.get("logo.png", out_folder=str(tmp_path / "out"))
    assert Path(got).read_bytes() == PNG
    assert item.resources.remove("logo.png") is True
    assert [r["resource"] for r in item.resources.list()] == ["cfg/conf.json"]
    assert arcgis_fake.portal.items.resources.get(item.id, "cfg/conf.json") is not None


def test_relationships_and_comments(gis: GIS, target: Target, arcgis_fake: FakeArcGIS, csv_file: Path) -> None:  # noqa: F811
    portal = arcgis_fake.portal
    admin = portal.users.require("admin")
    web_map = gis.content.get(portal.add_item(admin, "admin", title="Map", type="Web Map", text="{}").id)
    service = gis.content.get(portal.add_item(admin, "admin", title="Svc", type="Feature Service").id)
    assert web_map.add_relationship(service, "Map2Service") is True
    assert [i.id for i in web_map.related_items("Map2Service")] == [service.id]
    assert [i.id for i in service.related_items("Map2Service", "reverse")] == [web_map.id]
    assert web_map.delete_relationship(service, "Map2Service") is True
    assert web_map.related_items("Map2Service") == []

    comment_id = web_map.add_comment("Looks good")
    assert comment_id
    comments = web_map.comments
    assert [(c.id, c.comment, c.owner) for c in comments] == [(comment_id, "Looks good", "admin")]
    assert portal.items.get(web_map.id).num_comments == 1  # type: ignore[union-attr]


def test_thumbnail_and_metadata(gis: GIS, target: Target, arcgis_fake: FakeArcGIS, csv_file: Path,  # noqa: F811
                                tmp_path: Path) -> None:
    item = add(gis, csv_file, title="Pictured", type="CSV")
    thumb = tmp_path / "thumb.png"
    thumb.write_bytes(PNG)
    xml = tmp_path / "metadata.xml"
    xml.write_text("<metadata><idAbs>About</idAbs></metadata>")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert item.update(thumbnail=str(thumb), metadata=str(xml)) is True
    assert item.get_thumbnail() == PNG
    for sub in ("t", "m"):
        (tmp_path / sub).mkdir()
    saved = item.download_thumbnail(str(tmp_path / "t"))
    assert saved is not None and Path(saved).read_bytes() == PNG
    assert "<idAbs>About</idAbs>" in Path(item.download_metadata(str(tmp_path / "m"))).read_text()
    assert item.homepage.endswith(f"/home/item.html?id={item.id}")


def test_rating_status_reassign_and_app_registration(gis: GIS, target: Target, arcgis_fake: FakeArcGIS) -> None:  # noqa: F811
    portal = arcgis_fake.portal
    portal.add_user("bob", "bob-password-123", role="org_user")
    admin = portal.users.require("admin")
    map_id = portal.add_item(admin, "admin", title="Rated map", type="Web Map", text="{}").id
    web_map = gis.content.get(map_id)
    record = portal.items.get(map_id)
    assert record is not None
    portal.share_item(admin, record, everyone=None, org=True, groups=[])
    bob = target.gis("bob", "bob-password-123")
    bobs_view = bob.content.get(map_id)
    bobs_view.rating = 4.5
    assert bobs_view.rating == 4.5
    assert portal.items.get(map_id).avg_rating == 4.5  # type: ignore[union-attr]
    assert bobs_view.delete_rating() is True
    assert bobs_view.rating is None

    web_map.content_status = "authoritative"
    assert portal.items.get(map_id).content_status == "org_authoritative"  # type: ignore[union-attr]

    assert web_map.reassign_to("bob") is True
    assert portal.items.get(map_id).owner == "bob"  # type: ignore[union-attr]

    app_item = gis.content.get(portal.add_item(admin, "admin", title="My app", type="Web Mapping Application").id)
    registered = app_item.register(app_type="browser", redirect_uris=["https://app.example.com/cb"])
    assert registered["client_id"]
    assert app_item.app_info["client_id"] == registered["client_id"]
    assert app_item.unregister() is True
    assert app_item.app_info == {}


def test_search_by_categories(gis: GIS, target: Target, arcgis_fake: FakeArcGIS, csv_file: Path) -> None:  # noqa: F811
    arcgis_fake.portal.categories.assign({"categorySchema": [
        {"title": "Categories", "categories": [{"title": "Water", "categories": [{"title": "Rivers"}]},
                                               {"title": "Forest"}]},
        {"title": "Region", "categories": [{"title": "US"}]}]})
    river = add(gis, csv_file, title="River", type="CSV")
    forest = add(gis, csv_file, title="Forest", type="CSV")
    water = add(gis, csv_file, title="Water", type="CSV")
    add(gis, csv_file, title="Plain", type="CSV")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        done = gis.content.categories.assign_to_items(items=[
            {river.id: {"categories": ["/Categories/Water/Rivers", "/Region/US"]}},
            {forest.id: {"categories": ["/Categories/Forest", "/Region/US"]}},
            {water.id: {"categories": ["/Categories/Water"]}}])
    assert all(r["success"] for r in done)

    def found(**kwargs: object) -> set[str]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return {i.id for i in gis.content.search("tags:test", max_items=100, **kwargs)}  # type: ignore[arg-type]

    assert found(categories=["/Categories/Water"]) == {river.id, water.id}  # a sub-category matches its parent
    assert found(categories=["/Categories/Water", "/Region/US"]) == {river.id}  # filters are ANDed
    assert found(categories="/Categories/Forest,/Region/US") == {forest.id}  # the client splits a string: AND
    assert found(category_filter="Rivers,Forest") == {river.id, forest.id}  # titles, ORed
    assert len(found()) == 4
    sent = [c for c in target.recorder.to("/sharing/rest/search") if "categories" in c]
    assert sent and sent[0]["categories"] == '["/Categories/Water"]'
