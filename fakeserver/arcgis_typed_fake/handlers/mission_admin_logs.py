"""Handlers of spec/mission_admin/logs.yaml: the logs resource, query, clean and the settings."""

from __future__ import annotations

from arcgis_typed._runtime.wire import ms_to_datetime
from arcgis_typed.mission_admin.models.info import StatusResult
from arcgis_typed.mission_admin.models.logs import LogMessage, LogQueryResult, LogSettings, LogsResource
from arcgis_typed.mission_admin.params.logs import (
    LogsCleanParams,
    LogsEditSettingsParams,
    LogsGetParams,
    LogsQueryParams,
    LogsSettingsParams,
)

from ..call import MissionCall
from ..registry import handles
from ..state.logs import LogFilter, parse_time
from ..state.logs import LogSettings as SettingsRecord
from ._mission import SUCCESS, logged


def _settings(s: SettingsRecord) -> LogSettings:
    return LogSettings(log_dir=s.log_dir, log_level=s.log_level, max_error_reports_count=s.max_error_reports_count,
                       max_log_file_age=s.max_log_file_age, usage_metering_enabled=s.usage_metering_enabled)


@handles("mission_admin:logs.get")
@logged
def get(call: MissionCall, p: LogsGetParams) -> LogsResource:
    return LogsResource(settings=_settings(call.mission.logs.settings), operations=["query", "clean"],
                        resources=["settings"])


@handles("mission_admin:logs.query")
@logged
def query(call: MissionCall, p: LogsQueryParams) -> LogQueryResult:
    start = parse_time(p.start_time, "startTime") if p.start_time else None
    end = parse_time(p.end_time, "endTime") if p.end_time else None
    flt = LogFilter.parse(p.filter)
    records, more, newest, oldest = call.mission.logs.query(
        start=start, end=end, since=call.mission.started if p.since_server_start else None,
        level=(p.level or "WARNING").upper(), flt=flt, page_size=p.page_size or 1000)
    return LogQueryResult(
        has_more=more, start_time=ms_to_datetime(newest) if newest is not None else None,
        end_time=ms_to_datetime(oldest) if oldest is not None else None,
        log_messages=[
            LogMessage(type=r.type, message=r.message, time=ms_to_datetime(r.time), source=r.source, machine=r.machine,
                       user=r.user, code=r.code, elapsed="", process=r.process, thread=r.thread,
                       method_name=r.method_name, request_id=r.request_id)
            for r in records
        ])


@handles("mission_admin:logs.clean")
@logged
def clean(call: MissionCall, p: LogsCleanParams) -> StatusResult:
    call.mission.logs.clean()
    return StatusResult(status=SUCCESS)


@handles("mission_admin:logs.settings")
@logged
def settings(call: MissionCall, p: LogsSettingsParams) -> LogSettings:
    return _settings(call.mission.logs.settings)


@handles("mission_admin:logs.edit_settings")
@logged
def edit_settings(call: MissionCall, p: LogsEditSettingsParams) -> LogSettings:
    return _settings(call.mission.edit_log_settings(
        call.user.username, log_level=p.log_level, log_dir=p.log_dir, max_log_file_age=p.max_log_file_age,
        max_error_reports_count=p.max_error_reports_count, usage_metering_enabled=p.usage_metering_enabled))
