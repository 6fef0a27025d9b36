"""The organization's category schema end to end: reading, assigning (with the documented limits), deleting,
and assigning categories to items in bulk; only administrators change the schema, only owners and
administrators an item's categories."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from arcgis_typed import BadRequest, PermissionDenied, PortalClient

Member = Callable[..., PortalClient]
SCHEMA = {"categorySchema": [{"title": "Categories", "categories": [
    {"title": "Basemaps", "description": "Maps under maps", "categories": [{"title": "Esri Basemaps"}]},
    {"title": "Imagery"},
]}]}


@pytest.mark.seed("CategorySchemaManager.(constructor)")
@pytest.mark.seed("CategorySchemaManager.schema")
@pytest.mark.seed("CategorySchemaManager.properties")
@pytest.mark.seed("CategorySchemaManager.delete")
def test_assign_read_and_delete_the_schema(arcgis_portal: PortalClient, member: Member) -> None:
    assert arcgis_portal.categories.schema().category_schema == []
    assert arcgis_portal.categories.assign(category_schema=SCHEMA).success is True
    trees = arcgis_portal.categories.schema().category_schema
    assert trees[0].title == "Categories"
    assert [c.title for c in trees[0].categories or []] == ["Basemaps", "Imagery"]
    assert trees[0].categories[0].description == "Maps under maps"  # type: ignore[index]
    assert trees[0].categories[0].categories[0].title == "Esri Basemaps"  # type: ignore[index]
    user = member("alice")
    assert user.categories.schema().category_schema == trees  # members read it
    with pytest.raises(PermissionDenied):
        user.categories.assign(category_schema={"categorySchema": []})
    with pytest.raises(PermissionDenied):
        user.categories.delete()
    assert arcgis_portal.categories.delete().success is True
    assert arcgis_portal.categories.schema().category_schema == []


@pytest.mark.parametrize("schema", [
    {"categorySchema": [{"title": f"T{n}"} for n in range(6)]},  # six trees
    {"categorySchema": [{"title": "a", "categories": [{"title": "b", "categories": [{"title": "c", "categories": [
        {"title": "d", "categories": [{"title": "e"}]}]}]}]}]},  # five levels
    {"categorySchema": [{"title": "x" * 101}]},
    {"categorySchema": [{"title": "ok", "description": "d" * 301}]},
    {"categorySchema": [{"title": ""}]},
    {"categorySchema": [{"title": "A"}, {"title": "a"}]},
    {"categorySchema": [{"title": "Many", "categories": [{"title": f"c{n}"} for n in range(200)]}]},
    {"nothing": []},
])
def test_invalid_schemas_are_refused(arcgis_portal: PortalClient, schema: object) -> None:
    with pytest.raises(BadRequest):
        arcgis_portal.categories.assign(category_schema=schema)
    assert arcgis_portal.categories.schema().category_schema == []


@pytest.mark.seed("CategorySchemaManager.assign_to_items")
def test_assign_categories_to_items(arcgis_portal: PortalClient, member: Member) -> None:
    arcgis_portal.categories.assign(category_schema=SCHEMA)
    alice, bob = member("alice"), member("bob")
    mine = alice.content.add_item("alice", title="Mine", type="CSV", text="a\n1\n").id
    results = alice.categories.update_items(items=[
        {mine: {"categories": ["/Categories/Basemaps/Esri Basemaps", "/categories/imagery"]}},
        {"nosuchitem": {"categories": []}},
    ]).results
    assert [(r.item_id, r.success) for r in results] == [(mine, True), ("nosuchitem", False)]
    assert alice.content.get(mine).categories == ["/Categories/Basemaps/Esri Basemaps", "/categories/imagery"]
    assert [i.id for i in alice.content.search(q="categories:imagery").results] == [mine]
    unknown = alice.categories.update_items(items=[{mine: {"categories": ["/Categories/Nope"]}}]).results[0]
    assert unknown.success is False and unknown.error["code"] == 400  # type: ignore[index]
    alice.content.share(mine, org=True)
    refused = bob.categories.update_items(items=[{mine: {"categories": []}}]).results[0]
    assert refused.success is False and refused.error["code"] == 403  # type: ignore[index]
    assert arcgis_portal.categories.update_items(items=[{mine: {"categories": []}}]).results[0].success is True
    assert alice.content.get(mine).categories == []
    with pytest.raises(BadRequest):
        alice.categories.update_items(items={"not": "a list"})
