"""Handlers of spec/portal/data_store_items.yaml: data store items and the servers they are registered with."""

from __future__ import annotations

from arcgis_typed._runtime.wire import ms_to_datetime
from arcgis_typed.portal.models.data_store_items import (
    DataStoreJob,
    DataStoreJobStarted,
    DataStoreLayers,
    DataStoreSuccess,
    DataStoreValidation,
)
from arcgis_typed.portal.models.servers import FederatedServers
from arcgis_typed.portal.params import data_store_items as params

from ..call import Call
from ..registry import handles
from ..state.data_store_items import not_implemented
from .portal_servers import wire_server

SUCCESS = DataStoreSuccess(success=True)


@handles("portal:data_store_items.info")
def info(call: Call, p: params.DataStoreItemsInfoParams) -> DataStoreSuccess:
    return SUCCESS


@handles("portal:data_store_items.add_to_server")
def add_to_server(call: Call, p: params.DataStoreItemsAddToServerParams) -> DataStoreSuccess:
    call.state.data_store_items.add_to_server(call.user, p.datastore_id, p.server_id,
                                              bind=bool(p.bind_to_server_datastore))
    return SUCCESS


@handles("portal:data_store_items.remove_from_server", "portal:data_store_items.refresh_server")
def change_on_server(
    call: Call, p: params.DataStoreItemsRemoveFromServerParams | params.DataStoreItemsRefreshServerParams,
) -> DataStoreSuccess:
    """removeFromServer and refreshServer: the state method of the operation's name, on (item, server)."""
    action = getattr(call.state.data_store_items, call.op.name.split(".", 1)[1])
    action(call.user, p.datastore_id, p.server_id)
    return SUCCESS


@handles("portal:data_store_items.get_servers")
def get_servers(call: Call, p: params.DataStoreItemsGetServersParams) -> FederatedServers:
    found = call.state.data_store_items.servers_of(call.user, p.datastore_id)
    return FederatedServers(servers=[wire_server(call, s) for s in found])


@handles("portal:data_store_items.validate")
def validate(call: Call, p: params.DataStoreItemsValidateParams) -> DataStoreValidation:
    call.state.data_store_items.validate(call.user, p.datastore_id, p.datastore, p.server_id)
    return DataStoreValidation(status="success")


@handles("portal:data_store_items.describe")
def describe(call: Call, p: params.DataStoreItemsDescribeParams) -> DataStoreJobStarted:
    job = call.state.data_store_items.describe(call.user, p.datastore_id, p.server_id, p.path, p.store_type)
    return DataStoreJobStarted(job_id=job.id, key=job.key)


@handles("portal:data_store_items.job")
def job(call: Call, p: params.DataStoreItemsJobParams) -> DataStoreJob:
    found = call.state.data_store_items.job(call.user, p.job_id, p.key)
    return DataStoreJob(id=found.id, definition=found.definition, status="succeeded", created=ms_to_datetime(found.created),
                        modified=ms_to_datetime(found.created), messages=[], result=found.result)


@handles("portal:data_store_items.get_layers")
def get_layers(call: Call, p: params.DataStoreItemsGetLayersParams) -> DataStoreLayers:
    return DataStoreLayers(layer_and_datasets=call.state.data_store_items.layers(call.user, p.datastore_id))


@handles("portal:data_store_items.publish_layers")
def publish_layers(call: Call, p: params.DataStoreItemsPublishLayersParams) -> DataStoreSuccess:
    call.state.data_store_items.item(call.user, p.datastore_id)
    raise not_implemented("allDatasets/publishLayers", "it cannot read the datasets of a database data store.")


@handles("portal:data_store_items.delete_layers")
def delete_layers(call: Call, p: params.DataStoreItemsDeleteLayersParams) -> DataStoreSuccess:
    call.state.data_store_items.item(call.user, p.datastore_id)
    raise not_implemented("allDatasets/deleteLayers", "it never bulk-publishes layers (publishLayers).")


@handles("portal:data_store_items.publish")
def publish(call: Call, p: params.DataStoreItemsPublishParams) -> DataStoreJobStarted:
    raise not_implemented("datastores/publish", "it cannot read the data a service would reference.")
