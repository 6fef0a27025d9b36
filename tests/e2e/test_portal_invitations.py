"""Invitations to the organization end to end: inviting by email, listing (paged), reading and withdrawing
pending invitations, lapsing with the clock, and who may invite with which role."""

from __future__ import annotations

import datetime as dt

import pytest
from arcgis_typed import BadRequest, PermissionDenied, PortalClient
from arcgis_typed_fake import FakeArcGIS, ManualClock
from e2e_helpers import add_member, client_for


def pending(fake: FakeArcGIS) -> list[tuple[str, str, str]]:
    return [(r.email, r.role_id, r.invited_by) for r in fake.portal.users.invitations.pending()]


@pytest.mark.seed("UserManager.invite")
@pytest.mark.seed("InvitationManager.list")
@pytest.mark.seed("InvitationManager.(constructor)")
@pytest.mark.seed("InvitationManager.get")
@pytest.mark.seed("InvitationManager.delete")
def test_invite_list_get_delete(arcgis_portal: PortalClient, arcgis_fake: FakeArcGIS) -> None:
    add_member(arcgis_fake, "member", email="member@example.test")
    result = arcgis_portal.invitations.invite(
        emails=["a@example.test", "not-an-address", "MEMBER@example.test", "b@example.test"], role="org_publisher",
        message="Welcome")
    assert result.success and result.not_invited == ["not-an-address", "MEMBER@example.test"]
    again = arcgis_portal.invitations.invite(emails=["A@example.test"])
    assert again.not_invited == ["A@example.test"]  # already invited
    page = arcgis_portal.invitations.pending()
    assert (page.total, page.next_start) == (2, -1)
    first = page.invitations[0]
    assert (first.email, first.role, first.invited_by, first.message, first.level) == (
        "a@example.test", "org_publisher", "admin", "Welcome", "2")
    assert first.created is not None and first.expiration is not None
    assert first.expiration - first.created == dt.timedelta(days=1)
    assert arcgis_portal.invitations.get(first.id).email == "a@example.test"
    assert arcgis_portal.invitations.delete(first.id).success
    assert [i.email for i in arcgis_portal.invitations.pending_all()] == ["b@example.test"]
    for call in (lambda: arcgis_portal.invitations.get(first.id), lambda: arcgis_portal.invitations.delete(first.id)):
        with pytest.raises(BadRequest) as caught:
            call()
        assert caught.value.message == "Invitation does not exist or is inaccessible."


@pytest.mark.seed("InvitationManager.list")
def test_invitations_page_and_lapse() -> None:
    clock = ManualClock(1_700_000_000_000)
    fake = FakeArcGIS(admin_password="admin-password-1", clock=clock, password_iterations=1)
    admin = client_for(fake, "admin", "admin-password-1")
    admin.invitations.invite(emails=[f"p{i:02d}@example.test" for i in range(12)], expiration=60)
    clock.advance(minutes=30)
    admin.invitations.invite(emails=["late@example.test"])  # a day
    page = admin.invitations.pending(start=11, num=5)
    assert (page.total, len(page.invitations), page.next_start) == (13, 3, -1)
    assert [i.email for i in admin.invitations.pending_all(page_size=4)][-1] == "late@example.test"
    clock.advance(minutes=31)
    assert [i.email for i in admin.invitations.pending_all()] == ["late@example.test"]
    with pytest.raises(BadRequest) as caught:
        admin.invitations.invite(emails=["x@example.test"], expiration=0)
    assert "'expiration'" in caught.value.message


@pytest.mark.seed("UserManager.invite")
@pytest.mark.parametrize("caller", ["admin", "custom", "publisher", "user", "viewer"])
def test_who_may_invite(arcgis_fake: FakeArcGIS, arcgis_portal: PortalClient, caller: str) -> None:
    portal = arcgis_fake.portal
    portal.roles.create("inviters00000000", "Inviters", "", portal.now(), ["portal:admin:inviteUsers"])
    clients = {"admin": arcgis_portal, "custom": add_member(arcgis_fake, "inviter", role="inviters00000000"),
               "publisher": add_member(arcgis_fake, "pub", role="org_publisher"),
               "user": add_member(arcgis_fake, "usr"), "viewer": add_member(arcgis_fake, "vwr", role="viewer")}
    client = clients[caller]
    if caller in ("admin", "custom"):
        assert client.invitations.invite(emails=["u@example.test"], role="org_user").not_invited == []
        assert client.invitations.pending().total == 1
    else:
        with pytest.raises(PermissionDenied):
            client.invitations.invite(emails=["u@example.test"])
        with pytest.raises(PermissionDenied):
            client.invitations.pending()
    before = pending(arcgis_fake)
    if caller == "admin":
        assert client.invitations.invite(emails=["boss@example.test"], role="org_admin").success
    else:
        with pytest.raises(PermissionDenied):  # administrators are invited only by default administrators
            client.invitations.invite(emails=["boss@example.test"], role="org_admin")
        assert pending(arcgis_fake) == before
    with pytest.raises((BadRequest, PermissionDenied)):
        client.invitations.invite(emails=["x@example.test"], role="overlord")
