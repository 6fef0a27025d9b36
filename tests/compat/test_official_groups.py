"""Esri's official `arcgis` client (2.4.4), unmodified, on groups and group sharing: `tox -e compat`.

Same targets as test_official_client.py (in-process through the requests adapter, and over HTTPS).
"""

from __future__ import annotations

import warnings

import pytest

pytest.importorskip("arcgis")

from arcgis.gis import GIS, Group
from arcgis_typed_fake import FakeArcGIS
from test_official_client import Target, gis, target  # noqa: F401  (fixtures)

pytestmark = pytest.mark.compat

BOB_PASSWORD = "bob-password-123"


def test_group_lifecycle_and_membership(gis: GIS, target: Target, arcgis_fake: FakeArcGIS) -> None:  # noqa: F811
    portal = arcgis_fake.portal
    portal.add_user("bob", BOB_PASSWORD, role="org_user")
    portal.add_user("carol", "carol-password-123", role="org_user")

    group = gis.groups.create(title="Field crews", tags="field,crews", access="org", snippet="Crews")
    assert isinstance(group, Group)
    assert (group.title, group.owner, group.access) == ("Field crews", "admin", "org")
    record = portal.groups.get(group.id)
    assert record is not None and record.members == {"admin": "owner"}
    assert target.recorder.to("/community/createGroup")[0]["title"] == "Field crews"
    assert gis.groups.get(group.id).title == "Field crews"

    added = group.add_users(["carol"])
    assert added == {"notAdded": []} or added.get("notAdded") == []
    assert record.members["carol"] == "member"
    assert set(group.get_members()["users"]) == {"carol"}

    assert group.invite_users(["bob"]) is True
    assert "bob" in record.invitations

    bob = target.gis("bob", BOB_PASSWORD)
    bobs_view = bob.groups.get(group.id)
    assert bobs_view is not None
    assert bobs_view.join() is True
    assert record.members["bob"] == "member"  # the invitation admitted bob at once
    assert bobs_view.leave() is True
    assert "bob" not in record.members

    assert group.update(snippet="Changed") is True
    assert portal.groups.get(group.id).snippet == "Changed"  # type: ignore[union-attr]

    assert group.delete() is True
    assert portal.groups.get(group.id) is None
    assert gis.groups.get(group.id) is None


def test_item_share_with_a_group_and_group_content(gis: GIS, target: Target, arcgis_fake: FakeArcGIS) -> None:  # noqa: F811
    portal = arcgis_fake.portal
    admin = portal.users.require("admin")
    item_id = portal.add_item(admin, "admin", title="Crew plan", type="CSV", text="a,b\n1,2\n").id
    group = gis.groups.create(title="Crew", tags="crew", access="private")
    item = gis.content.get(item_id)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        shared = item.share(groups=[group])
    assert shared["notSharedWith"] == []
    record = portal.items.get(item_id)
    assert record is not None and record.groups == {group.id} and record.access == "shared"
    assert [i.id for i in group.content()] == [item_id]
    assert target.recorder.to(f"/content/items/{item_id}/share")[0]["groups"] == group.id


def test_group_search_pages_past_one_page(gis: GIS, target: Target, arcgis_fake: FakeArcGIS) -> None:  # noqa: F811
    portal = arcgis_fake.portal
    admin = portal.users.require("admin")
    ids = {portal.groups.create(admin, title=f"Team {n:03d}", tags=["team"], access="org").id for n in range(130)}
    found = gis.groups.search("tags:team", max_groups=500)
    assert {g.id for g in found} == ids
    pages = target.recorder.to("/community/groups")
    assert len(pages) >= 2 and {p.get("start") for p in pages} >= {"1", "101"}


def test_shared_update_groups_and_allow_members_to_edit(gis: GIS, target: Target, arcgis_fake: FakeArcGIS) -> None:  # noqa: F811
    portal = arcgis_fake.portal
    portal.add_user("bob", BOB_PASSWORD, role="org_user")
    admin = portal.users.require("admin")
    item_id = portal.add_item(admin, "admin", title="Shared plan", type="CSV", text="a,b\n1,2\n").id
    group = gis.groups.create(title="Editors", tags="edit", access="org", users_update_items=True)
    record = portal.groups.get(group.id)
    assert record is not None and record.shared_update
    group.add_users(["bob"])
    item = gis.content.get(item_id)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert item.share(groups=[group], allow_members_to_edit=True)["notSharedWith"] == []
    assert portal.items.get(item_id).update_groups == {group.id}  # type: ignore[union-attr]
    bob = target.gis("bob", BOB_PASSWORD)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert bob.content.get(item_id).update(item_properties={"title": "Edited by bob"}) is True
    assert portal.items.get(item_id).title == "Edited by bob"  # type: ignore[union-attr]


def test_group_search_by_categories(gis: GIS, target: Target, arcgis_fake: FakeArcGIS) -> None:  # noqa: F811
    portal = arcgis_fake.portal
    portal.categories.assign({"categorySchema": [{"title": "Categories", "categories": [
        {"title": "Hurricanes"}, {"title": "Region", "categories": [{"title": "USA"}]}, {"title": "Forest"}]}]})
    storms = gis.groups.create(title="Storm trackers", tags="storms", access="org")
    east = gis.groups.create(title="East coast trackers", tags="storms", access="org")
    gis.groups.create(title="Other trackers", tags="storms", access="org")
    portal.groups.file_under(storms.id, portal.categories, ["/Categories/Hurricanes"])
    portal.groups.file_under(east.id, portal.categories, ["/Categories/Region/USA"])
    found = gis.groups.search(query="trackers", categories="Hurricanes, USA, Natural Disasters")
    assert {g.id for g in found} == {storms.id, east.id}
    assert {g.id for g in gis.groups.search(query="trackers", categories="/Categories/Region")} == {east.id}
    assert len(gis.groups.search(query="trackers")) == 3
    sent = target.recorder.to("/community/groups")
    assert [c.get("categoryFilters") for c in sent if "categoryFilters" in c] == [
        "Hurricanes, USA, Natural Disasters", "/Categories/Region"]
