"""Handlers of spec/portal/content.yaml: user content, addItem, items, data, update, delete, share, search."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from arcgis_typed._runtime.operation import Upload
from arcgis_typed._runtime.wire import ms_to_datetime
from arcgis_typed.portal.models.content import (
    AddItemResult,
    DeleteItemResult,
    Folder,
    Item,
    ItemSearchPage,
    ShareItemResult,
    ShareItemsResult,
    ShareItemsResultEntry,
    UnshareItemResult,
    UnshareItemsResult,
    UnshareItemsResultEntry,
    UpdateItemResult,
    UserContent,
)
from arcgis_typed.portal.models.groups import ItemGroups
from arcgis_typed.portal.params.content import (
    ContentAddItemParams,
    ContentDeleteParams,
    ContentFolderContentParams,
    ContentGetDataParams,
    ContentGetParams,
    ContentItemGroupsParams,
    ContentSearchParams,
    ContentShareItemsParams,
    ContentShareParams,
    ContentUnshareItemsParams,
    ContentUnshareParams,
    ContentUnshareUserItemParams,
    ContentUpdateParams,
    ContentUserContentParams,
)
from werkzeug.wrappers import Response

from ..call import Call
from ..errors import Fault, bad_request, forbidden
from ..registry import handles
from ..state.items import Folder as FolderRecord
from ..state.items import ItemRecord
from ..state.users import UserRecord
from ._paging import window


def item_view(item: ItemRecord) -> Item:
    return Item(
        id=item.id,
        owner=item.owner,
        org_id=item.org_id,
        title=item.title,
        type=item.type,
        type_keywords=list(item.type_keywords),
        name=item.data_name,
        description=item.description or None,
        snippet=item.snippet or None,
        tags=list(item.tags),
        url=item.url or None,
        access=item.access,
        owner_folder=item.folder_id,
        created=ms_to_datetime(item.created),
        modified=ms_to_datetime(item.modified),
        size=item.size,
        protected=item.protected,
        categories=list(item.categories),
        extent=_extent(item.extent),
        spatial_reference=item.spatial_reference or None,
        access_information=item.access_information or None,
        license_info=item.license_info or None,
        culture=item.culture or None,
        properties=item.properties,
        num_views=item.num_views,
        num_comments=0,
        num_ratings=0,
        avg_rating=0.0,
        screenshots=[],
        item_control="update" if item.update_groups else None,
    )


def _extent(text: str) -> list[list[float]]:
    """`xmin,ymin,xmax,ymax` as ArcGIS answers it: [[xmin, ymin], [xmax, ymax]] (empty when unset)."""
    try:
        xmin, ymin, xmax, ymax = (float(v) for v in text.split(","))
    except ValueError:
        return []
    return [[xmin, ymin], [xmax, ymax]]


def _check_extent(text: str | None) -> str | None:
    if text and not _extent(text):
        raise bad_request("Invalid parameter 'extent': expected xmin,ymin,xmax,ymax.")
    return text


def _upload(file: Upload | None, file_name: str | None) -> dict[str, Any]:
    """The state's data arguments for an optional uploaded file (`fileName` overrides the part's name)."""
    if file is None:
        return {"data": None, "data_name": None, "data_type": None}
    return {"data": file.data, "data_name": file_name or file.filename, "data_type": file.content_type}


def _folder_view(folder: FolderRecord) -> Folder:
    return Folder(
        id=folder.id, title=folder.title, username=folder.username, created=ms_to_datetime(folder.created)
    )


def _content_owner(call: Call, username: str) -> UserRecord:
    owner = call.state.users.require(username)
    me = call.user
    if owner is not me and not (me.has("portal:admin:viewItems") and me.org_id == owner.org_id):
        raise forbidden()
    return owner


def _user_content(
    call: Call,
    owner: UserRecord,
    folder: FolderRecord | None,
    p: ContentUserContentParams | ContentFolderContentParams,
) -> UserContent:
    items = call.state.items
    ids = items.owned_by(owner.username, folder.id if folder else None)
    w = window(p.start, p.num, len(ids))
    page = items.page(
        ids, sort_field=p.sort_field or "created", sort_order=p.sort_order, start=w.start, num=w.num
    )
    return UserContent(
        username=owner.username,
        current_folder=_folder_view(folder) if folder else None,
        total=w.total,
        start=w.start,
        num=w.num,
        next_start=w.next_start,
        items=[item_view(i) for i in page],
        folders=[_folder_view(f) for f in items.folders(owner.username)],
    )


@handles("portal:content.user_content")
def user_content(call: Call, p: ContentUserContentParams) -> UserContent:
    return _user_content(call, _content_owner(call, p.username), None, p)


@handles("portal:content.folder_content")
def folder_content(call: Call, p: ContentFolderContentParams) -> UserContent:
    owner = _content_owner(call, p.username)
    folder = call.state.items.folder(owner.username, p.folder_id)
    if folder is None:
        raise bad_request(f"Folder '{p.folder_id}' does not exist.")
    return _user_content(call, owner, folder, p)


@handles("portal:content.add_item")
def add_item(call: Call, p: ContentAddItemParams) -> AddItemResult:
    item = call.state.add_item(
        call.user,
        p.username,
        title=p.title,
        type=p.type,
        **_upload(p.file, p.file_name),
        text=p.text,
        url=p.url,
        type_keywords=list(p.type_keywords or []),
        description=p.description or "",
        snippet=p.snippet or "",
        tags=list(p.tags or []),
        extent=_check_extent(p.extent) or "",
        spatial_reference=p.spatial_reference or "",
        access_information=p.access_information or "",
        license_info=p.license_info or "",
        culture=p.culture or "",
        properties=p.properties,
    )
    return AddItemResult(success=True, id=item.id, folder=item.folder_id)


@handles("portal:content.get")
def get(call: Call, p: ContentGetParams) -> Item:
    return item_view(call.state.require_visible_item(call.caller, p.id))


@handles("portal:content.get_data")
def get_data(call: Call, p: ContentGetDataParams) -> Response:
    item = call.state.require_visible_item(call.caller, p.id)
    if item.data is None:
        return Response(b"{}", content_type="application/json")
    headers = {}
    if item.data_name:
        headers["Content-Disposition"] = _attachment(item.data_name)
    return Response(item.data, content_type=item.data_type, headers=headers)


def _attachment(name: str) -> str:
    """A Content-Disposition for a stored file name whatever it holds: a name with quotes or non-ASCII letters
    gets an ASCII fallback and the exact name percent-encoded (RFC 6266); never a broken or injected header."""
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in name)
    if fallback == name:
        return f'attachment; filename="{name}"'
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


@handles("portal:content.update")
def update(call: Call, p: ContentUpdateParams) -> UpdateItemResult:
    item = call.state.update_item(
        call.user,
        p.username,
        p.id,
        **_upload(p.file, p.file_name),
        text=p.text,
        clear_empty_fields=bool(p.clear_empty_fields),
        title=p.title,
        type_keywords=p.type_keywords,
        description=p.description,
        snippet=p.snippet,
        tags=p.tags,
        url=p.url,
        extent=_check_extent(p.extent),
        access_information=p.access_information,
        license_info=p.license_info,
        culture=p.culture,
        properties=p.properties,
    )
    return UpdateItemResult(success=True, id=item.id)


@handles("portal:content.delete")
def delete(call: Call, p: ContentDeleteParams) -> DeleteItemResult:
    item = call.state.delete_item(call.user, p.username, p.id)
    return DeleteItemResult(success=True, item_id=item.id)


@handles("portal:content.share")
def share(call: Call, p: ContentShareParams) -> ShareItemResult:
    item = call.state.require_visible_item(call.caller, p.id)
    not_shared = call.state.share_item(
        call.user,
        item,
        everyone=p.everyone,
        org=p.org,
        groups=list(p.groups or []),
        confirm_item_control=bool(p.confirm_item_control),
    )
    return ShareItemResult(item_id=item.id, not_shared_with=not_shared)


def _each_item(
    call: Call, username: str, item_ids: list[str], act: Callable[[ItemRecord], list[str]]
) -> list[tuple[str, list[str] | None, dict[str, Any] | None]]:
    """`act` on each of a user's items, for the bulk share operations: only the user, or an administrator of
    their organization, may; one (item id, groups `act` answered, error) per item, an error not stopping the rest."""
    owner = call.state.users.require(username)
    if owner is not call.user and not (call.user.org_id == owner.org_id and call.user.has("portal:admin:shareToGroup")):
        raise forbidden()
    out: list[tuple[str, list[str] | None, dict[str, Any] | None]] = []
    for item_id in item_ids:
        try:
            item = call.state.items.owned_for(call.user, item_id, username, "portal:admin:shareToGroup")
            out.append((item_id, act(item), None))
        except Fault as fault:
            out.append((item_id, None, {"code": fault.code, "message": fault.message}))
    return out


@handles("portal:content.share_items")
def share_items(call: Call, p: ContentShareItemsParams) -> ShareItemsResult:
    def share(item: ItemRecord) -> list[str]:
        return call.state.share_item(
            call.user,
            item,
            everyone=p.everyone,
            org=p.org,
            groups=list(p.groups or []),
            confirm_item_control=bool(p.confirm_item_control),
        )

    return ShareItemsResult(
        results=[
            ShareItemsResultEntry(item_id=i, success=error is None, not_shared_with=groups, error=error)
            for i, groups, error in _each_item(call, p.username, p.items, share)
        ]
    )


@handles("portal:content.search")
def search(call: Call, p: ContentSearchParams) -> ItemSearchPage:
    items = call.state.items
    ids = items.search(call.caller, p.q)
    w = window(p.start, p.num, len(ids))
    page = items.page(ids, sort_field=p.sort_field, sort_order=p.sort_order, start=w.start, num=w.num)
    return ItemSearchPage(
        query=p.q,
        total=w.total,
        start=w.start,
        num=w.num,
        next_start=w.next_start,
        results=[item_view(i) for i in page],
    )


@handles("portal:content.unshare")
def unshare(call: Call, p: ContentUnshareParams) -> UnshareItemResult:
    item = call.state.require_visible_item(call.caller, p.id)
    return UnshareItemResult(
        item_id=item.id, not_unshared_from=call.state.unshare_item(call.user, item, list(p.groups or []))
    )


@handles("portal:content.unshare_user_item")
def unshare_user_item(call: Call, p: ContentUnshareUserItemParams) -> UnshareItemResult:
    item = call.state.require_visible_item(call.caller, p.id)
    if item.owner.lower() != p.username.lower():
        raise bad_request(f"Item '{p.id}' does not belong to user '{p.username}'.")
    return UnshareItemResult(
        item_id=item.id, not_unshared_from=call.state.unshare_item(call.user, item, list(p.groups or []))
    )


@handles("portal:content.unshare_items")
def unshare_items(call: Call, p: ContentUnshareItemsParams) -> UnshareItemsResult:
    def unshare(item: ItemRecord) -> list[str]:
        return call.state.unshare_item(call.user, item, list(p.groups or []))

    return UnshareItemsResult(
        results=[
            UnshareItemsResultEntry(item_id=i, success=error is None, not_unshared_from=groups, error=error)
            for i, groups, error in _each_item(call, p.username, p.items, unshare)
        ]
    )


@handles("portal:content.item_groups")
def item_groups(call: Call, p: ContentItemGroupsParams) -> ItemGroups:
    from .portal_groups import group_view  # (portal_groups imports this module)

    state = call.state
    item = state.require_visible_item(call.caller, p.id)
    buckets: dict[str, list[Any]] = {"admin": [], "member": [], "other": []}
    for group_id in sorted(item.groups):
        group = state.groups.get(group_id)
        if group is None or not state.groups.can_view(call.caller, group):
            continue
        kind = state.groups.member_type(call.caller, group)
        bucket = "admin" if kind in ("owner", "admin") else "member" if kind == "member" else "other"
        buckets[bucket].append(group_view(state.groups, call.caller, group))
    return ItemGroups(admin=buckets["admin"], member=buckets["member"], other=buckets["other"])
