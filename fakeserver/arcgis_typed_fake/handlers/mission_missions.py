"""Handlers of spec/mission/missions.yaml: the mission catalog, one mission, its reports, deleting it."""

from __future__ import annotations

from arcgis_typed._runtime.wire import ms_to_datetime
from arcgis_typed.mission.models.missions import (
    AddReportResult,
    CreateMissionResult,
    Mission,
    MissionCatalogPage,
    MissionDeleted,
    MissionExtent,
    MissionReport,
    MissionSummary,
)
from arcgis_typed.mission.params.missions import (
    MissionsAddReportParams,
    MissionsCreateParams,
    MissionsDeleteParams,
    MissionsGetByIdParams,
    MissionsGetParams,
    MissionsListParams,
)

from ..call import MissionCall
from ..registry import handles
from ..state.mission import CODE_JOB_SUBMITTED, CODE_MISSION_CREATED, CODE_MISSION_DELETED, CODE_REPORT_ADDED
from ..state.mission.catalog import MissionRecord
from ._mission import SUCCESS, logged
from ._paging import window


def _service(mission: MissionRecord) -> str:
    return f"{mission.id}.MissionServer"


@handles("mission:missions.list")
@logged
def list_missions(call: MissionCall, p: MissionsListParams) -> MissionCatalogPage:
    missions = sorted(call.mission.catalog.visible(call.user), key=lambda m: m.created)  # stable: creation order
    w = window(p.start, p.num, len(missions), default_num=100)
    page = missions[w.start - 1:w.start - 1 + w.num]
    return MissionCatalogPage(
        total=w.total, folders=[], num=w.num, start=w.start, next_start=w.next_start,
        services=[MissionSummary(name=m.id, type="MissionServer", title=m.title) for m in page])


@handles("mission:missions.create")
@logged
def create(call: MissionCall, p: MissionsCreateParams) -> CreateMissionResult:
    user = call.user
    mission = call.mission.catalog.create(
        user, title=p.title, rest_url=call.api_url, snippet=p.snippet, description=p.description,
        license_info=p.license_info, capabilities=p.capabilities, app_id=p.app_id, tags=p.tags, extent=p.extent,
        template_webmap_id=p.template_web_map_id, base_map=p.base_map, webmap_description=p.web_map_description,
        locale=p.locale)
    call.mission.log("INFO", f"Mission '{mission.title}' ({mission.id}) was created with {', '.join(mission.capabilities)}.",
                     source=_service(mission), service=True, code=CODE_MISSION_CREATED, user=user.username)
    if not p.run_async:
        return CreateMissionResult(success=True, mission_id=mission.id, status=SUCCESS)
    job = call.mission.catalog.start_job(user, mission)
    call.mission.log("FINE", f"Job {job.id} ({job.type}) was submitted.", source="Rest", code=CODE_JOB_SUBMITTED,
                     user=user.username)
    return CreateMissionResult(job_id=job.id, mission_id=mission.id)


def mission_model(mission: MissionRecord) -> Mission:
    xmin, ymin, xmax, ymax = mission.extent
    return Mission(
        mission_id=mission.id, title=mission.title, snippet=mission.snippet, description=mission.description,
        license_info=mission.license_info, tags=list(mission.tags), capabilities=list(mission.capabilities),
        extent=MissionExtent(xmin=xmin, ymin=ymin, xmax=xmax, ymax=ymax, spatial_reference={"wkid": 4326}),
        locale=mission.locale, app_id=mission.app_id, owner=mission.owner, created=ms_to_datetime(mission.created),
        modified=ms_to_datetime(mission.modified), group_id=mission.group_id, item_id=mission.item_id,
        web_map_id=mission.webmap_id, layer_item_ids=list(mission.layer_ids),
        reports=[
            MissionReport(report_id=r.id, title=r.title, service_name=r.service_name, item_id=r.item_id,
                          service_url=r.service_url, source=r.source, description=r.description, tags=list(r.tags),
                          display_field=r.display_field, drawing_info=r.drawing_info, locale=r.locale,
                          share_as_template=r.share_as_template, questions=r.questions,
                          created=ms_to_datetime(r.created))
            for r in mission.reports
        ])


@handles("mission:missions.get")
@logged
def get(call: MissionCall, p: MissionsGetParams) -> Mission:
    return mission_model(call.mission.catalog.get(call.user, p.mission_id))


@handles("mission:missions.get_by_id")
@logged
def get_by_id(call: MissionCall, p: MissionsGetByIdParams) -> Mission:
    return mission_model(call.mission.catalog.get(call.user, p.mission_id))


@handles("mission:missions.add_report")
@logged
def add_report(call: MissionCall, p: MissionsAddReportParams) -> AddReportResult:
    report = call.mission.catalog.add_report(
        call.user, p.mission_id, rest_url=call.api_url, title=p.title, service_name=p.service_name,
        questions=p.questions, source=p.source, description=p.description, tags=p.tags,
        display_field=p.display_field, drawing_info=p.drawing_info, locale=p.locale,
        share_as_template=p.share_as_template)
    mission = call.mission.catalog.get(call.user, p.mission_id)
    call.mission.log("INFO", f"Report '{report.title}' ({report.service_name}) was added to mission '{mission.title}'.",
                     source=_service(mission), service=True, code=CODE_REPORT_ADDED, user=call.user.username)
    return AddReportResult(success=True, report_id=report.id, item_id=report.item_id, service_url=report.service_url)


@handles("mission:missions.delete")
@logged
def delete(call: MissionCall, p: MissionsDeleteParams) -> MissionDeleted:
    mission = call.mission.catalog.delete(call.user, p.mission_id)
    call.mission.log("INFO", f"Mission '{mission.title}' ({mission.id}) was deleted with its portal content.",
                     source=_service(mission), service=True, code=CODE_MISSION_DELETED, user=call.user.username)
    return MissionDeleted(success=True, status=SUCCESS)
