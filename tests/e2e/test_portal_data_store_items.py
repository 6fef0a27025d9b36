"""Data store items end to end (portals/self/datastores, the official client's `gis.datastore`): a "Data Store"
item registered with the portal's federated ArcGIS Server shows up in that server's data store (admin/data),
is refreshed from the item's data, validated, described, and removed again; who may do what; bad input
answered with the error envelope naming the parameter and nothing changed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from arcgis_typed import BadRequest, PermissionDenied, PortalClient, ServerAdminClient, TokenRequired
from arcgis_typed_fake import FakeArcGIS
from e2e_helpers import add_member, client_for, server_client

PASSWORD = "admin-password-1"
DB = ("SERVER=db.example.test;INSTANCE=sde:postgresql:db.example.test;DBCLIENT=postgresql;"
      "DB_CONNECTION_PROPERTIES=db.example.test;DATABASE=gis;USER=sde;PASSWORD=s3cr3t-pw;AUTHENTICATION_MODE=DBMS")
EGDB = {"type": "egdb", "path": "/enterpriseDatabases/parcels_db",
        "info": {"isManaged": False, "dataStoreConnectionType": "shared", "connectionString": DB}}
FOLDER = {"type": "folder", "path": "/fileShares/imagery",
          "info": {"path": "\\\\fs01\\imagery", "dataStoreConnectionType": "shared"}}


@pytest.fixture
def fake() -> FakeArcGIS:
    return FakeArcGIS(admin_password=PASSWORD, password_iterations=1)


@pytest.fixture
def admin(fake: FakeArcGIS) -> PortalClient:
    return client_for(fake, "admin", PASSWORD)


@pytest.fixture
def server(fake: FakeArcGIS) -> ServerAdminClient:
    return server_client(fake, "admin", PASSWORD)


def hosting_id(portal: PortalClient) -> str:
    [hosting] = [s for s in portal.servers.list().servers if s.server_role == "HOSTING_SERVER"]
    assert hosting.server_type == "ArcGIS" and hosting.is_hosted is True
    return hosting.id


def add_store(portal: PortalClient, owner: str, data: dict[str, Any], title: str = "Parcels database") -> str:
    return portal.content.add_item(owner, title=title, type="Data Store", text=json.dumps(data)).id


def server_paths(server: ServerAdminClient) -> list[str]:
    return sorted(i.path for i in server.datastores.find_items().items)


@pytest.mark.seed("GIS.datastore")
def test_register_refresh_describe_and_remove(fake: FakeArcGIS, admin: PortalClient, server: ServerAdminClient) -> None:
    sid = hosting_id(admin)
    item_id = add_store(admin, "admin", EGDB)
    assert admin.data_store_items.info().success is True
    assert admin.data_store_items.validate(datastore_id=item_id, server_id=sid).status == "success"
    assert admin.data_store_items.get_servers(datastore_id=item_id).servers == []

    assert admin.data_store_items.add_to_server(datastore_id=item_id, server_id=sid).success is True
    [registered] = admin.data_store_items.get_servers(datastore_id=item_id).servers
    assert registered.id == sid and registered.admin_url == "https://fake.arcgis.test/arcgis"
    # the server's own Administrator API sees the data item, its password sealed
    assert server_paths(server) == ["/enterpriseDatabases/parcels_db"]
    on_server = server.datastores.get_item("enterpriseDatabases", "parcels_db")
    assert on_server.type == "egdb" and "s3cr3t-pw" not in json.dumps(on_server.info)

    # an update of the item's data reaches the server with refreshServer
    changed = {**EGDB, "info": {**EGDB["info"], "connectionString": DB.replace("DATABASE=gis", "DATABASE=gis2")}}
    admin.content.update("admin", item_id, text=json.dumps(changed))
    assert "DATABASE=gis2" not in fake.server.site.data.get("/enterpriseDatabases/parcels_db").info["connectionString"]
    assert admin.data_store_items.refresh_server(datastore_id=item_id, server_id=sid).success is True
    assert "DATABASE=gis2" in fake.server.site.data.get("/enterpriseDatabases/parcels_db").info["connectionString"]

    # describe: a job listing what is at a path of the data store
    fake.portal.data_store_items.declare(item_id, [
        {"name": "gis.dbo.Cadastre", "displayName": "Cadastre", "type": "featureDataset", "path": "/gis.dbo.Cadastre"},
        {"name": "gis.dbo.Parcels", "type": "featureClass", "path": "/gis.dbo.Cadastre/gis.dbo.Parcels"},
        {"name": "gis.dbo.Owners", "type": "table", "path": "/gis.dbo.Owners"},
    ])
    started = admin.data_store_items.describe(datastore_id=item_id, server_id=sid, path="/", store_type="datastore")
    job = admin.data_store_items.job(started.job_id, key=started.key)
    assert job.status == "succeeded" and job.definition["operation"] == "describe"
    assert job.result["datastore"] == {"name": "parcels_db", "type": "egdb", "path": "/", "datastoreId": item_id}
    assert [c["name"] for c in job.result["children"]] == ["gis.dbo.Cadastre", "gis.dbo.Owners"]
    inner = admin.data_store_items.describe(datastore_id=item_id, server_id=sid, path="/gis.dbo.Cadastre",
                                            store_type="featureDataset")
    children = admin.data_store_items.job(inner.job_id).result["children"]
    assert children == [{"name": "gis.dbo.Parcels", "type": "featureClass", "path": "/gis.dbo.Cadastre/gis.dbo.Parcels",
                         "datastoreId": item_id}]
    assert admin.data_store_items.get_layers(datastore_id=item_id).layer_and_datasets == []

    assert admin.data_store_items.remove_from_server(datastore_id=item_id, server_id=sid).success is True
    assert server_paths(server) == []
    assert admin.data_store_items.get_servers(datastore_id=item_id).servers == []
    with pytest.raises(BadRequest) as caught:
        admin.data_store_items.remove_from_server(datastore_id=item_id, server_id=sid)
    assert "not registered" in caught.value.message and caught.value.operation


@pytest.mark.seed("GIS.datastore")
def test_owners_publishers_and_administrators(fake: FakeArcGIS, admin: PortalClient, server: ServerAdminClient) -> None:
    sid = hosting_id(admin)
    publisher = add_member(fake, "pat", role="org_publisher")
    user = add_member(fake, "uma")
    mine = add_store(publisher, "pat", FOLDER, title="Imagery share")
    # a plain user may add the item but not register it
    theirs = add_store(user, "uma", {**FOLDER, "path": "/fileShares/uma"})
    with pytest.raises(PermissionDenied):
        user.data_store_items.add_to_server(datastore_id=theirs, server_id=sid)
    # someone else's private item is not even visible
    with pytest.raises(BadRequest) as caught:
        user.data_store_items.add_to_server(datastore_id=mine, server_id=sid)
    assert "does not exist or is inaccessible" in caught.value.message
    assert publisher.data_store_items.add_to_server(datastore_id=mine, server_id=sid).success is True
    publisher.content.share(mine, org=True)
    # a member who sees the item may ask where it is registered, not unregister it
    assert [s.id for s in user.data_store_items.get_servers(datastore_id=mine).servers] == [sid]
    with pytest.raises(PermissionDenied):
        user.data_store_items.remove_from_server(datastore_id=mine, server_id=sid)
    with pytest.raises(PermissionDenied):
        user.data_store_items.refresh_server(datastore_id=mine, server_id=sid)
    # the administrator registers the plain user's item, and describes nobody else's jobs
    assert admin.data_store_items.add_to_server(datastore_id=theirs, server_id=sid).success is True
    assert server_paths(server) == ["/fileShares/imagery", "/fileShares/uma"]
    started = publisher.data_store_items.describe(datastore_id=mine, server_id=sid, path="/", store_type="datastore")
    with pytest.raises(BadRequest):
        user.data_store_items.job(started.job_id)
    with pytest.raises(BadRequest):
        publisher.data_store_items.job(started.job_id, key="not-the-key")
    assert admin.data_store_items.job(started.job_id).result["children"] == []
    # deleting a data store item unregisters it from the server
    publisher.content.delete("pat", mine)
    assert server_paths(server) == ["/fileShares/uma"]


@pytest.mark.seed("GIS.datastore")
def test_bad_input_names_the_parameter_and_changes_nothing(fake: FakeArcGIS, admin: PortalClient,
                                                           server: ServerAdminClient) -> None:
    sid = hosting_id(admin)
    [mission] = [s.id for s in admin.servers.list().servers if s.server_type == "ARCGIS_MISSION_SERVER"]
    item_id = add_store(admin, "admin", EGDB)
    csv_id = admin.content.add_item("admin", title="Not a store", type="CSV", text="a,b").id
    broken = add_store(admin, "admin", {"type": "egdb", "path": "/enterpriseDatabases/x", "info": {}})
    not_json = admin.content.add_item("admin", title="Garbage", type="Data Store", text="{not json").id

    def refused(param: str, **kw: Any) -> None:
        with pytest.raises(BadRequest) as caught:
            admin.data_store_items.add_to_server(**kw)
        assert f"'{param}'" in caught.value.message, caught.value.message
        assert caught.value.operation == "data_store_items.add_to_server"

    refused("serverId", datastore_id=item_id, server_id="nope")
    refused("serverId", datastore_id=item_id, server_id=mission)
    refused("datastoreId", datastore_id=csv_id, server_id=sid)
    refused("datastoreId", datastore_id=broken, server_id=sid)
    refused("datastoreId", datastore_id=not_json, server_id=sid)
    refused("bindToServerDatastore", datastore_id=item_id, server_id=sid, bind_to_server_datastore=True)
    assert server_paths(server) == [] and fake.portal.data_store_items.bindings == {}

    with pytest.raises(BadRequest) as caught:
        admin.data_store_items.validate(datastore_id=broken, server_id=sid)
    assert "'datastoreId'" in caught.value.message
    with pytest.raises(BadRequest) as caught:
        admin.data_store_items.validate(datastore={"type": "folder", "path": "/fileShares/a", "info": {"path": "rel"}},
                                        server_id=sid)
    assert "'datastore'" in caught.value.message
    with pytest.raises(BadRequest):
        admin.data_store_items.validate(server_id=sid)
    assert admin.data_store_items.validate(datastore=FOLDER, server_id=sid).status == "success"
    fake.server.site.data.unreachable.add("\\\\fs01")
    with pytest.raises(BadRequest) as caught:
        admin.data_store_items.validate(datastore=FOLDER, server_id=sid)
    assert "cannot reach" in caught.value.message

    admin.data_store_items.add_to_server(datastore_id=item_id, server_id=sid)
    refused("datastoreId", datastore_id=item_id, server_id=sid)  # already registered
    other = add_store(admin, "admin", EGDB, title="Same database again")
    refused("datastoreId", datastore_id=other, server_id=sid)  # the server has a data store at that path
    assert admin.data_store_items.add_to_server(datastore_id=other, server_id=sid,
                                                bind_to_server_datastore=True).success is True
    # removing the bound item leaves the server's data store alone
    admin.data_store_items.remove_from_server(datastore_id=other, server_id=sid)
    assert server_paths(server) == ["/enterpriseDatabases/parcels_db"]

    # a refresh that would move the data store is refused, and the server keeps what it had
    admin.content.update("admin", item_id, text=json.dumps({**EGDB, "path": "/enterpriseDatabases/elsewhere"}))
    with pytest.raises(BadRequest) as caught:
        admin.data_store_items.refresh_server(datastore_id=item_id, server_id=sid)
    assert "'datastoreId'" in caught.value.message
    assert server_paths(server) == ["/enterpriseDatabases/parcels_db"]

    with pytest.raises(BadRequest) as caught:
        admin.data_store_items.describe(datastore_id=item_id, server_id=sid, path="/missing", store_type="table")
    assert "'path'" in caught.value.message
    with pytest.raises(BadRequest) as caught:
        admin.data_store_items.describe(datastore_id=item_id, server_id=sid, path="/", store_type="table")
    assert "'type'" in caught.value.message
    with pytest.raises(BadRequest) as caught:
        admin.data_store_items.get_layers(datastore_id=add_store(admin, "admin", FOLDER, title="Folder"))
    assert "egdb" in caught.value.message
    assert fake.portal.data_store_items.jobs == {}

    # services that use the data store keep it registered
    fake.server.site.catalog.create_service(None, {"serviceName": "Parcels", "type": "MapServer",
                                                   "properties": {"source": "/enterpriseDatabases/parcels_db"}})
    with pytest.raises(BadRequest) as caught:
        admin.data_store_items.remove_from_server(datastore_id=item_id, server_id=sid)
    assert "services" in caught.value.message
    assert server_paths(server) == ["/enterpriseDatabases/parcels_db"]


@pytest.mark.seed("GIS.datastore")
def test_not_implemented_operations_say_so(admin: PortalClient) -> None:
    sid = hosting_id(admin)
    item_id = add_store(admin, "admin", EGDB)
    with pytest.raises(BadRequest) as caught:
        admin.data_store_items.publish_layers(datastore_id=item_id, template_svc_config={"type": "MapServer"},
                                              portal_folder_id="f", server_id=sid, server_folder="bulk")
    assert "not implemented" in caught.value.message.lower()
    with pytest.raises(BadRequest) as caught:
        admin.data_store_items.delete_layers(datastore_id=item_id)
    assert "not implemented" in caught.value.message.lower()
    with pytest.raises(BadRequest) as caught:
        admin.data_store_items.publish(service_configuration={"type": "SceneServer"}, server_id=sid)
    assert "not implemented" in caught.value.message.lower()


def test_anonymous_callers_need_a_token(fake: FakeArcGIS) -> None:
    anonymous = client_for(fake)
    with pytest.raises(TokenRequired):
        anonymous.data_store_items.get_servers(datastore_id="x")
    assert fake.portal.data_store_items.bindings == {}
