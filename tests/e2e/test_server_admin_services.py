"""The services resource end to end, as seed 004 describes it: the root folder with its folders,
foldersDetail and services, `detail=true`, the default System and Utilities folders, createFolder,
deleteFolder, createService and the service operations, with publisher and administrator privileges."""

from __future__ import annotations

import json

import pytest
from arcgis_typed import BadRequest, Conflict, NotFound, PermissionDenied, ServerAdminClient
from arcgis_typed.server_admin.models.services import Service
from arcgis_typed_fake import FakeArcGIS
from e2e_helpers import add_server_user, server_client
from werkzeug.test import Client

PASSWORD = "server-admin-password"


@pytest.fixture
def fake() -> FakeArcGIS:
    return FakeArcGIS(admin_password=PASSWORD, password_iterations=1)


@pytest.fixture
def admin(fake: FakeArcGIS) -> ServerAdminClient:
    return server_client(fake, "admin")


@pytest.mark.seed("ServerAdmin.services")
def test_the_root_folder_as_seed_004_shows_it(fake: FakeArcGIS, admin: ServerAdminClient) -> None:
    root = admin.services.list()
    assert (root.folder_name, root.description, root.web_encrypted, root.is_default) == ("/", "Root folder", False,
                                                                                         False)
    assert root.folders == ["System", "Utilities"]
    assert root.folders_detail is not None
    assert [(f.folder_name, f.is_default, f.web_encrypted) for f in root.folders_detail] == [
        ("System", True, False), ("Utilities", True, False)]
    assert [(s.folder_name, s.service_name, s.type) for s in root.services] == [("/", "SampleWorldCities", "MapServer")]
    assert root.services[0].description and root.services[0].capabilities is None  # no detail asked
    # the raw JSON has exactly seed 004's keys
    token = admin.auth.token() if admin.auth else None
    raw = Client(fake).get("/arcgis/admin/services", query_string={"f": "pjson", "token": token},
                           headers={"Referer": "http"})
    body = json.loads(raw.data)
    assert set(body) == {"folderName", "description", "webEncrypted", "isDefault", "folders", "foldersDetail", "services"}
    assert set(body["services"][0]) == {"folderName", "serviceName", "type", "description"}
    assert set(body["foldersDetail"][0]) == {"folderName", "description", "webEncrypted", "isDefault"}


@pytest.mark.seed("ServerAdmin.services")
def test_detail_true_adds_each_services_definition(admin: ServerAdminClient) -> None:
    detailed = admin.services.list(detail=True).services[0]
    assert detailed.capabilities == "" and detailed.cluster_name == "default"
    assert (detailed.min_instances_per_node, detailed.max_instances_per_node) == (1, 2)
    assert detailed.configured_state == "STARTED"
    system = admin.services.list(folder_name="system")  # folder names match case-insensitively
    assert system.folder_name == "System" and system.is_default and system.folders is None
    assert sorted(f"{s.service_name}.{s.type}" for s in system.services) == ["CachingTools.GPServer",
                                                                               "PublishingTools.GPServer"]
    assert {s.folder_name for s in system.services} == {"System"}
    with pytest.raises(NotFound, match="Folder 'Nope' does not exist"):
        admin.services.list(folder_name="Nope")


@pytest.mark.seed("ServerAdmin.createFolder")
def test_create_and_delete_folders(admin: ServerAdminClient) -> None:
    assert admin.services.create_folder(folder_name="Maps", description="City maps").status == "success"
    root = admin.services.list()
    assert root.folders == ["System", "Utilities", "Maps"]
    assert root.folders_detail is not None and root.folders_detail[-1].description == "City maps"
    with pytest.raises(Conflict, match="already exists"):
        admin.services.create_folder(folder_name="maps")
    for bad in ("with space", "a/b", "dot.ted", "createService", "x" * 121):
        with pytest.raises(BadRequest, match="'folderName'"):
            admin.services.create_folder(folder_name=bad)
    admin.services.create_service(service=Service(service_name="Roads", type="MapServer"), folder_name="Maps")
    assert admin.services.delete_folder("MAPS").status == "success"  # ... and every service in it
    assert admin.services.list().folders == ["System", "Utilities"]
    with pytest.raises(NotFound):
        admin.services.get_service("Roads", "MapServer", folder_name="Maps")
    with pytest.raises(BadRequest, match="default folder"):
        admin.services.delete_folder("System")
    with pytest.raises(NotFound):
        admin.services.delete_folder("Maps")


