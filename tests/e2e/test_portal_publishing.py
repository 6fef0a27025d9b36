"""Hosted services end to end: analyzing, publishing (a job driven by the fake's clock), the service on the
hosting server and in the services directory, createService, tile services, exports, copies, replacing a
service, service names, and the typed workflows built on them (import_csv, copy_feature_layer_collection,
clone_items)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from arcgis_typed import ArcGISError, BadRequest, InvalidToken, NotFound, PermissionDenied, PortalClient, ServerAdminClient, Upload
from arcgis_typed._runtime.jobs import JobFailed, JobTimeout, wait
from arcgis_typed.portal.models.publishing import ItemJobStatus, PublishResult
from arcgis_typed.workflows import clone_items, copy_feature_layer_collection, import_csv, wait_for_item_job
from arcgis_typed_fake import FakeArcGIS, ManualClock
from e2e_helpers import add_member, client_for, server_client

CSV = "name,latitude,longitude,visitors,rating\nHarbour,59.91,10.75,120,4.5\nPark,59.92,10.7,80,3\nFort,59.9,10.73,,4\n"
GEOJSON = json.dumps({"type": "FeatureCollection", "features": [
    {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]},
     "properties": {"road": "A1", "lanes": 2}},
    {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[1, 1], [2, 3]]},
     "properties": {"road": "B7", "lanes": 1}},
]})


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def arcgis_fake(arcgis_admin_credentials: tuple[str, str], clock: ManualClock) -> FakeArcGIS:
    username, password = arcgis_admin_credentials
    return FakeArcGIS(admin_username=username, admin_password=password, clock=clock, seed=7)


@pytest.fixture
def pub(arcgis_fake: FakeArcGIS) -> PortalClient:
    return add_member(arcgis_fake, "pia", "org_publisher")


@pytest.fixture
def server(arcgis_fake: FakeArcGIS) -> ServerAdminClient:
    return server_client(arcgis_fake, arcgis_fake.server_admin_username)


@pytest.fixture
def ticks(clock: ManualClock) -> dict[str, Any]:
    """wait() arguments that drive the fake's manual clock instead of sleeping."""
    return {"sleep": lambda seconds: clock.advance(seconds=seconds), "clock": lambda: clock.now_ms() / 1000}


def add_csv(client: PortalClient, owner: str, text: str = CSV, title: str = "Places") -> str:
    return client.content.add_item(owner, title=title, type="CSV", tags=["poi"],
                                   file=Upload("places.csv", text.encode(), "text/csv")).id


def publish_csv(client: PortalClient, owner: str, name: str = "Places", text: str = CSV) -> PublishResult:
    item_id = add_csv(client, owner, text)
    return client.publishing.publish(owner, item_id=item_id, file_type="csv", publish_parameters={"name": name})


def hosted_names(fake: FakeArcGIS) -> list[str]:
    return sorted(s.full_name for s in fake.server.site.catalog.in_folder("Hosted"))


def state_of(fake: FakeArcGIS) -> tuple[Any, ...]:
    items = sorted((i.id, i.title, i.url, i.data) for i in fake.portal.items)
    return items, hosted_names(fake), len(fake.portal.publishing.jobs)


# --- analyze -------------------------------------------------------------------------------------------------


@pytest.mark.seed("ContentManager.analyze")
def test_analyze_finds_fields_location_and_samples(pub: PortalClient) -> None:
    by_text = pub.publishing.analyze(text=CSV, file_type="csv")
    params = by_text.publish_parameters
    assert params["locationType"] == "coordinates"
    assert (params["latitudeFieldName"], params["longitudeFieldName"]) == ("latitude", "longitude")
    fields = {f["name"]: f["type"] for f in params["layerInfo"]["fields"]}
    assert fields == {"ObjectId": "esriFieldTypeOID", "name": "esriFieldTypeString", "latitude": "esriFieldTypeDouble",
                      "longitude": "esriFieldTypeDouble", "visitors": "esriFieldTypeInteger",
                      "rating": "esriFieldTypeDouble"}
    assert params["layerInfo"]["geometryType"] == "esriGeometryPoint"
    assert [r["name"] for r in by_text.records] == ["Harbour", "Park", "Fort"]
    assert by_text.records[2]["visitors"] is None and by_text.records[1]["rating"] == 3.0

    item_id = add_csv(pub, "pia", "code,label\n1,a\n2,b\n")
    by_item = pub.publishing.analyze(item_id=item_id, file_type="csv")
    assert by_item.publish_parameters["locationType"] == "none"
    assert by_item.publish_parameters["layerInfo"]["type"] == "Table"
    by_file = pub.publishing.analyze(file=Upload("r.geojson", GEOJSON.encode()), file_type="geojson")
    assert by_file.publish_parameters["layerInfo"]["geometryType"] == "esriGeometryPolyline"


