"""Notifications end to end: administrators' messages (portals/self/createNotification), the notifications the
portal creates itself (group join requests and their answers, group messages), reading and deleting them, and
that only the recipient may."""

from __future__ import annotations

import pytest
from arcgis_typed import BadRequest, PermissionDenied, PortalClient
from arcgis_typed_fake import FakeArcGIS
from e2e_helpers import add_member


def _notes(fake: FakeArcGIS, username: str) -> list[tuple[str, str]]:
    return [(r.type, r.id) for r in fake.portal.users.notifications.of(username)]


@pytest.mark.seed("UserManager.send_notification")
@pytest.mark.seed("User.notifications")
def test_send_read_and_delete(arcgis_portal: PortalClient, arcgis_fake: FakeArcGIS) -> None:
    ann = add_member(arcgis_fake, "ann")
    add_member(arcgis_fake, "ben")
    assert arcgis_portal.notifications.send(users=["ann", "ben"], subject="Maintenance",
                                            message="Down on Sunday").success
    listed = ann.notifications.user_notifications("ann").notifications
    assert len(listed) == 1
    note = listed[0]
    assert (note.type, note.target, note.target_type) == ("message_received", "ann", "user")
    assert note.data == {"fromUser": "admin", "subject": "Maintenance", "message": "Down on Sunday"}
    assert note.received is not None
    assert ann.notifications.get("ann", note.id).data == note.data
    # only the recipient reads or deletes; the administrator who sent it may not
    for call in (lambda: arcgis_portal.notifications.user_notifications("ann"), lambda: arcgis_portal.notifications.get("ann", note.id),
                 lambda: arcgis_portal.notifications.delete("ann", note.id)):
        with pytest.raises(PermissionDenied):
            call()
    deleted = ann.notifications.delete("ann", note.id)
    assert (deleted.success, deleted.notification_id) == (True, note.id)
    assert ann.notifications.user_notifications("ann").notifications == []
    with pytest.raises(BadRequest):
        ann.notifications.get("ann", note.id)
    assert [t for t, _ in _notes(arcgis_fake, "ben")] == ["message_received"]


@pytest.mark.seed("UserManager.send_notification")
def test_send_refuses_bad_input_and_members_without_privilege(arcgis_portal: PortalClient,
                                                              arcgis_fake: FakeArcGIS) -> None:
    ann = add_member(arcgis_fake, "ann")
    with pytest.raises(PermissionDenied):
        ann.notifications.send(users=["admin"], subject="Hi", message="there")
    for kwargs, wire in (({"users": ["ann", "ghost"]}, "users"), ({"subject": " "}, "subject"),
                         ({"message": ""}, "message")):
        args = {"users": ["ann"], "subject": "Hi", "message": "there", **kwargs}
        with pytest.raises(BadRequest) as caught:
            arcgis_portal.notifications.send(**args)  # type: ignore[arg-type]
        assert f"'{wire}'" in caught.value.message
    assert _notes(arcgis_fake, "ann") == []  # nothing was sent to anyone


@pytest.mark.seed("User.notifications")
def test_the_portal_notifies_group_requests_and_answers(arcgis_fake: FakeArcGIS) -> None:
    owner = add_member(arcgis_fake, "owner")
    asker = add_member(arcgis_fake, "asker")
    other = add_member(arcgis_fake, "other")
    group_id = owner.groups.create(title="Rivers", tags=["water"], access="org").group.id
    asker.groups.join(group_id)
    other.groups.join(group_id)
    notes = owner.notifications.user_notifications("owner").notifications
    assert [(n.type, (n.data or {}).get("username")) for n in notes] == [("group_join", "other"),
                                                                        ("group_join", "asker")]  # newest first
    assert all((n.data or {}).get("groupTitle") == "Rivers" for n in notes)
    owner.groups.accept(group_id, "asker")
    owner.groups.decline(group_id, "other")
    assert [n.type for n in asker.notifications.user_notifications("asker").notifications] == ["group_application_accepted"]
    assert [n.type for n in other.notifications.user_notifications("other").notifications] == ["group_application_declined"]
    owner.groups.notify(group_id, subject="Field day", message="Bring boots", notification_channel_type="builtin")
    got = asker.notifications.user_notifications("asker").notifications[0]
    assert (got.type, (got.data or {}).get("subject")) == ("message_received", "Field day")
    assert [n.type for n in other.notifications.user_notifications("other").notifications] == ["group_application_declined"]
