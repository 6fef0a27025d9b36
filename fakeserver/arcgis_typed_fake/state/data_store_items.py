"""Data store items (portals/self/datastores): portal items of type "Data Store" registered with the portal's
federated ArcGIS Server.

An item's data is the data store's JSON, as the server's data store takes it (`{"type": "egdb", "path":
"/enterpriseDatabases/<name>", "info": {...}}`). Registering it (addToServer) registers that data item with the
server's data store (`Site.data`, what admin/data answers), so it shows through the Server Administrator API;
removing it (removeFromServer) unregisters it again; refreshServer sends the item's current data to the
server. Validation is the server's own (`DataStore.check`), with errors naming the portal's parameter.

A binding records which server data item belongs to which portal item: one the portal registered (`created`),
or one the server already had at the item's path (bindToServerDatastore), which removing the item from the
server leaves in place. Deleting a data store item unregisters what it registered.

The fake cannot open a data store, so describe lists what is known about its contents: the datasets of a big
data file share's manifest (kept by the server) and entries declared with `declare(item_id, entries)`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import Fault, bad_request, forbidden, not_found
from .servers import ARCGIS_SERVER, FederatedServer

if TYPE_CHECKING:
    from .datastores import DataItem
    from .items import ItemRecord
    from .portal import PortalState
    from .server.site import Site
    from .users import UserRecord

DATA_STORE_TYPE = "Data Store"
REGISTER_PRIVILEGE = "portal:publisher:publishFeatures"  # stands for "register data stores" (no role lists it)
ADMIN_PRIVILEGE = "portal:admin:updateItems"


@attrs.frozen
class Binding:
    path: str  # the server data item's path (/enterpriseDatabases/<name>)
    created: bool  # registered by addToServer; False: bound to a data item the server already had


@attrs.frozen
class DataStoreJob:
    id: str
    key: str
    owner: str  # lower-cased user name of the caller who started it
    definition: dict[str, Any]
    result: dict[str, Any]
    created: int


@contextmanager
def naming(param: str) -> Iterator[None]:
    """The server's validation errors name its own parameter (`item`); here the portal's."""
    try:
        yield
    except Fault as fault:
        message = fault.message.replace("parameter 'item'", f"parameter '{param}'")
        if message == fault.message:
            message = f"Invalid parameter '{param}': {fault.message}"
        raise Fault(fault.code, message, fault.details) from None


class DataStoreItemStore:
    def __init__(self, portal: PortalState) -> None:
        self._portal = portal
        self.bindings: dict[str, dict[str, Binding]] = {}  # item id -> server id -> binding
        self.jobs: dict[str, DataStoreJob] = {}
        self.declared: dict[str, list[dict[str, Any]]] = {}  # item id -> entries describe lists (fake only)
        portal.items.removed_hooks.append(self._item_removed)

    # --- lookups ----------------------------------------------------------------------------------------------

    def item(self, caller: UserRecord, item_id: str) -> ItemRecord:
        """A data store item the caller may see."""
        item = self._portal.items.visible(caller, item_id)
        if item.type != DATA_STORE_TYPE:
            raise bad_request(f"Invalid parameter 'datastoreId': item '{item_id}' is a {item.type}, not a data "
                              f"store item ({DATA_STORE_TYPE}).")
        return item

    def _managed(self, caller: UserRecord, item_id: str) -> ItemRecord:
        item = self.item(caller, item_id)
        if not self._portal.items.may_administer(caller, item, ADMIN_PRIVILEGE):
            raise forbidden("Only the data store item's owner or an administrator may change where it is registered.")
        return item

    def server(self, server_id: str) -> tuple[FederatedServer, Site]:
        """A federated ArcGIS Server and its site."""
        record = self._portal.servers.get(server_id)
        if record is None:
            raise bad_request(f"Invalid parameter 'serverId': no federated server '{server_id}'.",
                              "portals/self/servers lists the servers.")
        publishing = self._portal.publishing
        if record.server_type != ARCGIS_SERVER or publishing.server is None or record.context != publishing.server_context:
            raise bad_request(f"Invalid parameter 'serverId': '{record.name}' is a {record.server_type} server; "
                              "data stores are registered with ArcGIS Servers.")
        try:
            return record, publishing.server.site
        except LookupError:
            raise bad_request(f"Invalid parameter 'serverId': the server '{record.name}' is in no site yet.") from None

    @staticmethod
    def definition(item: ItemRecord) -> dict[str, Any]:
        """The data store JSON an item's data holds."""
        try:
            data = json.loads((item.data or b"").decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            data = None
        if not isinstance(data, dict):
            raise bad_request(f"Invalid parameter 'datastoreId': the data of item '{item.id}' is not the JSON of a "
                              'data store ({"type": ..., "path": ..., "info": {...}}).')
        return data

    def _binding(self, item: ItemRecord, record: FederatedServer) -> Binding:
        binding = self.bindings.get(item.id, {}).get(record.id)
        if binding is None:
            raise bad_request(f"Invalid parameter 'datastoreId': the data store item '{item.id}' is not registered "
                              f"with server '{record.name}'.")
        return binding

    # --- registration -----------------------------------------------------------------------------------------

    def add_to_server(self, caller: UserRecord, item_id: str, server_id: str, *, bind: bool) -> None:
        item = self.item(caller, item_id)
        admin = caller.has(ADMIN_PRIVILEGE) and caller.org_id == item.org_id
        if not admin and not (item.owner.lower() == caller.username.lower() and caller.has(REGISTER_PRIVILEGE)):
            raise forbidden("Only the data store item's owner, with publishing privileges, or an administrator may "
                            "register it with a server.")
        record, site = self.server(server_id)
        raw = self.definition(item)
        if record.id in self.bindings.get(item.id, {}):
            raise bad_request(f"Invalid parameter 'datastoreId': the data store item is already registered with "
                              f"server '{record.name}'.")
        with naming("datastoreId"):
            checked = site.data.check(raw)
        existing = site.data.items.get(checked.path.lower())
        if bind:
            if existing is None or existing.type != checked.type:
                raise bad_request(f"Invalid parameter 'bindToServerDatastore': server '{record.name}' has no "
                                  f"{checked.type} data store at '{checked.path}' to bind the item to.")
        elif existing is not None:
            raise bad_request(f"Invalid parameter 'datastoreId': server '{record.name}' already has a data store at "
                              f"'{checked.path}'; bindToServerDatastore=true binds the item to it.")
        else:
            with naming("datastoreId"):
                site.data.register(raw)
        self.bindings.setdefault(item.id, {})[record.id] = Binding(path=checked.path, created=not bind)

    def remove_from_server(self, caller: UserRecord, item_id: str, server_id: str) -> None:
        item = self._managed(caller, item_id)
        record, site = self.server(server_id)
        binding = self._binding(item, record)
        if binding.created and binding.path.lower() in site.data.items:
            count = site.data.ref_count(binding.path)
            if count:
                raise bad_request(f"Invalid parameter 'datastoreId': {count} services of server '{record.name}' use "
                                  f"the data store at '{binding.path}'; delete them first.")
            site.data.unregister(binding.path, force=False)
        self._unbind(item.id, record.id)

    def _unbind(self, item_id: str, server_id: str) -> None:
        bound = self.bindings.get(item_id, {})
        bound.pop(server_id, None)
        if not bound:
            self.bindings.pop(item_id, None)

    def servers_of(self, caller: UserRecord, item_id: str) -> list[FederatedServer]:
        """The servers the item is registered with (whose data store still has its data item)."""
        item = self.item(caller, item_id)
        found = []
        for server_id, binding in sorted(self.bindings.get(item.id, {}).items()):
            record, site = self.server(server_id)
            if binding.path.lower() in site.data.items:
                found.append(record)
        return found

    def refresh_server(self, caller: UserRecord, item_id: str, server_id: str) -> None:
        item = self._managed(caller, item_id)
        record, site = self.server(server_id)
        binding = self._binding(item, record)
        raw = self.definition(item)
        with naming("datastoreId"):
            site.data.edit(binding.path, raw)

    def validate(self, caller: UserRecord, item_id: str | None, datastore: Any, server_id: str) -> None:
        if (item_id is None) == (datastore is None):
            raise bad_request("Invalid parameters: 'datastoreId' or 'datastore' must be specified (one of them).")
        _, site = self.server(server_id)
        if item_id is not None:
            raw, param = self.definition(self.item(caller, item_id)), "datastoreId"
        else:
            raw, param = datastore, "datastore"
        with naming(param):
            site.data.check(raw)

    def _item_removed(self, item: ItemRecord) -> None:
        """A deleted data store item is unregistered from the servers it registered with."""
        for server_id, binding in self.bindings.pop(item.id, {}).items():
            try:
                _, site = self.server(server_id)
            except Fault:
                continue
            if binding.created:
                site.data.items.pop(binding.path.lower(), None)
        self.declared.pop(item.id, None)

    # --- contents ---------------------------------------------------------------------------------------------

    def declare(self, item_id: str, entries: list[dict[str, Any]]) -> None:
        """What describe lists for a data store item (the fake cannot open the data store): entries with a
        `name`, a `type` (featureDataset, featureClass, table, folder, ...) and a `path` ("/a", "/a/b")."""
        if self._portal.items.get(item_id) is None:
            raise KeyError(f"no item {item_id!r}")
        checked = []
        for entry in entries:
            path, name, kind = entry.get("path"), entry.get("name"), entry.get("type")
            if not (isinstance(path, str) and isinstance(name, str) and isinstance(kind, str)) or not path.startswith("/") \
                    or any(part in ("", ".", "..") for part in path[1:].split("/")):
                raise ValueError(f"an entry needs a name, a type and an absolute path without . or ..: {entry!r}")
            checked.append(dict(entry))
        self.declared[item_id] = checked

    def _entries(self, item: ItemRecord, data_item: DataItem) -> list[dict[str, Any]]:
        entries = [dict(e) for e in self.declared.get(item.id, [])]
        for dataset in (data_item.manifest or {}).get("datasets", []):
            if isinstance(dataset, dict) and isinstance(dataset.get("name"), str):
                entries.append({"name": dataset["name"], "type": "dataset", "path": "/" + dataset["name"]})
        for entry in entries:
            entry["datastoreId"] = item.id
        return entries

    def describe(self, caller: UserRecord, item_id: str, server_id: str, path: str, store_type: str) -> DataStoreJob:
        item = self.item(caller, item_id)
        record, site = self.server(server_id)
        binding = self._binding(item, record)
        with naming("datastoreId"):
            data_item = site.data.get(binding.path)
        entries = self._entries(item, data_item)
        where = path.rstrip("/")
        if not where:
            if store_type.lower() != "datastore":
                raise bad_request("Invalid parameter 'type': the root of a data store ('/') has type 'datastore'.")
        else:
            node = next((e for e in entries if e["path"].lower() == where.lower()), None)
            if node is None:
                raise bad_request(f"Invalid parameter 'path': the data store has nothing at '{path}'.")
            if node["type"].lower() != store_type.lower():
                raise bad_request(f"Invalid parameter 'type': '{path}' is a {node['type']}, not a {store_type}.")
        children = [e for e in entries if e["path"].rsplit("/", 1)[0].lower() == where.lower()]
        result = {"datastore": {"name": data_item.name, "type": data_item.type, "path": path, "datastoreId": item.id},
                  "children": children}
        definition = {"operation": "describe", "datastoreId": item.id, "serverId": record.id, "path": path,
                      "type": store_type}
        job = DataStoreJob(id=self._portal.ids.new(), key=self._portal.ids.new(), owner=caller.username.lower(),
                           definition=definition, result=result, created=self._portal.now())
        self.jobs[job.id] = job
        return job

    def job(self, caller: UserRecord, job_id: str, key: str | None) -> DataStoreJob:
        job = self.jobs.get(job_id)
        if job is None or (key is not None and key != job.key) or not (
                job.owner == caller.username.lower() or caller.has("portal:admin:viewItems")):
            raise not_found("Job")
        return job

    def layers(self, caller: UserRecord, item_id: str) -> list[dict[str, Any]]:
        """The layers bulk-published from a database data store item: none (the fake does not bulk-publish)."""
        item = self.item(caller, item_id)
        if self.definition(item).get("type") != "egdb":
            raise bad_request("Invalid parameter 'datastoreId': layers are bulk-published from database (egdb) data "
                              "store items only.")
        return []


def not_implemented(operation: str, why: str) -> Fault:
    """What the operations the fake cannot perform answer (the data they need is not there)."""
    return Fault(400, f"{operation} is not implemented by the fake ArcGIS: {why}",
                 ["See the operation's fidelity in the spec (spec/portal/data_store_items.yaml)."])