@pytest.mark.seed("ServerAdmin.createService")
def test_create_service_and_its_operations(admin: ServerAdminClient) -> None:
    definition = Service(service_name="Parcels", type="featureserver", description="Parcels of the city",
                         capabilities="Query", min_instances_per_node=0, max_instances_per_node=4,
                         extra={"datasets": [{"name": "parcels"}]})
    assert admin.services.create_service(service=definition).status == "success"
    got = admin.services.get_service("Parcels", "FeatureServer")
    assert (got.service_name, got.type, got.description, got.capabilities) == (
        "Parcels", "FeatureServer", "Parcels of the city", "Query")  # the type's canonical spelling
    assert (got.min_instances_per_node, got.max_instances_per_node, got.cluster_name) == (0, 4, "default")
    assert got.extra == {"datasets": [{"name": "parcels"}]}  # properties the spec does not name are kept
    assert "Parcels" in [s.service_name for s in admin.services.list().services]
    assert admin.services.service_status("Parcels", "FeatureServer").configured_state == "STARTED"
    admin.services.stop_service("parcels", "FEATURESERVER")
    assert admin.services.service_status("Parcels", "FeatureServer").real_time_state == "STOPPED"
    admin.services.start_service("Parcels", "FeatureServer")
    assert admin.services.service_status("Parcels", "FeatureServer").real_time_state == "STARTED"
    with pytest.raises(Conflict, match="already exists"):
        admin.services.create_service(service=Service(service_name="PARCELS", type="FeatureServer"))
    # the same name with another type, or in a folder, is another service
    admin.services.create_service(service=Service(service_name="Parcels", type="MapServer"))
    admin.services.create_service(service=Service(service_name="Parcels", type="FeatureServer"), folder_name="System")
    assert admin.services.delete_service("Parcels", "FeatureServer").status == "success"
    with pytest.raises(NotFound):
        admin.services.service_status("Parcels", "FeatureServer")
    assert admin.services.get_service("Parcels", "FeatureServer", folder_name="System").type == "FeatureServer"


def test_create_service_refusals(admin: ServerAdminClient) -> None:
    cases = [
        (Service(service_name="bad name", type="MapServer"), BadRequest, "not a valid service name"),
        (Service(service_name="Ok", type="NoSuchServer"), BadRequest, "unknown service type"),
        (Service(service_name="Ok", type="MapServer", min_instances_per_node=3, max_instances_per_node=1), BadRequest,
         "minInstancesPerNode"),
        (Service(service_name="Ok", type="MapServer", max_wait_time=-1), BadRequest, "maxWaitTime"),
    ]
    for definition, error, words in cases:
        with pytest.raises(error, match=words):
            admin.services.create_service(service=definition)
    with pytest.raises(NotFound, match="Folder 'Nowhere'"):
        admin.services.create_service(service=Service(service_name="Ok", type="MapServer"), folder_name="Nowhere")
    assert [s.service_name for s in admin.services.list().services] == ["SampleWorldCities"]


@pytest.mark.seed("ServerAdmin.privilege-check")
@pytest.mark.seed("ServerAdmin.createFolder")
@pytest.mark.seed("ServerAdmin.createService")
def test_publishers_manage_services_users_may_not(fake: FakeArcGIS) -> None:
    publisher = add_server_user(fake, "pub", "publisher")
    publisher.services.create_folder(folder_name="Published")
    publisher.services.create_service(service=Service(service_name="Mine", type="MapServer"), folder_name="Published")
    publisher.services.stop_service("Mine", "MapServer", folder_name="Published")
    viewer = add_server_user(fake, "viewer", "user")
    before = [(s.folder, s.name, s.configured_state) for s in fake.server.site.catalog]
    attempts = [
        lambda: viewer.services.list(),
        lambda: viewer.services.create_folder(folder_name="Nope"),
        lambda: viewer.services.create_service(service=Service(service_name="Nope", type="MapServer")),
        lambda: viewer.services.start_service("Mine", "MapServer", folder_name="Published"),
        lambda: viewer.services.delete_folder("Published"),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert [(s.folder, s.name, s.configured_state) for s in fake.server.site.catalog] == before
    assert publisher.services.delete_folder("Published").status == "success"
