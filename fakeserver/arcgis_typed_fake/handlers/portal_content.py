"""Handlers of spec/portal/content.yaml: user content, addItem, items, data, update, delete, share, search;
folders, moving, reassigning, protection, status, thumbnails, metadata, content status and the item page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from arcgis_typed._runtime import wire
from arcgis_typed._runtime.operation import Upload
from arcgis_typed._runtime.wire import ms_to_datetime
from arcgis_typed.portal.models.content import (
    AddItemResult,
    AppProxies,
    CanDeleteResult,
    DeleteItemResult,
    DeleteItemsEntry,
    DeleteItemsResult,
    Folder,
    FolderResult,
    Item,
    ItemActionResult,
    ItemSharing,
    ItemSearchPage,
    MoveItemResult,
    ShareItemResult,
    ShareItemsResult,
    ShareItemsResultEntry,
    UnshareItemResult,
    UnshareItemsResult,
    UnshareItemsResultEntry,
    UpdateItemResult,
    UserContent,
    UserItem,
)
from arcgis_typed.portal.models.groups import ItemGroups
from arcgis_typed.portal.params.content import (
    ContentAddItemParams,
    ContentCanDeleteParams,
    ContentCreateFolderParams,
    ContentDeleteFolderParams,
    ContentDeleteItemsParams,
    ContentDeleteParams,
    ContentFolderContentParams,
    ContentGetDataParams,
    ContentGetParams,
    ContentItemGroupsParams,
    ContentItemPageParams,
    ContentMetadataParams,
    ContentMoveParams,
    ContentProtectParams,
    ContentProxiesParams,
    ContentReassignParams,
    ContentRenameFolderParams,
    ContentSearchParams,
    ContentSetContentStatusParams,
    ContentShareItemsParams,
    ContentShareParams,
    ContentThumbnailParams,
    ContentUnprotectParams,
    ContentUnshareItemsParams,
    ContentUnshareParams,
    ContentUnshareUserItemParams,
    ContentUpdateParams,
    ContentUserContentParams,
    ContentUserItemParams,
)
from werkzeug.wrappers import Response

from ..call import Call
from ..html import home_page
from ..errors import Fault, bad_request, forbidden
from ..registry import handles
from ..state import items as rules
from ..state.item_usage import record_view
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
        num_comments=item.num_comments,
        num_ratings=item.num_ratings,
        avg_rating=item.avg_rating,
        screenshots=[],
        item_control="update" if item.update_groups else None,
        thumbnail=item.thumbnail_name,
        content_status=item.content_status or None,
        owning_folder=item.folder_id,
        # ArcGIS writes "ownerFolder": null for the root folder, and the official client reads the key
        extra={"ownerFolder": None} if item.folder_id is None else {},
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


def _thumbnail(upload: Upload | None) -> tuple[str, bytes] | None:
    """The checked thumbnail/<name> and bytes of an uploaded thumbnail."""
    return None if upload is None else rules.check_thumbnail(upload.filename, upload.data)


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
    thumbnail = _thumbnail(p.thumbnail)
    item = call.state.add_item(
        call.user,
        p.username,
        folder=p.folder_id,
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
    rules.attach_files(call.state, item, thumbnail, None)
    return AddItemResult(success=True, id=item.id, folder=item.folder_id)


@handles("portal:content.get")
def get(call: Call, p: ContentGetParams) -> Item:
    return item_view(call.state.require_visible_item(call.caller, p.id))


@handles("portal:content.get_data")
def get_data(call: Call, p: ContentGetDataParams) -> Response:
    item = call.state.require_visible_item(call.caller, p.id)
    record_view(call.state, item)
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
    thumbnail = _thumbnail(p.thumbnail)
    metadata = rules.check_metadata(p.metadata.data if p.metadata else None)
    if p.folder_id is not None:
        rules.check_in_folder(call.state, call.state.require_visible_item(call.caller, p.id), p.folder_id)
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
    rules.attach_files(call.state, item, thumbnail, metadata)
    return UpdateItemResult(success=True, id=item.id)


@handles("portal:content.delete")
def delete(call: Call, p: ContentDeleteParams) -> DeleteItemResult:
    item = rules.delete_item(call.state, call.user, p.username, p.id, p.folder_id)
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
    if p.categories or p.category_filters is not None:
        ids = items.in_categories(ids, list(p.categories or []), p.category_filters)
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


# --- folders, moving, reassigning, protection --------------------------------------------------------------


@handles("portal:content.create_folder")
def create_folder(call: Call, p: ContentCreateFolderParams) -> FolderResult:
    return FolderResult(success=True, folder=_folder_view(rules.create_folder(call.state, call.user, p.username, p.title)))


@handles("portal:content.delete_folder")
def delete_folder(call: Call, p: ContentDeleteFolderParams) -> FolderResult:
    return FolderResult(success=True, folder=_folder_view(rules.delete_folder(call.state, call.user, p.username, p.folder_id)))


@handles("portal:content.rename_folder")
def rename_folder(call: Call, p: ContentRenameFolderParams) -> FolderResult:
    folder = rules.rename_folder(call.state, call.user, p.username, p.folder_id, p.new_title)
    return FolderResult(success=True, folder=_folder_view(folder))


@handles("portal:content.delete_items")
def delete_items(call: Call, p: ContentDeleteItemsParams) -> DeleteItemsResult:
    return DeleteItemsResult(
        results=[
            DeleteItemsEntry(
                item_id=item_id,
                success=fault is None,
                error=None if fault is None else {"code": fault.code, "message": fault.message, "details": fault.details},
            )
            for item_id, fault in rules.delete_items(call.state, call.user, p.username, p.items)
        ]
    )


@handles("portal:content.can_delete")
def can_delete(call: Call, p: ContentCanDeleteParams) -> CanDeleteResult:
    item = rules.can_delete(call.state, call.user, p.username, p.folder_id, p.id)
    return CanDeleteResult(item_id=item.id, success=True)


@handles("portal:content.move")
def move(call: Call, p: ContentMoveParams) -> MoveItemResult:
    item = rules.move_item(call.state, call.user, p.username, p.folder_id, p.id, p.folder)
    return MoveItemResult(success=True, item_id=item.id, owner=item.owner, folder=item.folder_id or "/")


@handles("portal:content.reassign")
def reassign(call: Call, p: ContentReassignParams) -> ItemActionResult:
    item = rules.reassign_item(
        call.state, call.user, p.username, p.folder_id, p.id, p.target_username, p.target_folder_name
    )
    return ItemActionResult(success=True, item_id=item.id)


@handles("portal:content.protect")
def protect(call: Call, p: ContentProtectParams) -> ItemActionResult:
    item = rules.protect_item(call.state, call.user, p.username, p.folder_id, p.id, True)
    return ItemActionResult(success=True, item_id=item.id)


@handles("portal:content.unprotect")
def unprotect(call: Call, p: ContentUnprotectParams) -> ItemActionResult:
    item = rules.protect_item(call.state, call.user, p.username, p.folder_id, p.id, False)
    return ItemActionResult(success=True, item_id=item.id)


# --- thumbnails, metadata, content status, proxies, the item page ------------------------------------------


@handles("portal:content.thumbnail")
def thumbnail(call: Call, p: ContentThumbnailParams) -> Response:
    data, content_type = rules.read_thumbnail(call.state, call.caller, p.id, p.file_name)
    return Response(data, content_type=content_type)


@handles("portal:content.metadata")
def metadata(call: Call, p: ContentMetadataParams) -> Response:
    data = rules.read_metadata(call.state, call.caller, p.id)
    return Response(data, content_type="application/xml", headers={"Content-Disposition": 'attachment; filename="metadata.xml"'})


@handles("portal:content.set_content_status")
def set_content_status(call: Call, p: ContentSetContentStatusParams) -> ItemActionResult:
    item = rules.set_content_status(call.state, call.user, p.id, p.status, bool(p.clear_empty_fields))
    return ItemActionResult(success=True, item_id=item.id)


@handles("portal:content.proxies")
def proxies(call: Call, p: ContentProxiesParams) -> AppProxies:
    call.state.items.owned_for(call.user, p.id, p.username, "portal:admin:viewItems")
    return AppProxies(app_proxies=[])


@handles("portal:content.item_page")
def item_page(call: Call, p: ContentItemPageParams) -> Response:
    item = call.state.require_visible_item(call.caller, p.id)
    record_view(call.state, item)
    return Response(render_item_page(item, call.rest_url), content_type="text/html; charset=utf-8")


def render_item_page(item: ItemRecord, rest_url: str) -> str:
    """A plain HTML page about the item (what a browser shows at /home/item.html?id=...)."""
    rows = (("Type", item.type), ("Owner", item.owner), ("Tags", ", ".join(item.tags)), ("Access", item.access))
    return home_page(item.title, [item.snippet], rows=rows, json_url=f"{rest_url}/content/items/{item.id}")


@handles("portal:content.user_item")
def user_item(call: Call, p: ContentUserItemParams) -> UserItem:
    item = rules.item_at(call.state, call.user, p.username, p.folder_id, p.id, "portal:admin:viewItems")
    return UserItem(item=item_view(item), sharing=ItemSharing(access=item.access, groups=sorted(item.groups)))
