"""Item dependencies end to end: what a web map, an app, a hosted service and a URL item depend upon, who
depends on an item (as far as the caller may see), dependencies added by hand, and the dependency graph
rebuild as a job on the fake's clock (started, watched, stopped)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from arcgis_typed import BadRequest, Conflict, PermissionDenied, PortalClient, Upload
from arcgis_typed_fake import FakeArcGIS, ManualClock
from e2e_helpers import add_member, client_for

CSV = "name,lat,lon\nA,1,2\nB,3,4\n"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def arcgis_fake(arcgis_admin_credentials: tuple[str, str], clock: ManualClock) -> FakeArcGIS:
    return FakeArcGIS(*arcgis_admin_credentials, clock=clock, seed=3)


@pytest.fixture
def pub(arcgis_fake: FakeArcGIS) -> PortalClient:
    return add_member(arcgis_fake, "pia", "org_publisher")


def deps(client: PortalClient, item_id: str) -> list[tuple[str, str | None]]:
    return [(d.dependency_type, d.id if d.dependency_type != "url" else d.url)
            for d in client.dependencies.list_all(item_id, page_size=2)]


def dependents(client: PortalClient, item_id: str) -> list[str | None]:
    return [d.id for d in client.dependencies.dependents_to_all(item_id)]


@pytest.fixture
def graph(arcgis_fake: FakeArcGIS, pub: PortalClient) -> dict[str, str]:
    """A CSV published as a service, a web map using the service, an app using the map, a URL item."""
    csv_id = pub.content.add_item("pia", title="Points", type="CSV", file=Upload("p.csv", CSV.encode())).id
    service = pub.publishing.publish("pia", item_id=csv_id, file_type="csv", publish_parameters={"name": "Points"})
    service_id = service.services[0].service_item_id
    url = service.services[0].service_url
    assert service_id and url
    web_map = {"operationalLayers": [{"itemId": service_id, "url": f"{url}/0"}],
               "baseMap": {"baseMapLayers": [{"url": "https://basemaps.example.com/World/MapServer"}]}}
    map_id = pub.content.add_item("pia", title="Map", type="Web Map", text=json.dumps(web_map)).id
    app_id = pub.content.add_item("pia", title="App", type="Web Mapping Application",
                                  text=json.dumps({"values": {"webmap": map_id}})).id
    link_id = pub.content.add_item("pia", title="Link", type="Map Service", url=url).id
    return {"csv": csv_id, "service": service_id, "url": url, "map": map_id, "app": app_id, "link": link_id,
            "server": arcgis_fake.server.site.id}


@pytest.mark.seed("Item.dependent_upon")
@pytest.mark.seed("Item.dependencies")
def test_what_items_depend_upon(pub: PortalClient, graph: dict[str, str]) -> None:
    assert deps(pub, graph["map"]) == [("id", graph["service"]), ("url", f"{graph['url']}/0"),
                                       ("url", "https://basemaps.example.com/World/MapServer")]
    assert deps(pub, graph["app"]) == [("id", graph["map"])]
    assert deps(pub, graph["service"]) == [("id", graph["csv"]), ("serverId", graph["server"])]
    assert deps(pub, graph["link"]) == [("url", graph["url"])]
    assert deps(pub, graph["csv"]) == []
    page = pub.dependencies.list(graph["map"], start=2, num=1)
    assert (page.total, page.start, page.num, page.next_start) == (3, 2, 1, 3)
    pub.item_relationships.add("pia", origin_item_id=graph["map"], destination_item_id=graph["link"],
                               relationship_type="Map2Service")  # relationships are dependencies too
    assert ("id", graph["link"]) in deps(pub, graph["map"]) and len(deps(pub, graph["map"])) == 4
    assert graph["map"] in dependents(pub, graph["link"])


@pytest.mark.seed("Item.dependent_to")
def test_who_depends_on_an_item(arcgis_fake: FakeArcGIS, pub: PortalClient, graph: dict[str, str],
                                member: Callable[..., PortalClient]) -> None:
    assert dependents(pub, graph["service"]) == [graph["map"], graph["link"]]
    assert dependents(pub, graph["csv"]) == [graph["service"]]
    assert dependents(pub, graph["map"]) == [graph["app"]]
    assert dependents(pub, graph["app"]) == []
    # others see only the dependents they may see
    other = member("otto")
    with pytest.raises(BadRequest):
        other.dependencies.dependents_to(graph["service"])
    pub.content.share(graph["service"], org=True)
    pub.content.share(graph["link"], org=True)
    assert dependents(other, graph["service"]) == [graph["link"]]
    pub.content.share(graph["service"], everyone=True)
    assert dependents(client_for(arcgis_fake), graph["service"]) == []
    # deleting the map removes its dependencies with it
    pub.content.delete("pia", graph["app"])
    pub.content.delete("pia", graph["map"])
    assert dependents(pub, graph["service"]) == [graph["link"]]


@pytest.mark.seed("Item.dependencies")
def test_dependencies_added_by_hand(arcgis_fake: FakeArcGIS, pub: PortalClient, graph: dict[str, str],
                                    member: Callable[..., PortalClient]) -> None:
    csv_id = graph["csv"]
    assert pub.dependencies.add(csv_id, dependency_type="url", dependency="https://data.example.com/feed").success
    assert pub.dependencies.add(csv_id, dependency_type="id", dependency=graph["link"]).success
    assert pub.dependencies.add(csv_id, dependency_type="table", dependency="sde.parcels").success
    assert pub.dependencies.add(csv_id, dependency_type="table", dependency="sde.parcels").success  # idempotent
    assert deps(pub, csv_id) == [("url", "https://data.example.com/feed"), ("id", graph["link"]),
                                 ("table", "sde.parcels")]
    assert csv_id in dependents(pub, graph["link"])
    assert pub.dependencies.remove(csv_id, dependency_type="id", dependency=graph["link"]).success
    assert csv_id not in dependents(pub, graph["link"])
    for bad_type, bad, message in (("id", csv_id, "itself"), ("url", "ftp://x", "http"), ("id", "0" * 32, "does not exist"),
                                   ("table", " ", "empty")):
        with pytest.raises(BadRequest, match=message):
            pub.dependencies.add(csv_id, dependency_type=bad_type, dependency=bad)  # type: ignore[arg-type]
    with pytest.raises(BadRequest, match="no id dependency"):
        pub.dependencies.remove(csv_id, dependency_type="id", dependency=graph["link"])
    pub.content.share(csv_id, org=True)
    with pytest.raises(PermissionDenied):
        member("olga").dependencies.add(csv_id, dependency_type="url", dependency="https://x.example.com")
    admin = client_for(arcgis_fake, arcgis_fake.admin_username)
    assert admin.dependencies.remove_all(csv_id).success
    assert deps(pub, csv_id) == []


@pytest.mark.seed("DependencyManager.(constructor)")
@pytest.mark.seed("DependencyManager.rebuild")
@pytest.mark.seed("DependencyManager.status")
@pytest.mark.seed("DependencyManager.terminate")
def test_rebuilding_the_graph_is_a_job(arcgis_fake: FakeArcGIS, pub: PortalClient, graph: dict[str, str],
                                       clock: ManualClock) -> None:
    admin = client_for(arcgis_fake, arcgis_fake.admin_username)
    assert admin.dependencies.rebuild_status().status == "idle"
    arcgis_fake.portal.dependencies.ms_per_item = 1000  # 5 items: 5 s
    started = admin.dependencies.rebuild()
    assert (started.status, started.items_processed, started.total_items) == ("processing", 0, 5)
    with pytest.raises(Conflict):
        admin.dependencies.rebuild()
    clock.advance(seconds=3)
    halfway = admin.dependencies.rebuild_status()
    assert (halfway.status, halfway.items_processed, halfway.job_id) == ("processing", 3, started.job_id)
    stopped = admin.dependencies.stop_rebuild()
    assert (stopped.status, stopped.items_processed) == ("stopped", 3)
    clock.advance(seconds=10)
    assert admin.dependencies.rebuild_status().status == "stopped"
    with pytest.raises(BadRequest, match="No rebuild"):
        admin.dependencies.stop_rebuild()
    again = admin.dependencies.rebuild()
    clock.advance(seconds=5)
    done = admin.dependencies.rebuild_status()
    assert (done.status, done.items_processed, done.job_id) == ("completed", 5, again.job_id)
    assert done.completed is not None
    with pytest.raises(PermissionDenied):
        pub.dependencies.rebuild()
    with pytest.raises(PermissionDenied):
        pub.dependencies.rebuild_status()
