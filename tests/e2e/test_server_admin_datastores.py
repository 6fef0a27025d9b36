"""The server's data store (admin/data) end to end: registering folders, databases, big data file shares and
cloud stores as the official DatastoreManager builds them; validation (structure, and shares the server cannot
reach); secrets sealed in every answer; search; manifests; reference counts from services; unregistering."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from arcgis_typed import BadRequest, NotFound, PermissionDenied, ServerAdminClient, Upload
from arcgis_typed.server_admin._operations import OPERATIONS as SERVER_OPERATIONS
from arcgis_typed_fake import FakeArcGIS
from e2e_helpers import add_server_user, server_client

PASSWORD = "server-admin-password"
DB = ("SERVER=db.example.test;INSTANCE=sde:postgresql:db.example.test;DBCLIENT=postgresql;"
      "DB_CONNECTION_PROPERTIES=db.example.test;DATABASE=gis;USER=sde;PASSWORD=s3cr3t-pw;AUTHENTICATION_MODE=DBMS")
FOLDER = {"type": "folder", "path": "/fileShares/imagery",
          "info": {"path": "\\\\fs01\\imagery", "dataStoreConnectionType": "shared"}}
DATABASE = {"type": "egdb", "path": "/enterpriseDatabases/gisdb",
            "info": {"connectionString": DB, "dataStoreConnectionType": "shared", "isManaged": False}}
BIGDATA = {"type": "bigDataFileShare", "path": "/bigDataFileShares/events",
           "info": {"connectionString": '{"path":"\\\\\\\\fs01\\\\events"}', "connectionType": "fileShare"}}
CLOUD = {"type": "cloudStore", "path": "/cloudStores/s3", "provider": "amazon",
         "info": {"isManaged": False, "objectStore": "bucket/folder",
                  "connectionString": json.dumps({"accessKeyId": "AKIA1", "secretAccessKey": "very-secret-key",
                                                  "region": "us-east-1", "credentialType": "accesskey"})}}


@pytest.fixture
def fake() -> FakeArcGIS:
    return FakeArcGIS(admin_password=PASSWORD, password_iterations=1)


@pytest.fixture
def admin(fake: FakeArcGIS) -> ServerAdminClient:
    return server_client(fake, "admin")


def register_all(admin: ServerAdminClient) -> None:
    for item in (FOLDER, DATABASE, BIGDATA, CLOUD):
        assert admin.datastores.validate_item(item=item).status == "success"
        result = admin.datastores.register_item(item=item)
        assert (result.status, result.success) == ("success", True)


@pytest.mark.seed("DatastoreManager.add_folder")
@pytest.mark.seed("DatastoreManager.add_database")
@pytest.mark.seed("DatastoreManager.add_bigdata")
@pytest.mark.seed("DatastoreManager.add_cloudstore")
@pytest.mark.seed("DatastoreManager.add")
@pytest.mark.seed("DatastoreManager.get")
@pytest.mark.seed("Datastore.(constructor)")
@pytest.mark.seed("DatastoreManager.(constructor)")
def test_register_each_kind_and_read_it_back(admin: ServerAdminClient) -> None:
    register_all(admin)
    folder = admin.datastores.get_item("fileShares", "imagery")
    assert (folder.path, folder.type, folder.info) == (FOLDER["path"], "folder", FOLDER["info"])
    db = admin.datastores.get_item("enterpriseDatabases", "gisdb")
    assert "s3cr3t-pw" not in json.dumps(db.info) and "ENCRYPTED_PASSWORD=00022e" in db.info["connectionString"]
    assert "USER=sde" in db.info["connectionString"]
    cloud = admin.datastores.get_item("cloudStores", "s3")
    assert cloud.provider == "amazon" and "very-secret-key" not in json.dumps(cloud.info)
    assert json.loads(cloud.info["connectionString"])["accessKeyId"] == "AKIA1"
    again = admin.datastores.register_item(item=FOLDER)  # already there: "exists", nothing changes
    assert (again.status, again.success) == ("exists", False)
    with pytest.raises(NotFound):
        admin.datastores.get_item("fileShares", "nothing")


@pytest.mark.parametrize(("item", "message"), [
    ({"type": "folder", "path": "/fileShares/x", "info": {"path": "relative\\dir"}}, "absolute"),
    ({"type": "folder", "path": "/enterpriseDatabases/x", "info": {"path": "/data"}}, "path of a folder"),
    ({"type": "folder", "path": "/fileShares/x", "info": {"path": "/d", "dataStoreConnectionType": "replicated"}},
     "clientPath"),
    ({"type": "egdb", "path": "/enterpriseDatabases/x", "info": {"connectionString": "DATABASE=gis"}}, "DBCLIENT"),
    ({"type": "egdb", "path": "/enterpriseDatabases/x",
      "info": {"connectionString": "SERVER=h;DBCLIENT=oracle;AUTHENTICATION_MODE=DBMS"}}, "USER"),
    ({"type": "bigDataFileShare", "path": "/bigDataFileShares/x", "info": {"connectionString": "{}"}}, "path"),
    ({"type": "cloudStore", "path": "/cloudStores/x", "provider": "dropbox",
      "info": {"objectStore": "b", "connectionString": {"k": "v"}}}, "provider"),
    ({"type": "cloudStore", "path": "/cloudStores/x", "provider": "azure", "info": {"connectionString": {"k": "v"}}},
     "objectStore"),
    ({"type": "teapot", "path": "/x/y", "info": {}}, "unknown data item type"),
    ([1, 2], "JSON object"),
])
def test_invalid_items_are_refused(fake: FakeArcGIS, admin: ServerAdminClient, item: object, message: str) -> None:
    with pytest.raises(BadRequest, match=message):
        admin.datastores.validate_item(item=item)
    with pytest.raises(BadRequest, match=message):
        admin.datastores.register_item(item=item)
    assert list(fake.server.site.data) == []


@pytest.mark.seed("DatastoreManager.validate")
@pytest.mark.seed("Datastore.validate")
def test_validation_fails_for_what_the_server_cannot_reach(fake: FakeArcGIS, admin: ServerAdminClient) -> None:
    register_all(admin)
    result = admin.datastores.validate_all()
    assert result.status == "success" and len(result.items or []) == 4
    read_back = admin.datastores.get_item("enterpriseDatabases", "gisdb")  # sealed secrets validate as the secret
    assert admin.datastores.validate_item(item={"type": read_back.type, "path": read_back.path,
                                                "info": read_back.info}).status == "success"
    fake.server.site.data.unreachable.add("\\\\fs01")
    with pytest.raises(BadRequest, match="Some data items failed validation"):
        admin.datastores.validate_all()
    with pytest.raises(BadRequest, match="cannot reach"):
        admin.datastores.validate_item(item=FOLDER)


@pytest.mark.seed("DatastoreManager.search")
def test_find_items(admin: ServerAdminClient) -> None:
    register_all(admin)
    everything = admin.datastores.find_items(ancestor_path="/")
    assert [i.path for i in everything.items] == ["/bigDataFileShares/events", "/cloudStores/s3",
                                                  "/enterpriseDatabases/gisdb", "/fileShares/imagery"]
    assert [i.path for i in admin.datastores.find_items(parent_path="/fileShares").items] == ["/fileShares/imagery"]
    assert [i.type for i in admin.datastores.find_items(types="egdb,cloudStore").items] == ["cloudStore", "egdb"]
    one = admin.datastores.get_item("cloudStores", "s3")
    assert [i.path for i in admin.datastores.find_items(id=one.id).items] == ["/cloudStores/s3"]
    assert all("s3cr3t" not in json.dumps(i.info) for i in everything.items)
    with pytest.raises(BadRequest, match="types"):
        admin.datastores.find_items(types="folder,teapot")


@pytest.mark.seed("Datastore.manifest")
@pytest.mark.seed("Datastore.datasets")
@pytest.mark.seed("Datastore.regenerate")
def test_big_data_file_share_manifest(admin: ServerAdminClient) -> None:
    register_all(admin)
    assert admin.datastores.manifest("bigDataFileShares", "events").datasets == []
    manifest = {"datasets": [{"name": "trips", "format": {"type": "csv"}}, {"name": "alerts"}]}
    upload = Upload(filename="manifest.json", data=json.dumps(manifest).encode(), content_type="application/json")
    assert admin.datastores.update_manifest("bigDataFileShares", "events", manifest=upload).status == "success"
    assert [d["name"] for d in admin.datastores.manifest("bigDataFileShares", "events").datasets] == ["trips", "alerts"]
    assert admin.datastores.regenerate_manifest("bigDataFileShares", "events").status == "success"
    assert [d["name"] for d in admin.datastores.manifest("bigDataFileShares", "events").datasets] == ["alerts", "trips"]
    bad = Upload(filename="m.json", data=b'{"tables": []}', content_type="application/json")
    with pytest.raises(BadRequest, match="manifest"):
        admin.datastores.update_manifest("bigDataFileShares", "events", manifest=bad)
    with pytest.raises(BadRequest, match="manifest file is required"):
        admin.datastores.update_manifest("bigDataFileShares", "events")
    with pytest.raises(BadRequest, match="not a big data file share"):
        admin.datastores.manifest("fileShares", "imagery")


@pytest.mark.seed("Datastore.update")
def test_edit_an_item(admin: ServerAdminClient) -> None:
    register_all(admin)
    edited = {**FOLDER, "info": {"path": "\\\\fs02\\imagery", "dataStoreConnectionType": "shared"}}
    assert admin.datastores.edit_item("fileShares", "imagery", item=edited).status == "success"
    assert admin.datastores.get_item("fileShares", "imagery").info["path"] == "\\\\fs02\\imagery"
    moved = {**edited, "path": "/fileShares/other"}
    with pytest.raises(BadRequest, match="cannot change"):
        admin.datastores.edit_item("fileShares", "imagery", item=moved)
    db = admin.datastores.get_item("enterpriseDatabases", "gisdb")  # edit as read: the sealed password stays valid
    assert admin.datastores.edit_item("enterpriseDatabases", "gisdb",
                                      item={"type": "egdb", "path": db.path, "info": db.info}).status == "success"
    assert admin.datastores.validate_all().status == "success"


@pytest.mark.seed("Datastore.ref_count")
@pytest.mark.seed("Datastore.delete")
def test_reference_counts_and_unregistering(fake: FakeArcGIS, admin: ServerAdminClient) -> None:
    register_all(admin)
    catalog = fake.server.site.catalog
    catalog.create_service(None, {"serviceName": "Imagery", "type": "ImageServer",
                                  "properties": {"path": "\\\\fs01\\imagery\\2024\\mosaic.crf"}})
    catalog.create_service(None, {"serviceName": "Other", "type": "MapServer",
                                  "properties": {"filePath": "\\\\fs01\\imagery2\\x.mapx"}})  # another share
    assert admin.datastores.ref_count(item_path="/fileShares/imagery").total_ref_count == 1
    assert admin.datastores.ref_count(item_path="/cloudStores/s3").total_ref_count == 0
    with pytest.raises(BadRequest, match="force"):
        admin.datastores.unregister_item(item_path="/fileShares/imagery")
    assert admin.datastores.unregister_item(item_path="/cloudStores/s3").success
    assert admin.datastores.unregister_item(item_path="/fileShares/imagery", force=True).success
    with pytest.raises(NotFound):
        admin.datastores.ref_count(item_path="/fileShares/imagery")
    assert [i.path for i in admin.datastores.find_items(ancestor_path="/").items] == [
        "/bigDataFileShares/events", "/enterpriseDatabases/gisdb"]


@pytest.mark.seed("DatastoreManager.config")
def test_config_round_trip(admin: ServerAdminClient) -> None:
    assert admin.datastores.config().datastore_config == {"blockDataCopy": False}
    assert admin.datastores.update_config(datastore_config={"blockDataCopy": True}).status == "success"
    assert admin.datastores.config().datastore_config == {"blockDataCopy": True}
    with pytest.raises(BadRequest, match="datastoreConfig"):
        admin.datastores.update_config(datastore_config={"copyEverything": True})


def test_publishers_read_administrators_write(fake: FakeArcGIS, admin: ServerAdminClient) -> None:
    register_all(admin)
    publisher = add_server_user(fake, "pub", "publisher")
    assert len(publisher.datastores.find_items(ancestor_path="/").items) == 4
    assert publisher.datastores.ref_count(item_path="/fileShares/imagery").total_ref_count == 0
    with pytest.raises(PermissionDenied):
        publisher.datastores.register_item(item={**FOLDER, "path": "/fileShares/pubs"})
    with pytest.raises(PermissionDenied):
        publisher.datastores.unregister_item(item_path="/fileShares/imagery", force=True)
    viewer = add_server_user(fake, "usr", "user")
    with pytest.raises(PermissionDenied):
        viewer.datastores.find_items()
    assert len(list(fake.server.site.data)) == 4


# --- the privileges the spec declares, for every operation of the family --------------------------------------

CALLS: dict[str, Callable[[ServerAdminClient], Any]] = {
    "datastores.config": lambda c: c.datastores.config(),
    "datastores.update_config": lambda c: c.datastores.update_config(datastore_config={"blockDataCopy": True}),
    "datastores.register_item": lambda c: c.datastores.register_item(item={**FOLDER, "path": "/fileShares/new"}),
    "datastores.validate_item": lambda c: c.datastores.validate_item(item=FOLDER),
    "datastores.validate_all": lambda c: c.datastores.validate_all(),
    "datastores.find_items": lambda c: c.datastores.find_items(ancestor_path="/"),
    "datastores.get_item": lambda c: c.datastores.get_item("fileShares", "imagery"),
    "datastores.edit_item": lambda c: c.datastores.edit_item("fileShares", "imagery", item=FOLDER),
    "datastores.manifest": lambda c: c.datastores.manifest("bigDataFileShares", "events"),
    "datastores.update_manifest": lambda c: c.datastores.update_manifest(
        "bigDataFileShares", "events", manifest=Upload(filename="m.json", data=b'{"datasets": []}',
                                                       content_type="application/json")),
    "datastores.regenerate_manifest": lambda c: c.datastores.regenerate_manifest("bigDataFileShares", "events"),
    "datastores.unregister_item": lambda c: c.datastores.unregister_item(item_path="/cloudStores/s3"),
    "datastores.ref_count": lambda c: c.datastores.ref_count(item_path="/fileShares/imagery"),
}
FAMILY = [op for op in SERVER_OPERATIONS if op.name.startswith("datastores.")]


def test_every_operation_of_the_family_is_called() -> None:
    assert {op.name for op in FAMILY} == set(CALLS)


@pytest.mark.parametrize("role", ["administrator", "publisher", "user"])
@pytest.mark.parametrize("op", FAMILY, ids=lambda op: op.name)
def test_privileges_declared_by_the_spec(fake: FakeArcGIS, admin: ServerAdminClient, op: Any, role: str) -> None:
    register_all(admin)
    caller = add_server_user(fake, f"{role[:5]}1", role)
    allowed = fake.server.site.users[f"{role[:5]}1"].has(op.privileges[0])
    before = [(i.path, json.dumps(i.info, sort_keys=True), json.dumps(i.manifest)) for i in fake.server.site.data]
    if allowed:
        CALLS[op.name](caller)
        return
    with pytest.raises(PermissionDenied):
        CALLS[op.name](caller)
    assert [(i.path, json.dumps(i.info, sort_keys=True), json.dumps(i.manifest)) for i in fake.server.site.data] == before