def test_analyze_rejects_what_it_cannot_read(pub: PortalClient) -> None:
    with pytest.raises(BadRequest, match="exactly one"):
        pub.publishing.analyze(text=CSV, item_id="0" * 32, file_type="csv")
    with pytest.raises(BadRequest, match="row 2"):
        pub.publishing.analyze(text="a,b\n1\n", file_type="csv")
    with pytest.raises(BadRequest, match="FeatureCollection"):
        pub.publishing.analyze(text="[1, 2]", file_type="geojson")
    with pytest.raises(ArcGISError, match="not implemented in the fake"):
        pub.publishing.analyze(text="x", file_type="excel")


# --- publishing ----------------------------------------------------------------------------------------------


@pytest.mark.seed("Item.publish")
@pytest.mark.seed("Item.status")
@pytest.mark.seed("Layer.(constructor)")
def test_publish_is_a_job_that_makes_a_hosted_service(
    arcgis_fake: FakeArcGIS, pub: PortalClient, server: ServerAdminClient, clock: ManualClock, ticks: dict[str, Any]
) -> None:
    arcgis_fake.portal.publishing.job_ms = 5000
    published = publish_csv(pub, "pia")
    [service] = published.services
    assert service.type == "Feature Service" and service.job_id and service.service_item_id
    assert service.service_url == "https://fake.arcgis.test/arcgis/rest/services/Hosted/Places/FeatureServer"

    running = pub.publishing.status("pia", service.service_item_id, job_id=service.job_id, job_type="publish")
    assert (running.status, running.job_type) == ("processing", "publish")
    assert pub.publishing.status("pia", service.service_item_id).status == "processing"
    done = wait_for_item_job(pub, "pia", service.service_item_id, service.job_id, "publish", **ticks)
    assert done.status == "completed" and clock.now_ms() >= 1_700_000_005_000
    assert pub.publishing.status("pia", service.service_item_id).status == "completed"

    item = pub.content.get(service.service_item_id)
    assert (item.type, item.owner, item.title, item.url) == ("Feature Service", "pia", "Places", service.service_url)
    assert "Hosted Service" in (item.type_keywords or [])
    # the hosting server has it, and its services directory describes its layer
    assert hosted_names(arcgis_fake) == ["Hosted/Places.FeatureServer"]
    assert server.services.get_service("Places", "FeatureServer", folder_name="Hosted").service_name == "Places"
    described = server.layers.service("Hosted", "Places", "FeatureServer")
    assert described.service_item_id == item.id
    assert [(ref.id, ref.name, ref.geometry_type) for ref in described.layers] == [(0, "Places", "esriGeometryPoint")]
    anonymous_server = server_client(arcgis_fake)
    read = anonymous_server.layers.layer("Hosted", "Places", "FeatureServer", "0")
    assert read.type == "Feature Layer" and read.object_id_field == "ObjectId"
    assert read.extent == {"xmin": 10.7, "ymin": 59.9, "xmax": 10.75, "ymax": 59.92, "spatialReference": {"wkid": 4326}}
    assert described.spatial_reference == {"wkid": 4326}
    assert [f.name for f in read.fields] == ["ObjectId", "name", "latitude", "longitude", "visitors", "rating"]
    with pytest.raises(NotFound):
        anonymous_server.layers.layer("Hosted", "Places", "FeatureServer", "3")


