"""The control plane under `/_fake/`: drive the fake from outside the process (CLI, other languages).

Every call needs the header `X-Fake-Control: <fake.control_token>` (printed by `arcgis-fake serve`), so a
script under test cannot reset the fake by accident. Versioned: answers carry `"controlVersion": 1`.

* `GET  /_fake/status`  -> counts of users and items, the portal and server URL paths, the server's machines
                          and sites, unimplemented operations
* `POST /_fake/reset`   -> forget everything but the administrators
"""

from __future__ import annotations

import hmac
import json
from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from .errors import Fault

if TYPE_CHECKING:
    from .app import FakeArcGIS

CONTROL_VERSION = 1
HEADER = "X-Fake-Control"


def control(fake: FakeArcGIS, request: Request, path: str) -> Response:
    given = request.headers.get(HEADER, "")
    if not hmac.compare_digest(given.encode(), fake.control_token.encode()):
        raise Fault(403, f"The control plane needs the {HEADER} header with the fake's control token.")
    action = path.removeprefix("/_fake").strip("/")
    if action == "status" and request.method in ("GET", "POST"):
        body = {
            "controlVersion": CONTROL_VERSION,
            "portal": fake.portal_context,
            "users": len(fake.portal.users),
            "items": len(fake.portal.items),
            "server": fake.server_context,
            "machines": [
                {"machineName": m.name, "inSite": m.site is not None, "configuredState": m.configured_state}
                for m in fake.server.machines.values()
            ],
            "sites": [
                {"machines": [m.name for m in site.machines], "users": len(site.users),
                 "folders": len(site.catalog.folders()), "services": len(site.catalog)}
                for site in fake.server.sites
                if site.machines
            ],
            "mission": fake.mission_context,
            "missions": len(fake.mission.catalog.missions),
            "unimplemented": list(fake.unimplemented),
        }
    elif action == "reset" and request.method == "POST":
        fake.reset()
        body = {"controlVersion": CONTROL_VERSION, "status": "success"}
    else:
        raise Fault(400, f"Unknown control operation '{action}' (known: GET status, POST reset).")
    return Response(json.dumps(body), content_type="application/json")
