"""Handlers of spec/server_admin/datastores.yaml: the site's data store (admin/data)."""

from __future__ import annotations

from arcgis_typed.server_admin.models.datastores import (
    DataItem,
    DataItemList,
    DataManifest,
    DataStoreConfig,
    RefCount,
    RegisterResult,
    ValidationResult,
)
from arcgis_typed.server_admin.models.site import StatusResult
from arcgis_typed.server_admin.params.datastores import (
    DatastoresConfigParams,
    DatastoresEditItemParams,
    DatastoresFindItemsParams,
    DatastoresGetItemParams,
    DatastoresManifestParams,
    DatastoresRefCountParams,
    DatastoresRegenerateManifestParams,
    DatastoresRegisterItemParams,
    DatastoresUnregisterItemParams,
    DatastoresUpdateConfigParams,
    DatastoresUpdateManifestParams,
    DatastoresValidateAllParams,
    DatastoresValidateItemParams,
)

from ..call import ServerCall
from ..errors import bad_request
from ..registry import handles
from ..state import datastores
from .server_admin_site import SUCCESS


def item_view(store: datastores.DataStore, item: datastores.DataItem) -> DataItem:
    return DataItem(path=item.path, type=item.type, id=item.id, client_path=item.client_path, provider=item.provider,
                    info=store.sealed_info(item))


def _path(p: DatastoresGetItemParams | DatastoresEditItemParams | DatastoresManifestParams
          | DatastoresUpdateManifestParams | DatastoresRegenerateManifestParams) -> str:
    return f"/{p.root_type}/{p.item_name}"


@handles("server_admin:datastores.config")
def config(call: ServerCall, p: DatastoresConfigParams) -> DataStoreConfig:
    return DataStoreConfig(datastore_config=dict(call.site.data.config))


@handles("server_admin:datastores.update_config")
def update_config(call: ServerCall, p: DatastoresUpdateConfigParams) -> StatusResult:
    call.site.data.update_config(p.datastore_config)
    return StatusResult(status=SUCCESS)


@handles("server_admin:datastores.register_item")
def register_item(call: ServerCall, p: DatastoresRegisterItemParams) -> RegisterResult:
    _, new = call.site.data.register(p.item)
    return RegisterResult(status=SUCCESS if new else "exists", success=new)


@handles("server_admin:datastores.validate_item")
def validate_item(call: ServerCall, p: DatastoresValidateItemParams) -> ValidationResult:
    call.site.data.check(p.item)
    return ValidationResult(status=SUCCESS)


@handles("server_admin:datastores.validate_all")
def validate_all(call: ServerCall, p: DatastoresValidateAllParams) -> ValidationResult:
    results = call.site.data.validate_all()
    failed = [f"{path}: {status}" for path, status in results if status != SUCCESS]
    if failed:
        raise bad_request("Some data items failed validation.", *failed)
    return ValidationResult(status=SUCCESS, items=[{"path": path, "status": status} for path, status in results])


@handles("server_admin:datastores.find_items")
def find_items(call: ServerCall, p: DatastoresFindItemsParams) -> DataItemList:
    store = call.site.data
    parent, ancestor = p.parent_path, p.ancestor_path
    found = store.find(parent=parent, ancestor=ancestor, types=p.types, id=p.id)
    return DataItemList(items=[item_view(store, i) for i in found])


@handles("server_admin:datastores.get_item")
def get_item(call: ServerCall, p: DatastoresGetItemParams) -> DataItem:
    store = call.site.data
    return item_view(store, store.get(_path(p)))


@handles("server_admin:datastores.edit_item")
def edit_item(call: ServerCall, p: DatastoresEditItemParams) -> StatusResult:
    call.site.data.edit(_path(p), p.item)
    return StatusResult(status=SUCCESS)


@handles("server_admin:datastores.manifest")
def manifest(call: ServerCall, p: DatastoresManifestParams) -> DataManifest:
    current = call.site.data.manifest(_path(p))
    return DataManifest(datasets=list(current.get("datasets", [])))


@handles("server_admin:datastores.update_manifest")
def update_manifest(call: ServerCall, p: DatastoresUpdateManifestParams) -> StatusResult:
    call.site.data.set_manifest(_path(p), p.manifest.data if p.manifest is not None else None)
    return StatusResult(status=SUCCESS)


@handles("server_admin:datastores.regenerate_manifest")
def regenerate_manifest(call: ServerCall, p: DatastoresRegenerateManifestParams) -> StatusResult:
    call.site.data.regenerate(_path(p))
    return StatusResult(status=SUCCESS)


@handles("server_admin:datastores.unregister_item")
def unregister_item(call: ServerCall, p: DatastoresUnregisterItemParams) -> RegisterResult:
    call.site.data.unregister(p.item_path, bool(p.force))
    return RegisterResult(status=SUCCESS, success=True)


@handles("server_admin:datastores.ref_count")
def ref_count(call: ServerCall, p: DatastoresRefCountParams) -> RefCount:
    return RefCount(total_ref_count=call.site.data.ref_count(p.item_path))
