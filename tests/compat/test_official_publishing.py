"""Esri's official `arcgis` client (2.4.4), unmodified, publishing against the fake: `tox -e compat`.

Same targets as test_official_client.py (in-process through the requests adapter, and over HTTPS). The
client's own job loop (`Item._check_publish_status`, which sleeps 5 s between polls) runs against the fake's
jobs; `time.sleep` is shortened so the test does not wait.
"""

from __future__ import annotations

import time

import pytest

pytest.importorskip("arcgis")

from arcgis.gis import GIS, Item, Layer
from arcgis_typed_fake import FakeArcGIS
from test_official_client import Target, gis, target  # noqa: F401  (fixtures)

pytestmark = pytest.mark.compat

CITIES = b"city,latitude,longitude,population\nOslo,59.91,10.75,700000\nBergen,60.39,5.32,285000\n"


@pytest.fixture
def short_sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    asked: list[float] = []
    real_sleep = time.sleep

    def sleep(seconds: float) -> None:
        asked.append(seconds)
        real_sleep(min(seconds, 0.3))

    monkeypatch.setattr(time, "sleep", sleep)
    return asked


def test_publish_a_csv_and_read_its_layer(gis: GIS, target: Target, arcgis_fake: FakeArcGIS,  # noqa: F811
                                          short_sleeps: list[float]) -> None:
    portal = arcgis_fake.portal
    portal.publishing.job_ms = 200  # the first status poll sees the job running
    admin = portal.users.require("admin")
    record = portal.add_item(admin, "admin", title="Cities", type="CSV", data=CITIES, data_name="cities.csv")
    assert gis.content.is_service_name_available("Cities", "featureService") is True

    item = gis.content.get(record.id)
    published = item.publish()
    assert isinstance(published, Item)
    assert (published.type, published.owner) == ("Feature Service", "admin")
    assert published.url.endswith("/arcgis/rest/services/Hosted/Cities/FeatureServer")
    assert gis.content.is_service_name_available("Cities", "featureService") is False
    # what the client sent: analyze first, then publish with the analyzed parameters, then the status loop
    assert target.recorder.to("/content/features/analyze")[0]["itemid"] == record.id
    sent = target.recorder.to("/content/users/admin/publish")[0]
    assert sent["fileType"] == "csv" and '"name": "Cities"' in sent["publishParameters"]
    polls = target.recorder.to(f"/content/users/admin/items/{published.id}/status")
    assert len(polls) >= 2 and 5 in short_sleeps

    layer = Layer(published.url + "/0", gis)
    assert layer.properties.name == "Cities"
    assert layer.properties.geometryType == "esriGeometryPoint"
    assert [f["name"] for f in layer.properties.fields] == ["ObjectId", "city", "latitude", "longitude", "population"]

    assert [d["id"] for d in published.dependent_upon()["list"] if d["dependencyType"] == "id"] == [record.id]
    assert [d["id"] for d in item.dependent_to()["list"]] == [published.id]
