"""What a handler gets: the state, the caller, the request and helpers to answer.

`Call` serves the portal's handlers; `ServerCall` those of the ArcGIS Server Administrator API, which also
know the server machine the request reached.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

import attrs
from arcgis_typed._runtime.operation import Operation
from werkzeug.wrappers import Request

from .errors import TOKEN_REQUIRED, Fault
from .state.mission import MissionState
from .state.portal import PortalState
from .state.server import MachineRecord, ServerState, ServerUser, Site
from .state.users import UserRecord


@attrs.frozen
class Call:
    state: PortalState
    op: Operation
    request: Request
    caller: UserRecord | None
    api_url: str  # e.g. https://host:port/portal

    @property
    def user(self) -> UserRecord:
        """The signed-in caller (operations with `auth: token` always have one)."""
        if self.caller is None:
            raise Fault(499, TOKEN_REQUIRED)
        return self.caller

    @property
    def rest_url(self) -> str:
        return f"{self.api_url}/sharing/rest"

    @property
    def client_ip(self) -> str:
        return self.request.remote_addr or ""


@attrs.frozen
class ServerCall:
    server: ServerState
    machine: MachineRecord  # the machine the request reached
    op: Operation
    request: Request
    caller: ServerUser | None
    api_url: str  # e.g. https://host:port/arcgis, as the request reached it
    context: str  # e.g. /arcgis
    origins: Mapping[str, str]  # machine name -> scheme://host[:port] that reaches it (when served)
    portal: PortalState | None = None  # the federated portal (hosted services keep their data there)
    portal_caller: UserRecord | None = None  # the portal user whose token the services directory accepted

    @property
    def user(self) -> ServerUser:
        if self.caller is None:
            raise Fault(499, TOKEN_REQUIRED)
        return self.caller

    @property
    def site(self) -> Site:
        """The site of the machine the request reached (an error when it takes part in none)."""
        return self.server.require_site(self.machine)

    @property
    def client_ip(self) -> str:
        return self.request.remote_addr or ""

    def admin_url(self, machine: MachineRecord) -> str:
        """Where `machine`'s Administrator API answers."""
        origin = next((o for name, o in self.origins.items() if name.lower() == machine.name.lower()), None)
        return f"{origin or f'{self.request.scheme}://{machine.host}'}{self.context}/admin"

    def machine_at(self, admin_url: str) -> MachineRecord | None:
        """The machine an Administrator Directory URL (`https://host:port/arcgis/admin`) reaches, or None."""
        try:
            parts = urlsplit(admin_url.strip())
            port = parts.port
        except ValueError:
            return None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return None
        if parts.path.rstrip("/").lower() != f"{self.context}/admin".lower():
            return None
        for name, origin in self.origins.items():  # served: each machine has its own port
            there = urlsplit(origin)
            if there.netloc.lower() == parts.netloc.lower() or (port is not None and there.port == port):
                return self.server.machine(name)
        if self.origins:
            return None
        return self.server.machine_for_host(parts.hostname)




@attrs.frozen
class MissionCall(Call):
    """What the Mission Server's handlers get (REST and Administrator API): a portal call (`state` is the portal
    the server is federated with; its callers are portal users with portal tokens) and the Mission Server's own
    state. `api_url` is e.g. https://host:port/mission (the admin API) or .../mission/rest (the REST API)."""

    mission: MissionState

    @property
    def origin(self) -> str:
        return f"{self.request.scheme}://{self.request.host}"


__all__ = ["Call", "MissionCall", "ServerCall"]
