"""The request journal (`fake.requests`): every request the fake answered, typed, with tokens and passwords
redacted, and WireMock-style assertions.

    fake.requests.assert_called("content.add_item", title="Roads")
    fake.requests.assert_not_called("users.delete")
    fake.requests.assert_called_with("content.get", times=2)   # the last call's parameters; exactly twice
    [r.op for r in fake.requests]                               # ["portal:generate_token", ...]

Operation names are the operations table's (`content.get`, `groups.create`, ...), with or without the API
prefix (`portal:`, `server_admin:`); a name ending in `*` matches a prefix.
"""

from __future__ import annotations

import collections
import threading
import warnings
from collections.abc import Iterator, Mapping
from typing import Any

import attrs

REDACTED = "***"
_SECRET_WORDS = ("token", "password", "secret")
_SECRET_NAMES = frozenset({"code"})  # an OAuth2 authorization code
DEFAULT_LIMIT = 10_000


def redact(values: Mapping[str, str]) -> dict[str, str]:
    """The parameters with any token, password, secret or authorization code replaced by `***`."""
    return {k: REDACTED if v and _secret(k) else v for k, v in values.items()}


def _secret(name: str) -> bool:
    lowered = name.lower()
    return lowered in _SECRET_NAMES or any(w in lowered for w in _SECRET_WORDS)


@attrs.frozen
class RequestRecord:
    """One answered request. `op` is None when the path matched no operation (or for the control plane)."""

    seq: int
    op: str | None
    method: str
    path: str
    params: Mapping[str, str]  # query and form parameters (files by name only), secrets redacted
    status: int  # the HTTP status
    error_code: int | None  # the ArcGIS error code of an error envelope, else None
    time_ms: int  # the fake's clock when it answered
    fault: str | None = None  # the id of the injected fault rule that fired, if any
    fidelity: str = "full"  # the operation's fidelity label: partial when the fake implements it only partly

    @property
    def ok(self) -> bool:
        return self.status < 400 and self.error_code is None

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq, "op": self.op, "method": self.method, "path": self.path, "params": dict(self.params),
            "status": self.status, "errorCode": self.error_code, "timeMs": self.time_ms, "fault": self.fault,
            "fidelity": self.fidelity,
        }


class FakeFidelityWarning(UserWarning):
    """A test called operations the fake implements only partly: a green test there proves less (the pytest
    plugin warns with their names; each one's known deviations are in its docstring and the coverage report)."""


def warn_partial(journal: RequestJournal) -> None:
    partial = journal.partial()
    if partial:
        message = (f"this test called operation(s) the fake implements only partly: {', '.join(partial)} "
                   "(see their 'Fake fidelity' notes)")
        # a fresh registry: shown for every test that used them (not once per process); filters still apply
        warnings.warn_explicit(FakeFidelityWarning(message), FakeFidelityWarning, __file__, 0,
                               module=__name__, registry={})


def op_matches(pattern: str, op: str | None) -> bool:
    """`content.get` matches `portal:content.get`; `portal:*` and `content.*` match prefixes; `*` matches all."""
    if op is None:
        return False
    short = op.split(":", 1)[-1]
    if pattern.endswith("*"):
        stem = pattern[:-1]
        return op.startswith(stem) or short.startswith(stem)
    return pattern in (op, short)


class RequestJournal:
    """The last `limit` requests, oldest first (thread-safe)."""

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self._records: collections.deque[RequestRecord] = collections.deque(maxlen=limit)
        self._seq = 0
        self._lock = threading.Lock()
        self.enabled = True

    def record(self, **fields: Any) -> None:
        if not self.enabled:
            return
        with self._lock:
            self._seq += 1
            self._records.append(RequestRecord(seq=self._seq, **fields))

    def __iter__(self) -> Iterator[RequestRecord]:
        with self._lock:
            return iter(list(self._records))

    def __len__(self) -> int:
        return len(self._records)

    def __getitem__(self, index: int) -> RequestRecord:
        with self._lock:
            return list(self._records)[index]

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

    def calls(self, op: str = "*", /, **params: object) -> list[RequestRecord]:
        """The requests to `op` whose parameters include `params` (compared as strings; wire names)."""
        wanted = {k: _wire(v) for k, v in params.items()}
        return [r for r in self if op_matches(op, r.op) and all(r.params.get(k) == v for k, v in wanted.items())]

    def assert_called(self, op: str, /, *, times: int | None = None, **params: object) -> list[RequestRecord]:
        """Some request (exactly `times` requests, if given) went to `op` with `params`; returns them."""
        found = self.calls(op, **params)
        if (times is None and not found) or (times is not None and len(found) != times):
            expected = "at least once" if times is None else f"{times} time(s)"
            raise AssertionError(
                f"expected {op}{_describe(params)} to be called {expected}, it was called {len(found)} time(s)."
                f"\n{self._summary(op)}"
            )
        return found

    def assert_not_called(self, op: str, /, **params: object) -> None:
        found = self.calls(op, **params)
        if found:
            raise AssertionError(f"expected {op}{_describe(params)} not to be called; it was called {len(found)} "
                                 f"time(s):\n" + "\n".join(_line(r) for r in found[-10:]))

    def assert_called_with(self, op: str, /, *, times: int | None = None, **params: object) -> RequestRecord:
        """The LAST request to `op` had `params` (and `op` was called exactly `times` times, if given)."""
        every = self.calls(op)
        if not every:
            raise AssertionError(f"expected {op} to be called; it was not.\n{self._summary(op)}")
        if times is not None and len(every) != times:
            raise AssertionError(f"expected {op} to be called {times} time(s), it was called {len(every)} time(s).")
        last = every[-1]
        wanted = {k: _wire(v) for k, v in params.items()}
        wrong = {k: last.params.get(k) for k, v in wanted.items() if last.params.get(k) != v}
        if wrong:
            raise AssertionError(
                f"the last call of {op} differs: expected {_describe(params)}, got "
                + ", ".join(f"{k}={v!r}" for k, v in wrong.items()) + f"\n{_line(last)}"
            )
        return last

    def _summary(self, op: str) -> str:
        records = list(self)
        if not records:
            return "The fake received no request."
        tail = "\n".join(_line(r) for r in records[-10:])
        return f"The last {min(10, len(records))} of {len(records)} request(s):\n{tail}"

    def partial(self) -> list[str]:
        """The operations called so far that the fake implements only partly (see their known deviations)."""
        return sorted({r.op for r in self if r.op and r.fidelity != "full"})

    def to_json(self, limit: int | None = None) -> list[dict[str, Any]]:
        records = list(self)
        return [r.to_json() for r in (records[-limit:] if limit else records)]


def _wire(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


def _describe(params: Mapping[str, object]) -> str:
    return "(" + ", ".join(f"{k}={_wire(v)!r}" for k, v in params.items()) + ")" if params else ""


def _line(r: RequestRecord) -> str:
    error = f" error {r.error_code}" if r.error_code is not None else ""
    fault = f" [fault {r.fault}]" if r.fault else ""
    params = ", ".join(f"{k}={v!r}" for k, v in r.params.items() if k != "f")
    return f"  #{r.seq} {r.method} {r.op or r.path} -> {r.status}{error}{fault} ({params})"


__all__ = ["REDACTED", "FakeFidelityWarning", "RequestJournal", "RequestRecord", "op_matches", "redact", "warn_partial"]
