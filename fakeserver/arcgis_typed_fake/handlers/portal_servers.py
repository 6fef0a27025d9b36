"""Handlers of spec/portal/servers.yaml: the servers federated with the portal."""

from __future__ import annotations

from arcgis_typed.portal.models.servers import FederatedServer, FederatedServers
from arcgis_typed.portal.params.servers import ServersListParams

from ..call import Call
from ..registry import handles


@handles("portal:servers.list")
def list_servers(call: Call, p: ServersListParams) -> FederatedServers:
    origin = f"{call.request.scheme}://{call.request.host}"
    return FederatedServers(servers=[
        FederatedServer(id=s.id, name=s.name, url=origin + s.context, admin_url=origin + s.context, is_hosted=False,
                        server_type=s.server_type, server_role=s.role, server_function=s.function)
        for s in call.state.servers
    ])