def test_publish_rules(arcgis_fake: FakeArcGIS, pub: PortalClient, member: Callable[..., PortalClient]) -> None:
    publish_csv(pub, "pia")
    user = member("ulf")
    user_csv = add_csv(user, "ulf")
    before = state_of(arcgis_fake)
    with pytest.raises(PermissionDenied, match="publishFeatures"):
        user.publishing.publish("ulf", item_id=user_csv, file_type="csv", publish_parameters={"name": "Mine"})
    with pytest.raises(BadRequest, match="does not exist"):  # ulf's item is private to ulf
        pub.publishing.publish("ulf", item_id=user_csv, file_type="csv", publish_parameters={"name": "Theirs"})
    user.content.share(user_csv, org=True)
    with pytest.raises(PermissionDenied):  # visible now, but not pia's to publish
        pub.publishing.publish("ulf", item_id=user_csv, file_type="csv", publish_parameters={"name": "Theirs"})
    csv_id = add_csv(pub, "pia", title="Again")
    shp_id = pub.content.add_item("pia", title="Parcels", type="Shapefile", file=Upload("p.zip", b"PK\x03\x04")).id
    before = state_of(arcgis_fake)
    for params, message in (({"name": "Places"}, "already exists"), ({"name": "bad name!"}, "not valid"),
                            ({}, "not valid"), ({"name": "x" * 121}, "not valid")):
        with pytest.raises(BadRequest, match=message):
            pub.publishing.publish("pia", item_id=csv_id, file_type="csv", publish_parameters=params)
    with pytest.raises(BadRequest, match="fileType 'geojson'"):
        pub.publishing.publish("pia", item_id=csv_id, file_type="geojson", publish_parameters={"name": "G"})
    with pytest.raises(ArcGISError, match="not implemented in the fake"):
        pub.publishing.publish("pia", item_id=shp_id, file_type="shapefile", publish_parameters={"name": "S"})
    with pytest.raises(BadRequest, match="itemIdToCreate"):
        pub.publishing.publish("pia", item_id=csv_id, file_type="csv", publish_parameters={"name": "Z"},
                               item_id_to_create="not-an-id")
    assert state_of(arcgis_fake) == before
    # the same name is free for another service type, and a chosen item id is honoured
    made = pub.publishing.publish("pia", item_id=csv_id, file_type="csv", publish_parameters={"name": "Again"},
                                  item_id_to_create="ab" * 16)
    assert made.services[0].service_item_id == "ab" * 16


def test_no_hosting_server_means_no_publishing(arcgis_admin_credentials: tuple[str, str]) -> None:
    fake = FakeArcGIS(*arcgis_admin_credentials, server_context=None)
    pub = add_member(fake, "pia", "org_publisher")
    with pytest.raises(BadRequest, match="no hosting server"):
        publish_csv(pub, "pia")


@pytest.mark.seed("ContentManager.is_service_name_available")
def test_service_names(arcgis_fake: FakeArcGIS, pub: PortalClient) -> None:
    available = pub.publishing.is_service_name_available
    assert available("self", name="Places", service_type="featureService").available is True
    publish_csv(pub, "pia")
    assert available("self", name="places", service_type="Feature Service").available is False
    assert available(arcgis_fake.portal.org.id, name="Places", service_type="mapService").available is True
    assert available("self", name="no spaces", service_type="featureService").available is False
    assert available("self", name="n" * 121, service_type="featureService").available is False
    with pytest.raises(BadRequest, match="type"):
        available("self", name="Places", service_type="cloudService")
    with pytest.raises(BadRequest):
        available("someone-else", name="Places", service_type="featureService")
    # deleting the service item deletes the hosted service: the name is free again
    item_id = next(i.id for i in arcgis_fake.portal.items if i.type == "Feature Service")
    pub.content.delete("pia", item_id)
    assert available("self", name="Places", service_type="featureService").available is True
    assert hosted_names(arcgis_fake) == []


@pytest.mark.seed("ContentManager.import_data")
def test_import_csv_workflow(pub: PortalClient, ticks: dict[str, Any]) -> None:
    item = import_csv(pub, "pia", CSV, title="Visits", service_name="Visits", tags=["x"], **ticks)
    assert item.type == "Feature Service" and item.url and item.url.endswith("/Hosted/Visits/FeatureServer")


