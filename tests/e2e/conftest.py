"""Fixtures of the end-to-end tests (helpers live in e2e_helpers.py)."""

from __future__ import annotations

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
