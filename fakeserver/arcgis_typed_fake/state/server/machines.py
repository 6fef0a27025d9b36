"""Server machines. Each takes part in at most one site; a request is served by the machine it reaches.

In-process, a request reaches a machine through its host name: `machine_host("MACHINE2")` is
`machine2.fake.test`, and any host whose first label is the machine's name (`https://machine2/...`,
`https://MACHINE2.example.com/...`) reaches it too; every other host reaches the first machine. Served over
the network (`serve`), each machine has its own loopback port instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from .site import Site

IN_PROCESS_DOMAIN = "fake.test"


def machine_host(name: str) -> str:
    """The host name that reaches machine `name` in-process (a machine named like a host name keeps it)."""
    return name.lower() if "." in name else f"{name.lower()}.{IN_PROCESS_DOMAIN}"


def first_label(host: str) -> str:
    return host.split(".", 1)[0].lower()


@attrs.define(eq=False)
class MachineRecord:
    name: str
    site: Site | None = None
    configured_state: str = "STOPPED"  # STARTED hosts the site's services
    started: int = -1  # epoch ms of the last start, -1 when never started
    platform: str = "Linux"
    ports: dict[str, int] = attrs.Factory(lambda: {"JMXPort": 4000, "NamingPort": 4001, "DerbyPort": 4002,
                                                   "OpenEJBPort": 4003})
    web_server_max_heap_size: int = -1
    app_server_max_heap_size: int = 256
    soc_max_heap_size: int = 64
    web_server_certificate_alias: str = "SelfSignedCertificate"

    @property
    def host(self) -> str:
        return machine_host(self.name)
