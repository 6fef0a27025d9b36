"""Items: ownership, folders, data, sharing (private / shared-to-groups / org / public) and search; and the
rules of item management: folders, moving, reassigning, protection, deleting (with everything attached to an
item: relationships, comments, ratings, resources, app registration), thumbnails, metadata, content status.

Visibility rules live here, so every operation that reads items agrees on who may see what.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING

import attrs

from ..errors import Fault, bad_request, forbidden, not_found
from .categories import category_filters as category_filters_of
from .categories import category_keys, category_terms
from .item_apps import AppStore
from .item_comments import CommentStore
from .item_relationships import RelationshipStore
from .item_resources import ResourceStore
from .item_usage import UsageStore
from .search import ITEM_ALIASES, ITEM_DEFAULT_FIELDS, ITEM_FIELDS, QuerySyntaxError, SearchIndex
from .users import THUMBNAIL_TYPES, UserRecord, thumbnail_file_name

if TYPE_CHECKING:
    from .portal import PortalState

ACCESS_LEVELS = ("private", "shared", "org", "public")
MAX_TERMS = 3  # category terms in one categoryFilters of an item search


@attrs.define(eq=False)
class Folder:
    id: str
    title: str
    username: str
    created: int


@attrs.define(eq=False)
class ItemRecord:
    id: str
    owner: str
    org_id: str
    title: str
    type: str
    created: int
    modified: int
    folder_id: str | None = None
    type_keywords: list[str] = attrs.Factory(list)
    description: str = ""
    snippet: str = ""
    tags: list[str] = attrs.Factory(list)
    url: str = ""
    extent: str = ""
    spatial_reference: str = ""
    access_information: str = ""
    license_info: str = ""
    culture: str = ""
    properties: object = None
    access: str = "private"
    groups: set[str] = attrs.Factory(set)
    update_groups: set[str] = attrs.Factory(set)  # shared-update groups whose members may edit the item
    categories: list[str] = attrs.Factory(list)  # paths of the organization's category schema
    group_categories: dict[str, list[str]] = attrs.Factory(dict)  # group id -> paths of that group's schema
    protected: bool = False
    num_views: int = 0
    data: bytes | None = attrs.field(default=None, repr=False)
    data_name: str | None = None
    data_type: str = "application/octet-stream"
    thumbnail_name: str | None = None  # "thumbnail/<file name>", as ArcGIS names it
    thumbnail: bytes | None = attrs.field(default=None, repr=False)
    metadata: bytes | None = attrs.field(default=None, repr=False)
    content_status: str = ""
    num_comments: int = 0  # kept by state/item_comments.py
    num_ratings: int = 0
    avg_rating: float = 0.0

    @property
    def name(self) -> str | None:
        return self.data_name

    resources_size: int = 0  # bytes of the item's resources (kept by state/item_resources.py)

    @property
    def size(self) -> int:
        """The data's bytes plus the resources' (ArcGIS counts both); -1 when the item has neither."""
        if self.data is None and not self.resources_size:
            return -1
        return (len(self.data) if self.data is not None else 0) + self.resources_size


class ItemStore:
    """Items by id, with indexes by owner and access level kept in step, and a search index."""

    def __init__(self) -> None:
        self._items: dict[str, ItemRecord] = {}
        self._folders: dict[str, dict[str, Folder]] = {}  # username (lower) -> folder id -> folder
        self._by_owner: dict[str, set[str]] = {}
        self._public: set[str] = set()
        self._org: dict[str, set[str]] = {}  # org id -> ids shared with the org (or public)
        self._by_org: dict[str, set[str]] = {}  # org id -> every item of the org
        self.index = SearchIndex(ITEM_FIELDS, default_fields=ITEM_DEFAULT_FIELDS, aliases=ITEM_ALIASES)
        self._by_group: dict[str, set[str]] = {}  # group id -> ids of the items shared with it
        # the groups a user belongs to (set by the group store; memberships change through it, which clears
        # the visibility cache)
        self.member_groups: Callable[[str], AbstractSet[str]] = no_groups  # the group store wires its own
        # caller key -> the ids that caller may see; cleared by every write (searches repeat far more often)
        self._visible: dict[tuple[str, ...], set[str]] = {}
        # called with each removed item, after it is gone, so other stores (hosted services, jobs, dependencies)
        # drop what belonged to it
        self.removed_hooks: list[Callable[[ItemRecord], None]] = []

        # what hangs off items, dropped with them
        self.comments = CommentStore()
        self.relationships = RelationshipStore()
        self.resources = ResourceStore()
        self.apps = AppStore()
        self.usage = UsageStore()

    __snapshot_exclude__ = ("_visible",)  # a cache (see snapshot.py)

    def __snapshot_restored__(self) -> None:  # a snapshot holds no search index or cache
        self._visible = {}
        for item in self:
            self.reindex(item)

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[ItemRecord]:
        return iter(self._items.values())

    # --- reading -------------------------------------------------------------------------------------------

    def get(self, item_id: str) -> ItemRecord | None:
        return self._items.get(item_id)

    def can_view(self, caller: UserRecord | None, item: ItemRecord) -> bool:
        if item.access == "public":
            return True
        if caller is None:
            return False
        if item.owner.lower() == caller.username.lower():
            return True
        if item.groups and not item.groups.isdisjoint(self.member_groups(caller.username)):
            return True
        if caller.org_id != item.org_id:
            return False
        return item.access == "org" or caller.has("portal:admin:viewItems")

    def visible(self, caller: UserRecord | None, item_id: str) -> ItemRecord:
        """The item, if `caller` may see it; the same error whether it is missing or hidden (as ArcGIS)."""
        item = self._items.get(item_id)
        if item is None or not self.can_view(caller, item):
            raise not_found("Item")
        return item

    def owned_for(self, caller: UserRecord, item_id: str, username: str, override: str, *,
                  group_edit: bool = False) -> ItemRecord:
        """The item at `content/users/{username}/items/{id}`, if `caller` may act on it (with `group_edit`,
        members of a shared-update group the item is shared with may too)."""
        item = self.visible(caller, item_id)
        if item.owner.lower() != username.lower():
            raise not_found("Item")
        if item.owner.lower() != caller.username.lower() and not (
            caller.has(override) and caller.org_id == item.org_id
        ) and not (group_edit and not item.update_groups.isdisjoint(self.member_groups(caller.username))):
            raise forbidden()
        return item

    def may_administer(self, caller: UserRecord | None, item: ItemRecord, privilege: str) -> bool:
        """Is `caller` the item's owner, or an administrator of its organization with `privilege`?"""
        if caller is None:
            return False
        return item.owner.lower() == caller.username.lower() or (caller.org_id == item.org_id and caller.has(privilege))

    def visible_ids(self, caller: UserRecord | None) -> set[str]:
        """Every id `caller` may see (cached until the next write; do not modify the answer)."""
        if caller is None:
            key: tuple[str, ...] = ("anonymous",)
        elif caller.has("portal:admin:viewItems"):
            key = ("admin", caller.org_id)
        else:
            key = ("member", caller.org_id, caller.username.lower())
        cached = self._visible.get(key)
        if cached is not None:
            return cached
        if caller is None:
            ids = set(self._public)
        elif key[0] == "admin":
            ids = self._public | self._by_org.get(caller.org_id, set())
        else:
            ids = self._public | self._org.get(caller.org_id, set()) | self._by_owner.get(key[2], set())
            for group_id in self.member_groups(caller.username):
                ids |= self._by_group.get(group_id, set())
        self._visible[key] = ids
        return ids

    def search(self, caller: UserRecord | None, q: str) -> AbstractSet[str]:
        """The ids matching `q` that `caller` may see (read-only)."""
        try:
            matches = self.index.query(q)
        except QuerySyntaxError as exc:
            raise Fault(400, "Unable to perform query. Please check your parameters.", [str(exc)]) from None
        visible = self.visible_ids(caller)
        if len(visible) == len(self._items):
            return matches  # the caller sees every item: nothing to filter
        return matches & visible

    def in_categories(
        self, ids: AbstractSet[str], categories: list[str] | None, category_filters: str | None
    ) -> AbstractSet[str]:
        """The ids of `ids` filed under the organization content categories an item search names: `categories`
        (up to eight filters, ANDed, each an OR of up to eight paths) or `categoryFilters` (an OR of up to three
        titles or paths), not both; a path matches the category and its sub-categories. Index lookups, no scan."""
        if categories and category_filters is not None:
            raise bad_request("Invalid parameter 'categoryFilters': it cannot be used together with 'categories'.")
        filters = category_filters_of(categories) if categories else []
        if category_filters is not None:
            filters = [category_terms(category_filters, limit=MAX_TERMS)]
        for keys in filters:
            ids = ids & self.index.having("categorykeys", keys)
        return ids

    def page(self, ids: AbstractSet[str], *, sort_field: str | None, sort_order: str | None, start: int, num: int) -> list[ItemRecord]:
        fields = [f.strip() for f in (sort_field or "").split(",") if f.strip()]
        try:
            ordered = self.index.page(ids, sort_fields=fields, descending=(sort_order == "desc"), start=start, num=num)
        except ValueError as exc:
            raise bad_request(f"Invalid sort field: {exc}") from None
        return [self._items[i] for i in ordered]

    def in_group(self, group_id: str) -> AbstractSet[str]:
        """The ids of the items shared with a group (read-only)."""
        return self._by_group.get(group_id, set())

    def owned_by(self, username: str, folder_id: str | None) -> set[str]:
        return {i for i in self._by_owner.get(username.lower(), set()) if self._items[i].folder_id == folder_id}

    def storage_of(self, username: str) -> int:
        """Bytes of item data a user owns (through the owner index: a user view must not scan every item)."""
        return sum(max(self._items[i].size, 0) for i in self._by_owner.get(username.lower(), ()))

    def folders(self, username: str) -> list[Folder]:
        return sorted(self._folders.get(username.lower(), {}).values(), key=lambda f: (f.title.lower(), f.id))

    def folder(self, username: str, folder: str) -> Folder | None:
        mine = self._folders.get(username.lower(), {})
        return mine.get(folder) or next((f for f in mine.values() if f.title.lower() == folder.lower()), None)

    # --- writing ---------------------------------------------------------------------------------------------

    def add_folder(self, folder: Folder) -> Folder:
        mine = self._folders.setdefault(folder.username.lower(), {})
        if any(f.title.lower() == folder.title.lower() for f in mine.values()):
            raise Fault(409, f"Folder '{folder.title}' already exists.")
        mine[folder.id] = folder
        return folder

    def rename_folder(self, folder: Folder, title: str) -> Folder:
        mine = self._folders.get(folder.username.lower(), {})
        if any(f is not folder and f.title.lower() == title.lower() for f in mine.values()):
            raise Fault(409, f"Folder '{title}' already exists.")
        folder.title = title
        return folder

    def remove_folder(self, folder: Folder) -> None:
        self._folders.get(folder.username.lower(), {}).pop(folder.id, None)

    def change_owner(self, item: ItemRecord, username: str, folder_id: str | None) -> None:
        """Give an item to another user of the same organization (reassigning an item or a user's content)."""
        self._by_owner.get(item.owner.lower(), set()).discard(item.id)
        item.owner = username
        item.folder_id = folder_id
        self._by_owner.setdefault(username.lower(), set()).add(item.id)
        self.reindex(item)

    def forget_folders(self, username: str) -> None:
        """Drop a user's folders (they must hold no items any more)."""
        self._folders.pop(username.lower(), None)

    def add(self, item: ItemRecord) -> ItemRecord:
        if item.id in self._items:
            raise Fault(409, f"Item '{item.id}' already exists.")
        self._items[item.id] = item
        self._by_owner.setdefault(item.owner.lower(), set()).add(item.id)
        self._by_org.setdefault(item.org_id, set()).add(item.id)
        self.reindex(item)
        return item

    def reindex(self, item: ItemRecord) -> None:
        """Bring the access sets and the search index in line with the record after a change."""
        self._visible.clear()
        self._public.discard(item.id)
        org = self._org.setdefault(item.org_id, set())
        org.discard(item.id)
        if item.access == "public":
            self._public.add(item.id)
        if item.access in ("public", "org"):
            org.add(item.id)
        self.index.put(item.id, _search_values(item))

    def invalidate(self) -> None:
        """Forget the cached visibility (memberships changed)."""
        self._visible.clear()

    def share_with_group(self, item: ItemRecord, group_id: str, *, update: bool) -> None:
        item.groups.add(group_id)
        if update:
            item.update_groups.add(group_id)
        else:
            item.update_groups.discard(group_id)
        self._by_group.setdefault(group_id, set()).add(item.id)

    def unshare_from_group(self, item: ItemRecord, group_id: str) -> None:
        item.groups.discard(group_id)
        item.update_groups.discard(group_id)
        item.group_categories.pop(group_id, None)
        self._by_group.get(group_id, set()).discard(item.id)
        if item.access == "shared" and not item.groups:
            item.access = "private"
        self.reindex(item)

    def unshare_owned(self, username: str, group_id: str) -> None:
        """Unshare a user's own items from a group they leave; nobody else's."""
        for item_id in list(self._by_group.get(group_id, set())):
            item = self._items[item_id]
            if item.owner.lower() == username.lower():
                self.unshare_from_group(item, group_id)

    def drop_group(self, group_id: str) -> None:
        """A group was deleted: no item is shared with it any longer."""
        for item_id in list(self._by_group.get(group_id, set())):
            self.unshare_from_group(self._items[item_id], group_id)
        self._by_group.pop(group_id, None)
        self._visible.clear()

    def remove(self, item: ItemRecord) -> None:
        self._visible.clear()
        for group_id in item.groups:
            self._by_group.get(group_id, set()).discard(item.id)
        del self._items[item.id]
        self._by_owner.get(item.owner.lower(), set()).discard(item.id)
        self._by_org.get(item.org_id, set()).discard(item.id)
        self._public.discard(item.id)
        self._org.get(item.org_id, set()).discard(item.id)
        self.index.remove(item.id)
        self.comments.drop_item(item.id)
        self.relationships.drop_item(item.id)
        self.resources.drop_item(item.id)
        self.apps.drop_item(item.id)
        self.usage.drop_item(item.id)
        for hook in self.removed_hooks:
            hook(item)

    def all_of(self, ids: Iterable[str]) -> list[ItemRecord]:
        return [self._items[i] for i in ids if i in self._items]