def test_overwrite_replaces_the_data(arcgis_fake: FakeArcGIS, pub: PortalClient) -> None:
    published = publish_csv(pub, "pia")
    source = next(i for i in arcgis_fake.portal.items if i.type == "CSV")
    pub.content.update("pia", source.id, file=Upload("places.csv", b"name,score\nA,1\n", "text/csv"))
    again = pub.publishing.publish("pia", item_id=source.id, file_type="csv", overwrite=True)
    assert again.services[0].service_item_id == published.services[0].service_item_id
    hosted = arcgis_fake.portal.publishing.hosted[published.services[0].service_item_id or ""]
    assert [f["name"] for f in hosted.layers[0].fields] == ["ObjectId", "name", "score"]
    assert hosted.layers[0].geometry_type is None


def test_a_job_fails_when_its_item_is_deleted(pub: PortalClient, ticks: dict[str, Any]) -> None:
    service = publish_csv(pub, "pia").services[0]
    assert service.service_item_id and service.job_id
    pub.content.delete("pia", service.service_item_id)
    with pytest.raises(JobFailed, match="deleted") as failed:
        wait_for_item_job(pub, "pia", service.service_item_id, service.job_id, "publish", **ticks)
    assert isinstance(failed.value.status, ItemJobStatus)
    with pytest.raises(BadRequest, match="Job"):
        pub.publishing.status("pia", service.service_item_id, job_id="f" * 32)


def test_waiting_times_out(arcgis_fake: FakeArcGIS, pub: PortalClient, ticks: dict[str, Any]) -> None:
    arcgis_fake.portal.publishing.job_ms = 3_600_000
    service = publish_csv(pub, "pia").services[0]
    assert service.service_item_id and service.job_id
    with pytest.raises(JobTimeout):
        wait_for_item_job(pub, "pia", service.service_item_id, service.job_id, "publish", timeout=30, **ticks)


# --- services from services ------------------------------------------------------------------------------------


@pytest.mark.seed("Item.create_tile_service")
def test_tile_services_from_a_hosted_feature_service(arcgis_fake: FakeArcGIS, pub: PortalClient) -> None:
    feature_item = publish_csv(pub, "pia").services[0].service_item_id
    assert feature_item
    tiles = pub.publishing.publish("pia", item_id=feature_item, file_type="featureService", output_type="tiles",
                                   publish_parameters={"name": "Places", "minScale": 577790.0, "maxScale": 80000.0})
    assert tiles.services[0].type == "Map Service"
    vector = pub.publishing.publish("pia", item_id=feature_item, file_type="featureService",
                                    output_type="vectorTiles", publish_parameters={"name": "PlacesVT"})
    assert vector.services[0].type == "Vector Tile Service"
    assert hosted_names(arcgis_fake) == ["Hosted/Places.FeatureServer", "Hosted/Places.MapServer",
                                         "Hosted/PlacesVT.VectorTileServer"]
    with pytest.raises(BadRequest, match="outputType"):
        pub.publishing.publish("pia", item_id=feature_item, file_type="featureService", publish_parameters={"name": "N"})
    pub.content.share(feature_item, org=True)
    other = add_member(arcgis_fake, "una", "org_publisher")
    with pytest.raises(PermissionDenied):  # only the owner publishes an item
        other.publishing.publish("pia", item_id=feature_item, file_type="featureService", output_type="tiles",
                                 publish_parameters={"name": "T"})
    assert len(hosted_names(arcgis_fake)) == 3


