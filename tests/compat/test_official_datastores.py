"""Esri's official `arcgis` client (2.4.4), unmodified, on the server's data store: `arcgis.gis.DatastoreManager`
and `Datastore` against the fake ArcGIS Server's admin/data resource: `tox -e compat`.

The official client reaches these classes through `gis._datastores`, which reads the portal's federated servers
(portals/self/servers, not served by this family); here they are built directly, as that property does, on the
connection of an official `arcgis.gis.server.Server` signed in to the fake (the only part the classes use of the
`gis` they are given is `gis._portal.con`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from types import SimpleNamespace

import pytest

pytest.importorskip("arcgis")

from arcgis.gis import Datastore, DatastoreManager
from arcgis.gis.server import Server
from arcgis_typed_fake import FakeArcGIS
from test_official_server import PASSWORD, Recorder, connect, fake  # noqa: F401  (fixtures)

pytestmark = pytest.mark.compat

DB = ("SERVER=db.example.test;INSTANCE=sde:postgresql:db.example.test;DBCLIENT=postgresql;"
      "DB_CONNECTION_PROPERTIES=db.example.test;DATABASE=gis;USER=sde;PASSWORD=s3cr3t-pw;AUTHENTICATION_MODE=DBMS")


def test_register_search_and_remove_data_items(connect: tuple[Callable[..., Server], Recorder, dict[str, str]],  # noqa: F811
                                               fake: FakeArcGIS) -> None:  # noqa: F811
    server, recorder, urls = connect
    admin = server("admin", PASSWORD)
    gis = SimpleNamespace(_portal=SimpleNamespace(con=admin._con))
    manager = DatastoreManager(gis, urls["MACHINE1"], None)
    assert manager.config == {"datastoreConfig": {"blockDataCopy": False}}

    folder = manager.add_folder("imagery", "/shares/imagery")
    assert isinstance(folder, Datastore) and folder.type == "folder" and folder.path == "/fileShares/imagery"
    assert recorder.to("/arcgis/admin/data/validateDataItem") and recorder.to("/arcgis/admin/data/registerItem")
    db = manager.add_database("gisdb", DB)
    assert db is not None and "s3cr3t-pw" not in json.dumps(db.info)
    assert "ENCRYPTED_PASSWORD=" in db.info["connectionString"]
    bigdata = manager.add_bigdata("events", "/shares/events")
    assert bigdata is not None and bigdata.type == "bigDataFileShare"
    cloud = manager.add_cloudstore("s3", json.dumps({"accessKeyId": "AKIA1", "secretAccessKey": "very-secret"}),
                                   "bucket", "amazon")
    assert cloud is not None and "very-secret" not in json.dumps(cloud.info)

    assert sorted(d.path for d in manager.search()) == [
        "/bigDataFileShares/events", "/cloudStores/s3", "/enterpriseDatabases/gisdb", "/fileShares/imagery"]
    assert [d.path for d in manager.search(types="folder")] == ["/fileShares/imagery"]
    assert manager.get("/fileShares/imagery").info["path"] == "/shares/imagery"
    assert manager.validate() is True
    assert db.validate() is True  # posts the item as read (sealed password) back to validateDataItem

    assert bigdata.datasets == []
    assert bigdata.regenerate() is True
    assert folder.update({"type": "folder", "path": "/fileShares/imagery",
                          "info": {"path": "/shares/imagery2", "dataStoreConnectionType": "shared"}}) is True
    assert fake.server.site.data.get("/fileShares/imagery").info["path"] == "/shares/imagery2"

    fake.server.site.catalog.create_service(None, {"serviceName": "Imagery", "type": "ImageServer",
                                                   "properties": {"path": "/shares/imagery2/mosaic.crf"}})
    assert folder.ref_count == 1
    assert folder.delete() is True  # the official client always forces
    assert [d.path for d in manager.search(types="folder")] == []
    with pytest.raises(Exception):  # noqa: B017  (validateDataItem refuses it; the official client raises)
        manager.add_folder("bad", "relative/path")
    (_, form, _), = recorder.to("/arcgis/admin/data/validateDataItem")[-1:]
    assert json.loads(form["item"])["info"]["path"] == "relative/path"
    assert [d.path for d in manager.search(types="folder")] == []
