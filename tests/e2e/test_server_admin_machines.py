"""Machines end to end: list, read, status, start, stop and unregister; who may do what; and the real-time
state of services following the machines that host them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from arcgis_typed import BadRequest, NotFound, PermissionDenied, ServerAdminClient
from arcgis_typed_fake import FakeArcGIS, ManualClock
from e2e_helpers import add_server_user, server_client

PASSWORD = "server-admin-password"
START_MS = 1_700_000_000_000


@pytest.fixture
def fake() -> FakeArcGIS:
    fake = FakeArcGIS(admin_password=PASSWORD, server_machines=("MACHINE1", "MACHINE2.EXAMPLE.COM"),
                      clock=ManualClock(START_MS), password_iterations=1)
    server_client(fake, machine="MACHINE2.EXAMPLE.COM").site.join_site(
        admin_url="https://machine1.fake.test/arcgis/admin", username="admin", password=PASSWORD)
    return fake


@pytest.fixture
def admin(fake: FakeArcGIS) -> ServerAdminClient:
    return server_client(fake, "admin")


def test_list_and_get(admin: ServerAdminClient) -> None:
    listed = admin.machines.list().machines
    assert [(m.machine_name, m.admin_url) for m in listed] == [
        ("MACHINE1", "https://machine1.fake.test/arcgis/admin"),
        ("MACHINE2.EXAMPLE.COM", "https://machine2.example.com/arcgis/admin"),  # a host-like name is its host
    ]
    one = admin.machines.get("MACHINE1")
    assert one.configured_state == "STARTED" and one.platform == "Linux"
    assert one.server_start_time == datetime.fromtimestamp(START_MS / 1000, tz=UTC)
    assert one.ports is not None and one.ports["JMXPort"] == 4000
    two = admin.machines.get("machine2.example.com")
    assert two.configured_state == "STOPPED" and two.server_start_time is None  # never started
    with pytest.raises(NotFound, match="not registered with the site"):
        admin.machines.get("MACHINE9")


@pytest.mark.seed("ServerAdmin.machines/{name}/start")
def test_start_stop_and_the_services_they_host(admin: ServerAdminClient) -> None:
    assert admin.machines.start("MACHINE2.EXAMPLE.COM").status == "success"
    assert admin.machines.status("MACHINE2.EXAMPLE.COM").real_time_state == "STARTED"
    assert admin.machines.start("MACHINE2.EXAMPLE.COM").status == "success"  # starting a started machine is fine
    assert admin.services.service_status("SampleWorldCities", "MapServer").real_time_state == "STARTED"
    admin.machines.stop("MACHINE1")
    assert admin.services.service_status("SampleWorldCities", "MapServer").real_time_state == "STARTED"
    admin.machines.stop("MACHINE2.EXAMPLE.COM")
    status = admin.services.service_status("SampleWorldCities", "MapServer")
    assert (status.configured_state, status.real_time_state) == ("STARTED", "STOPPED")  # no machine hosts it
    # a stopped machine still answers the Administrator API
    assert admin.machines.status("MACHINE1").configured_state == "STOPPED"
    admin.machines.start("MACHINE1")
    assert admin.services.service_status("SampleWorldCities", "MapServer").real_time_state == "STARTED"


def test_unregister(fake: FakeArcGIS, admin: ServerAdminClient) -> None:
    assert admin.machines.unregister("MACHINE2.EXAMPLE.COM").status == "success"
    assert [m.machine_name for m in admin.machines.list().machines] == ["MACHINE1"]
    with pytest.raises(BadRequest, match="last machine of the site"):
        admin.machines.unregister("MACHINE1")
    with pytest.raises(NotFound):
        admin.machines.unregister("MACHINE2.EXAMPLE.COM")
    # once unregistered, the machine may create a site of its own
    server_client(fake, machine="MACHINE2.EXAMPLE.COM").site.create_site(username="other", password="other-pass")
    assert len([s for s in fake.server.sites if s.machines]) == 2


@pytest.mark.seed("ServerAdmin.privilege-check")
def test_only_administrators_start_stop_or_unregister(fake: FakeArcGIS) -> None:
    publisher = add_server_user(fake, "pub", "publisher")
    viewer = add_server_user(fake, "viewer", "user")
    assert [m.machine_name for m in publisher.machines.list().machines] == ["MACHINE1", "MACHINE2.EXAMPLE.COM"]
    for act in (publisher.machines.start, publisher.machines.stop, publisher.machines.unregister):
        with pytest.raises(PermissionDenied):
            act("MACHINE2.EXAMPLE.COM")
    with pytest.raises(PermissionDenied):
        viewer.machines.list()
    assert [m.configured_state for m in fake.server.site.machines] == ["STARTED", "STOPPED"]
    assert len(fake.server.site.machines) == 2