def _search_values(item: ItemRecord) -> dict[str, str | int | float | list[str] | None]:
    return {
        "id": item.id,
        "owner": item.owner,
        "title": item.title,
        "type": item.type,
        "typekeywords": list(item.type_keywords),
        "tags": list(item.tags),
        "snippet": item.snippet,
        "description": item.description,
        "accountid": item.org_id,
        "access": item.access,
        "created": item.created,
        "modified": item.modified,
        "numviews": item.num_views,
        "name": item.data_name,
        "size": item.size,
        "group": sorted(item.groups),
        "categories": list(item.categories),
        "categorykeys": sorted(category_keys(item.categories)) if item.categories else None,
        "itemtype": "url" if item.url else "file" if item.data_name else "text" if item.data is not None else None,
        "spatialreference": item.spatial_reference or None,
        "accessinformation": item.access_information or None,
        "licenseinfo": item.license_info or None,
        "culture": item.culture or None,
        "numcomments": item.num_comments,
        "numratings": item.num_ratings,
        "avgrating": item.avg_rating,
    }


# --- item management rules ---------------------------------------------------------------------------------

MAX_METADATA_BYTES = 10 * 1024 * 1024
CONTENT_STATUSES = ("org_authoritative", "public_authoritative", "deprecated")
PROTECTED = Fault(400, "Unable to delete item. Delete protection is turned on.", message_code="CONT_0048")


