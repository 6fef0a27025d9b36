"""Server logs as the ArcGIS Server-family administrator APIs (Server, Mission Server) keep them: records
written by the fake's own operations, a level below which nothing is written, a retention age, and the
`logs/query` filter (level at or above, a time window, services, machines, server components, codes, process
ids), newest first and paged.

Record times are strictly increasing (a record written in the same millisecond as the previous one is
stamped one millisecond later), so paging by `endTime` never repeats or skips a record. Times are UTC.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import attrs

from ..errors import bad_request

LEVELS = ("DEBUG", "VERBOSE", "FINE", "INFO", "WARNING", "SEVERE")  # least to most severe
SEVERITY = {name: i for i, name in enumerate(LEVELS)}
DAY_MS = 86_400_000
_STAMP = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:[,.](\d{1,3}))?$")
FILTER_KEYS = ("services", "machines", "server", "codes", "processIds", "requestIds")


@attrs.frozen
class LogRecord:
    type: str
    message: str
    time: int
    source: str
    machine: str
    user: str
    code: int
    process: str
    thread: str
    method_name: str
    request_id: str
    service: bool  # True when `source` is a service, False for a server component


@attrs.define
class LogSettings:
    log_dir: str = "/arcgis/logs"
    log_level: str = "WARNING"
    max_error_reports_count: int = 10
    max_log_file_age: int = 90
    usage_metering_enabled: bool = False


def parse_time(value: str, param: str) -> int:
    """Epoch milliseconds, or an ArcGIS timestamp (`2011-08-01T15:17:20`, `2011-08-01T15:17:20,123`)."""
    text = value.strip()
    if re.fullmatch(r"-?\d{1,15}", text):
        return int(text)
    found = _STAMP.fullmatch(text)
    if found is None:
        raise bad_request(f"Invalid parameter '{param}': '{value}' is neither epoch milliseconds nor a timestamp "
                          "like 2011-08-01T15:17:20 or 2011-08-01T15:17:20,123")
    try:
        moment = datetime.fromisoformat(f"{found.group(1)}T{found.group(2)}").replace(tzinfo=UTC)
    except ValueError:
        raise bad_request(f"Invalid parameter '{param}': '{value}' is not a valid date and time") from None
    millis = int((found.group(3) or "0").ljust(3, "0"))
    return int(moment.timestamp() * 1000) + millis


@attrs.frozen
class LogFilter:
    services: frozenset[str] | None = None  # None: all
    machines: frozenset[str] | None = None
    server: frozenset[str] | None = None
    codes: frozenset[int] | None = None
    process_ids: frozenset[str] | None = None
    request_ids: frozenset[str] | None = None

    @classmethod
    def parse(cls, raw: object) -> LogFilter:
        """The JSON `filter`: each key "*" (or absent) for all, else a list (or comma-separated string)."""
        if raw is None or raw == "":
            return cls()
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError:
                raise bad_request("Invalid parameter 'filter': not JSON") from None
        if not isinstance(raw, dict):
            raise bad_request("Invalid parameter 'filter': expected a JSON object")
        unknown = sorted(set(raw) - set(FILTER_KEYS))
        if unknown:
            raise bad_request(f"Invalid parameter 'filter': unknown key '{unknown[0]}' (known: {', '.join(FILTER_KEYS)})")
        values: dict[str, frozenset[str] | None] = {key: _selection(raw.get(key), key) for key in FILTER_KEYS}
        codes = values["codes"]
        parsed_codes = None
        if codes is not None:
            try:
                parsed_codes = frozenset(int(c) for c in codes)
            except ValueError:
                raise bad_request("Invalid parameter 'filter': codes must be integers") from None
        return cls(services=values["services"], machines=_lower(values["machines"]), server=_lower(values["server"]),
                   codes=parsed_codes, process_ids=values["processIds"], request_ids=values["requestIds"])

    def admits(self, record: LogRecord) -> bool:
        if self.services is not None or self.server is not None:
            chosen = self.services if record.service else self.server
            other = self.server if record.service else self.services
            if chosen is None and other is not None or chosen is not None and record.source.lower() not in {
                    s.lower() for s in chosen}:
                return False
        if self.machines is not None and record.machine.lower() not in self.machines:
            return False
        if self.codes is not None and record.code not in self.codes:
            return False
        if self.process_ids is not None and record.process not in self.process_ids:
            return False
        return self.request_ids is None or record.request_id in self.request_ids


def _selection(value: object, key: str) -> frozenset[str] | None:
    if value is None or value == "*" or value == ["*"] or value == "":
        return None
    if isinstance(value, str):
        return frozenset(v.strip() for v in value.split(",") if v.strip())
    if isinstance(value, list) and all(isinstance(v, str | int) and not isinstance(v, bool) for v in value):
        return frozenset(str(v).strip() for v in value)
    raise bad_request(f"Invalid parameter 'filter': '{key}' must be \"*\" or a list of values")


def _lower(values: frozenset[str] | None) -> frozenset[str] | None:
    return None if values is None else frozenset(v.lower() for v in values)


class LogStore:
    """The records of a site, oldest first."""

    def __init__(self, now: Callable[[], int], *, machine: str, process: str) -> None:
        self._now = now
        self.machine = machine
        self.process = process
        self.settings = LogSettings()
        self.records: list[LogRecord] = []
        self._last = 0
        self._requests = 0

    def write(self, level: str, message: str, *, source: str, code: int, user: str = "", service: bool = False,
              method: str = "") -> LogRecord | None:
        """Write a record if the configured level lets it through (OFF writes nothing)."""
        threshold = self.settings.log_level
        if threshold == "OFF" or SEVERITY[level] < SEVERITY[threshold]:
            return None
        stamp = max(self._now(), self._last + 1)
        self._last = stamp
        self._requests += 1
        record = LogRecord(type=level, message=message, time=stamp, source=source, machine=self.machine, user=user,
                           code=code, process=self.process, thread=str(1 + self._requests % 8), method_name=method,
                           request_id=f"{self._requests:08x}", service=service)
        self.records.append(record)
        return record

    def purge(self) -> None:
        """Drop records older than the retention age."""
        cutoff = self._now() - self.settings.max_log_file_age * DAY_MS
        if self.records and self.records[0].time < cutoff:
            self.records = [r for r in self.records if r.time >= cutoff]

    def clean(self) -> None:
        self.records = []

    def query(self, *, start: int | None, end: int | None, since: int | None, level: str, flt: LogFilter,
              page_size: int) -> tuple[list[LogRecord], bool, int | None, int | None]:
        """(records newest first, has_more, start_time, end_time); pass end_time as the next start."""
        self.purge()
        # no startTime: up to now (records stamped a few ms ahead to keep times unique included)
        newest = max(self._now(), self._last) if start is None else start
        oldest = end if end is not None else 0
        if newest < oldest:
            newest, oldest = oldest, newest
        if since is not None:
            oldest = max(oldest, since)
        threshold = SEVERITY[level]
        found: list[LogRecord] = []
        more = False
        for record in reversed(self.records):
            if record.time > newest:
                continue
            if record.time < oldest:
                break
            if SEVERITY[record.type] < threshold or not flt.admits(record):
                continue
            if len(found) == page_size:
                more = True
                break
            found.append(record)
        end_time = found[-1].time - 1 if more and found else (found[-1].time if found else None)
        return found, more, found[0].time if found else None, end_time


def levels_at_or_above(level: str) -> Sequence[str]:
    return LEVELS[SEVERITY[level]:]