@pytest.mark.seed("ContentManager.create_service")
def test_create_service(arcgis_fake: FakeArcGIS, pub: PortalClient, server: ServerAdminClient,
                        ticks: dict[str, Any]) -> None:
    folder = arcgis_fake.portal.add_folder("pia", "Services")
    params = {"name": "Inspections", "serviceDescription": "Field inspections", "maxRecordCount": 500,
              "layers": [{"name": "Sites", "geometryType": "esriGeometryPoint",
                          "fields": [{"name": "status", "type": "esriFieldTypeString"}]}],
              "tables": [{"name": "Visits"}]}
    created = pub.publishing.create_service("pia", folder_id=folder.id, create_parameters=params,
                                            output_type="featureService", tags=["field"], snippet="Inspections")
    assert created.success and created.name == "Inspections" and created.type == "Feature Service"
    assert created.job_id
    wait_for_item_job(pub, "pia", created.item_id, created.job_id, "createService", **ticks)
    item = pub.content.get(created.item_id)
    assert (item.owner_folder, item.tags, item.url) == (folder.id, ["field"], created.service_url)
    described = server.layers.service("Hosted", "Inspections", "FeatureServer")
    assert ([r.name for r in described.layers], [r.name for r in described.tables]) == (["Sites"], ["Visits"])
    assert described.max_record_count == 500 and described.service_description == "Field inspections"
    assert described.spatial_reference == {"wkid": 102100, "latestWkid": 3857}
    assert server.layers.layer("Hosted", "Inspections", "FeatureServer", "0").extent is None  # no features yet
    image = pub.publishing.create_service("pia", create_parameters={"name": "Imagery"}, output_type="imageService")
    assert image.type == "Image Service"

    before = state_of(arcgis_fake)
    for bad, message in (([1], "JSON object"), ({"name": "Inspections"}, "already exists"),
                         ({"name": "L", "layers": [{}]}, "needs a name"), ({"name": "M", "maxRecordCount": 0}, "maxRecordCount"),
                         ({"name": "S", "spatialReference": {"wkt": "x"}}, "wkid")):
        with pytest.raises(BadRequest, match=message):
            pub.publishing.create_service("pia", create_parameters=bad, output_type="featureService")
    with pytest.raises(BadRequest, match="Folder"):
        pub.publishing.create_service("pia", folder_id="nope", create_parameters={"name": "N"}, output_type="featureService")
    with pytest.raises(PermissionDenied):
        add_member(arcgis_fake, "uma").publishing.create_service("uma", create_parameters={"name": "N"},
                                                                 output_type="featureService")
    with pytest.raises(PermissionDenied):
        pub.publishing.create_service("admin", create_parameters={"name": "N"}, output_type="featureService")
    assert state_of(arcgis_fake) == before


@pytest.mark.seed("Item.copy_feature_layer_collection")
def test_copy_feature_layer_collection_workflow(pub: PortalClient, server: ServerAdminClient,
                                                ticks: dict[str, Any]) -> None:
    source = import_csv(pub, "pia", CSV, title="Places", service_name="Places", **ticks)
    copied = copy_feature_layer_collection(pub, server, "pia", source, "Places", **ticks)
    assert copied.url and copied.url.endswith("/Hosted/Places_2/FeatureServer")
    fields = [f.name for f in server.layers.layer("Hosted", "Places_2", "FeatureServer", "0").fields]
    assert fields == ["ObjectId", "name", "latitude", "longitude", "visitors", "rating"]


# --- export ----------------------------------------------------------------------------------------------------


@pytest.mark.seed("Item.export")
def test_export_to_csv_geojson_and_feature_collection(
    arcgis_fake: FakeArcGIS, pub: PortalClient, member: Callable[..., PortalClient], ticks: dict[str, Any]
) -> None:
    service = import_csv(pub, "pia", CSV, title="Places", service_name="Places", **ticks)
    exported = pub.publishing.export("pia", item_id=service.id, title="Places CSV", export_format="CSV", tags=["e"])
    assert exported.service_item_id == service.id and exported.type == "CSV"
    done = wait_for_item_job(pub, "pia", exported.export_item_id, exported.job_id, "export", **ticks)
    assert done.job_type == "export"
    rows = list(csv.DictReader(io.StringIO(pub.content.get_data(exported.export_item_id).decode())))
    assert [(r["name"], r["visitors"]) for r in rows] == [("Harbour", "120"), ("Park", "80"), ("Fort", "")]

    geo = pub.publishing.export("pia", item_id=service.id, title="Places GeoJSON", export_format="GeoJson")
    doc = json.loads(pub.content.get_data(geo.export_item_id))
    assert doc["features"][0]["geometry"] == {"type": "Point", "coordinates": [10.75, 59.91]}
    collection = pub.publishing.export("pia", item_id=service.id, title="FC", export_format="Feature Collection",
                                       export_parameters={"layers": [{"id": 0}]})
    layers = json.loads(pub.content.get_data(collection.export_item_id))["layers"]
    assert layers[0]["featureSet"]["features"][1]["geometry"] == {"x": 10.7, "y": 59.92}
    assert pub.content.get(collection.export_item_id).type == "Feature Collection"

    before = state_of(arcgis_fake)
    csv_item = next(i.id for i in arcgis_fake.portal.items if i.type == "CSV")
    with pytest.raises(BadRequest, match="not a hosted service"):
        pub.publishing.export("pia", item_id=csv_item, title="T", export_format="CSV")
    with pytest.raises(BadRequest, match="no layer"):
        pub.publishing.export("pia", item_id=service.id, title="T", export_format="CSV",
                              export_parameters={"layers": [{"id": 9}]})
    with pytest.raises(ArcGISError, match="not implemented in the fake"):
        pub.publishing.export("pia", item_id=service.id, title="T", export_format="Shapefile")
    other = member("otto")
    with pytest.raises(BadRequest):  # otto cannot even see pia's private service
        other.publishing.export("otto", item_id=service.id, title="T", export_format="CSV")
    assert state_of(arcgis_fake) == before


