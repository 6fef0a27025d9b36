"""Invitations to join the organization (portals/self/inviteByEmail, portals/self/invitations): pending until
they lapse or are withdrawn. Lapsed invitations are dropped when the store is next read."""

from __future__ import annotations

from collections.abc import Callable

import attrs

from ..errors import not_found

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
