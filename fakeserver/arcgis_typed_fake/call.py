"""What a handler gets: the state, the caller, the request and helpers to answer."""

from __future__ import annotations

import attrs
from arcgis_typed._runtime.operation import Operation
from werkzeug.wrappers import Request

from .errors import INVALID_TOKEN, TOKEN_REQUIRED, Fault
from .state.portal import PortalState
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


__all__ = ["INVALID_TOKEN", "Call"]
