"""Esri's official `arcgis` client (2.4.4), unmodified, on identity: creating members (it reads the Portal
Administrator API, its security configuration and the new-member defaults first), a member's group invitations
and notifications, user types and reassigning content: `tox -e compat`.

Same targets as test_official_client.py (in-process through the requests adapter, and over HTTPS).
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("arcgis")

from arcgis.gis import GIS
from arcgis_typed_fake import FakeArcGIS
from test_official_client import Target, gis, target  # noqa: F401  (fixtures)

pytestmark = pytest.mark.compat

STRONG = "Strong-password-1"


def test_users_create(gis: GIS, target: Target, arcgis_fake: FakeArcGIS) -> None:  # noqa: F811
    user = gis.users.create(username="newbie", password=STRONG, firstname="New", lastname="Bie",
                            email="newbie@example.test", role="org_publisher", user_type="creatorUT")
    assert user is not None and user.username == "newbie"
    record = arcgis_fake.portal.users.require("newbie")
    assert (record.role_id, record.user_type_id, record.full_name) == ("org_publisher", "creatorUT", "New Bie")
    assert target.recorder.to("/portaladmin/security/users/createUser")
    newbie = target.gis("newbie", STRONG)
    assert newbie.users.me.username == "newbie"


def test_invitations_and_notifications(gis: GIS, target: Target, arcgis_fake: FakeArcGIS) -> None:  # noqa: F811
    arcgis_fake.portal.add_user("dave", "dave-password-123", role="org_user")
    group = gis.groups.create(title="Crew", tags="crew", access="org")
    assert group.invite_users(["dave"]) is True
    dave = target.gis("dave", "dave-password-123")
    me = dave.users.me
    invitations = me.invitations.list
    assert len(invitations) == 1
    assert invitations[0].properties["targetId"] == group.id
    assert invitations[0].accept()["success"] is True
    assert "dave" in arcgis_fake.portal.groups.get(group.id).members
    admin = gis.users.me
    assert [n["type"] for n in admin.notifications] == ["user_invitation_accepted"]
    assert admin.notifications[0].delete() is True
    assert gis.users.me.notifications == []


def test_user_types_and_reassign(gis: GIS, target: Target, arcgis_fake: FakeArcGIS) -> None:  # noqa: F811
    portal = arcgis_fake.portal
    portal.add_user("ann", "ann-password-123", role="org_user")
    portal.add_user("bob", "bob-password-123", role="org_user")
    ann = gis.users.get("ann")
    assert ann.user_types()["userLicenseType"]["id"] == "creatorUT"
    assert {t["id"] for t in gis.users.license_types} >= {"creatorUT", "viewerUT"}
    assert gis.users.counts("user_type", as_df=False) == [{"key": "creatorUT", "count": 3}]
    ann_gis = target.gis("ann", "ann-password-123")
    ann_gis.groups.create(title="Ann's", tags="x", access="org")
    # `user.delete(reassign_to=...)` also revokes licenses through portals/self/purchases (the marketplace
    # family); reassigning is what it does first
    assert ann.reassign_to("bob") is True
    assert [g.owner for g in portal.groups if g.title == "Ann's"] == ["bob"]


def test_settings_types_groups_and_thumbnails(gis: GIS, target: Target, arcgis_fake: FakeArcGIS,  # noqa: F811
                                              tmp_path: Path) -> None:
    portal = arcgis_fake.portal
    portal.add_user("ann", "ann-password-123", role="iAAAAAAAAAAAAAAA")
    group = gis.groups.create(title="Newcomers", tags="new", access="org")
    gis.users.user_settings = {"role": "viewer", "userLicenseType": "viewer", "groups": [group.id]}
    settings = gis.users.user_settings
    assert (settings["role"], settings["userLicenseType"], settings["groups"]) == (
        "iAAAAAAAAAAAAAAA", "viewerUT", [group.id])
    ann = gis.users.get("ann")
    assert ann.update_license_type("creator") is True
    assert portal.users.require("ann").user_type_id == "creatorUT"
    assert gis.users.user_groups(["ann", "admin"]) == [
        {"username": "ann", "groups": []}, {"username": "admin", "groups": [group.id]}]
    assert ann.provisions == []
    picture = tmp_path / "me.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 16)
    assert ann.update(thumbnail=str(picture)) is True
    ann = gis.users.get("ann")
    assert ann.thumbnail == "me.png"
    assert ann.get_thumbnail() == picture.read_bytes()
    saved = ann.download_thumbnail(str(tmp_path / "down"))
    assert Path(saved).read_bytes() == picture.read_bytes()
    assert ann.delete_thumbnail() is True
    assert portal.users.require("ann").thumbnail is None


def test_signup_when_allowed(gis: GIS, target: Target, arcgis_fake: FakeArcGIS) -> None:  # noqa: F811
    arcgis_fake.portal.users.security.allow_signup = True
    user = gis.users.signup("selfmade", STRONG, "Self Made", "selfmade@example.test")
    assert user is not None and user.username == "selfmade"
    assert target.gis("selfmade", STRONG).users.me.fullName == "Self Made"


def test_user_update(gis: GIS, target: Target, arcgis_fake: FakeArcGIS) -> None:  # noqa: F811
    arcgis_fake.portal.add_user("ann", "ann-password-123", role="org_user")
    ann = gis.users.get("ann")
    assert ann.update(description="Field lead", tags=["field", "lead"], culture="fr", region="FR") is True
    record = arcgis_fake.portal.users.require("ann")
    assert (record.description, record.tags, record.culture, record.region) == (
        "Field lead", ["field", "lead"], "fr", "FR")
    with pytest.raises(ValueError):
        ann.update(culture="klingon")  # the client checks it against portals/languages
