"""Fixtures of the end-to-end tests (helpers live in e2e_helpers.py)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from arcgis_typed import PortalClient
from arcgis_typed_fake import FakeArcGIS
from e2e_helpers import add_member, client_for
from werkzeug.test import Client


@pytest.fixture
def member(arcgis_fake: FakeArcGIS) -> Callable[..., PortalClient]:
    def make(username: str, role: str = "org_user", **profile: Any) -> PortalClient:
        return add_member(arcgis_fake, username, role, **profile)

    return make


@pytest.fixture
def anonymous(arcgis_fake: FakeArcGIS) -> PortalClient:
    return client_for(arcgis_fake)


@pytest.fixture
def raw(arcgis_fake: FakeArcGIS) -> Client:
    return Client(arcgis_fake)


@pytest.fixture
def alice(member: Callable[..., PortalClient]) -> PortalClient:
    """An org_user "alice" (modules may define their own)."""
    return member("alice")


@pytest.fixture
def bob(member: Callable[..., PortalClient]) -> PortalClient:
    """An org_user "bob" (modules may define their own)."""
    return member("bob")


@pytest.fixture(autouse=True)
def _snapshot_round_trip(request: pytest.FixtureRequest) -> Any:
    """Every end-to-end test's fake (unless ARCGIS_SNAPSHOT_CHECK=0) is snapshotted and restored from the snapshot
    after the test, and forked (what the test left must be writable, readable back and copyable)."""
    yield
    if os.environ.get("ARCGIS_SNAPSHOT_CHECK") == "0":
        return
    for name in ("arcgis_fake", "fake"):
        fake = request.node.funcargs.get(name)
        if isinstance(fake, FakeArcGIS):
            fake.restore(fake.snapshot())
            fake.fork()
