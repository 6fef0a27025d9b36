"""Deterministic mode: with a seed and a ManualClock, the same calls give byte-identical responses (ids, tokens,
timestamps included); the clock moves only when told."""

from __future__ import annotations

import pytest
from arcgis_typed import PortalClient, ServerAdminClient, WsgiTransport
from arcgis_typed._runtime.transport import HttpRequest, HttpResponse
from arcgis_typed_fake import FakeArcGIS, ManualClock

START = "2024-03-01T09:00:00+00:00"


class Recording:
    """A transport that remembers every response body, byte for byte."""

    def __init__(self, fake: FakeArcGIS) -> None:
        self.inner = WsgiTransport(fake)
        self.bodies: list[bytes] = []

    def send(self, request: HttpRequest, *, idempotent: bool) -> HttpResponse:
        response = self.inner.send(request, idempotent=idempotent)
        self.bodies.append(response.body)
        return response


def scenario(seed: int, fake: FakeArcGIS | None = None) -> tuple[list[bytes], FakeArcGIS]:
    fake = fake or FakeArcGIS(admin_password="admin-password", seed=seed, clock=ManualClock.at(START))
    transport = Recording(fake)
    portal = PortalClient("https://fake.arcgis.test/portal", transport=transport, username="admin",
                          password="admin-password")
    portal.users.create(username="alice", password="alice-passw0rd", email="alice@x.test", role="org_publisher",
                        fullname="Alice Able")
    item = portal.content.add_item("admin", title="Roads", type="CSV", text="a,b", tags=["roads"])
    fake.clock.advance(minutes=5)  # type: ignore[attr-defined]
    group = portal.groups.create(title="Roads team", tags=["roads"], access="org").group
    portal.content.share(item.id, org=True, groups=[group.id])
    portal.content.update("admin", item.id, title="Main roads")
    portal.content.search(q="roads", sort_field="title")
    portal.users.get("alice")
    server = ServerAdminClient("https://fake.arcgis.test/arcgis", transport=transport, username="admin",
                               password="admin-password")
    server.services.create_folder(folder_name="Hydro", description="Water")
    server.services.list(folder_name="Hydro")
    return transport.bodies, fake


def test_same_seed_same_calls_byte_identical_responses() -> None:
    first, _ = scenario(7)
    second, _ = scenario(7)
    assert len(first) >= 9
    assert first == second
    joined = b"\n".join(first)
    assert b'"token":"' in joined  # tokens are part of what is reproduced
    assert b"1709283600000" in joined or b"1709283900000" in joined  # timestamps come from the stopped clock


def test_a_fork_and_its_reset_replay_byte_identical_responses() -> None:
    """A fork starts where a fresh fake would, and its reset (the undo log: ids streams and clock included) puts
    it back there: the same calls give the same bytes again."""
    fresh, _ = scenario(7)
    fork = FakeArcGIS(admin_password="admin-password", seed=7, clock=ManualClock.at(START)).fork()
    first, _ = scenario(7, fork)
    fork.reset()
    again, _ = scenario(7, fork)
    assert first == fresh
    assert again == fresh


def test_another_seed_gives_other_ids_and_tokens() -> None:
    first, _ = scenario(7)
    other, _ = scenario(8)
    assert first != other


def test_the_clock_moves_only_when_told() -> None:
    clock = ManualClock.at(START)
    fake = FakeArcGIS(admin_password="admin-password", seed=1, clock=clock)
    before = clock.now_ms()
    portal = PortalClient("https://fake.arcgis.test/portal", transport=WsgiTransport(fake), username="admin",
                          password="admin-password")
    item = portal.content.add_item("admin", title="Roads", type="CSV", text="a,b")
    assert clock.now_ms() == before
    assert int(portal.content.get(item.id).created.timestamp() * 1000) == before
    clock.advance(hours=2)  # the token (60 minutes) is now expired: the client refreshes once
    assert portal.content.get(item.id).title == "Roads"
    assert [r.error_code for r in fake.requests][-3:] == [498, None, None]


def test_manual_clock_needs_a_time_zone() -> None:
    with pytest.raises(ValueError, match="time zone"):
        ManualClock.at("2024-03-01T09:00:00")
