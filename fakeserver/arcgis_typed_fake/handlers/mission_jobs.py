"""Handlers of spec/mission/jobs.yaml: mission jobs, progressing on the server's clock."""

from __future__ import annotations

from arcgis_typed._runtime.wire import ms_to_datetime
from arcgis_typed.mission.models.jobs import Job, JobAttributes, JobList
from arcgis_typed.mission.params.jobs import JobsGetParams, JobsListParams

from ..call import MissionCall
from ..registry import handles
from ..state.mission.catalog import JOB_STEPS
from ._mission import logged


@handles("mission:jobs.list")
@logged
def list_jobs(call: MissionCall, p: JobsListParams) -> JobList:
    return JobList(async_jobs=[j.id for j in call.mission.catalog.jobs_of(call.user)])


@handles("mission:jobs.get")
@logged
def get(call: MissionCall, p: JobsGetParams) -> Job:
    job = call.mission.catalog.job(call.user, p.job_id)
    status, done, messages, end = job.progress(call.mission.now())
    return Job(
        job_id=job.id, type=job.type, status=status, messages=messages, start_time=ms_to_datetime(job.start),
        end_time=ms_to_datetime(end) if end is not None else None, username=job.username,
        custom_attributes=JobAttributes(steps_completed=done, total_steps=len(JOB_STEPS), is_cancelled=False,
                                        mission_id=job.mission_id, message_codes=[]),
    )
