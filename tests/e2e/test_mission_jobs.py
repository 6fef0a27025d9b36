"""Mission jobs end to end: an asynchronous createMission answers a job that walks through its steps on the
server's clock, then reports COMPLETED with the mission's id; jobs are their submitter's (and administrators')."""

from __future__ import annotations

from pathlib import Path

import pytest
from arcgis_typed import NotFound
from mission_helpers import START_MS, admin_side, make_fake, member_side


@pytest.mark.seed("MissionJob.(constructor)", "MissionCatalog.jobs")
def test_a_job_progresses_on_the_clock(tmp_path: Path) -> None:
    fake, clock = make_fake(tmp_path)
    alice = member_side(fake, "alice")
    created = alice.rest.missions.create(title="Async", run_async=True)
    assert created.job_id and created.mission_id
    job = alice.rest.jobs.get(created.job_id)
    assert job.status == "EXECUTING" and job.type == "createNewMissionService" and job.username == "alice"
    assert job.custom_attributes is not None and job.custom_attributes.steps_completed == 1
    assert job.custom_attributes.total_steps == 10 and job.end_time is None
    assert job.start_time is not None and int(job.start_time.timestamp() * 1000) == START_MS
    seen = [1]
    for _ in range(12):
        clock.advance(seconds=0.25)
        now = alice.rest.jobs.get(created.job_id)
        assert now.custom_attributes is not None
        seen.append(now.custom_attributes.steps_completed or 0)
    assert seen == sorted(seen) and seen[-1] == 10  # never goes back, reaches the end
    done = alice.rest.jobs.get(created.job_id)
    assert done.status == "COMPLETED" and done.custom_attributes is not None
    assert done.custom_attributes.mission_id == created.mission_id
    assert (done.messages or [])[-1] == f"Finished creating mission {created.mission_id}."
    assert done.end_time is not None and done.end_time > done.start_time  # type: ignore[operator]
    assert alice.rest.jobs.list().async_jobs == [created.job_id]


def test_jobs_belong_to_their_submitter(tmp_path: Path) -> None:
    fake, _ = make_fake(tmp_path)
    alice, bob, admin = member_side(fake, "alice"), member_side(fake, "bob"), admin_side(fake)
    job_id = alice.rest.missions.create(title="Mine", run_async=True).job_id or ""
    assert bob.rest.jobs.list().async_jobs == []
    with pytest.raises(NotFound):
        bob.rest.jobs.get(job_id)
    assert admin.rest.jobs.list().async_jobs == [job_id]
    assert admin.rest.jobs.get(job_id).username == "alice"
    with pytest.raises(NotFound):
        alice.rest.jobs.get("jnosuchjob")
    # a synchronous create makes no job
    alice.rest.missions.create(title="Sync")
    assert alice.rest.jobs.list().async_jobs == [job_id]