def test_publish_geojson_and_feature_collections(pub: PortalClient, server: ServerAdminClient) -> None:
    geo = pub.content.add_item("pia", title="Roads", type="GeoJson", file=Upload("roads.geojson", GEOJSON.encode()))
    made = pub.publishing.publish("pia", item_id=geo.id, file_type="geojson", publish_parameters={"name": "Roads"})
    assert made.services[0].service_item_id
    layer = server.layers.layer("Hosted", "Roads", "FeatureServer", "0")
    assert layer.geometry_type == "esriGeometryPolyline"
    assert [(f.name, f.type) for f in layer.fields][1:] == [("lanes", "esriFieldTypeInteger"), ("road", "esriFieldTypeString")]
    exported = pub.publishing.export("pia", item_id=made.services[0].service_item_id, title="FC",
                                     export_format="Feature Collection")
    collection = pub.content.get(exported.export_item_id)
    assert collection.type == "Feature Collection"
    again = pub.publishing.publish("pia", item_id=collection.id, file_type="featureCollection",
                                   publish_parameters={"name": "RoadsAgain"})
    assert again.services[0].type == "Feature Service"
    assert server.layers.layer("Hosted", "RoadsAgain", "FeatureServer", "0").geometry_type == "esriGeometryPolyline"


# --- copy and replace ------------------------------------------------------------------------------------------


@pytest.mark.seed("Item.copy")
def test_copy_items(arcgis_fake: FakeArcGIS, pub: PortalClient, member: Callable[..., PortalClient]) -> None:
    csv_id = add_csv(pub, "pia")
    folder = arcgis_fake.portal.add_folder("pia", "Backups")
    copied = pub.publishing.copy("pia", csv_id, title="Places (backup)", folder="Backups")
    assert copied.success and copied.folder == folder.id and copied.owner == "pia"
    item = pub.content.get(copied.item_id)
    assert (item.title, item.type, item.tags) == ("Places (backup)", "CSV", ["poi"])
    assert pub.content.get_data(copied.item_id) == CSV.encode()
    service_id = publish_csv(pub, "pia", name="Copied").services[0].service_item_id
    assert service_id
    by_reference = pub.publishing.copy("pia", service_id)
    assert pub.content.get(by_reference.item_id).url == pub.content.get(service_id).url
    other = member("olga")
    with pytest.raises(BadRequest):
        other.publishing.copy("olga", csv_id)  # private to pia
    pub.content.share(csv_id, org=True)
    assert other.content.get(other.publishing.copy("olga", csv_id).item_id).owner == "olga"
    with pytest.raises(PermissionDenied):
        other.publishing.copy("pia", csv_id)
    with pytest.raises(BadRequest, match="Folder"):
        pub.publishing.copy("pia", csv_id, folder="nowhere")


