"""Missions end to end: create_mission with every parameter and its validation (capabilities, WGS84 extent,
locale, template web map, basemap), the portal group and items a mission is made of, who sees a mission,
add_report with its validation (service name length and characters, questions, display field) and the
report's feature service item, and delete removing the portal content. Discovery through portals/self/servers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from arcgis_typed import (
    BadRequest,
    Conflict,
    MissionAdminClient,
    MissionClient,
    NotFound,
    PermissionDenied,
    PortalClient,
)
from arcgis_typed_fake import FakeArcGIS, serve
from e2e_helpers import client_for
from mission_helpers import PASSWORD, Side, admin_side, make_fake, member_side
from werkzeug.test import Client

QUESTIONS = [
    {"type": "Single Line Text", "label": "Observer"},
    {"type": "Number", "label": "Count", "fieldName": "headcount"},
    {"type": "Single Choice", "label": "Severity", "choices": ["low", "high"]},
    {"type": "Image", "label": "Photo"},
    {"type": "Date/Time", "label": "Seen at"},
]


@pytest.fixture
def fake(tmp_path: Path) -> FakeArcGIS:
    return make_fake(tmp_path)[0]


@pytest.fixture
def admin(fake: FakeArcGIS) -> Side:
    return admin_side(fake)


@pytest.fixture
def alice(fake: FakeArcGIS) -> Side:
    return member_side(fake, "alice")


@pytest.mark.seed("MissionCatalog.(constructor)")
def test_the_portal_lists_the_federated_mission_server(fake: FakeArcGIS, alice: Side) -> None:
    servers = alice.portal.servers.list().servers
    mission = [s for s in servers if s.server_type == "ARCGIS_MISSION_SERVER"]
    assert len(mission) == 1
    assert mission[0].url == "https://fake.arcgis.test/mission"
    assert mission[0].admin_url == "https://fake.arcgis.test/mission"
    assert mission[0].server_function == "MissionServer"  # what the official gis.admin.servers looks for
    assert alice.rest.missions.list().services == []
    quiet = FakeArcGIS(admin_password="some-password", mission_context=None, password_iterations=1)
    assert [s.server_type for s in client_for(quiet, "admin", "some-password").servers.list().servers] == ["ArcGIS"]


@pytest.mark.seed("MissionCatalog.create_mission", "MissionCatalog.missions", "Mission.(constructor)")
def test_create_mission_with_every_parameter(fake: FakeArcGIS, alice: Side) -> None:
    template = alice.portal.content.add_item(
        "alice", title="Template map", type="Web Map",
        text=json.dumps({"operationalLayers": [], "baseMap": {"baseMapLayers": [{"id": "topo"}], "title": "Topo"}}))
    created = alice.rest.missions.create(
        title="Wildfire", snippet="Fire line", description="North ridge", license_info="Internal",
        capabilities="chat,TASK,report", app_id="myapp", tags="fire,ridge", extent="-120.5,34,-119,35.25",
        template_web_map_id=template.id, web_map_description="The mission map", locale="fr-CA", run_async=False)
    assert created.success is True and created.mission_id and created.job_id is None
    mission = alice.rest.missions.get(created.mission_id)
    assert (mission.title, mission.snippet, mission.description, mission.license_info) == (
        "Wildfire", "Fire line", "North ridge", "Internal")
    assert mission.capabilities == ["CHAT", "TASK", "REPORT"]
    assert mission.tags == ["fire", "ridge"] and mission.locale == "fr-CA" and mission.app_id == "myapp"
    assert mission.extent is not None and (mission.extent.xmin, mission.extent.ymax) == (-120.5, 35.25)
    assert mission.owner == "alice" and mission.reports == []
    # the portal content a mission is made of: a group with the Mission item, the web map and one layer per capability
    group = alice.portal.groups.get(mission.group_id)
    assert group.title == "Wildfire" and group.owner == "alice"
    item = alice.portal.content.get(mission.item_id)
    assert item.type == "Mission" and f"missionId:{mission.mission_id}" in (item.type_keywords or [])
    assert item.url == f"https://fake.arcgis.test/mission/rest/services/{mission.mission_id}/MissionServer"
    layers = [alice.portal.content.get(i) for i in mission.layer_item_ids or []]
    assert [lyr.type for lyr in layers] == ["Feature Service"] * 3
    webmap = alice.portal.content.get(mission.web_map_id or "")
    assert webmap.type == "Web Map" and webmap.description == "The mission map"
    data = json.loads(alice.portal.content.get_data(webmap.id))
    assert [lyr["itemId"] for lyr in data["operationalLayers"]] == mission.layer_item_ids
    assert data["baseMap"]["title"] == "Topo"  # from the template web map
    in_group = {i.id for i in alice.portal.groups.content(mission.group_id).items}
    assert in_group == {mission.item_id, webmap.id, *(mission.layer_item_ids or [])}
    listed = alice.rest.missions.list()
    assert [(s.name, s.type, s.title) for s in listed.services] == [(mission.mission_id, "MissionServer", "Wildfire")]
    assert alice.rest.missions.get_by_id(mission.mission_id).mission_id == mission.mission_id


def test_defaults_all_capabilities_and_the_whole_world(alice: Side) -> None:
    mission = alice.rest.missions.get(alice.rest.missions.create(title="Default").mission_id or "")
    assert mission.capabilities == ["CHAT", "TASK", "REPORT", "PRESENCE", "TRACK", "EVENTS"]
    assert mission.extent is not None
    assert (mission.extent.xmin, mission.extent.ymin, mission.extent.xmax, mission.extent.ymax) == (-180, -90, 180, 90)
    assert mission.locale == "en" and mission.tags == ["mission"]
    base_map = {"baseMapLayers": [{"id": "imagery", "layerType": "ArcGISTiledMapServiceLayer"}], "title": "Imagery"}
    with_base = alice.rest.missions.get(alice.rest.missions.create(title="Based", base_map=base_map).mission_id or "")
    assert json.loads(alice.portal.content.get_data(with_base.web_map_id or ""))["baseMap"] == base_map


@pytest.mark.parametrize(("field", "value", "wire"), [
    ("capabilities", "CHAT,FLY", "capabilities"),
    ("extent", "-200,0,10,10", "extent"),
    ("extent", "0,0,10", "extent"),
    ("extent", "10,0,0,10", "extent"),
    ("extent", "0,-95,10,10", "extent"),
    ("extent", "0,0,10,nan", "extent"),
    ("locale", "english please", "locale"),
    ("template_web_map_id", "0" * 32, "templateWebMapId"),
    ("base_map", {"title": "no layers"}, "baseMap"),
    ("title", "  ", "title"),
])
def test_create_mission_rejects(fake: FakeArcGIS, alice: Side, field: str, value: object, wire: str) -> None:
    items, groups = len(fake.portal.items), len(fake.portal.groups._groups)
    kwargs: dict[str, object] = {"title": "Bad", field: value}
    with pytest.raises(BadRequest, match=f"'{wire}'") as caught:
        alice.rest.missions.create(**kwargs)  # type: ignore[arg-type]
    assert caught.value.operation == "missions.create"
    assert alice.rest.missions.list().services == []
    assert (len(fake.portal.items), len(fake.portal.groups._groups)) == (items, groups)


def test_who_may_create_and_who_sees_a_mission(fake: FakeArcGIS, alice: Side) -> None:
    viewer = member_side(fake, "victor", "org_user")
    with pytest.raises(PermissionDenied):
        viewer.rest.missions.create(title="Mine")
    mission_id = alice.rest.missions.create(title="Secret").mission_id or ""
    with pytest.raises(Conflict):
        alice.rest.missions.create(title="secret")
    with pytest.raises(NotFound):
        viewer.rest.missions.get(mission_id)
    assert viewer.rest.missions.list().services == []
    group_id = alice.rest.missions.get(mission_id).group_id or ""
    alice.portal.groups.add_users(group_id, users=["victor"])
    assert [s.name for s in viewer.rest.missions.list().services] == [mission_id]  # a group member sees it
    with pytest.raises(PermissionDenied):
        viewer.rest.missions.delete(mission_id)


def test_the_catalog_pages(alice: Side) -> None:
    ids = [alice.rest.missions.create(title=f"M{i}").mission_id for i in range(5)]
    first = alice.rest.missions.list(num=2)
    assert first.total == 5 and first.next_start == 3 and [s.name for s in first.services] == ids[:2]
    assert [s.name for s in alice.rest.missions.list(start=5, num=2).services] == ids[4:]


@pytest.mark.seed("Mission.add_report")
def test_add_report_creates_its_feature_service(alice: Side) -> None:
    mission_id = alice.rest.missions.create(title="Patrol").mission_id or ""
    added = alice.rest.missions.add_report(
        mission_id, title="Sightings", service_name="sightings_2024", questions=QUESTIONS, source="survey",
        description="What we saw", tags="obs,field", display_field="headcount",
        drawing_info={"renderer": {"type": "simple"}}, locale="de", share_as_template=True)
    assert added.success is True and added.item_id
    item = alice.portal.content.get(added.item_id)
    assert item.type == "Feature Service" and item.title == "Sightings" and item.tags == ["obs", "field"]
    assert "Mission Report Template" in (item.type_keywords or [])
    assert item.url == added.service_url and (added.service_url or "").endswith("/sightings_2024/FeatureServer")
    layer = json.loads(alice.portal.content.get_data(item.id))["layers"][0]
    assert layer["displayField"] == "headcount" and layer["hasAttachments"] is True  # the Image question
    assert [f["name"] for f in layer["fields"]] == ["objectid", "observer", "headcount", "severity", "seen_at"]
    assert [f["type"] for f in layer["fields"]][1:] == ["esriFieldTypeString", "esriFieldTypeDouble",
                                                        "esriFieldTypeString", "esriFieldTypeDate"]
    report = alice.rest.missions.get(mission_id).reports or []
    assert [(r.title, r.service_name, r.source, r.locale, r.share_as_template) for r in report] == [
        ("Sightings", "sightings_2024", "survey", "de", True)]
    group = alice.rest.missions.get(mission_id).group_id or ""
    assert added.item_id in {i.id for i in alice.portal.groups.content(group).items}
    # defaults: the first question's field is the display field, "report" the tag
    plain = alice.rest.missions.add_report(mission_id, title="Plain", service_name="plain",
                                           questions=json.dumps(QUESTIONS[:1]))
    plain_layer = json.loads(alice.portal.content.get_data(plain.item_id or ""))["layers"][0]
    assert plain_layer["displayField"] == "observer"
    assert alice.portal.content.get(plain.item_id or "").tags == ["report"]


FORBIDDEN = list("#$%^*=`{}[],:?\"<>|\\/+") + [" "]


@pytest.mark.seed("Mission.add_report")
@pytest.mark.parametrize(("kwargs", "wire"), [
    ({"service_name": "x" * 88}, "serviceName"),
    *[({"service_name": f"bad{c}name"}, "serviceName") for c in FORBIDDEN],
    ({"questions": []}, "questions"),
    ({"questions": "not json"}, "questions"),
    ({"questions": {"type": "Number"}}, "questions"),
    ({"questions": [{"type": "Slider", "label": "x"}]}, "questions"),
    ({"questions": [{"type": "Number"}]}, "questions"),
    ({"questions": [{"type": "Dropdown", "label": "Pick"}]}, "questions"),
    ({"questions": [{"type": "Number", "label": "a", "fieldName": "1x"}]}, "questions"),
    ({"questions": [{"type": "Number", "label": "a"}, {"type": "Number", "label": "A"}]}, "questions"),
    ({"display_field": "nothere"}, "displayField"),
    ({"drawing_info": [1, 2]}, "drawingInfo"),
    ({"locale": "??"}, "locale"),
])
def test_add_report_rejects(fake: FakeArcGIS, alice: Side, kwargs: dict[str, object], wire: str) -> None:
    mission_id = alice.rest.missions.create(title="Reports").mission_id or ""
    items = len(fake.portal.items)
    args: dict[str, object] = {"title": "R", "service_name": "ok_name", "questions": QUESTIONS[:2], **kwargs}
    with pytest.raises(BadRequest, match=f"'{wire}'"):
        alice.rest.missions.add_report(mission_id, **args)  # type: ignore[arg-type]
    assert len(fake.portal.items) == items and alice.rest.missions.get(mission_id).reports == []


def test_add_report_names_are_unique_and_87_characters_is_fine(alice: Side, fake: FakeArcGIS) -> None:
    mission_id = alice.rest.missions.create(title="Names").mission_id or ""
    alice.rest.missions.add_report(mission_id, title="Long", service_name="n" * 87, questions=QUESTIONS[:1])
    with pytest.raises(BadRequest, match="already exists"):
        alice.rest.missions.add_report(mission_id, title="Again", service_name="N" * 87, questions=QUESTIONS[:1])
    other = member_side(fake, "bob")
    with pytest.raises(NotFound):
        other.rest.missions.add_report(mission_id, title="X", service_name="x", questions=QUESTIONS[:1])


@pytest.mark.seed("Mission.delete")
def test_delete_removes_the_portal_content(fake: FakeArcGIS, alice: Side, admin: Side) -> None:
    mission_id = alice.rest.missions.create(title="Gone").mission_id or ""
    report = alice.rest.missions.add_report(mission_id, title="R", service_name="gone_r", questions=QUESTIONS[:1])
    mission = alice.rest.missions.get(mission_id)
    owned = {mission.item_id, mission.web_map_id, report.item_id, *(mission.layer_item_ids or [])}
    assert owned <= set(fake.portal.items._items)
    assert alice.rest.missions.delete(mission_id).success is True
    assert not owned & set(fake.portal.items._items)
    assert fake.portal.groups.get(mission.group_id or "") is None
    with pytest.raises(NotFound):
        alice.rest.missions.get(mission_id)
    with pytest.raises(NotFound):
        alice.rest.missions.delete(mission_id)
    # an administrator may delete anyone's mission
    other = alice.rest.missions.create(title="Other").mission_id or ""
    assert admin.rest.missions.delete(other).status == "success"


def test_delete_protection_keeps_the_mission(fake: FakeArcGIS, alice: Side) -> None:
    mission_id = alice.rest.missions.create(title="Kept").mission_id or ""
    mission = alice.rest.missions.get(mission_id)
    item = fake.portal.items.get(mission.item_id or "")
    assert item is not None
    item.protected = True
    with pytest.raises(BadRequest, match="delete-protected"):
        alice.rest.missions.delete(mission_id)
    assert alice.rest.missions.get(mission_id).mission_id == mission_id
    assert fake.portal.items.get(mission.web_map_id or "") is not None


def test_reset_forgets_the_missions_and_keeps_the_server(fake: FakeArcGIS, alice: Side) -> None:
    alice.rest.missions.create(title="Before reset")
    status = Client(fake).get("/_fake/status", headers={"X-Fake-Control": fake.control_token}).get_json()
    assert (status["mission"], status["missions"]) == ("/mission", 1)
    fake.reset()
    assert fake.mission.catalog.missions == {}
    again = admin_side(fake)
    assert again.rest.missions.list().services == []
    servers = client_for(fake, "admin", PASSWORD).servers.list().servers
    assert [s.server_type for s in servers] == ["ArcGIS", "ARCGIS_MISSION_SERVER"]  # the hosting server first
    assert again.admin.security.config().portal_properties.server_id == servers[1].id  # type: ignore[union-attr]


def test_over_tls_with_the_urllib3_transport(tmp_path: Path) -> None:
    fake = FakeArcGIS(admin_password=PASSWORD, password_iterations=1, mission_files=str(tmp_path / "fs"))
    with serve(fake, https=True) as server:
        assert server.mission_admin_url is not None and server.ca_path is not None
        root = server.mission_admin_url.removesuffix("/admin")
        portal = PortalClient(server.portal_url, username="admin", password=PASSWORD, ca_certs=server.ca_path)
        rest = MissionClient(f"{root}/rest", auth=portal.auth, ca_certs=server.ca_path)
        admin = MissionAdminClient(root, auth=portal.auth, ca_certs=server.ca_path)
        [found] = [s for s in portal.servers.list().servers if s.server_type == "ARCGIS_MISSION_SERVER"]
        assert found.url == root
        mission_id = rest.missions.create(title="Served").mission_id
        assert [s.name for s in rest.missions.list().services] == [mission_id]
        assert admin.security.config().ssl_enabled is True
        assert admin.certificates.export("MISSIONSERVER", "selfsignedcertificate").startswith(b"-----BEGIN CERTIFICATE")
