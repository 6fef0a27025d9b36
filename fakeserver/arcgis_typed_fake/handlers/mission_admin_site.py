"""Handlers of spec/mission_admin/site.yaml: exportSite and importSite."""

from __future__ import annotations

from arcgis_typed.mission_admin.models.info import StatusResult
from arcgis_typed.mission_admin.models.site import ExportSiteResult
from arcgis_typed.mission_admin.params.site import SiteExportSiteParams, SiteImportSiteParams

from ..call import MissionCall
from ..registry import handles
from ._mission import SUCCESS, logged


@handles("mission_admin:site.export_site")
@logged
def export_site(call: MissionCall, p: SiteExportSiteParams) -> ExportSiteResult:
    return ExportSiteResult(status=SUCCESS, location=call.mission.export_site(call.user.username, p.location))


@handles("mission_admin:site.import_site")
@logged
def import_site(call: MissionCall, p: SiteImportSiteParams) -> StatusResult:
    call.mission.import_site(call.user.username, p.location or p.export_location)
    return StatusResult(status=SUCCESS)
