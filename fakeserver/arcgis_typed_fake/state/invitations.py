"""Invitations to join the organization (portals/self/inviteByEmail, portals/self/invitations): pending until
they lapse or are withdrawn. Lapsed invitations are dropped when the store is next read."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import attrs

from ..errors import forbidden, not_found

if TYPE_CHECKING:
    from .groups import GroupRecord
    from .portal import PortalState
    from .users import UserRecord

DEFAULT_MINUTES = 1440


@attrs.define(eq=False)
class InvitationRecord:
    id: str
    email: str
    role_id: str
    level: str
    invited_by: str
    message: str
    must_approve: bool
    created: int
    expiration: int


class InvitationStore:
    def __init__(self, now: Callable[[], int]) -> None:
        self._now = now
        self._by_id: dict[str, InvitationRecord] = {}

    def _sweep(self) -> None:
        now = self._now()
        for lapsed in [i for i, r in self._by_id.items() if r.expiration <= now]:
            del self._by_id[lapsed]

    def pending(self) -> list[InvitationRecord]:
        self._sweep()
        return sorted(self._by_id.values(), key=lambda r: r.created)  # stable: invitation order within a moment

    def pending_for(self, email: str) -> InvitationRecord | None:
        return next((r for r in self.pending() if r.email.lower() == email.lower()), None)

    def require(self, invitation_id: str) -> InvitationRecord:
        self._sweep()
        found = self._by_id.get(invitation_id)
        if found is None:
            raise not_found("Invitation", f"No pending invitation '{invitation_id}'.")
        return found

    def add(self, record: InvitationRecord) -> InvitationRecord:
        self._by_id[record.id] = record
        return record

    def remove(self, record: InvitationRecord) -> None:
        del self._by_id[record.id]


# --- a member's invitations to join groups (community/users/{username}/invitations) ----------------------------


@attrs.define(eq=False)
class GroupInvitationRecord:
    """An invitation to join a group, as its invitee sees it. The group's own `invitations` entry is what
    counts: the record is pending while that entry is the same one (same role and expiry) and has not lapsed."""

    id: str
    group_id: str
    username: str
    sender: str
    role: str
    created: int
    expiration: int


class GroupInvitationStore:
    def __init__(self, now: Callable[[], int], new_id: Callable[[], str]) -> None:
        self._now = now
        self._new_id = new_id
        self._by_key: dict[tuple[str, str], GroupInvitationRecord] = {}  # (group id, username lower) -> record

    def invited(self, group_id: str, username: str, sender: str, role: str, expiration: int) -> GroupInvitationRecord:
        record = GroupInvitationRecord(self._new_id(), group_id, username, sender, role, self._now(), expiration)
        self._by_key[(group_id, username.lower())] = record
        return record

    def of(self, username: str, pending: Callable[[GroupInvitationRecord], bool]) -> list[GroupInvitationRecord]:
        """The user's invitations that `pending` confirms, oldest first; the others are dropped."""
        name = username.lower()
        mine = [r for (_, u), r in self._by_key.items() if u == name]
        for gone in [r for r in mine if not pending(r) or r.expiration <= self._now()]:
            del self._by_key[(gone.group_id, name)]
        return sorted((r for r in mine if (r.group_id, name) in self._by_key), key=lambda r: r.created)

    def remove(self, record: GroupInvitationRecord) -> None:
        self._by_key.pop((record.group_id, record.username.lower()), None)

    def forget_user(self, username: str) -> None:
        for key in [k for k in self._by_key if k[1] == username.lower()]:
            del self._by_key[key]


# --- the rules of a member's group invitations ---------------------------------------------------------------


def _invitation_pending(state: PortalState, record: GroupInvitationRecord) -> bool:
    group = state.groups.get(record.group_id)
    return group is not None and group.invitations.get(record.username.lower()) == (record.role, record.expiration)


def invitations_of(state: PortalState, caller: UserRecord, username: str) -> list[GroupInvitationRecord]:
    target = state.require_user_visible(caller, username)
    if target is not caller:
        raise forbidden("Only the user sees their invitations.")
    return state.users.group_invitations.of(target.username, lambda r: _invitation_pending(state, r))


def invitation_of(state: PortalState, caller: UserRecord, username: str, invitation_id: str) -> GroupInvitationRecord:
    found = next((r for r in invitations_of(state, caller, username) if r.id == invitation_id), None)
    if found is None:
        raise not_found("Invitation", f"No pending invitation '{invitation_id}'.")
    return found


def answer_invitation(state: PortalState, caller: UserRecord, username: str, invitation_id: str,
                      accept: bool) -> tuple[GroupInvitationRecord, GroupRecord]:
    """Accept (join the group) or decline a group invitation; the sender is told either way."""
    record = invitation_of(state, caller, username, invitation_id)
    group = state.groups.get(record.group_id)
    assert group is not None  # a pending invitation's group exists
    if accept:
        state.groups.join(caller, group.id)  # the group's own invitation makes this a join as invited
    else:
        state.groups.decline_invitation(group, caller.username)
    state.users.group_invitations.remove(record)
    kind = "user_invitation_accepted" if accept else "user_invitation_declined"
    if state.users.get(record.sender) is not None:
        state.users.notifications.group_event(kind, [record.sender], group.id, group.title, username=caller.username)
    return record, group
