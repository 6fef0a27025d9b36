"""Handlers of spec/portal/users.yaml: community/self, community/users, portals/self/users."""

from __future__ import annotations


import attrs
from arcgis_typed._runtime.operation import Upload
from arcgis_typed._runtime.wire import ms_to_datetime
from arcgis_typed.portal.models.users import (
    LinkedUser,
    LinkedUsersPage,
    OrgUsersPage,
    SuccessResult,
    User,
    UserGroupsEntry,
    UserResult,
    UsersBatchEntry,
    UsersBatchResult,
    UserSearchPage,
    UsersGroupsResult,
)
from arcgis_typed.portal.params.users import (
    UsersCreateParams,
    UsersDeleteParams,
    UsersDeleteThumbnailParams,
    UsersDisableParams,
    UsersDisableUsersParams,
    UsersEnableParams,
    UsersEnableUsersParams,
    UsersGetParams,
    UsersHomepageParams,
    UsersLinkedUsersParams,
    UsersLinkUserParams,
    UsersMeParams,
    UsersOrgUsersParams,
    UsersReassignParams,
    UsersResetParams,
    UsersSearchParams,
    UsersSignupParams,
    UsersThumbnailParams,
    UsersUnlinkUserParams,
    UsersUpdateLevelParams,
    UsersUpdateParams,
    UsersUpdateRoleParams,
    UsersUsersGroupsParams,
)
from werkzeug.wrappers import Response

from ..call import Call
from ..html import home_page
from ..errors import Fault, bad_request
from ..registry import handles
from ..state import users as rules
from ..state.portal import PortalState
from ..state.search import QuerySyntaxError
from ..state.users import UserRecord
from ._paging import window
from .portal_groups import group_view


def upload_parts(upload: Upload | None) -> rules.Thumbnail | None:
    return None if upload is None else (upload.filename or "thumbnail.png", upload.data, upload.content_type)


def user_view(state: PortalState, caller: UserRecord | None, user: UserRecord, *, detailed: bool = True) -> User:
    """A user as `caller` may see them: everything for themselves and user administrators, the public
    profile for everybody else. Search results (`detailed=False`) leave out the user's groups and storage
    usage, which the user resource has: they cost a walk over the user's groups and items per result."""
    full = caller is not None and (
        caller is user or (caller.org_id == user.org_id and caller.has("portal:admin:viewUsers"))
    )
    public = User(
        username=user.username,
        id=user.id,
        full_name=user.full_name,
        first_name=user.first_name or None,
        last_name=user.last_name or None,
        description=user.description,
        tags=list(user.tags),
        thumbnail=user.thumbnail,
        org_id=user.org_id,
        access=user.access,
        culture=user.culture,
        region=user.region or None,
        units=user.units,
        preferred_view=user.preferred_view or None,
        provider="arcgis",
        created=ms_to_datetime(user.created),
        modified=ms_to_datetime(user.modified),
    )
    if not full:
        return public
    return attrs.evolve(
        public,
        email=user.email,
        role=user.role,
        role_id=user.role_id,
        privileges=list(user.privileges),
        level=user.level,
        user_type=user.esri_access,
        user_license_type_id=user.user_type_id,
        disabled=user.disabled,
        mfa_enabled=False,
        storage_usage=state.items.storage_of(user.username) if detailed else None,
        storage_quota=2_147_483_648,
        last_login=ms_to_datetime(user.last_login),
        groups=[
            group_view(state.groups, user, g)
            for g in state.groups.all_of(state.groups.groups_of(user.username))
        ] if detailed else None,
    )


@handles("portal:users.me")
def me(call: Call, p: UsersMeParams) -> User:
    return user_view(call.state, call.caller, call.user)


@handles("portal:users.get")
def get(call: Call, p: UsersGetParams) -> User:
    user = call.state.require_user_visible(call.caller, p.username)
    return user_view(call.state, call.caller, user)


