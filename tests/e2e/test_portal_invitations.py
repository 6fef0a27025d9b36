"""Invitations to the organization end to end: inviting by email, listing (paged), reading and withdrawing
pending invitations, lapsing with the clock, and who may invite with which role."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import pytest
from arcgis_typed import BadRequest, PermissionDenied, PortalClient
from arcgis_typed_fake import FakeArcGIS, ManualClock
from e2e_helpers import add_member, client_for


def pending(fake: FakeArcGIS) -> list[tuple[str, str, str]]:
    return [(r.email, r.role_id, r.invited_by) for r in fake.portal.users.invitations.pending()]


@pytest.mark.seed("UserManager.invite")
@pytest.mark.seed("UserManager.invitations")
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


# --- a member's own group invitations: list, read, accept (joins), decline, with the portal's notifications ------


def _invited_group(owner: PortalClient, *names: str,
                   role: Literal["group_member", "group_admin"] = "group_member") -> str:
    group_id = owner.groups.create(title="Survey crew", tags=["field"], is_invitation_only=True).group.id
    assert owner.groups.invite(group_id, users=list(names), role=role).not_invited in ([], None)
    return group_id


@pytest.mark.seed("UserInvitationManager.(constructor)")
@pytest.mark.seed("UserInvitationManager.list")
@pytest.mark.seed("Invitation.(constructor)")
@pytest.mark.seed("Invitation.properties")
@pytest.mark.seed("Invitation.accept")
def test_accept_a_group_invitation_joins_and_tells_the_sender(arcgis_portal: PortalClient,
                                                              arcgis_fake: FakeArcGIS) -> None:
    carol = add_member(arcgis_fake, "carol", full_name="Carol Cartographer")
    dave = add_member(arcgis_fake, "dave")
    group_id = _invited_group(carol, "dave", role="group_admin")
    listed = dave.invitations.user_invitations("dave").user_invitations
    assert len(listed) == 1
    inv = listed[0]
    assert (inv.target_type, inv.target_id, inv.role, inv.username) == ("group", group_id, "group_admin", "dave")
    assert inv.from_username is not None and (inv.from_username.username, inv.from_username.fullname) == (
        "carol", "Carol Cartographer")
    assert inv.group is not None and (inv.group.title, inv.group.owner, inv.group.is_invitation_only) == (
        "Survey crew", "carol", True)
    assert inv.expiration is not None and inv.created is not None
    assert dave.invitations.user_invitation("dave", inv.id).id == inv.id
    told = dave.notifications.user_notifications("dave").notifications
    assert [(n.type, n.data) for n in told] == [("user_invite", {
        "groupId": group_id, "groupTitle": "Survey crew", "fromUser": "carol", "invitationId": inv.id})]
    # nobody else reads or answers dave's invitations, not even an administrator
    for other in (carol, arcgis_portal):
        with pytest.raises(PermissionDenied):
            other.invitations.user_invitations("dave")
        with pytest.raises(PermissionDenied):
            other.invitations.accept("dave", inv.id)
    answer = dave.invitations.accept("dave", inv.id)
    assert (answer.success, answer.username, answer.group_id, answer.id) == (True, "dave", group_id, inv.id)
    assert arcgis_fake.portal.groups.get(group_id).members["dave"] == "admin"  # invited as a manager
    assert dave.invitations.user_invitations("dave").user_invitations == []
    with pytest.raises(BadRequest):
        dave.invitations.accept("dave", inv.id)  # answered already
    notes = carol.notifications.user_notifications("carol").notifications
    assert [(n.type, n.data) for n in notes] == [
        ("user_invitation_accepted", {"groupId": group_id, "groupTitle": "Survey crew", "username": "dave"})]


@pytest.mark.seed("Invitation.decline")
@pytest.mark.seed("UserInvitationManager.list")
def test_decline_a_group_invitation(arcgis_fake: FakeArcGIS) -> None:
    carol = add_member(arcgis_fake, "carol")
    erin = add_member(arcgis_fake, "erin")
    group_id = _invited_group(carol, "erin")
    inv = erin.invitations.user_invitations("erin").user_invitations[0]
    answer = erin.invitations.decline("erin", inv.id)
    assert (answer.success, answer.group_id) == (True, group_id)
    assert "erin" not in arcgis_fake.portal.groups.get(group_id).members
    assert erin.invitations.user_invitations("erin").user_invitations == []
    with pytest.raises(BadRequest):
        erin.groups.join(group_id)  # a private group she is no longer invited to: she cannot even see it
    assert [n.type for n in carol.notifications.user_notifications("carol").notifications] == ["user_invitation_declined"]


@pytest.mark.seed("UserInvitationManager.list")
def test_group_invitations_lapse_and_follow_the_group() -> None:
    clock = ManualClock(1_700_000_000_000)
    arcgis_fake = FakeArcGIS(admin_password="admin-password-1", clock=clock, password_iterations=1)
    carol = add_member(arcgis_fake, "carol")
    fay = add_member(arcgis_fake, "fay")
    lapsing = carol.groups.create(title="Short", tags=["x"]).group.id
    carol.groups.invite(lapsing, users=["fay"], expiration=5)
    deleted = _invited_group(carol, "fay")
    assert len(fay.invitations.user_invitations("fay").user_invitations) == 2
    carol.groups.delete(deleted)
    assert [i.target_id for i in fay.invitations.user_invitations("fay").user_invitations] == [lapsing]
    clock.advance(minutes=6)
    assert fay.invitations.user_invitations("fay").user_invitations == []
    with pytest.raises(BadRequest):
        fay.invitations.user_invitation("fay", "nosuchinvitation")
