"""A hypothesis state machine over missions, reports and jobs: an administrator, two publishers and a plain
user create missions (synchronously or as jobs), add members to a mission's group, add reports and delete
missions through their typed clients, while the clock moves; a plain Python model says what each user should
see and which calls must be refused (403 without the privilege or ownership, 404 for what the caller cannot
see, 400 for invalid input, 409 for a duplicate title).

After every step: each user's catalog equals the model's (in creation order), every mission reads back with
its reports, each job's status follows the clock, and the portal holds exactly the groups and items of the
living missions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import hypothesis.strategies as st
from arcgis_typed import ArcGISError, BadRequest, Conflict, NotFound, PermissionDenied
from arcgis_typed_fake import FakeArcGIS, ManualClock
from e2e_helpers import add_member, client_for
from hypothesis import settings
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule
from mission_helpers import PASSWORD, START_MS, Side, side

USERS = {"admin": "org_admin", "alice": "org_publisher", "bob": "org_publisher", "viewer": "org_user"}
CALLERS = st.sampled_from(sorted(USERS))
TITLES = st.sampled_from(["Fire", "fire", "Flood", "Search"])
SERVICE_NAMES = st.sampled_from(["obs", "OBS", "counts", "bad name", "x" * 88])
QUESTIONS = st.sampled_from([[{"type": "Number", "label": "n"}], [], [{"type": "Slider", "label": "s"}]])
CAPABILITIES = st.sampled_from([None, "CHAT", "TASK,REPORT", "FLY"])
COMPLETED_AFTER_MS = 9 * 250


@attrs.define
class ModelMission:
    id: str
    title: str
    owner: str
    created: int
    members: set[str] = attrs.Factory(set)
    reports: list[str] = attrs.Factory(list)
    content: set[str] = attrs.Factory(set)  # portal item ids
    group: str = ""


class MissionsMachine(RuleBasedStateMachine):
    missions_made = Bundle("missions")

    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock(START_MS)
        self.fake = FakeArcGIS(admin_password=PASSWORD, clock=self.clock, password_iterations=1, seed=11)
        self.sides: dict[str, Side] = {"admin": side(self.fake, client_for(self.fake, "admin", PASSWORD))}
        for name, role in USERS.items():
            if name != "admin":
                self.sides[name] = side(self.fake, add_member(self.fake, name, role))
        self.missions: dict[str, ModelMission] = {}
        self.order: list[str] = []
        self.jobs: dict[str, tuple[str, str, int]] = {}  # job id -> (owner, mission id, start)

    # --- the model's rules ---------------------------------------------------------------------------------

    def can_see(self, user: str, mission: ModelMission) -> bool:
        return user == "admin" or user == mission.owner or user in mission.members

    def fake_state(self) -> tuple[object, ...]:
        catalog = self.fake.mission.catalog
        return (sorted(catalog.missions), sorted(catalog.jobs), sorted(self.fake.portal.items._items),
                sorted(self.fake.portal.groups._groups),
                sorted((m.id, r.service_name) for m in catalog.missions.values() for r in m.reports))

    def expect(self, error: type[ArcGISError] | None, action: Callable[[], Any]) -> Any:
        if error is None:
            return action()
        before = self.fake_state()
        try:
            action()
        except error:
            assert self.fake_state() == before
            return None
        raise AssertionError(f"expected {error.__name__}")

    # --- rules ---------------------------------------------------------------------------------------------

    @rule(target=missions_made, caller=CALLERS, title=TITLES, run_async=st.booleans(), caps=CAPABILITIES)
    def create(self, caller: str, title: str, run_async: bool, caps: str | None) -> str:
        error: type[ArcGISError] | None = None
        if USERS[caller] == "org_user":
            error = PermissionDenied
        elif caps == "FLY":
            error = BadRequest
        elif any(m.owner == caller and m.title.lower() == title.lower() for m in self.missions.values()):
            error = Conflict
        rest = self.sides[caller].rest
        result = self.expect(error, lambda: rest.missions.create(title=title, capabilities=caps, run_async=run_async))
        if result is None:
            return "0" * 32
        mission = rest.missions.get(result.mission_id)
        model = ModelMission(result.mission_id, title, caller, self.clock.now_ms(), group=mission.group_id or "",
                             content={mission.item_id or "", mission.web_map_id or "", *(mission.layer_item_ids or [])})
        self.missions[model.id] = model
        self.order.append(model.id)
        if run_async:
            assert result.job_id
            self.jobs[result.job_id] = (caller, model.id, self.clock.now_ms())
        else:
            assert result.job_id is None
        return model.id

    @rule(mission_id=missions_made, member=CALLERS)
    def add_member(self, mission_id: str, member: str) -> None:
        mission = self.missions.get(mission_id)
        if mission is None or member == mission.owner:
            return
        self.sides[mission.owner].portal.groups.add_users(mission.group, users=[member])
        mission.members.add(member)

    @rule(caller=CALLERS, mission_id=missions_made, name=SERVICE_NAMES, questions=QUESTIONS)
    def add_report(self, caller: str, mission_id: str, name: str, questions: list[dict[str, str]]) -> None:
        mission = self.missions.get(mission_id)
        taken = {r.lower() for m in self.missions.values() for r in m.reports}
        error: type[ArcGISError] | None = None
        if USERS[caller] == "org_user":
            error = PermissionDenied  # the publish privilege comes first
        elif mission is None or not self.can_see(caller, mission):
            error = NotFound
        elif caller not in ("admin", mission.owner):
            error = PermissionDenied
        elif " " in name or len(name) > 87 or not questions or questions[0]["type"] == "Slider" or name.lower() in taken:
            error = BadRequest
        rest = self.sides[caller].rest
        result = self.expect(error, lambda: rest.missions.add_report(mission_id, title="R", service_name=name,
                                                                     questions=questions))
        if result is not None:
            assert mission is not None
            mission.reports.append(name)
            mission.content.add(result.item_id)

    @rule(caller=CALLERS, mission_id=missions_made)
    def delete(self, caller: str, mission_id: str) -> None:
        mission = self.missions.get(mission_id)
        error: type[ArcGISError] | None = None
        if mission is None or not self.can_see(caller, mission):
            error = NotFound
        elif caller not in ("admin", mission.owner):
            error = PermissionDenied
        result = self.expect(error, lambda: self.sides[caller].rest.missions.delete(mission_id))
        if result is not None:
            del self.missions[mission_id]
            self.order.remove(mission_id)

    @rule(ms=st.integers(min_value=0, max_value=1500))
    def tick(self, ms: int) -> None:
        self.clock.advance(seconds=ms / 1000)

    # --- invariants ----------------------------------------------------------------------------------------

    @invariant()
    def catalogs_match_the_model(self) -> None:
        for user, s in self.sides.items():
            listed = [m.name for m in s.rest.missions.list().services]
            assert listed == [i for i in self.order if self.can_see(user, self.missions[i])], user

    @invariant()
    def missions_read_back(self) -> None:
        for mission in self.missions.values():
            got = self.sides[mission.owner].rest.missions.get(mission.id)
            assert got.title == mission.title and got.owner == mission.owner
            assert [r.service_name for r in got.reports or []] == mission.reports

    @invariant()
    def jobs_follow_the_clock(self) -> None:
        for user, s in self.sides.items():
            mine = sorted(j for j, (owner, _, _) in self.jobs.items() if user in ("admin", owner))
            assert sorted(s.rest.jobs.list().async_jobs) == mine
        for job_id, (owner, mission_id, start) in self.jobs.items():
            job = self.sides[owner].rest.jobs.get(job_id)
            done = self.clock.now_ms() - start >= COMPLETED_AFTER_MS
            assert job.status == ("COMPLETED" if done else "EXECUTING")
            assert job.custom_attributes is not None and job.custom_attributes.mission_id == mission_id

    @invariant()
    def the_portal_holds_the_living_missions(self) -> None:
        items = set(self.fake.portal.items._items)
        groups = set(self.fake.portal.groups._groups)
        owned = set().union(*(m.content for m in self.missions.values()))
        assert owned <= items
        assert {m.group for m in self.missions.values()} <= groups
        assert len(items) == len(owned)  # nothing of a deleted mission lingers
        assert len(groups) == len(self.missions)


MissionsMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=20, deadline=None)
TestMissionsStateMachine = MissionsMachine.TestCase