def _sorted_users(
    state: PortalState, ids: set[str], sort_field: str | None, sort_order: str | None, start: int, num: int
) -> list[UserRecord]:
    fields = [f.strip() for f in (sort_field or "username").split(",") if f.strip()]
    try:
        ordered = state.users.index.page(
            ids, sort_fields=fields, descending=sort_order == "desc", start=start, num=num
        )
    except ValueError as exc:
        raise bad_request(f"Invalid parameter 'sortField': {exc}") from None
    return [u for u in (state.users.get(i) for i in ordered) if u is not None]


@handles("portal:users.search")
def search(call: Call, p: UsersSearchParams) -> UserSearchPage:
    state = call.state
    try:
        matches = state.users.index.query(p.q)
    except QuerySyntaxError as exc:
        raise Fault(400, "Unable to perform query. Please check your parameters.", [str(exc)]) from None
    caller = call.caller
    sees_org = caller is not None and caller.has("portal:admin:viewUsers")  # once, not once per match
    visible = {
        i for i in matches if (u := state.users.get(i)) is not None
        and ((sees_org and caller is not None and u.org_id == caller.org_id) or state.can_view_user(caller, u))
    }
    w = window(p.start, p.num, len(visible))
    users = _sorted_users(state, visible, p.sort_field, p.sort_order, w.start, w.num)
    return UserSearchPage(
        query=p.q,
        total=w.total,
        start=w.start,
        num=w.num,
        next_start=w.next_start,
        results=[user_view(state, call.caller, u, detailed=False) for u in users],
    )


@handles("portal:users.org_users")
def org_users(call: Call, p: UsersOrgUsersParams) -> OrgUsersPage:
    state = call.state
    ids = {u.username.lower() for u in state.users if u.org_id == call.user.org_id}
    w = window(p.start, p.num, len(ids))
    users = _sorted_users(state, ids, p.sort_field, p.sort_order, w.start, w.num)
    return OrgUsersPage(
        total=w.total,
        start=w.start,
        num=w.num,
        next_start=w.next_start,
        users=[user_view(state, call.caller, u) for u in users],
    )


# --- user administration (the rules are in state/users.py) ---------------------------------------------------


@handles("portal:users.create")
def create(call: Call, p: UsersCreateParams) -> UserResult:
    user = rules.create_member(
        call.state,
        call.user,
        username=p.username,
        password=p.password,
        email=p.email,
        role=p.role,
        first_name=p.firstname,
        last_name=p.lastname,
        full_name=p.fullname,
        description=p.description,
        user_license_type=p.user_license_type_id,
    )
    return UserResult(status="success", username=user.username)


@handles("portal:users.update")
def update(call: Call, p: UsersUpdateParams) -> UserResult:
    user = rules.update_profile(
        call.state,
        call.user,
        p.username,
        clear_empty_fields=bool(p.clear_empty_fields),
        fullname=p.fullname,
        firstname=p.firstname,
        lastname=p.lastname,
        email=p.email,
        description=p.description,
        tags=p.tags,
        access=p.access,
        culture=p.culture,
        region=p.region,
        units=p.units,
        preferred_view=p.preferred_view,
        thumbnail=upload_parts(p.thumbnail),
        esri_access=p.user_type,
    )
    return UserResult(success=True, username=user.username)


@handles("portal:users.update_role")
def update_role(call: Call, p: UsersUpdateRoleParams) -> UserResult:
    user = rules.change_role(call.state, call.user, p.user, p.role)
    return UserResult(success=True, username=user.username)


@handles("portal:users.disable")
def disable(call: Call, p: UsersDisableParams) -> UserResult:
    user = rules.set_disabled(call.state, call.user, p.username, True)
    return UserResult(status="success", success=True, username=user.username)


@handles("portal:users.enable")
def enable(call: Call, p: UsersEnableParams) -> UserResult:
    user = rules.set_disabled(call.state, call.user, p.username, False)
    return UserResult(status="success", success=True, username=user.username)


@handles("portal:users.delete")
def delete(call: Call, p: UsersDeleteParams) -> UserResult:
    user = rules.delete_member(call.state, call.user, p.username)
    return UserResult(success=True, username=user.username)


