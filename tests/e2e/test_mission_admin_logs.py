"""Mission Server logs end to end: records are written by the server's own operations at their levels; the
query's level filter is monotone (a more severe level returns a subset, every record at or above it); the
time window in every accepted form (epoch ms, ArcGIS timestamps with and without milliseconds); since the
server started; services, server components, machines, codes and process ids; paging by endTime; the
configured level, retention and clean; export to CSV or TAB."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest
from arcgis_typed import BadRequest, PermissionDenied
from arcgis_typed._runtime.tables import write_table
from arcgis_typed.mission_admin.models.logs import LogMessage
from arcgis_typed_fake import FakeArcGIS, ManualClock
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mission_helpers import MACHINE, START_MS, Side, admin_side, debug_logs, make_fake, member_side

LEVELS = ["DEBUG", "VERBOSE", "FINE", "INFO", "WARNING", "SEVERE"]


@pytest.fixture
def world(tmp_path: Path) -> tuple[FakeArcGIS, ManualClock, Side]:
    fake, clock = make_fake(tmp_path)
    admin = admin_side(fake)
    debug_logs(admin)
    return fake, clock, admin


def everything(admin: Side, **kw: object) -> list[LogMessage]:
    return admin.admin.logs.query(level="DEBUG", **kw).log_messages  # type: ignore[arg-type]


@pytest.mark.seed("LogManager.query", "LogManager.(constructor)", "LogManager.ofMissionServer", "MissionServer.logs")
def test_operations_write_records_at_their_levels(world: tuple[FakeArcGIS, ManualClock, Side]) -> None:
    _, _, admin = world
    resource = admin.admin.logs.get()
    assert resource.settings is not None and resource.settings.log_level == "DEBUG"
    created = admin.rest.missions.create(title="Logged", run_async=True)
    with pytest.raises(BadRequest):
        admin.rest.missions.create(title="Bad", extent="1,2,3")
    by_code = {m.code: m for m in everything(admin)}
    made = by_code[9101]
    assert made.type == "INFO" and made.source == f"{created.mission_id}.MissionServer" and made.user == "admin"
    assert made.machine == MACHINE and "Logged" in made.message
    assert by_code[9104].type == "FINE" and by_code[9104].source == "Rest"
    failed = by_code[9105]
    assert failed.type == "WARNING" and "'extent'" in failed.message
    assert by_code[9500].type == "DEBUG"  # every handled request
    # the default query level is WARNING
    assert {m.type for m in admin.admin.logs.query().log_messages} <= {"WARNING", "SEVERE"}


def _act(admin: Side, fake: FakeArcGIS, clock: ManualClock, action: str, n: int) -> None:
    clock.advance(seconds=1)
    if action == "create":
        admin.rest.missions.create(title=f"M{n}-{clock.now_ms()}", run_async=n % 2 == 0)
    elif action == "fail":
        with pytest.raises(BadRequest):
            admin.rest.missions.create(title="x", capabilities="NOPE")
    elif action == "security":
        admin.admin.security.update(virtual_dirs_security_enabled=n % 2 == 0)
    else:  # refused by the security configuration: SEVERE
        fake.mission.security.allowed_admin_access_ips = "10.9.9.9"
        with pytest.raises(PermissionDenied):
            admin.admin.logs.settings()
        fake.mission.security.allowed_admin_access_ips = ""


@given(actions=st.lists(st.sampled_from(["create", "fail", "security", "denied"]), min_size=1, max_size=6))
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_level_filter_is_monotone(tmp_path: Path, actions: list[str]) -> None:
    fake, clock = make_fake(tmp_path / str(len(list(tmp_path.iterdir()))))
    admin = admin_side(fake)
    debug_logs(admin)
    for n, action in enumerate(actions):
        _act(admin, fake, clock, action, n)
    previous: set[tuple[int, str]] | None = None
    for level in LEVELS:
        found = admin.admin.logs.query(level=level).log_messages  # type: ignore[arg-type]
        assert all(LEVELS.index(m.type) >= LEVELS.index(level) for m in found)
        keys = {(int(m.time.timestamp() * 1000), m.message) for m in found}
        if previous is not None:
            assert keys <= previous
        previous = keys
        times = [m.time for m in found]
        assert times == sorted(times, reverse=True)  # newest first
    severe = admin.admin.logs.query(level="SEVERE").log_messages
    assert len(severe) == actions.count("denied")
    info_codes = [m.code for m in admin.admin.logs.query(level="INFO").log_messages]
    assert info_codes.count(9101) == actions.count("create")


def test_the_time_window_in_every_form(world: tuple[FakeArcGIS, ManualClock, Side]) -> None:
    _, clock, admin = world
    admin.admin.logs.clean()
    stamps = []
    for i in range(3):
        clock.advance(minutes=1)
        admin.rest.missions.create(title=f"T{i}")
        stamps.append(clock.now_ms())

    def window(start: str | None, end: str | None) -> list[int]:
        found = admin.admin.logs.query(level="INFO", start_time=start, end_time=end,
                                       filter={"codes": [9101]}).log_messages
        return [int(m.time.timestamp() * 1000) for m in found]

    assert window(None, None) == stamps[::-1]
    assert window(str(stamps[1]), None) == [stamps[1], stamps[0]]  # startTime: the most recent
    assert window(None, str(stamps[1])) == [stamps[2], stamps[1]]  # endTime: the oldest
    iso = datetime.fromtimestamp(stamps[1] / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")
    assert window(iso, iso) == [stamps[1]]
    assert window(iso + ",000", iso.replace("T", " ") + ".000") == [stamps[1]]
    assert window(str(stamps[0]), str(stamps[2])) == [stamps[2], stamps[1], stamps[0]]  # either order
    for bad in ("yesterday", "2024-13-01T00:00:00", "2024-01-01"):
        with pytest.raises(BadRequest, match="'startTime'"):
            admin.admin.logs.query(start_time=bad)
        with pytest.raises(BadRequest, match="'endTime'"):
            admin.admin.logs.query(end_time=bad)


def test_filters(world: tuple[FakeArcGIS, ManualClock, Side]) -> None:
    _, _, admin = world
    one = admin.rest.missions.create(title="One").mission_id
    admin.rest.missions.create(title="Two")
    admin.admin.security.update(virtual_dirs_security_enabled=True)
    service = f"{one}.MissionServer"
    by_service = everything(admin, filter={"services": [service], "machines": "*", "server": "*"})
    assert by_service and {m.source for m in by_service} == {service}
    by_server = everything(admin, filter={"server": ["Security"]})
    assert by_server and {m.source for m in by_server} == {"Security"}
    both = everything(admin, filter={"services": [service], "server": ["Security"]})
    assert {m.source for m in both} == {service, "Security"}
    assert everything(admin, filter={"codes": [9101]}) and all(
        m.code == 9101 for m in everything(admin, filter={"codes": "9101"}))
    assert {m.code for m in everything(admin, filter={"codes": [9101, 9201]})} == {9101, 9201}
    made = everything(admin, filter={"codes": [9101]})
    assert everything(admin, filter={"machines": [MACHINE.lower()], "codes": [9101]}) == made
    assert everything(admin, filter={"machines": ["OTHER"]}) == []
    process = made[0].process
    assert everything(admin, filter={"processIds": [process], "codes": [9101]}) == made
    assert everything(admin, filter={"processIds": ["1"]}) == []
    for bad in ({"codes": ["abc"]}, {"colour": "*"}, {"services": {"a": 1}}, [1, 2], "not json"):
        with pytest.raises(BadRequest, match="'filter'"):
            admin.admin.logs.query(filter=bad)


def test_paging_by_end_time_sees_every_record_once(world: tuple[FakeArcGIS, ManualClock, Side]) -> None:
    _, _, admin = world
    for i in range(4):
        admin.rest.missions.create(title=f"P{i}")  # many records in the same millisecond
    whole = everything(admin)
    newest = str(int(whole[0].time.timestamp() * 1000))
    seen: list[LogMessage] = []
    page = admin.admin.logs.query(level="DEBUG", page_size=3, start_time=newest)
    while True:
        seen.extend(page.log_messages)
        if not page.has_more:
            break
        assert page.end_time is not None
        page = admin.admin.logs.query(level="DEBUG", page_size=3, start_time=str(int(page.end_time.timestamp() * 1000)))
    assert [(m.time, m.message) for m in seen] == [(m.time, m.message) for m in whole]


def test_settings_level_retention_and_clean(world: tuple[FakeArcGIS, ManualClock, Side]) -> None:
    _, clock, admin = world
    admin.admin.logs.edit_settings(log_level="WARNING", max_log_file_age=1)
    assert admin.admin.logs.settings().max_log_file_age == 1
    before = len(everything(admin))
    admin.rest.missions.create(title="Quiet")  # INFO: below the configured level, not written
    assert not [m for m in everything(admin) if m.code == 9101]
    with pytest.raises(BadRequest):
        admin.rest.missions.create(title="Loud", locale="???")  # WARNING: written
    assert len(everything(admin)) == before + 1
    clock.advance(days=2)
    assert everything(admin) == []  # older than maxLogFileAge
    admin.admin.logs.edit_settings(log_level="DEBUG")
    assert everything(admin)
    assert admin.admin.logs.clean().status == "success"
    assert [m.code for m in everything(admin)] == [9500]  # only the clean request's own record
    with pytest.raises(BadRequest, match="'logLevel'"):
        admin.admin.logs.edit_settings(log_level="LOUD")  # type: ignore[arg-type]


def test_since_server_start(world: tuple[FakeArcGIS, ManualClock, Side]) -> None:
    _, clock, admin = world
    admin.rest.missions.create(title="Before")
    clock.advance(minutes=1)
    location = admin.admin.site.export_site().location
    clock.advance(minutes=1)
    admin.admin.site.import_site(location=location)  # the site restarts
    since = admin.admin.logs.query(level="DEBUG", since_server_start=True).log_messages
    assert since and all(int(m.time.timestamp() * 1000) >= clock.now_ms() for m in since)
    assert {m.code for m in since} >= {9000}
    assert len(everything(admin)) > len(since)


def test_only_administrators_read_logs(tmp_path: Path) -> None:
    fake, _ = make_fake(tmp_path)
    with pytest.raises(PermissionDenied):
        member_side(fake, "pub").admin.logs.query()


@pytest.mark.seed("LogManager.query")
@pytest.mark.parametrize("export_type", ["CSV", "TAB"])
def test_export_to_csv_or_tab(world: tuple[FakeArcGIS, ManualClock, Side], tmp_path: Path, export_type: str) -> None:
    _, _, admin = world
    admin.rest.missions.create(title="Exported, \"quoted\"\tand tabbed")
    records = admin.admin.logs.query(level="INFO").log_messages
    written = write_table(records, tmp_path / "out" / "logs", export_type=export_type)  # type: ignore[arg-type]
    assert written.suffix == (".txt" if export_type == "TAB" else ".csv")
    with written.open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file, delimiter="\t" if export_type == "TAB" else ","))
    assert [r["message"] for r in rows] == [m.message for m in records]
    assert rows[0]["time"] == str(int(records[0].time.timestamp() * 1000))
    with pytest.raises(FileExistsError):
        write_table(records, written, export_type=export_type)  # type: ignore[arg-type]
    write_table(records[:1], written, export_type=export_type, overwrite=True)  # type: ignore[arg-type]
    assert len(written.read_text(encoding="utf-8").splitlines()) == 2
    link = tmp_path / "link.csv"
    link.symlink_to(tmp_path / "elsewhere.csv")
    with pytest.raises(ValueError, match="symbolic link"):
        write_table(records, link, overwrite=True)
    assert not (tmp_path / "elsewhere.csv").exists()
    _ = START_MS


@given(steps=st.lists(st.integers(min_value=0, max_value=5000), min_size=1, max_size=6),
       bounds=st.tuples(st.integers(min_value=-2000, max_value=32000), st.integers(min_value=-2000, max_value=32000)),
       level=st.sampled_from(LEVELS), codes=st.none() | st.sets(st.sampled_from([9101, 9105, 9306, 9500]), min_size=1))
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_query_is_a_plain_filter_of_the_records(tmp_path: Path, steps: list[int], bounds: tuple[int, int],
                                                  level: str, codes: set[int] | None) -> None:
    """Whatever the window, level and codes: the query answers exactly the records a plain filter keeps."""
    fake, clock = make_fake(tmp_path / f"q{len(list(tmp_path.iterdir()))}")
    admin = admin_side(fake)
    debug_logs(admin)
    for i, ms in enumerate(steps):
        clock.advance(seconds=ms / 1000)
        if i % 3 == 2:
            with pytest.raises(BadRequest):
                admin.rest.missions.create(title="W", capabilities="NOPE")
        else:
            admin.rest.missions.create(title=f"W{i}")
    newest, oldest = START_MS + max(bounds), START_MS + min(bounds)
    records = list(fake.mission.logs.records)
    found = admin.admin.logs.query(level=level, start_time=str(newest), end_time=str(oldest),  # type: ignore[arg-type]
                                   filter={"codes": sorted(codes)} if codes else None).log_messages
    want = [r for r in reversed(records) if oldest <= r.time <= newest and LEVELS.index(r.type) >= LEVELS.index(level)
            and (codes is None or r.code in codes)]
    assert [(int(m.time.timestamp() * 1000), m.code, m.message) for m in found] == [
        (r.time, r.code, r.message) for r in want]
