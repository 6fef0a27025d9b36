"""arcgis_typed_fake: a stateful fake ArcGIS Enterprise (a Portal and an ArcGIS Server) for tests and local
development.

    from arcgis_typed_fake import FakeArcGIS, serve
    fake = FakeArcGIS(admin_username="admin", admin_password="secret-pass")
    with serve(fake, https=True) as server:
        print(server.portal_url, server.server_admin_url, server.ca_path)
"""

from .app import FakeArcGIS
from .clock import Clock, Ids, ManualClock
from .errors import Fault
from .server import RunningServer, serve

__all__ = ["Clock", "FakeArcGIS", "Fault", "Ids", "ManualClock", "RunningServer", "serve"]
