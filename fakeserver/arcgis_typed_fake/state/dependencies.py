"""Item dependencies and the organization's dependency graph rebuild.

What an item depends upon is worked out from what the portal knows, as a real portal's dependency graph is:
the item a hosted service was published from (`id`) and the server hosting it (`serverId`), the URL of an
item that refers to a service (`url`), the item ids and URLs its JSON data refers to (a web map's
`operationalLayers[].itemId` / `url`, an app's `values.webmap`, ...), the items it is related to (the
`related` hook, which the relationships store fills in), and dependencies added by hand (addDependency).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import Fault, bad_request, forbidden
from .items import ItemRecord

if TYPE_CHECKING:
    from .portal import PortalState
    from .users import UserRecord

ITEM_ID = re.compile(r"^[0-9a-f]{32}$")
MAX_DATA_SCAN = 5 * 1024 * 1024
ID_KEYS = frozenset({"itemid", "webmap", "webscene", "sourceitemid"})
Dependency = tuple[str, str]  # (dependencyType, value): ("id", item id), ("url", url), ("serverId", id), ("table", name)


@attrs.define(eq=False)
class Rebuild:
    id: str
    started: int
    ends: int
    total: int
    stopped: int | None = None

    def state(self, now: int) -> str:
        if self.stopped is not None:
            return "stopped"
        return "completed" if now >= self.ends else "processing"

    def processed(self, now: int) -> int:
        at = min(now if self.stopped is None else self.stopped, self.ends)
        span = max(self.ends - self.started, 1)
        return self.total * (at - self.started) // span


class DependencyStore:
    def __init__(self, portal: PortalState) -> None:
        self._portal = portal
        self.added: dict[str, list[Dependency]] = {}  # item id -> dependencies added by hand, in order
        # item id -> ids of the items it is related to (relationships live in another store, which sets this)
        self.related: Callable[[str], Iterable[str]] = no_relations
        self.rebuild: Rebuild | None = None
        self.ms_per_item = 10  # how long (by the fake's clock) rebuilding takes per item; at least a second
        portal.items.removed_hooks.append(self._item_removed)

    def _item_removed(self, item: ItemRecord) -> None:
        self.added.pop(item.id, None)  # what others added by hand about it is filtered out when read

    # --- reading ---------------------------------------------------------------------------------------------

    def of(self, item: ItemRecord) -> list[Dependency]:
        """What `item` depends upon, without duplicates, in a stable order."""
        found: dict[Dependency, None] = {}
        items = self._portal.items
        hosted = self._portal.publishing.hosted.get(item.id)
        if hosted is not None:
            if hosted.source_id and items.get(hosted.source_id) is not None:
                found[("id", hosted.source_id)] = None
            server = self._portal.publishing.server
            if server is not None and server.sites:
                found[("serverId", server.sites[0].id)] = None
        elif item.url:
            found[("url", item.url)] = None
        for dependency in _references(item):
            if dependency[0] != "id" or (dependency[1] != item.id and items.get(dependency[1]) is not None):
                found[dependency] = None
        for other in self.related(item.id):
            if other != item.id and items.get(other) is not None:
                found[("id", other)] = None
        for dependency in self.added.get(item.id, []):
            if dependency[0] != "id" or items.get(dependency[1]) is not None:
                found[dependency] = None
        return list(found)

    def dependents(self, caller: UserRecord | None, item: ItemRecord) -> list[Dependency]:
        """The items (that `caller` may see) depending on `item`, by id or by its URL."""
        targets = {("id", item.id)} | ({("url", item.url)} if item.url else set())
        items = self._portal.items
        out = []
        for other in sorted(items, key=lambda i: (i.created, i.id)):
            if other.id != item.id and items.can_view(caller, other) and targets & set(self.of(other)):
                out.append(("id", other.id))
        return out

    # --- dependencies by hand --------------------------------------------------------------------------------

    def _editable(self, caller: UserRecord, item_id: str) -> ItemRecord:
        item = self._portal.items.visible(caller, item_id)
        if item.owner.lower() != caller.username.lower() and not (
            caller.has("portal:admin:updateItems") and caller.org_id == item.org_id
        ):
            raise forbidden("Only the item's owner or an administrator may change its dependencies.")
        return item

    def add(self, caller: UserRecord, item_id: str, kind: str, value: str) -> None:
        item = self._editable(caller, item_id)
        value = value.strip()
        if kind == "id":
            if value == item.id:
                raise bad_request("Invalid parameter 'id': an item cannot depend on itself.")
            self._portal.items.visible(caller, value)
        elif kind == "url" and not re.match(r"^https?://[^\s/]+", value):
            raise bad_request(f"Invalid parameter 'id': '{value}' is not an http(s) URL.")
        elif not value:
            raise bad_request("Invalid parameter 'id': must not be empty.")
        mine = self.added.setdefault(item.id, [])
        if (kind, value) not in mine:
            mine.append((kind, value))

    def remove(self, caller: UserRecord, item_id: str, kind: str, value: str) -> None:
        item = self._editable(caller, item_id)
        mine = self.added.get(item.id, [])
        if (kind, value.strip()) not in mine:
            raise bad_request(f"Item '{item.id}' has no {kind} dependency '{value}' added by hand.")
        mine.remove((kind, value.strip()))

    def remove_all(self, caller: UserRecord, item_id: str) -> None:
        self.added.pop(self._editable(caller, item_id).id, None)

    # --- rebuilding the graph --------------------------------------------------------------------------------

    def start_rebuild(self) -> Rebuild:
        now = self._portal.now()
        if self.rebuild is not None and self.rebuild.state(now) == "processing":
            raise Fault(409, "The dependency graph is already being rebuilt.")
        total = len(self._portal.items)
        self.rebuild = Rebuild(id=self._portal.ids.new(), started=now, ends=now + max(1000, total * self.ms_per_item),
                               total=total)
        return self.rebuild

    def stop_rebuild(self) -> Rebuild:
        rebuild = self.rebuild
        if rebuild is None or rebuild.state(self._portal.now()) != "processing":
            raise bad_request("No rebuild of the dependency graph is running.")
        rebuild.stopped = self._portal.now()
        return rebuild


def _references(item: ItemRecord) -> Iterator[Dependency]:
    """Item ids and URLs in an item's JSON data."""
    if item.data is None or len(item.data) > MAX_DATA_SCAN or item.data.lstrip()[:1] not in (b"{", b"["):
        return
    try:
        doc = json.loads(item.data)
    except (UnicodeDecodeError, ValueError):
        return
    yield from _walk(doc)


def _walk(node: Any) -> Iterator[Dependency]:
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, str):
                if key.lower() in ID_KEYS and ITEM_ID.match(value):
                    yield ("id", value)
                elif key.lower() == "url" and value.startswith(("http://", "https://")):
                    yield ("url", value)
            else:
                yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def no_relations(item_id: str) -> Iterable[str]:
    """The `related` hook until a relationships store is wired in: no item is related to any other."""
    return ()