def _content_owner(state: PortalState, caller: UserRecord, username: str, privilege: str) -> UserRecord:
    """The user whose content `caller` acts on: themselves, or (with `privilege`) a member of their org."""
    owner = state.users.require(username)
    if owner is not caller and not (caller.org_id == owner.org_id and caller.has(privilege)):
        raise forbidden()
    return owner


def require_folder(state: PortalState, username: str, folder: str) -> Folder:
    found = state.items.folder(username, folder)
    if found is None:
        raise bad_request(f"Folder '{folder}' does not exist.")
    return found


def item_at(
    state: PortalState, caller: UserRecord, username: str, folder_id: str | None, item_id: str, privilege: str
) -> ItemRecord:
    """The item at `content/users/{username}[/{folderId}]/items/{id}`, if `caller` may act on it with
    `privilege`; a folder in the path must be the one holding the item."""
    item = state.items.owned_for(caller, item_id, username, privilege)
    check_in_folder(state, item, folder_id)
    return item


def check_in_folder(state: PortalState, item: ItemRecord, folder_id: str | None) -> None:
    """A folder named in a request's path must be the one holding the item."""
    if folder_id is not None:
        folder = state.items.folder(item.owner, folder_id)
        if folder is None or folder.id != item.folder_id:
            raise not_found("Item", f"Item '{item.id}' is not in folder '{folder_id}'.")


