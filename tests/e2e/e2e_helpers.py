"""Helpers shared by the end-to-end tests: typed clients for seeded users, and a raw Werkzeug client for the
requests the typed client never sends (double slashes, token in the form body, f=pjson, unknown routes)."""

from __future__ import annotations

from typing import Any

from arcgis_typed import PortalClient, WsgiTransport
from arcgis_typed_fake import FakeArcGIS

HOST = "https://fake.arcgis.test"


def password_of(username: str) -> str:
    return f"{username}-password"


def portal_url(fake: FakeArcGIS) -> str:
    return f"{HOST}{fake.portal_context}"


def client_for(fake: FakeArcGIS, username: str | None = None, password: str | None = None, **kw: Any) -> PortalClient:
    """A typed client of `fake`, in-process; signed in when a username is given."""
    if username is not None and password is None:
        password = fake.admin_password if username == fake.admin_username else password_of(username)
    return PortalClient(portal_url(fake), transport=WsgiTransport(fake), username=username, password=password, **kw)


def add_member(fake: FakeArcGIS, username: str, role: str = "org_user", **profile: Any) -> PortalClient:
    """Seed a user through the fake's Python API and return a typed client signed in as them."""
    fake.portal.add_user(username, password_of(username), role=role, **profile)
    return client_for(fake, username)


def raw_json(response: Any) -> Any:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/json"
    return response.get_json()


def bearer(client: PortalClient) -> dict[str, str]:
    assert client.auth is not None
    token = client.auth.token()
    assert token
    return {"X-Esri-Authorization": f"Bearer {token}"}
