"""The servers federated with the portal (`portals/self/servers`): the fake's own Mission Server is one. A
server is kept by its context path; its URLs are built from the host each request reached, so they work
in-process and when served alike."""

from __future__ import annotations

from collections.abc import Iterator

import attrs

SERVER_TYPES = ("ARCGIS", "ARCGIS_MISSION_SERVER", "ARCGIS_NOTEBOOK_SERVER", "ARCGIS_VIDEO_SERVER", "ArcGIS")
ARCGIS_SERVER = "ArcGIS"  # what a real portal calls an ArcGIS Server (GIS or Image Server) it is federated with


@attrs.frozen
class FederatedServer:
    id: str
    server_type: str
    context: str  # e.g. /mission
    role: str = "FEDERATED_SERVER"
    function: str = ""
    hosted: bool = False  # the portal's hosting server

    @property
    def name(self) -> str:
        return self.context.strip("/") or "server"


class FederatedServers:
    def __init__(self) -> None:
        self._servers: list[FederatedServer] = []

    def __iter__(self) -> Iterator[FederatedServer]:
        return iter(list(self._servers))

    def add(self, server_type: str, context: str, *, server_id: str, function: str = "",
            role: str = "FEDERATED_SERVER", hosted: bool = False) -> FederatedServer:
        if server_type not in SERVER_TYPES:
            raise ValueError(f"unknown server type {server_type!r}")
        server = FederatedServer(id=server_id, server_type=server_type, context=context, function=function,
                                 role=role, hosted=hosted)
        self._servers.append(server)
        return server

    def get(self, server_id: str) -> FederatedServer | None:
        return next((s for s in self._servers if s.id == server_id), None)
