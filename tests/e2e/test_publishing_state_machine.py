"""A hypothesis state machine over hosted services and their jobs: a publisher and a plain user publish CSVs
and create services under names drawn from a small pool (some invalid, some differing only in case), delete
service items, let the fake's manual clock run, and read job statuses and name availability, all through
the typed client; a plain model says which calls must be refused and what each job's status is.

After every step the hosting server's `Hosted` folder (read through the typed admin client) must hold exactly
the model's live services, and every job must report the model's status: `processing` until its time is up,
`completed` after, `failed` when its item was deleted while it ran.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import hypothesis.strategies as st
from arcgis_typed import BadRequest, PermissionDenied, PortalClient, ServerAdminClient, Upload
from arcgis_typed_fake import FakeArcGIS, ManualClock
from e2e_helpers import add_member, password_of, server_client
from hypothesis import settings
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

NAMES = st.sampled_from(["Roads", "roads", "Rivers", "Parks_2024", "bad name", "x" * 121])
CALLERS = st.sampled_from(["pia", "ulf"])
KINDS = st.sampled_from([("csv", "FeatureServer"), ("featureService", "FeatureServer"), ("imageService", "ImageServer")])
VALID = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
JOB_MS = 1000


@attrs.define
class ModelJob:
    id: str
    item_id: str
    type: str
    ends: int
    failed: bool = False


@attrs.define
class ModelService:
    name: str
    type: str
    item_id: str


class PublishingMachine(RuleBasedStateMachine):
    jobs = Bundle("jobs")

    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock()
        self.fake = FakeArcGIS(admin_password=password_of("admin"), password_iterations=1, seed=8, clock=self.clock)
        self.clients: dict[str, PortalClient] = {"pia": add_member(self.fake, "pia", "org_publisher"),
                                                  "ulf": add_member(self.fake, "ulf", "org_user")}
        self.server: ServerAdminClient = server_client(self.fake, "admin")
        self.services: dict[tuple[str, str], ModelService] = {}  # (name lower, type) -> service
        self.model_jobs: dict[str, ModelJob] = {}
        self.deleted: set[str] = set()

    def refused(self, name: str, server_type: str, caller: str) -> type[Exception] | None:
        if caller != "pia":
            return PermissionDenied
        if not (set(name) <= VALID and 1 <= len(name) <= 120) or (name.lower(), server_type) in self.services:
            return BadRequest
        return None

    def expect(self, error: type[Exception] | None, act: Callable[[], Any]) -> Any:
        if error is None:
            return act()
        before = sorted((i.id, i.modified) for i in self.fake.portal.items), len(self.fake.portal.publishing.jobs)
        try:
            act()
        except error:
            after = sorted((i.id, i.modified) for i in self.fake.portal.items), len(self.fake.portal.publishing.jobs)
            # a refused publish leaves only the source CSV the rule added beforehand
            assert after[1] == before[1]
            return None
        raise AssertionError(f"expected {error.__name__}")

    def started(self, name: str, server_type: str, item_id: str | None, job_id: str | None, job_type: str) -> str:
        assert item_id and job_id
        self.services[(name.lower(), server_type)] = ModelService(name, server_type, item_id)
        self.model_jobs[job_id] = ModelJob(job_id, item_id, job_type, self.clock.now_ms() + JOB_MS)
        return job_id

    @rule(target=jobs, caller=CALLERS, name=NAMES, kind=KINDS)
    def make_a_service(self, caller: str, name: str, kind: tuple[str, str]) -> str:
        how, server_type = kind
        client = self.clients[caller]
        error = self.refused(name, server_type, caller)
        if how == "csv":
            csv_id = client.content.add_item(caller, title="Data", type="CSV",
                                             file=Upload("d.csv", b"a,b\n1,2\n", "text/csv")).id
            made = self.expect(error, lambda: client.publishing.publish(
                caller, item_id=csv_id, file_type="csv", publish_parameters={"name": name}))
            if made is None:
                return ""
            service = made.services[0]
            return self.started(name, server_type, service.service_item_id, service.job_id, "publish")
        output = "featureService" if server_type == "FeatureServer" else "imageService"
        created = self.expect(error, lambda: client.publishing.create_service(
            caller, create_parameters={"name": name}, output_type=output))  # type: ignore[arg-type]
        if created is None:
            return ""
        return self.started(name, server_type, created.item_id, created.job_id, "createService")

    @rule(job_id=jobs)
    def delete_the_service_item(self, job_id: str) -> None:
        job = self.model_jobs.get(job_id)
        if job is None or job.item_id in self.deleted:
            return
        self.clients["pia"].content.delete("pia", job.item_id)
        self.deleted.add(job.item_id)
        for other in self.model_jobs.values():
            if other.item_id == job.item_id and self.clock.now_ms() < other.ends:
                other.failed = True
        self.services = {k: s for k, s in self.services.items() if s.item_id != job.item_id}

    @rule(seconds=st.sampled_from([0.25, 0.5, 1.0, 3.0]))
    def time_passes(self, seconds: float) -> None:
        self.clock.advance(seconds=seconds)

    @rule(job_id=jobs)
    def read_a_job(self, job_id: str) -> None:
        job = self.model_jobs.get(job_id)
        if job is None:
            return
        status = self.clients["pia"].publishing.status("pia", job.item_id, job_id=job.id,
                                                       job_type=job.type)  # type: ignore[arg-type]
        want = "failed" if job.failed else "completed" if self.clock.now_ms() >= job.ends else "processing"
        assert (status.status, status.job_type) == (want, job.type)
        if job.item_id not in self.deleted:
            item_status = self.clients["pia"].publishing.status("pia", job.item_id).status
            assert item_status == ("processing" if want == "processing" else "completed")

    @rule(name=NAMES, kind=KINDS)
    def name_is_available(self, name: str, kind: tuple[str, str]) -> None:
        _, server_type = kind
        answer = self.clients["ulf"].publishing.is_service_name_available(
            "self", name=name, service_type="imageService" if server_type == "ImageServer" else "featureService")
        assert answer.available is (self.refused(name, server_type, "pia") is None)

    @invariant()
    def the_server_holds_the_live_services(self) -> None:
        listing = self.server.services.list(folder_name="Hosted") if self.fake.portal.publishing.hosted or any(
            f.name == "Hosted" for f in self.fake.server.site.catalog.folders()) else None
        got = sorted((s.service_name, s.type) for s in listing.services) if listing else []
        assert got == sorted((s.name, s.type) for s in self.services.values())
        assert sorted(self.fake.portal.publishing.hosted) == sorted(s.item_id for s in self.services.values())


PublishingMachine.TestCase.settings = settings(max_examples=100, stateful_step_count=20, deadline=None)
TestPublishingStateMachine = PublishingMachine.TestCase