def create_folder(state: PortalState, caller: UserRecord, username: str, title: str) -> Folder:
    owner = _content_owner(state, caller, username, "portal:admin:updateItems")
    return state.add_folder(owner.username, title)


def rename_folder(state: PortalState, caller: UserRecord, username: str, folder_id: str, title: str) -> Folder:
    owner = _content_owner(state, caller, username, "portal:admin:updateItems")
    folder = require_folder(state, owner.username, folder_id)
    if not title.strip() or any(c in title for c in '/\\<>:"|?*'):
        raise bad_request(f"Invalid folder name '{title}'.")
    return state.items.rename_folder(folder, title.strip())


def delete_folder(state: PortalState, caller: UserRecord, username: str, folder_id: str) -> Folder:
    """Delete a folder with every item in it; nothing is deleted when one of them cannot be."""
    owner = _content_owner(state, caller, username, "portal:admin:deleteItems")
    folder = require_folder(state, owner.username, folder_id)
    items = state.items.all_of(sorted(state.items.owned_by(owner.username, folder.id)))
    for item in items:
        blocker = deletion_blocker(state, item)
        if blocker is not None:
            raise Fault(blocker.code, blocker.message, [f"Item '{item.id}' in the folder cannot be deleted."])
    for item in items:
        state.items.remove(item)
    state.items.remove_folder(folder)
    return folder