@pytest.mark.seed("ContentManager.replace_service")
def test_replace_service(arcgis_fake: FakeArcGIS, pub: PortalClient, server: ServerAdminClient,
                         clock: ManualClock) -> None:
    production = publish_csv(pub, "pia", name="Prod").services[0]
    staging = publish_csv(pub, "pia", name="Staging", text="name,score\nA,1\n").services[0]
    assert production.service_item_id and staging.service_item_id
    pub.content.update("pia", staging.service_item_id, description="new data")
    assert pub.publishing.replace_service("pia", to_replace_item_id=production.service_item_id,
                                          replacement_item_id=staging.service_item_id,
                                          replaced_service_name="Prod_archive", replace_metadata=True).success
    prod_item = pub.content.get(production.service_item_id)
    assert prod_item.url == production.service_url and prod_item.description == "new data"
    assert [f.name for f in server.layers.layer("Hosted", "Prod", "FeatureServer", "0").fields] == [
        "ObjectId", "name", "score"]
    assert pub.content.get(staging.service_item_id).url.endswith("/Hosted/Prod_archive/FeatureServer")  # type: ignore[union-attr]
    assert "latitude" in [f.name for f in server.layers.layer("Hosted", "Prod_archive", "FeatureServer", "0").fields]
    assert hosted_names(arcgis_fake) == ["Hosted/Prod.FeatureServer", "Hosted/Prod_archive.FeatureServer"]
    before = state_of(arcgis_fake)
    with pytest.raises(BadRequest, match="already exists"):
        pub.publishing.replace_service("pia", to_replace_item_id=production.service_item_id,
                                       replacement_item_id=staging.service_item_id, replaced_service_name="Prod")
    with pytest.raises(BadRequest, match="two different"):
        pub.publishing.replace_service("pia", to_replace_item_id=production.service_item_id,
                                       replacement_item_id=production.service_item_id)
    assert state_of(arcgis_fake) == before


# --- cloning ---------------------------------------------------------------------------------------------------


@pytest.mark.seed("ContentManager.clone_items")
def test_clone_items_between_portals(arcgis_fake: FakeArcGIS, pub: PortalClient, server: ServerAdminClient,
                                     arcgis_admin_credentials: tuple[str, str], clock: ManualClock,
                                     ticks: dict[str, Any]) -> None:
    service = import_csv(pub, "pia", CSV, title="Places", service_name="Places", **ticks)
    web_map = {"operationalLayers": [{"id": "places", "itemId": service.id, "url": f"{service.url}/0"}],
               "baseMap": {"baseMapLayers": []}}
    map_id = pub.content.add_item("pia", title="Places map", type="Web Map", text=json.dumps(web_map)).id
    target_fake = FakeArcGIS(*arcgis_admin_credentials, clock=clock, seed=99)  # one clock drives both fakes
    target = add_member(target_fake, "tia", "org_publisher")
    clones = clone_items(pub, server, target, "tia", [map_id, service.id], **ticks)
    assert [c.type for c in clones] == ["Feature Service", "Web Map"]
    new_service, new_map = clones
    assert new_service.url and new_service.url.endswith("/Hosted/Places_clone/FeatureServer")
    data = json.loads(target.content.get_data(new_map.id))
    assert data["operationalLayers"][0]["itemId"] == new_service.id
    assert data["operationalLayers"][0]["url"] == f"{new_service.url}/0"
    assert [s.full_name for s in target_fake.server.site.catalog.in_folder("Hosted")] == ["Hosted/Places_clone.FeatureServer"]


@pytest.mark.seed("ContentManager.clone_items")
def test_clone_items_within_one_portal(arcgis_fake: FakeArcGIS, pub: PortalClient, server: ServerAdminClient,
                                       ticks: dict[str, Any]) -> None:
    service = import_csv(pub, "pia", CSV, title="Places", service_name="Places", **ticks)
    web_map = {"operationalLayers": [{"itemId": service.id, "url": f"{service.url}/0"}]}
    map_id = pub.content.add_item("pia", title="Places map", type="Web Map", text=json.dumps(web_map),
                                  tags=["maps"]).id
    csv_id = add_csv(pub, "pia", title="Raw")
    mapped = clone_items(pub, server, pub, "pia", [service.id, map_id, csv_id], **ticks)
    new_service, new_map, new_csv = mapped
    assert new_service.url and new_service.url.endswith("/Hosted/Places_clone/FeatureServer")
    assert (new_map.title, new_map.tags) == ("Places map", ["maps"])
    assert json.loads(pub.content.get_data(new_map.id))["operationalLayers"][0] == {
        "itemId": new_service.id, "url": f"{new_service.url}/0"}
    assert json.loads(pub.content.get_data(map_id))["operationalLayers"][0]["itemId"] == service.id  # untouched
    assert pub.content.get_data(new_csv.id) == CSV.encode() and new_csv.id != csv_id
    # a mapping reuses an existing item instead of cloning it
    again = clone_items(pub, server, pub, "pia", [map_id], item_mapping={service.id: new_service.id}, **ticks)
    assert json.loads(pub.content.get_data(again[0].id))["operationalLayers"][0]["itemId"] == new_service.id


