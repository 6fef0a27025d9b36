"""Items: ownership, folders, data, sharing (private / shared-to-groups / org / public) and search.

Visibility rules live here, so every operation that reads items agrees on who may see what.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from collections.abc import Set as AbstractSet

import attrs

from ..errors import Fault, bad_request, forbidden, not_found
from .search import ITEM_ALIASES, ITEM_DEFAULT_FIELDS, ITEM_FIELDS, QuerySyntaxError, SearchIndex
from .users import UserRecord

ACCESS_LEVELS = ("private", "shared", "org", "public")


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
    update_groups: set[str] = attrs.Factory(set)
    categories: list[str] = attrs.Factory(list)  # shared-update groups whose members may edit the item
    protected: bool = False
    num_views: int = 0
    data: bytes | None = attrs.field(default=None, repr=False)
    data_name: str | None = None
    data_type: str = "application/octet-stream"

    @property
    def name(self) -> str | None:
        return self.data_name

    @property
    def size(self) -> int:
        return len(self.data) if self.data is not None else -1


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
        self.member_groups: Callable[[str], AbstractSet[str]] = lambda username: frozenset()
        # caller key -> the ids that caller may see; cleared by every write (searches repeat far more often)
        self._visible: dict[tuple[str, ...], set[str]] = {}

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
    }