def deletion_blocker(state: PortalState, item: ItemRecord) -> Fault | None:
    """Why the item cannot be deleted now (protection), or None."""
    if item.protected:
        return PROTECTED
    return None


def delete_item(
    state: PortalState, caller: UserRecord, username: str, item_id: str, folder_id: str | None = None
) -> ItemRecord:
    """Delete an item with its relationships, comments, ratings, resources and app registration (`force`
    only concerns items orphaned by a removed federated server, which the fake has none of, so it changes
    nothing here: protection still holds)."""
    item = item_at(state, caller, username, folder_id, item_id, "portal:admin:deleteItems")
    blocker = deletion_blocker(state, item)
    if blocker is not None:
        raise blocker
    state.items.remove(item)
    return item


def can_delete(state: PortalState, caller: UserRecord, username: str, folder_id: str | None, item_id: str) -> ItemRecord:
    item = item_at(state, caller, username, folder_id, item_id, "portal:admin:deleteItems")
    blocker = deletion_blocker(state, item)
    if blocker is not None:
        raise blocker
    return item


def delete_items(state: PortalState, caller: UserRecord, username: str, item_ids: list[str]) -> list[tuple[str, Fault | None]]:
    """Delete several of a user's items; (id, the fault that kept it) per item."""
    _content_owner(state, caller, username, "portal:admin:deleteItems")
    if not item_ids:
        raise bad_request("Invalid parameter 'items': give at least one item id.")
    out: list[tuple[str, Fault | None]] = []
    for item_id in item_ids:
        try:
            delete_item(state, caller, username, item_id)
            out.append((item_id, None))
        except Fault as fault:
            out.append((item_id, fault))
    return out


def move_item(
    state: PortalState, caller: UserRecord, username: str, folder_id: str | None, item_id: str, destination: str
) -> ItemRecord:
    item = item_at(state, caller, username, folder_id, item_id, "portal:admin:updateItems")
    target = None if destination.strip() in ("", "/") else require_folder(state, item.owner, destination.strip()).id
    item.folder_id = target
    item.modified = state.now()
    state.items.reindex(item)
    return item


