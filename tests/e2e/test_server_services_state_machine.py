"""A hypothesis state machine over the services resource: an administrator, a publisher and a plain user
create and delete folders and services, start and stop them (and the site's machine), through their typed
clients; a plain Python model says what the site should hold and which calls must be refused.

After every step the root listing and every folder listing, read through the typed client, must equal the
model (folder order, services per folder, configured and real-time states). Refused calls must raise the
documented error (403 for a user without the publish privilege, 404 for a missing folder or service, 400 for
an invalid name or a default folder, 409 for a duplicate) and leave the fake's state untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import hypothesis.strategies as st
from arcgis_typed import ArcGISError, BadRequest, Conflict, NotFound, PermissionDenied, ServerAdminClient
from arcgis_typed.server_admin.models.services import Service
from arcgis_typed_fake import FakeArcGIS
from e2e_helpers import password_of, server_client
from hypothesis import settings
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, multiple, rule

ROLES = {"admin": "administrator", "pub": "publisher", "viewer": "user"}
FOLDERS = st.sampled_from(["Maps", "maps", "Data", "System", "Utilities", "bad name", "createFolder"])
NAMES = st.sampled_from(["Roads", "roads", "Rivers", "Parks", "bad-name"])
TYPES = st.sampled_from(["MapServer", "FeatureServer", "mapserver", "GPServer", "BogusServer"])
WHERE = st.none() | FOLDERS  # None: the root folder
CALLERS = st.sampled_from(sorted(ROLES))
CANONICAL = {"mapserver": "MapServer", "featureserver": "FeatureServer", "gpserver": "GPServer"}
VALID_NAME = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


@attrs.define
class ModelService:
    folder: str  # "/" or the folder's name as created
    name: str
    type: str
    started: bool = True


class ServicesMachine(RuleBasedStateMachine):
    created = Bundle("created")  # folders created at some point (deleted ones stay in play, to be refused)

    def __init__(self) -> None:
        super().__init__()
        self.fake = FakeArcGIS(admin_password=password_of("admin"), password_iterations=1, seed=5)
        site = self.fake.server.site
        for name, role in ROLES.items():
            if name != "admin":
                site.add_user(name, password_of(name), role=role)
        self.clients: dict[str, ServerAdminClient] = {name: server_client(self.fake, name) for name in ROLES}
        # the model starts from what every new site holds
        self.folders: dict[str, tuple[str, bool]] = {"system": ("System", True), "utilities": ("Utilities", True)}
        self.services: dict[tuple[str, str, str], ModelService] = {}
        for folder, name, type_ in (("System", "CachingTools", "GPServer"), ("System", "PublishingTools", "GPServer"),
                                    ("Utilities", "Geometry", "GeometryServer"),
                                    ("Utilities", "PrintingTools", "GPServer"), ("/", "SampleWorldCities", "MapServer")):
            self.services[(folder.lower(), name.lower(), type_.lower())] = ModelService(folder, name, type_)
        self.machine_started = True

    # --- the model's rules ---------------------------------------------------------------------------------

    def folder_of(self, where: str | None) -> str | None:
        """The folder's display name ("/" for the root), or None when it does not exist."""
        if where is None:
            return "/"
        found = self.folders.get(where.lower())
        return found[0] if found else None

    def fake_state(self) -> tuple[object, ...]:
        catalog = self.fake.server.site.catalog
        return (
            [(f.name, f.description, f.is_default) for f in catalog.folders()],
            sorted((s.folder, s.name, s.type, s.configured_state) for s in catalog),
        )

    def expect(self, error: type[ArcGISError] | None, action: Callable[[], Any]) -> None:
        if error is None:
            action()
            return
        before = self.fake_state()
        try:
            action()
        except ArcGISError as exc:
            assert type(exc) is error, (error, exc)
        else:
            raise AssertionError(f"expected {error.__name__}")
        assert self.fake_state() == before

    # --- rules ---------------------------------------------------------------------------------------------

    @rule(target=created, caller=CALLERS, name=FOLDERS, description=st.sampled_from(["", "Some maps"]))
    def create_folder(self, caller: str, name: str, description: str) -> Any:
        client = self.clients[caller]
        if caller == "viewer":
            error: type[ArcGISError] | None = PermissionDenied
        elif not set(name) <= VALID_NAME or name.lower() in {"createfolder", "createservice"}:
            error = BadRequest
        elif name.lower() in self.folders:
            error = Conflict
        else:
            error = None
            self.folders[name.lower()] = (name, False)
        self.expect(error, lambda: client.services.create_folder(folder_name=name, description=description))
        return multiple(name) if error is None else multiple()

    @rule(caller=CALLERS, name=created | FOLDERS)
    def delete_folder(self, caller: str, name: str) -> None:
        client = self.clients[caller]
        found = self.folders.get(name.lower())
        if caller == "viewer":
            error: type[ArcGISError] | None = PermissionDenied
        elif not set(name) <= VALID_NAME or found is None:
            error = NotFound
        elif found[1]:
            error = BadRequest  # a default folder stays
        else:
            error = None
            del self.folders[name.lower()]
            self.services = {k: v for k, v in self.services.items() if k[0] != name.lower()}
        self.expect(error, lambda: client.services.delete_folder(name))

    @rule(caller=CALLERS, where=st.none() | created | FOLDERS, name=NAMES, type_=TYPES)
    def create_service(self, caller: str, where: str | None, name: str, type_: str) -> None:
        client = self.clients[caller]
        folder = self.folder_of(where)
        canonical = CANONICAL.get(type_.lower())
        if caller == "viewer":
            error: type[ArcGISError] | None = PermissionDenied
        elif folder is None:
            error = NotFound
        elif not set(name) <= VALID_NAME or canonical is None:
            error = BadRequest
        elif (folder.lower(), name.lower(), canonical.lower()) in self.services:
            error = Conflict
        else:
            error = None
            self.services[(folder.lower(), name.lower(), canonical.lower())] = ModelService(folder, name, canonical)
        self.expect(error, lambda: client.services.create_service(
            service=Service(service_name=name, type=type_), folder_name=where))

    def _service_call(self, caller: str, where: str | None, name: str, type_: str) -> tuple[
            type[ArcGISError] | None, ModelService | None]:
        folder = self.folder_of(where)
        if caller == "viewer":
            return PermissionDenied, None
        if folder is None:
            return NotFound, None
        found = self.services.get((folder.lower(), name.lower(), type_.lower()))
        return (NotFound, None) if found is None else (None, found)

    @rule(caller=CALLERS, where=st.none() | created | FOLDERS, name=NAMES, type_=TYPES, start=st.booleans())
    def start_or_stop_service(self, caller: str, where: str | None, name: str, type_: str, start: bool) -> None:
        error, found = self._service_call(caller, where, name, type_)
        if found is not None:
            found.started = start
        ops = self.clients[caller].services
        act = ops.start_service if start else ops.stop_service
        self.expect(error, lambda: act(name, type_, folder_name=where))

    @rule(caller=CALLERS, where=st.none() | created | FOLDERS, name=NAMES, type_=TYPES)
    def delete_service(self, caller: str, where: str | None, name: str, type_: str) -> None:
        error, found = self._service_call(caller, where, name, type_)
        if found is not None:
            del self.services[(found.folder.lower(), found.name.lower(), found.type.lower())]
        self.expect(error, lambda: self.clients[caller].services.delete_service(name, type_, folder_name=where))

    @rule(caller=CALLERS, where=st.none() | created | FOLDERS, name=NAMES, type_=TYPES)
    def read_service(self, caller: str, where: str | None, name: str, type_: str) -> None:
        error, found = self._service_call(caller, where, name, type_)
        ops = self.clients[caller].services
        if error is not None:
            self.expect(error, lambda: ops.get_service(name, type_, folder_name=where))
            return
        assert found is not None
        got = ops.get_service(name, type_, folder_name=where)
        assert (got.service_name, got.type) == (found.name, found.type)
        status = ops.service_status(name, type_, folder_name=where)
        assert status.configured_state == ("STARTED" if found.started else "STOPPED")
        running = found.started and self.machine_started
        assert status.real_time_state == ("STARTED" if running else "STOPPED")

    @rule(caller=CALLERS, start=st.booleans())
    def start_or_stop_the_machine(self, caller: str, start: bool) -> None:
        ops = self.clients[caller].machines
        act = ops.start if start else ops.stop
        if caller != "admin":
            before = self.fake.server.site.machines[0].configured_state
            self.expect(PermissionDenied, lambda: act("MACHINE1"))
            assert self.fake.server.site.machines[0].configured_state == before
            return
        self.machine_started = start
        act("MACHINE1")

    # --- invariants ----------------------------------------------------------------------------------------

    @invariant()
    def listings_match_the_model(self) -> None:
        admin = self.clients["admin"].services
        root = admin.list(detail=True)
        expected_folders = [name for name, _ in self.folders.values()]
        assert root.folders == expected_folders
        assert root.folders_detail is not None
        assert [(f.folder_name, f.is_default) for f in root.folders_detail] == [
            (name, default) for name, default in self.folders.values()]
        for where in [None, *expected_folders]:
            listing = root if where is None else admin.list(folder_name=where, detail=True)
            folder = "/" if where is None else where
            got = sorted((s.folder_name, s.service_name, s.type, s.configured_state) for s in listing.services)
            want = sorted((m.folder, m.name, m.type, "STARTED" if m.started else "STOPPED")
                          for m in self.services.values() if m.folder == folder)
            assert got == want, (where, got, want)


    @invariant()
    def nothing_hides_in_the_fake(self) -> None:
        """Beyond what the listings show: no service of a deleted folder lingers in the fake's state."""
        held = sorted((s.folder, s.name, s.type) for s in self.fake.server.site.catalog)
        assert held == sorted((m.folder, m.name, m.type) for m in self.services.values())


ServicesMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=25, deadline=None)
TestServicesStateMachine = ServicesMachine.TestCase
