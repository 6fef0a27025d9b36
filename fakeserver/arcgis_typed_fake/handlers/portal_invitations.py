"""Handlers of spec/portal/invitations.yaml: portals/self/inviteByEmail, portals/self/invitations and a member's
own group invitations (community/users/{username}/invitations)."""

from __future__ import annotations

from arcgis_typed._runtime.wire import ms_to_datetime
from arcgis_typed.portal.models.invitations import (
    Invitation,
    InvitationAnswer,
    InvitationResult,
    InvitationSender,
    InvitationsPage,
    InvitedGroup,
    InviteResult,
    UserInvitation,
    UserInvitations,
)
from arcgis_typed.portal.params.invitations import (
    InvitationsAcceptParams,
    InvitationsDeclineParams,
    InvitationsDeleteParams,
    InvitationsGetParams,
    InvitationsInviteParams,
    InvitationsPendingParams,
    InvitationsUserInvitationParams,
    InvitationsUserInvitationsParams,
)

from ..call import Call
from ..registry import handles
from ..state import invitations as member_invitations
from ..state import users as rules
from ..state.invitations import GroupInvitationRecord, InvitationRecord
from ..state.portal import PortalState
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


# --- a member's group invitations ------------------------------------------------------------------------------


def user_invitation_view(state: PortalState, record: GroupInvitationRecord) -> UserInvitation:
    group = state.groups.get(record.group_id)
    sender = state.users.get(record.sender)
    return UserInvitation(
        id=record.id,
        target_type="group",
        target_id=record.group_id,
        type="user",
        username=record.username,
        role=record.role,
        accepted=False,
        must_approve=False,
        received=ms_to_datetime(record.created),
        created=ms_to_datetime(record.created),
        expiration=ms_to_datetime(record.expiration),
        from_username=InvitationSender(username=record.sender, fullname=sender.full_name if sender else None),
        group=None if group is None else InvitedGroup(
            id=group.id, title=group.title, owner=group.owner, access=group.access,
            is_invitation_only=group.is_invitation_only, is_view_only=group.is_view_only,
            description=group.description, snippet=group.snippet, tags=list(group.tags), thumbnail=group.thumbnail,
            created=ms_to_datetime(group.created), modified=ms_to_datetime(group.modified),
        ),
    )


@handles("portal:invitations.user_invitations")
def user_invitations(call: Call, p: InvitationsUserInvitationsParams) -> UserInvitations:
    records = member_invitations.invitations_of(call.state, call.user, p.username)
    return UserInvitations(user_invitations=[user_invitation_view(call.state, r) for r in records])


@handles("portal:invitations.user_invitation")
def user_invitation(call: Call, p: InvitationsUserInvitationParams) -> UserInvitation:
    return user_invitation_view(call.state, member_invitations.invitation_of(call.state, call.user, p.username, p.invitation_id))


def _answer(call: Call, username: str, invitation_id: str, accept: bool) -> InvitationAnswer:
    record, group = member_invitations.answer_invitation(call.state, call.user, username, invitation_id, accept)
    return InvitationAnswer(success=True, username=call.user.username, group_id=group.id, id=record.id)


@handles("portal:invitations.accept")
def accept(call: Call, p: InvitationsAcceptParams) -> InvitationAnswer:
    return _answer(call, p.username, p.invitation_id, True)


@handles("portal:invitations.decline")
def decline(call: Call, p: InvitationsDeclineParams) -> InvitationAnswer:
    return _answer(call, p.username, p.invitation_id, False)
