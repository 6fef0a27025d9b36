"""Esri's official `arcgis` client (2.4.4), unmodified, on the organization's app bundles and on deleting a member
with `reassign_to`: `tox -e compat`.

`user.delete(reassign_to=...)` first lists the member's items, revokes every add-on license it finds in
portals/self/purchases, then revokes every app bundle of the organization (portals/self/appBundles) from the
member through content/listings/{appBundleItemId}/provisionUserAppBundle (revoke=true), reassigns the member's
groups and finally deletes the member, handing their items to the new owner.

Same targets as test_official_client.py (in-process through the requests adapter, and over HTTPS).
"""

from __future__ import annotations

import pytest

pytest.importorskip("arcgis")

from arcgis.gis import GIS
from arcgis_typed_fake import FakeArcGIS
from test_official_client import Target, gis, target  # noqa: F401  (fixtures)

pytestmark = pytest.mark.compat


def test_bundles_assign_and_revoke(gis: GIS, target: Target, arcgis_fake: FakeArcGIS) -> None:  # noqa: F811
    portal = arcgis_fake.portal
    portal.add_user("ann", "ann-password-123", role="org_user")  # Creator: field and office apps
    bundles = {b.properties["id"]: b for b in gis.admin.license.bundles}
    assert set(bundles) == {"fieldAppsBundle", "officeAppsBundle", "proBundle"}
    pro = bundles["proBundle"]
    assert pro.properties["appBundleItemId"] == pro._id and pro.properties["currentUsers"] == 0
    assert pro.assign(["ann"]) is True
    assert [b.properties["id"] for b in gis.users.get("ann").bundles] == [
        "fieldAppsBundle", "officeAppsBundle", "proBundle"]
    assert portal.users.licenses.assigned_bundles("ann") == ["proBundle"]
    with pytest.raises(Exception, match="'users'"):
        pro.assign(["nobody"])
    assert pro.revoke(["ann"]) is True
    assert [b.properties["id"] for b in gis.users.get("ann").bundles] == ["fieldAppsBundle", "officeAppsBundle"]
    calls = target.recorder.to(f"/content/listings/{pro._id}/provisionUserAppBundle")
    assert [(c["users"], c["revoke"]) for c in calls] == [("ann", "false"), ("nobody", "false"), ("ann", "true")]


def test_delete_with_reassign_to(gis: GIS, target: Target, arcgis_fake: FakeArcGIS) -> None:  # noqa: F811
    portal = arcgis_fake.portal
    ann = portal.add_user("ann", "ann-password-123", role="org_publisher")
    portal.add_user("bob", "bob-password-123", role="org_publisher")
    first = portal.add_item(ann, "ann", title="Ann's map", type="Web Map", tags=["a"])
    second = portal.add_item(ann, "ann", title="Ann's app", type="Web Mapping Application", tags=["a"])
    ann_gis = target.gis("ann", "ann-password-123")
    ann_gis.groups.create(title="Ann's crew", tags="crew", access="org")
    pro = next(b for b in gis.admin.license.bundles if b.properties["id"] == "proBundle")
    assert pro.assign(["ann"]) is True
    user = gis.users.get("ann")
    with pytest.raises(Exception, match="reassign_to"):
        user.delete()  # owns items: refused by the official client before any request that changes things
    assert portal.users.get("ann") is not None
    assert user.delete(reassign_to="bob") is True
    assert portal.users.get("ann") is None
    assert {portal.items.get(first.id).owner, portal.items.get(second.id).owner} == {"bob"}
    assert [g.owner for g in portal.groups if g.title == "Ann's crew"] == ["bob"]
    assert portal.users.licenses.assigned_bundles("ann") == []
    revoked = [c["users"] for c in target.recorder.to("/provisionUserAppBundle") if c["revoke"] == "true"]
    assert revoked == ["ann"] * 3  # one request per bundle of the organization
    assert gis.content.get(first.id).owner == "bob"
