"""The servers federated with the portal (`portals/self/servers`): the fake's own Mission Server is one. A
server is kept by its context path; its URLs are built from the host each request reached, so they work
in-process and when served alike."""

from __future__ import annotations

from collections.abc import Iterator

import attrs

SERVER_TYPES = ("ARCGIS", "ARCGIS_MISSION_SERVER", "ARCGIS_NOTEBOOK_SERVER", "ARCGIS_VIDEO_SERVER")


@attrs.frozen
class FederatedServer:
    id: str
    server_type: str
    context: str  # e.g. /mission
    role: str = "FEDERATED_SERVER"
    function: str = ""

    @property
    def name(self) -> str:
        return self.context.strip("/") or "server"


class FederatedServers:
    def __init__(self) -> None:
        self._servers: list[FederatedServer] = []

    def __iter__(self) -> Iterator[FederatedServer]:
        return iter(list(self._servers))

    def add(self, server_type: str, context: str, *, server_id: str, function: str = "") -> FederatedServer:
        if server_type not in SERVER_TYPES:
            raise ValueError(f"unknown server type {server_type!r}")
        server = FederatedServer(id=server_id, server_type=server_type, context=context, function=function)
        self._servers.append(server)
        return server
