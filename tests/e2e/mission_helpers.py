"""Helpers of the Mission Server end-to-end tests: a fake on a manual clock, and typed clients of its portal,
its Mission REST API and its Administrator API that share the portal sign-in (a federated Mission Server
accepts portal tokens)."""

from __future__ import annotations

from pathlib import Path

import attrs
from arcgis_typed import MissionAdminClient, MissionClient, PortalClient, WsgiTransport
from arcgis_typed_fake import FakeArcGIS, ManualClock
from e2e_helpers import HOST, add_member, client_for

PASSWORD = "mission-admin-password"
START_MS = 1_700_000_000_000
MACHINE = "MISSIONSERVER"


@attrs.frozen
class Side:
    """One signed-in user's view: the portal, the Mission REST API and the Mission Administrator API."""

    portal: PortalClient
    rest: MissionClient
    admin: MissionAdminClient


def make_fake(tmp_path: Path, **kw: object) -> tuple[FakeArcGIS, ManualClock]:
    clock = ManualClock(START_MS)
    fake = FakeArcGIS(admin_password=PASSWORD, clock=clock, password_iterations=1, seed=7,
                      mission_files=str(tmp_path / "missionfs"), **kw)  # type: ignore[arg-type]
    return fake, clock


def side(fake: FakeArcGIS, portal: PortalClient) -> Side:
    transport = WsgiTransport(fake)
    root = f"{HOST}{fake.mission_context}"
    return Side(portal, MissionClient(f"{root}/rest", auth=portal.auth, transport=transport),
                MissionAdminClient(root, auth=portal.auth, transport=transport))


def admin_side(fake: FakeArcGIS) -> Side:
    return side(fake, client_for(fake, fake.admin_username, PASSWORD))


def member_side(fake: FakeArcGIS, username: str, role: str = "org_publisher") -> Side:
    return side(fake, add_member(fake, username, role))


def debug_logs(side: Side) -> None:
    """Let every record through (the server's default level is WARNING)."""
    side.admin.logs.edit_settings(log_level="DEBUG")
