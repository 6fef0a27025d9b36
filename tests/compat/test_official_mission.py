"""Esri's official `arcgis` client (2.4.4), unmodified, on the Mission Server: `tox -e compat`.

The official client finds the Mission Server through the portal (portals/self/servers) and reuses the portal
token. Same targets as test_official_client.py (in-process through the requests adapter, and over HTTPS); the
fake runs on a manual clock so mission jobs complete when the test says.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

pytest.importorskip("arcgis")

from arcgis.gis import GIS
from arcgis.gis.mission import Mission, MissionCatalog, MissionJob, MissionServer
from arcgis_typed_fake import FakeArcGIS, ManualClock
from test_official_client import Target, gis, target  # noqa: F401  (fixtures)

pytestmark = pytest.mark.compat

QUESTIONS = [{"type": "Single Line Text", "label": "Observer"}, {"type": "Number", "label": "Count"}]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def arcgis_fake(arcgis_admin_credentials: tuple[str, str], clock: ManualClock, tmp_path: object) -> Iterator[FakeArcGIS]:
    username, password = arcgis_admin_credentials
    yield FakeArcGIS(admin_username=username, admin_password=password, clock=clock,
                     mission_files=f"{tmp_path}/missionfs")


def test_catalog_missions_reports_and_jobs(gis: GIS, target: Target, arcgis_fake: FakeArcGIS,  # noqa: F811
                                           clock: ManualClock) -> None:
    catalog = MissionCatalog(gis)
    assert catalog._url.endswith("/mission/rest")
    job = catalog.create_mission("Wildfire", snippet="North ridge", capabilities="CHAT,TASK,REPORT",
                                 tags="fire", extent="-120,34,-119,35", locale="en")
    assert isinstance(job, MissionJob)
    sent = target.recorder.to("/services/createMission")[0]
    assert sent["async"] == "true" and sent["extent"] == "-120,34,-119,35"
    assert job.status == "EXECUTING"
    clock.advance(seconds=5)
    assert job.status == "COMPLETED"
    mission = job.result()
    assert isinstance(mission, Mission)
    assert mission.properties["title"] == "Wildfire"
    assert [j._url.rsplit("/", 1)[1] for j in catalog.jobs] == [job._url.rsplit("/", 1)[1]]
    [listed] = catalog.missions
    assert listed.properties["capabilities"] == ["CHAT", "TASK", "REPORT"]
    report = listed.add_report("Sightings", "sightings", json.dumps(QUESTIONS), description="What we saw")
    assert report["success"] is True
    item = gis.content.get(report["itemId"])
    assert item is not None and item.type == "Feature Service"
    with pytest.raises(Exception, match="serviceName"):
        listed.add_report("Bad", "bad name", json.dumps(QUESTIONS))
    with pytest.raises(Exception, match="capabilities"):
        catalog.create_mission("Nope", capabilities="FLY")
    assert listed.delete() in (True, "success")
    assert catalog.missions == []


def test_the_administrator_api(gis: GIS, target: Target, arcgis_fake: FakeArcGIS, tmp_path: object) -> None:  # noqa: F811
    server = MissionCatalog(gis).admin()
    assert isinstance(server, MissionServer)
    assert "machines" in server.properties["resources"]
    config = server.security.configuration
    assert config["Protocol"] == "HTTP_AND_HTTPS"
    server.security.configuration = {"virtualDirsSecurityEnabled": True}
    assert server.security.configuration["virtualDirsSecurityEnabled"] is True
    [machine] = server.machine.list()
    assert machine.ssl_certificates["certificates"] == ["selfsignedcertificate"]
    assert machine.create_self_signed_cert("dev", "1024", "m.example.com", "GIS", "Esri", "Redlands", "CA", "US") is not False
    assert machine.ssl_certificate("dev")["subject"].endswith("CN=m.example.com")
    assert machine.hardware["cores"] == 4
    logs = server.logs
    logs.settings = {"logLevel": "INFO"}
    catalog = MissionCatalog(gis)
    catalog.create_mission("Logged")
    found = logs.query(level="INFO", codes="9101")
    assert [m["code"] for m in found["logMessages"]] == [9101]
    out = logs.query(level="INFO", export=True, export_type="TAB", out_path=f"{tmp_path}/logs")
    assert out.endswith(".txt")
    system = server.system
    assert system.licenses["features"][0]["name"] == "esriMissionServer"
    assert system.config_store["type"] == "FILESYSTEM"
    assert system.directories.register("mydata", "/data/mine", "DATA") is True
    assert system.web_adaptors.register("web01", "10.0.0.7", "https://web01/mission", 80, 443) is True
    [adaptor] = system.web_adaptors.list()
    assert adaptor.unregister() is True
    assert logs.clean() is True