@handles("portal:users.reset")
def reset(call: Call, p: UsersResetParams) -> UserResult:
    user = rules.change_password(call.state, call.user, p.username, p.password, p.new_password)
    return UserResult(success=True, username=user.username)


def _batch(call: Call, usernames: list[str], disabled: bool) -> UsersBatchResult:
    results = []
    for name in usernames:
        try:
            user = rules.set_disabled(call.state, call.user, name, disabled)
        except Fault as fault:  # this one is refused and unchanged; the others go on
            results.append(
                UsersBatchEntry(
                    username=name,
                    success=False,
                    status=False,
                    error={"code": fault.code, "message": fault.message},
                )
            )
        else:
            results.append(UsersBatchEntry(username=user.username, success=True, status=True))
    return UsersBatchResult(status="success", results=results)


@handles("portal:users.disable_users")
def disable_users(call: Call, p: UsersDisableUsersParams) -> UsersBatchResult:
    return _batch(call, list(p.users), True)


@handles("portal:users.enable_users")
def enable_users(call: Call, p: UsersEnableUsersParams) -> UsersBatchResult:
    return _batch(call, list(p.users), False)


# --- thumbnails, the profile page, reassigning, levels, sign-up, groups of members, linked accounts ------------


@handles("portal:users.thumbnail")
def thumbnail(call: Call, p: UsersThumbnailParams) -> Response:
    user = rules.thumbnail_of(call.state, call.caller, p.username, p.file_name)
    return Response(user.thumbnail_data, content_type=user.thumbnail_type)


@handles("portal:users.delete_thumbnail")
def delete_thumbnail(call: Call, p: UsersDeleteThumbnailParams) -> SuccessResult:
    user = rules.delete_thumbnail(call.state, call.user, p.username)
    return SuccessResult(success=True, username=user.username)


@handles("portal:users.homepage")
def homepage(call: Call, p: UsersHomepageParams) -> Response:
    user = call.state.require_user_visible(call.caller, p.user)
    page = home_page(user.full_name or user.username, [user.username, user.description])
    return Response(page, content_type="text/html; charset=utf-8")


@handles("portal:users.reassign")
def reassign(call: Call, p: UsersReassignParams) -> SuccessResult:
    user = rules.reassign(call.state, call.user, p.username, p.target_username)
    return SuccessResult(success=True, username=user.username)


@handles("portal:users.update_level")
def update_level(call: Call, p: UsersUpdateLevelParams) -> SuccessResult:
    user = rules.set_level(call.state, call.user, p.user or p.user_name, p.level)
    return SuccessResult(success=True, username=user.username)


@handles("portal:users.signup")
def signup(call: Call, p: UsersSignupParams) -> SuccessResult:
    user = rules.signup(call.state, username=p.username, password=p.password, fullname=p.fullname, email=p.email)
    return SuccessResult(success=True, username=user.username)


@handles("portal:users.users_groups")
def users_groups(call: Call, p: UsersUsersGroupsParams) -> UsersGroupsResult:
    found = rules.groups_of_users(call.state, call.user, list(p.users), p.limit)
    return UsersGroupsResult(results=[UserGroupsEntry(username=name, groups=ids) for name, ids in found])


@handles("portal:users.linked_users")
def linked_users(call: Call, p: UsersLinkedUsersParams) -> LinkedUsersPage:
    linked = rules.linked_of(call.state, call.user, p.username)
    w = window(p.start, p.num, len(linked))
    return LinkedUsersPage(
        **w.counts,
        linked_users=[LinkedUser(username=u.username, full_name=u.full_name, org_id=u.org_id)
                      for u in linked[w.start - 1 : w.start - 1 + w.num]],
    )


@handles("portal:users.link_user")
def link_user(call: Call, p: UsersLinkUserParams) -> SuccessResult:
    rules.link(call.state, call.user, p.username, p.user, p.user_token)
    return SuccessResult(success=True, username=call.user.username)


@handles("portal:users.unlink_user")
def unlink_user(call: Call, p: UsersUnlinkUserParams) -> SuccessResult:
    rules.unlink(call.state, call.user, p.username, p.user)
    return SuccessResult(success=True, username=call.user.username)
