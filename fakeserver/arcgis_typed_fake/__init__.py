"""arcgis_typed_fake: a stateful fake ArcGIS Enterprise (a Portal and an ArcGIS Server) for tests and local
development.

    from arcgis_typed_fake import FakeArcGIS, serve
    fake = FakeArcGIS(admin_username="admin", admin_password="secret-pass")
    with serve(fake, https=True) as server:
        print(server.portal_url, server.server_admin_url, server.ca_path)

Beyond that: `seed(fake, "org.yaml")`, `fake.snapshot(path)` / `fake.restore(path)`, `fake.baseline().fork()`,
`fake.requests` (the request journal), `fake.faults` (fault injection) - see `product.py`; the same operations
through the control plane (`control.py`, `remote.RemoteFake`) and the CLI (`arcgis-fake --help`).
"""

from .app import FakeArcGIS
from .clock import Clock, Ids, ManualClock
from .errors import Fault
from .faults import FaultRule
from .journal import FakeFidelityWarning, RequestRecord
from .product import Baseline
from .seeding import SeedError, seed
from .server import RunningServer, serve
from .snapshot import SnapshotError

__all__ = [
    "Baseline", "Clock", "FakeArcGIS", "FakeFidelityWarning", "Fault", "FaultRule", "Ids", "ManualClock", "RequestRecord", "RunningServer",
    "SeedError", "SnapshotError", "seed", "serve",
]