def reassign_item(
    state: PortalState, caller: UserRecord, username: str, folder_id: str | None, item_id: str, target_username: str,
    target_folder: str | None,
) -> ItemRecord:
    """Give an item to another member: sharing and relationships stay; a private item shared with groups
    needs a target who belongs to all of them; the target folder (by title) is created when missing."""
    item = item_at(state, caller, username, folder_id, item_id, "portal:admin:reassignItems")
    if not caller.has("portal:admin:reassignItems"):
        raise forbidden()
    target = state.users.get(target_username)
    if target is None or target.org_id != item.org_id:
        raise bad_request(f"Invalid parameter 'targetUsername': no member '{target_username}' in the organization.")
    if target.disabled or not target.has("portal:user:createItem"):
        raise bad_request(f"User '{target.username}' cannot own items.")
    if item.access in ("private", "shared"):
        missing = sorted(item.groups - set(state.groups.groups_of(target.username)))
        if missing:
            raise bad_request(
                f"User '{target.username}' is not a member of every group the item is shared with.", *missing
            )
    title = (target_folder or "/").strip()
    folder = None
    if title not in ("", "/"):
        folder = state.items.folder(target.username, title) or state.add_folder(target.username, title)
    state.items.change_owner(item, target.username, folder.id if folder else None)
    item.modified = state.now()
    return item


def protect_item(
    state: PortalState, caller: UserRecord, username: str, folder_id: str | None, item_id: str, enable: bool
) -> ItemRecord:
    item = item_at(state, caller, username, folder_id, item_id, "portal:admin:updateItems")
    item.protected = enable
    item.modified = state.now()
    state.items.reindex(item)
    return item


def check_thumbnail(name: str | None, data: bytes | None) -> tuple[str, bytes] | None:
    """(thumbnail/<name>, bytes) for an uploaded thumbnail after the checks every thumbnail gets."""
    if data is None:
        return None
    return f"thumbnail/{thumbnail_file_name((name or '', data, ''))}", data


def check_metadata(data: bytes | None) -> bytes | None:
    if data is None:
        return None
    if len(data) > MAX_METADATA_BYTES:
        raise bad_request(f"Invalid parameter 'metadata': larger than {MAX_METADATA_BYTES} bytes.")
    if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        raise bad_request("Invalid parameter 'metadata': expected an XML document.")
    return data


def attach_files(state: PortalState, item: ItemRecord, thumbnail: tuple[str, bytes] | None, metadata: bytes | None) -> None:
    """Store checked thumbnail and metadata files on an item (metadata adds the "Metadata" type keyword)."""
    if thumbnail is not None:
        item.thumbnail_name, item.thumbnail = thumbnail
    if metadata is not None:
        item.metadata = metadata
        if "Metadata" not in item.type_keywords:
            item.type_keywords.append("Metadata")
    if thumbnail is not None or metadata is not None:
        item.modified = state.now()
        state.items.reindex(item)


def read_thumbnail(state: PortalState, caller: UserRecord | None, item_id: str, file_name: str) -> tuple[bytes, str]:
    item = state.items.visible(caller, item_id)
    if item.thumbnail is None or item.thumbnail_name != f"thumbnail/{file_name}":
        raise not_found("Thumbnail", file_name)
    ext = file_name.rsplit(".", 1)[-1].lower()
    return item.thumbnail, THUMBNAIL_TYPES.get(ext, "application/octet-stream")


def read_metadata(state: PortalState, caller: UserRecord | None, item_id: str) -> bytes:
    item = state.items.visible(caller, item_id)
    if item.metadata is None:
        raise Fault(400, "Metadata for item not found.")
    return item.metadata


def set_content_status(state: PortalState, caller: UserRecord, item_id: str, status: str | None, clear: bool) -> ItemRecord:
    item = state.items.visible(caller, item_id)
    value = (status or "").strip().lower()
    if value == "authoritative":
        value = "org_authoritative"
    if value and value not in CONTENT_STATUSES:
        raise bad_request(f"Invalid parameter 'status': '{status}' (expected {', '.join(CONTENT_STATUSES)}).")
    if not value and not clear:
        raise bad_request("Invalid parameter 'status': give a status, or clearEmptyFields=true to clear it.")
    admin = caller.org_id == item.org_id and caller.has("portal:admin:updateItems")
    if not (admin or item.owner.lower() == caller.username.lower()):
        raise forbidden("Only the owner or an administrator may set the item's status.")
    if value == "public_authoritative" and not admin:
        raise forbidden("Only administrators may mark items public_authoritative.")
    item.content_status = value
    item.modified = state.now()
    state.items.reindex(item)
    return item


def no_groups(username: str) -> AbstractSet[str]:
    """The `member_groups` hook until a group store is wired in: nobody belongs to any group."""
    return frozenset()
