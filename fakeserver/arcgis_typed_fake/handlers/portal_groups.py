"""Handlers of spec/portal/groups.yaml: groups, membership, invitations, join requests, group content."""

from __future__ import annotations

from typing import Any

import attrs

from arcgis_typed._runtime import wire
from arcgis_typed._runtime.operation import Upload
from arcgis_typed._runtime.wire import ms_to_datetime
from arcgis_typed.portal.models.categories import CategoryResult, CategorySchema, UpdateItemsResult
from arcgis_typed.portal.models.groups import (
    AddUsersResult,
    CreateGroupResult,
    Group,
    GroupApplication,
    GroupApplications,
    GroupContentPage,
    GroupContentSearchPage,
    GroupInviteResult,
    GroupMembership,
    GroupResult,
    GroupSearchPage,
    GroupUsers,
    RemoveUsersResult,
    UpdateUsersEntry,
    UpdateUsersResult,
)
from arcgis_typed.portal.params.groups import (
    GroupsAcceptParams,
    GroupsAddUsersParams,
    GroupsApplicationParams,
    GroupsApplicationsParams,
    GroupsAssignCategorySchemaParams,
    GroupsCategorySchemaParams,
    GroupsContentParams,
    GroupsCreateParams,
    GroupsDeclineParams,
    GroupsDeleteParams,
    GroupsGetParams,
    GroupsHomepageParams,
    GroupsInviteParams,
    GroupsJoinParams,
    GroupsLeaveParams,
    GroupsNotifyParams,
    GroupsProtectParams,
    GroupsReassignParams,
    GroupsRemoveUsersParams,
    GroupsSearchContentParams,
    GroupsSearchParams,
    GroupsThumbnailParams,
    GroupsUnprotectParams,
    GroupsUpdateCategoriesParams,
    GroupsUpdateParams,
    GroupsUpdateUsersParams,
    GroupsUsersParams,
)
from werkzeug.wrappers import Response

from ..call import Call
from ..html import home_page
from ..registry import handles
from ..state.categories import category_filters, matches_filters
from ..state.groups import Application, GroupRecord, GroupStore
from ..state.users import Thumbnail, UserRecord
from ._paging import window
from .portal_categories import update_each_item
from .portal_content import item_view


def group_view(groups: GroupStore, caller: UserRecord | None, group: GroupRecord) -> Group:
    kind = groups.member_type(caller, group)
    membership = None
    if caller is not None:
        membership = GroupMembership(
            username=caller.username,
            member_type=kind,
            applications=len(group.applications) if kind in ("owner", "admin") else 0,
        )
    return Group(
        id=group.id,
        title=group.title,
        owner=group.owner,
        org_id=group.org_id,
        description=group.description,
        snippet=group.snippet,
        tags=list(group.tags),
        phone=group.phone,
        thumbnail=group.thumbnail,
        access=group.access,
        sort_field=group.sort_field,
        sort_order=group.sort_order,
        is_invitation_only=group.is_invitation_only,
        is_view_only=group.is_view_only,
        is_fav=False,
        is_open_data=group.is_open_data,
        is_read_only=False,
        auto_join=group.auto_join,
        leaving_disallowed=group.leaving_disallowed,
        hidden_members=group.hidden_members,
        notifications_enabled=False,
        provider=group.provider,
        provider_group_name=group.provider_group_name,
        capabilities=list(group.capabilities),
        protected=group.protected,
        created=ms_to_datetime(group.created),
        modified=ms_to_datetime(group.modified),
        user_membership=membership,
    )


def _fields(p: GroupsCreateParams | GroupsUpdateParams) -> dict[str, Any]:
    return {
        "description": p.description,
        "snippet": p.snippet,
        "phone": p.phone,
        "is_invitation_only": p.is_invitation_only,
        "is_view_only": p.is_view_only,
        "sort_field": p.sort_field,
        "sort_order": p.sort_order,
        "auto_join": p.auto_join,
        "leaving_disallowed": p.leaving_disallowed,
        "hidden_members": p.hidden_members,
        "is_open_data": p.is_open_data,
        "capabilities": None if p.capabilities is None else [c.strip() for c in p.capabilities if c.strip()],
        "max_file_size": p.max_file_size,
        "display_settings": p.display_settings,
    }


def _thumbnail(upload: Upload | None) -> Thumbnail | None:
    return None if upload is None else (upload.filename or "thumbnail.png", upload.data, upload.content_type)


def _ok(group: GroupRecord) -> GroupResult:
    return GroupResult(success=True, group_id=group.id)