# --- the waiter on its own ---------------------------------------------------------------------------------------


def test_wait_backs_off_and_reads_both_vocabularies() -> None:
    answers: Iterator[dict[str, str]] = iter([{"status": "esriJobSubmitted"}, {"status": "processing"},
                                              {"jobStatus": "esriJobSucceeded"}])
    slept: list[float] = []
    now = [0.0]

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    assert wait(lambda: next(answers), interval=2, sleep=sleep, clock=lambda: now[0]) == {"jobStatus": "esriJobSucceeded"}
    assert slept == [2, 3.0]
    with pytest.raises(JobFailed, match="cancelled"):
        wait(lambda: {"status": "esriJobCancelled"}, sleep=sleep, clock=lambda: now[0])
    with pytest.raises(ValueError):
        wait(lambda: {"status": "completed"}, interval=0)


def test_the_operations_table_declares_the_jobs() -> None:
    from arcgis_typed.portal._operations import OPERATIONS

    jobs = {op.name: (op.job_status, op.job_type) for op in OPERATIONS if op.job_status}
    assert jobs == {
        "publishing.publish": ("publishing.status", "publish"),
        "publishing.export": ("publishing.status", "export"),
        "publishing.create_service": ("publishing.status", "createService"),
        "dependencies.rebuild": ("dependencies.rebuild_status", None),
    }
    status = next(op for op in OPERATIONS if op.name == "publishing.status")
    assert {"publish", "export", "createService"} <= set(next(p for p in status.params if p.wire == "jobType").enum)


def test_the_services_directory_accepts_portal_tokens(arcgis_fake: FakeArcGIS, pub: PortalClient) -> None:
    """A federated server trusts the portal's tokens for its services directory; unknown tokens are refused."""
    publish_csv(pub, "pia")
    assert pub.auth is not None
    with_portal_token = server_client(arcgis_fake, token=pub.auth.token())
    assert with_portal_token.layers.service("Hosted", "Places", "FeatureServer").layers[0].name == "Places"
    with pytest.raises(InvalidToken):
        server_client(arcgis_fake, token="not-a-token").layers.service("Hosted", "Places", "FeatureServer")
    with pytest.raises(InvalidToken):  # the admin API itself still wants the server's own tokens
        with_portal_token.services.list()


def test_publishing_into_a_folder_and_reading_status_there(arcgis_fake: FakeArcGIS, pub: PortalClient,
                                                           ticks: dict[str, Any]) -> None:
    folder = arcgis_fake.portal.add_folder("pia", "Hosted layers")
    csv_id = add_csv(pub, "pia")
    made = pub.publishing.publish("pia", folder_id=folder.id, item_id=csv_id, file_type="csv",
                                  publish_parameters={"name": "InFolder"}).services[0]
    assert made.service_item_id and made.job_id
    assert pub.content.get(made.service_item_id).owner_folder == folder.id
    status = wait(lambda: pub.publishing.status("pia", made.service_item_id or "", folder_id=folder.id,
                                                job_id=made.job_id, job_type="publish"), **ticks)
    assert status.status == "completed"
    with pytest.raises(BadRequest, match="Folder"):
        pub.publishing.status("pia", made.service_item_id, folder_id="elsewhere")
    with pytest.raises(BadRequest, match="Job"):  # a publish job is not an export job
        pub.publishing.status("pia", made.service_item_id, job_id=made.job_id, job_type="export")
    other = add_member(arcgis_fake, "oda", "org_publisher")
    pub.content.share(made.service_item_id, org=True)
    with pytest.raises(PermissionDenied):
        other.publishing.status("pia", made.service_item_id)
