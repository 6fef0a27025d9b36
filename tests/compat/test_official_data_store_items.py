"""Esri's official `arcgis` client (2.4.4), unmodified, on data store items: `gis.datastore` (PortalDataStore,
portals/self/datastores) registering a "Data Store" item with the fake's federated hosting server, found through
portals/self/servers as the client's documentation shows: `tox -e compat`.

Same targets as test_official_client.py: in-process through the requests adapter, and over HTTPS.
"""

from __future__ import annotations

import json
import warnings

import pytest

pytest.importorskip("arcgis")

from arcgis.gis import GIS, Item
from arcgis_typed_fake import FakeArcGIS
from test_official_client import Target, gis, target  # noqa: F401  (fixtures)

pytestmark = pytest.mark.compat

DB = ("SERVER=db.example.test;INSTANCE=sde:postgresql:db.example.test;DBCLIENT=postgresql;"
      "DB_CONNECTION_PROPERTIES=db.example.test;DATABASE=gis;USER=sde;PASSWORD=s3cr3t-pw;AUTHENTICATION_MODE=DBMS")
EGDB = {"type": "egdb", "path": "/enterpriseDatabases/parcels_db",
        "info": {"isManaged": False, "dataStoreConnectionType": "shared", "connectionString": DB}}


def add_store(gis: GIS, data: dict[str, object], title: str) -> Item:  # noqa: F811
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        item = gis.content.add(item_properties={"type": "Data Store", "title": title, "tags": "db",
                                                "text": json.dumps(data)})
    assert isinstance(item, Item) and item.type == "Data Store"
    return item


def test_register_describe_refresh_and_unregister(gis: GIS, target: Target, arcgis_fake: FakeArcGIS) -> None:  # noqa: F811
    servers = gis._portal.con.post("portals/self/servers", {"f": "json"})["servers"]
    [host_id] = [s["id"] for s in servers if s["serverRole"] == "HOSTING_SERVER"]
    item = add_store(gis, EGDB, "Parcels database")
    portal_ds = gis.datastore
    assert portal_ds.properties["success"] is True

    assert portal_ds.validate(server_id=host_id, item=item) is True
    assert portal_ds.register(item=item, server_id=host_id) is True
    sent = target.recorder.to("/portals/self/datastores/addToServer")[0]
    assert (sent["datastoreId"], sent["serverId"]) == (item.id, host_id)
    [registered] = portal_ds.servers(item)
    assert registered["id"] == host_id and registered["serverRole"] == "HOSTING_SERVER"
    assert arcgis_fake.server.site.data.get("/enterpriseDatabases/parcels_db").type == "egdb"

    arcgis_fake.portal.data_store_items.declare(item.id, [
        {"name": "gis.dbo.Parcels", "type": "featureClass", "path": "/gis.dbo.Parcels"}])
    job = portal_ds.describe(item=item, server_id=host_id, path="/", store_type="datastore")
    described = job.result()
    assert described["status"] == "succeeded"
    assert described["result"]["datastore"]["name"] == "parcels_db"
    assert [c["name"] for c in described["result"]["children"]] == ["gis.dbo.Parcels"]
    assert portal_ds.layers(item) == []

    changed = {**EGDB, "info": {**EGDB["info"], "connectionString": DB.replace("DATABASE=gis", "DATABASE=gis2")}}
    assert item.update(item_properties={"text": json.dumps(changed)}) is True
    assert portal_ds.refresh_server(item, host_id) is True
    assert "DATABASE=gis2" in arcgis_fake.server.site.data.get("/enterpriseDatabases/parcels_db").info["connectionString"]

    assert portal_ds.unregister(item, host_id) is True
    assert portal_ds.servers(item) == []
    assert [i.path for i in arcgis_fake.server.site.data] == []
    # invalid connection details: the client raises on the error envelope and nothing is registered
    broken = add_store(gis, {"type": "egdb", "path": "/enterpriseDatabases/broken", "info": {}}, "Broken")
    with pytest.raises(Exception, match="datastoreId"):
        portal_ds.register(item=broken, server_id=host_id)
    assert [i.path for i in arcgis_fake.server.site.data] == []
