"""Handlers of spec/portal/servers.yaml: the servers federated with the portal."""

from __future__ import annotations

from arcgis_typed.portal.models.servers import FederatedServer, FederatedServers
from arcgis_typed.portal.params.servers import ServersListParams

from ..call import Call
from ..registry import handles
from ..state import servers as records


def wire_server(call: Call, s: records.FederatedServer) -> FederatedServer:
    """A federated server as answered, its URLs on the host the request reached."""
    origin = f"{call.request.scheme}://{call.request.host}"
    return FederatedServer(id=s.id, name=s.name, url=origin + s.context, admin_url=origin + s.context,
                           is_hosted=s.hosted, server_type=s.server_type, server_role=s.role,
                           server_function=s.function)


@handles("portal:servers.list")
def list_servers(call: Call, p: ServersListParams) -> FederatedServers:
    return FederatedServers(servers=[wire_server(call, s) for s in call.state.servers])