@handles("portal:groups.create")
def create(call: Call, p: GroupsCreateParams) -> CreateGroupResult:
    groups = call.state.groups
    extra = {"provider": p.provider, "provider_group_name": p.provider_group_name}
    group = groups.create(
        call.user,
        title=p.title,
        tags=list(p.tags),
        access=p.access,
        thumbnail=_thumbnail(p.thumbnail),
        **_fields(p),
        **extra,
    )
    return CreateGroupResult(success=True, group=group_view(groups, call.user, group))


@handles("portal:groups.get")
def get(call: Call, p: GroupsGetParams) -> Group:
    groups = call.state.groups
    return group_view(groups, call.caller, groups.visible(call.caller, p.id))


@handles("portal:groups.search")
def search(call: Call, p: GroupsSearchParams) -> GroupSearchPage:
    groups = call.state.groups
    ids = groups.search(call.caller, p.q)
    if p.category_filters is not None:
        ids = groups.in_categories(ids, p.category_filters)
    w = window(p.start, p.num, len(ids))
    page = groups.page(ids, sort_field=p.sort_field, sort_order=p.sort_order, start=w.start, num=w.num)
    return GroupSearchPage(
        query=p.q,
        total=w.total,
        start=w.start,
        num=w.num,
        next_start=w.next_start,
        results=[group_view(groups, call.caller, g) for g in page],
    )


@handles("portal:groups.update")
def update(call: Call, p: GroupsUpdateParams) -> GroupResult:
    group = call.state.groups.update(
        call.user,
        p.id,
        clear_empty_fields=bool(p.clear_empty_fields),
        title=p.title,
        tags=None if p.tags is None else [t.strip() for t in p.tags if t.strip()],
        access=p.access,
        thumbnail=_thumbnail(p.thumbnail),
        **_fields(p),
    )
    return _ok(group)


@handles("portal:groups.delete")
def delete(call: Call, p: GroupsDeleteParams) -> GroupResult:
    return _ok(call.state.groups.delete(call.user, p.id))


@handles("portal:groups.protect")
def protect(call: Call, p: GroupsProtectParams) -> GroupResult:
    return _ok(call.state.groups.set_protected(call.user, p.id, True))


@handles("portal:groups.unprotect")
def unprotect(call: Call, p: GroupsUnprotectParams) -> GroupResult:
    return _ok(call.state.groups.set_protected(call.user, p.id, False))


@handles("portal:groups.reassign")
def reassign(call: Call, p: GroupsReassignParams) -> GroupResult:
    return _ok(call.state.groups.reassign(call.user, p.id, p.target_username))


@handles("portal:groups.add_users")
def add_users(call: Call, p: GroupsAddUsersParams) -> AddUsersResult:
    return AddUsersResult(
        not_added=call.state.groups.add_users(call.user, p.id, list(p.users or []), list(p.admins or []))
    )


@handles("portal:groups.remove_users")
def remove_users(call: Call, p: GroupsRemoveUsersParams) -> RemoveUsersResult:
    return RemoveUsersResult(not_removed=call.state.groups.remove_users(call.user, p.id, list(p.users or [])))


@handles("portal:groups.update_users")
def update_users(call: Call, p: GroupsUpdateUsersParams) -> UpdateUsersResult:
    results = call.state.groups.update_users(call.user, p.id, list(p.users or []), list(p.admins or []))
    return UpdateUsersResult(results=[UpdateUsersEntry(username=u, success=ok) for u, ok in results])


@handles("portal:groups.users")
def users(call: Call, p: GroupsUsersParams) -> GroupUsers:
    group = call.state.groups.members_view(call.caller, p.id)
    names = {name: kind for name, kind in group.members.items()}

    def shown(name: str) -> str:
        user = call.state.users.get(name)
        return user.username if user is not None else name

    return GroupUsers(
        owner=group.owner,
        admins=sorted((shown(n) for n, k in names.items() if k in ("owner", "admin")), key=str.lower),
        users=sorted((shown(n) for n, k in names.items() if k == "member"), key=str.lower),
    )


@handles("portal:groups.join")
def join(call: Call, p: GroupsJoinParams) -> GroupResult:
    return _ok(call.state.groups.join(call.user, p.id))


@handles("portal:groups.leave")
def leave(call: Call, p: GroupsLeaveParams) -> GroupResult:
    return _ok(call.state.groups.leave(call.user, p.id))


@handles("portal:groups.invite")
def invite(call: Call, p: GroupsInviteParams) -> GroupInviteResult:
    not_invited = call.state.groups.invite(call.user, p.id, list(p.users), p.role, p.expiration)
    return GroupInviteResult(success=True, not_invited=not_invited)


