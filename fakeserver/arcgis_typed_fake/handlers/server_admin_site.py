"""Handlers of spec/server_admin/site.yaml: createNewSite and joinSite, on the machine the request reached."""

from __future__ import annotations

from arcgis_typed.server_admin.models.site import StatusResult
from arcgis_typed.server_admin.params.site import SiteCreateSiteParams, SiteJoinSiteParams

from ..call import ServerCall
from ..registry import handles

SUCCESS = "success"


@handles("server_admin:site.create_site")
def create_site(call: ServerCall, p: SiteCreateSiteParams) -> StatusResult:
    call.server.create_site(call.machine, p.username, p.password)
    return StatusResult(status=SUCCESS)


@handles("server_admin:site.join_site")
def join_site(call: ServerCall, p: SiteJoinSiteParams) -> StatusResult:
    call.server.join_site(call.machine, call.machine_at(p.admin_url), p.admin_url, p.username, p.password)
    return StatusResult(status=SUCCESS)
