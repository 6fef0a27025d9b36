"""Handlers of spec/portal/invitations.yaml: portals/self/inviteByEmail and portals/self/invitations."""

from __future__ import annotations

from arcgis_typed._runtime.wire import ms_to_datetime
from arcgis_typed.portal.models.invitations import Invitation, InvitationResult, InvitationsPage, InviteResult
from arcgis_typed.portal.params.invitations import (
    InvitationsDeleteParams,
    InvitationsGetParams,
    InvitationsInviteParams,
    InvitationsPendingParams,
)

from ..call import Call
from ..registry import handles
from ..state import users as rules
from ..state.invitations import InvitationRecord
from ._paging import window


def invitation_view(record: InvitationRecord) -> Invitation:
    return Invitation(
        id=record.id,
        email=record.email,
        role=record.role_id,
        level=record.level,
        invited_by=record.invited_by,
        message=record.message,
        must_approve=record.must_approve,
        created=ms_to_datetime(record.created),
        expiration=ms_to_datetime(record.expiration),
    )


@handles("portal:invitations.invite")
def invite(call: Call, p: InvitationsInviteParams) -> InviteResult:
    not_invited = rules.invite(
        call.state,
        call.user,
        list(p.emails),
        role=p.role,
        level=p.level,
        expiration=p.expiration,
        message=p.message,
        must_approve=bool(p.must_approve),
    )
    return InviteResult(success=True, not_invited=not_invited)


@handles("portal:invitations.pending")
def list_invitations(call: Call, p: InvitationsPendingParams) -> InvitationsPage:
    pending = call.state.users.invitations.pending()
    w = window(p.start, p.num, len(pending))
    return InvitationsPage(
        total=w.total,
        start=w.start,
        num=w.num,
        next_start=w.next_start,
        invitations=[invitation_view(r) for r in pending[w.start - 1 : w.start - 1 + w.num]],
    )


@handles("portal:invitations.get")
def get(call: Call, p: InvitationsGetParams) -> Invitation:
    return invitation_view(call.state.users.invitations.require(p.invitation_id))


@handles("portal:invitations.delete")
def delete(call: Call, p: InvitationsDeleteParams) -> InvitationResult:
    invitations = call.state.users.invitations
    record = invitations.require(p.invitation_id)
    invitations.remove(record)
    return InvitationResult(success=True, id=record.id)
