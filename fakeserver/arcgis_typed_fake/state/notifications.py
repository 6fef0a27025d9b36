"""Members' notifications (community/users/{username}/notifications): created by the portal itself when
something concerns a member - a message from an administrator (message_received), an invitation to a group
(user_invite, to the invitee), an answer to a group invitation (user_invitation_accepted / user_invitation_declined, to the sender), a request to join a group
(group_join, to its owner and managers), an answer to such a request (group_application_accepted /
group_application_declined) - and read and deleted only by their recipient."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import bad_request, forbidden, not_found

if TYPE_CHECKING:
    from .groups import GroupRecord
    from .portal import PortalState
    from .users import UserRecord

CHANNELS = ("builtin", "email", "push")


@attrs.frozen
class NotificationRecord:
    id: str
    type: str
    target: str
    received: int
    data: dict[str, Any]
    channel: str = "builtin"


class NotificationStore:
    def __init__(self, now: Callable[[], int], new_id: Callable[[], str]) -> None:
        self._now = now
        self._new_id = new_id
        self._of_user: dict[str, dict[str, NotificationRecord]] = {}  # username (lower) -> id -> record

    def add(self, target: str, type: str, data: dict[str, Any], channel: str = "builtin") -> NotificationRecord:
        record = NotificationRecord(self._new_id(), type, target, self._now(), dict(data), channel)
        self._of_user.setdefault(target.lower(), {})[record.id] = record
        return record

    def of(self, username: str) -> list[NotificationRecord]:
        """Newest first (the order of creation breaks ties)."""
        records = list(self._of_user.get(username.lower(), {}).values())
        return [r for _, r in sorted(enumerate(records), key=lambda p: (-p[1].received, -p[0]))]

    @staticmethod
    def _own(caller_name: str, username: str) -> None:
        if caller_name.lower() != username.lower():
            raise forbidden("Only the recipient may read or delete their notifications.")

    def require(self, caller_name: str, username: str, notification_id: str) -> NotificationRecord:
        self._own(caller_name, username)
        found = self._of_user.get(username.lower(), {}).get(notification_id)
        if found is None:
            raise not_found("Notification", f"No notification '{notification_id}'.")
        return found

    def list_for(self, caller_name: str, username: str) -> list[NotificationRecord]:
        self._own(caller_name, username)
        return self.of(username)

    def delete(self, caller_name: str, username: str, notification_id: str) -> NotificationRecord:
        record = self.require(caller_name, username, notification_id)
        del self._of_user[username.lower()][record.id]
        return record

    def message(self, sender: str, recipients: list[str], subject: str, message: str, channel: str | None) -> int:
        """A message_received notification for each recipient (already checked members); returns how many."""
        if not subject.strip():
            raise bad_request("Invalid parameter 'subject': must not be empty.")
        if not message.strip():
            raise bad_request("Invalid parameter 'message': must not be empty.")
        chosen = (channel or "builtin").lower()
        for name in dict.fromkeys(recipients):
            self.add(name, "message_received", {"fromUser": sender, "subject": subject, "message": message}, chosen)
        return len(recipients)

    def group_event(self, type: str, recipients: list[str], group_id: str, group_title: str,
                    **extra: str) -> None:
        for name in dict.fromkeys(recipients):
            self.add(name, type, {"groupId": group_id, "groupTitle": group_title, **extra})

    def forget_user(self, username: str) -> None:
        self._of_user.pop(username.lower(), None)


# --- what the portal tells members of ------------------------------------------------------------------------


def group_event(state: PortalState, kind: str, group: GroupRecord, recipients: list[str], **data: Any) -> None:
    """What the group store reports (invitations, join requests and their answers, messages to members)."""
    users = state.users
    if kind == "invited":  # the invitation, and a user_invite notification telling the invitee of it
        invitation = users.group_invitations.invited(group.id, recipients[0], data["sender"], data["role"],
                                                     data["expiration"])
        users.notifications.group_event("user_invite", recipients, group.id, group.title,
                                        fromUser=data["sender"], invitationId=invitation.id)
    elif kind == "message":
        users.notifications.message(data["sender"], recipients, data["subject"], data["message"], data["channel"])
    else:
        users.notifications.group_event(kind, recipients, group.id, group.title, **data)


def wire_identity(state: PortalState) -> None:
    """Give the identity stores the portal's id generator and the group store's events."""
    state.users.new_id = state.ids.new
    state.groups.on_event = GroupEvents(state)


@attrs.define(eq=False)
class GroupEvents:
    """The group store's event hook: the notifications a portal creates for group events (an object rather than a
    closure, so snapshots and forks can carry it)."""

    state: PortalState

    def __call__(self, kind: str, group: GroupRecord, recipients: list[str], **data: Any) -> None:
        group_event(self.state, kind, group, recipients, **data)


def send_message(state: PortalState, caller: UserRecord, usernames: list[str], subject: str, message: str,
                 channel: str | None) -> None:
    """portals/self/createNotification: a message_received notification for each named member."""
    recipients = []
    for name in usernames:
        user = state.users.get(name.strip())
        if user is None or user.org_id != caller.org_id:
            raise bad_request(f"Invalid parameter 'users': no member '{name}'.")
        recipients.append(user.username)
    if not recipients:
        raise bad_request("Invalid parameter 'users': name at least one member.")
    state.users.notifications.message(caller.username, recipients, subject, message, channel)
