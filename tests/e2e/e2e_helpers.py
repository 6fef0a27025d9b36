"""Helpers shared by the end-to-end tests: typed clients for seeded users, and a raw Werkzeug client for the
requests the typed client never sends (double slashes, token in the form body, f=pjson, unknown routes)."""

from __future__ import annotations

from typing import Any

from arcgis_typed import PortalClient, ServerAdminClient, WsgiTransport
from arcgis_typed_fake import FakeArcGIS
from arcgis_typed_fake.state.server import machine_host

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


# --- ArcGIS Server -------------------------------------------------------------------------------------------


def server_url(fake: FakeArcGIS, machine: str | None = None) -> str:
    """The server's URL in-process: the first machine by default, or the host name that reaches `machine`."""
    host = HOST if machine is None else f"https://{machine_host(machine)}"
    return f"{host}{fake.server_context}"


def server_client(
    fake: FakeArcGIS, username: str | None = None, password: str | None = None, *, machine: str | None = None,
    **kw: Any,
) -> ServerAdminClient:
    """A typed Server admin client of `fake` (on `machine`), in-process; signed in when a username is given
    (the primary site administrator's password, or `password_of(username)` for other users)."""
    if username is not None and password is None:
        password = fake.server_admin_password if username == fake.server_admin_username else password_of(username)
    return ServerAdminClient(server_url(fake, machine), transport=WsgiTransport(fake), username=username,
                             password=password, **kw)


def add_server_user(fake: FakeArcGIS, username: str, role: str = "publisher") -> ServerAdminClient:
    """Add a user to the server's site (its own user store) and return a typed client signed in as them."""
    fake.server.site.add_user(username, password_of(username), role=role)
    return server_client(fake, username)