def _application_view(call: Call, application: Application) -> GroupApplication:
    user = call.state.users.get(application.username)
    return GroupApplication(
        username=application.username,
        full_name=user.full_name if user is not None else None,
        received=ms_to_datetime(application.received),
        comments=application.comments,
    )


@handles("portal:groups.applications")
def applications(call: Call, p: GroupsApplicationsParams) -> GroupApplications:
    found = call.state.groups.applications_of(call.user, p.id)
    return GroupApplications(applications=[_application_view(call, a) for a in found])


@handles("portal:groups.application")
def application(call: Call, p: GroupsApplicationParams) -> GroupApplication:
    return _application_view(call, call.state.groups.application(call.user, p.id, p.username))


@handles("portal:groups.accept")
def accept(call: Call, p: GroupsAcceptParams) -> GroupResult:
    return _ok(call.state.groups.decide(call.user, p.id, p.username, accept=True))


@handles("portal:groups.decline")
def decline(call: Call, p: GroupsDeclineParams) -> GroupResult:
    return _ok(call.state.groups.decide(call.user, p.id, p.username, accept=False))


@handles("portal:groups.content")
def content(call: Call, p: GroupsContentParams) -> GroupContentPage:
    state = call.state
    group = state.groups.visible(call.caller, p.id)
    ids = state.items.in_group(group.id) & state.items.visible_ids(call.caller)
    w = window(p.start, p.num, len(ids))
    page = state.items.page(
        ids, sort_field=p.sort_field or "title", sort_order=p.sort_order, start=w.start, num=w.num
    )
    return GroupContentPage(
        total=w.total,
        start=w.start,
        num=w.num,
        next_start=w.next_start,
        items=[item_view(i) for i in page],
    )


@handles("portal:groups.search_content")
def search_content(call: Call, p: GroupsSearchContentParams) -> GroupContentSearchPage:
    state = call.state
    group = state.groups.visible(call.caller, p.id)
    ids = state.items.in_group(group.id) & state.items.visible_ids(call.caller)
    if p.q:
        ids = ids & state.items.search(call.caller, p.q)
    if p.categories:
        filters = category_filters(list(p.categories))
        records = (state.items.get(i) for i in ids)
        ids = {r.id for r in records if r and matches_filters(r.group_categories.get(group.id, []), filters)}
    w = window(p.start, p.num, len(ids))
    page = state.items.page(ids, sort_field=p.sort_field, sort_order=p.sort_order, start=w.start, num=w.num)
    return GroupContentSearchPage(
        query=p.q or "",
        total=w.total,
        start=w.start,
        num=w.num,
        next_start=w.next_start,
        results=[
            attrs.evolve(item_view(i), group_categories=list(i.group_categories.get(group.id, []))) for i in page
        ],
    )


@handles("portal:groups.update_categories")
def update_categories(call: Call, p: GroupsUpdateCategoriesParams) -> UpdateItemsResult:
    groups = call.state.groups
    group = groups.managed_by(call.user, p.id)
    return update_each_item(p.items, lambda item_id, categories: groups.set_item_categories(group, item_id, categories))


@handles("portal:groups.homepage")
def homepage(call: Call, p: GroupsHomepageParams) -> Response:
    group = call.state.groups.visible(call.caller, p.id)
    page = home_page(group.title, [group.snippet, f"Owner: {group.owner}"],
                     json_url=f"{call.rest_url}/community/groups/{group.id}")
    return Response(page, content_type="text/html; charset=utf-8")


@handles("portal:groups.category_schema")
def category_schema(call: Call, p: GroupsCategorySchemaParams) -> CategorySchema:
    group = call.state.groups.visible(call.caller, p.id)
    return wire.structure({"categorySchema": group.categories.schema}, CategorySchema)


@handles("portal:groups.assign_category_schema")
def assign_category_schema(call: Call, p: GroupsAssignCategorySchemaParams) -> CategoryResult:
    call.state.groups.assign_categories(call.user, p.id, p.category_schema)
    return CategoryResult(success=True)


@handles("portal:groups.notify")
def notify(call: Call, p: GroupsNotifyParams) -> GroupResult:
    note = call.state.groups.notify(
        call.user,
        p.id,
        subject=p.subject,
        message=p.message,
        users=list(p.users or []),
        channel=p.notification_channel_type,
    )
    return GroupResult(success=True, group_id=note.group_id)


@handles("portal:groups.thumbnail")
def thumbnail(call: Call, p: GroupsThumbnailParams) -> Response:
    group = call.state.groups.thumbnail(call.caller, p.id, p.file_name)
    return Response(group.thumbnail_data, content_type=group.thumbnail_type)
