"""What `FakeArcGIS` offers beyond answering requests: snapshot / restore, baselines and forks, the request
journal and fault injection hooks. `FakeArcGIS` delegates to these functions; the control plane and the CLI call
the same methods, so the Python API, `/_fake/...` and `arcgis-fake` behave alike."""

from __future__ import annotations

import copy
import json
import os
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from arcgis_typed._runtime.operation import Operation
from werkzeug.wrappers import Request, Response

from . import snapshot as snap
from .errors import Fault
from .faults import FaultRule, Faults
from .journal import RequestJournal, redact
from .undo import TrackedBlob, UndoLog

if TYPE_CHECKING:
    from .app import FakeArcGIS

OP_KEY = "arcgis_typed_fake.op"  # set by the dispatcher: the operation's registry key
PARAMS_KEY = "arcgis_typed_fake.params"  # the request's parameters (before decoding)
FAULT_KEY = "arcgis_typed_fake.fault"  # the fault rule that fired
FIDELITY_KEY = "arcgis_typed_fake.fidelity"  # the operation's fidelity label (spec `fidelity`)
FIDELITY_HEADER = "X-Fake-Fidelity"  # on answers of operations the fake implements only partly
_CLOCK = "$clock"


def writer() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"arcgis-typed {version('arcgis-typed')}"
    except PackageNotFoundError:  # not installed as a distribution (a source checkout)
        return "arcgis-typed (source)"


def state_roots(fake: FakeArcGIS) -> dict[str, object]:
    return {name: getattr(fake, name) for name in fake.STATE_ROOTS}


def settings(fake: FakeArcGIS) -> dict[str, Any]:
    """What a snapshot must agree on with the fake that restores it."""
    return {
        "portalContext": fake.portal_context,
        "serverContext": fake.server_context,
        "serverMachines": list(fake.server_machines),
        "roots": list(fake.STATE_ROOTS),
    }


# --- snapshot files -------------------------------------------------------------------------------------------


def snapshot(fake: FakeArcGIS, path: str | os.PathLike[str] | None = None, *, copy_first: bool = False) -> dict[str, Any]:
    """The snapshot document (written to `path` too, when given). `copy_first` holds the fake's lock only for an
    in-memory copy (fast) and writes JSON from the copy, so a served fake keeps answering meanwhile."""
    if copy_first:
        with fake._lock:
            blob = snap.StateBlob.of({**state_roots(fake), _CLOCK: fake.clock})
            meta = {"writer": writer(), "clockMs": fake.clock.now_ms(), "settings": settings(fake)}
        roots = blob.copy()
        clock = roots.pop(_CLOCK)
        state = snap.encode_state(roots, {"clock": clock})
    else:
        with fake._lock:
            state = snap.encode_state(state_roots(fake), {"clock": fake.clock})
            meta = {"writer": writer(), "clockMs": fake.clock.now_ms(), "settings": settings(fake)}
    doc = snap.document(state, meta=meta)
    if path is not None:
        snap.write_atomic(path, snap.dumps(doc))
    return doc


def restore(fake: FakeArcGIS, source: str | os.PathLike[str] | Mapping[str, Any]) -> None:
    """Replace the fake's state with a snapshot's (a file or a document); refuses an incompatible one. Live
    tokens are not in snapshots: clients sign in again."""
    label = "the snapshot" if isinstance(source, Mapping) else str(source)
    doc = source if isinstance(source, Mapping) else snap.read_document(source)
    state = snap.check_document(doc, label)
    theirs = doc.get("settings") or {}
    mine = settings(fake)
    different = [k for k in ("portalContext", "serverContext", "serverMachines") if k in theirs and theirs[k] != mine[k]]
    if different:
        raise snap.SnapshotError(
            f"{label} was taken from a fake with other settings ("
            + ", ".join(f"{k}: {theirs[k]!r}, this fake: {mine[k]!r}" for k in different) + ")"
        )
    missing = set(fake.STATE_ROOTS) - set(state)
    if missing:
        raise snap.SnapshotError(f"{label} lacks the state of {', '.join(sorted(missing))}")
    roots = snap.decode_state({k: v for k, v in state.items() if k in fake.STATE_ROOTS}, {"clock": fake.clock})
    with fake._lock:
        for name, value in roots.items():
            setattr(fake, name, value)


# --- baselines and forks --------------------------------------------------------------------------------------


class Baseline:
    """The state of a fake at one moment, frozen; `fork()` makes a fake of its own from it, every time anew.

    A fork records every change to its state in an undo log (see `undo.py`), so `fork.reset()` costs what the
    test changed, not what the baseline holds. `release(fork)` resets a fork and keeps its state for the next
    `fork()`, which then costs next to nothing; otherwise a fork costs one unpickling of the state (about 25 us
    per entity, item or user, on the reference machine: see `benchmarks/bench_fork.py`). The first fork also
    pays a one-off pass that puts the baseline in tracked form (about three times one unpickling)."""

    def __init__(self, template: FakeArcGIS, blob: snap.StateBlob) -> None:
        self.template = template
        self.blob = blob
        self._tracked: TrackedBlob | None = None
        self._spare: list[tuple[UndoLog, dict[str, Any]]] = []  # states of released forks, back at the baseline
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<Baseline of {len(self.blob.data):,} bytes, {len(self._spare)} spare>"

    @classmethod
    def of(cls, fake: FakeArcGIS) -> Baseline:
        with fake._lock:
            return cls(fake, snap.StateBlob.of({**state_roots(fake), _CLOCK: fake.clock}))

    def tracked(self) -> TrackedBlob:
        """The baseline in tracked form (made on first use)."""
        with self._lock:
            if self._tracked is None:
                self._tracked = TrackedBlob.of(self.blob.copy())
            return self._tracked

    def fork(self) -> FakeArcGIS:
        twin = copy.copy(self.template)
        twin._lock = threading.RLock()
        with self._lock:
            spare = self._spare.pop() if self._spare else None
        _adopt(twin, *(spare or self.tracked().load()))
        twin._baseline = self
        twin.requests = RequestJournal()
        twin.faults = Faults(twin._seed)
        twin._after_write = None  # a fork never writes its parent's persistence file
        return twin

    def release(self, fork: FakeArcGIS) -> None:
        """Done with `fork`: it goes back to the baseline and its state serves the next `fork()`; `fork` must
        not be used afterwards (its state is gone from it)."""
        if fork._baseline is not self:
            raise ValueError("this fork was not made from this baseline (or was released already)")
        with fork._lock:
            rewind(fork)
            assert fork._undo is not None
            log, roots = fork._undo
            for name in (*fork.STATE_ROOTS, "clock"):
                delattr(fork, name)
            fork._baseline = None
        with self._lock:
            self._spare.append((log, roots))


def _adopt(fake: FakeArcGIS, log: UndoLog, roots: dict[str, Any]) -> None:
    """Give `fake` a fork's state (`roots`, clock included) whose changes `log` records from now on."""
    with fake._lock:
        fake.clock = roots[_CLOCK]
        for name in fake.STATE_ROOTS:
            setattr(fake, name, roots[name])
        fake._undo = (log, roots)
        log.armed = True


def checkpoint(fake: FakeArcGIS) -> Baseline:
    """Make the state now the point `fake.reset()` returns to, by undoing changes (the fake becomes a fork of
    its own state: what a served fake's `POST /_fake/checkpoint` does once it is seeded)."""
    with fake._lock:
        if fake._undo is not None:
            fake._undo[0].armed = False  # an earlier checkpoint's log: done with
        baseline = Baseline.of(fake)
        _adopt(fake, *baseline.tracked().load())
        fake._baseline = baseline
        return baseline


def rewind(fork: FakeArcGIS) -> int:
    """Put a fork's state back as its baseline had it; returns how many changes were undone. When the state was
    replaced wholesale (`restore()`, a new clock), the fork takes a fresh copy of the baseline instead."""
    assert fork._baseline is not None and fork._undo is not None
    log, roots = fork._undo
    with fork._lock:
        if fork.clock is roots[_CLOCK] and all(getattr(fork, n) is roots[n] for n in fork.STATE_ROOTS):
            return log.rollback()
        log.armed = False
        _adopt(fork, *fork._baseline.tracked().load())
        return -1


# --- per request: faults and the journal ----------------------------------------------------------------------


def inject(
    fake: FakeArcGIS, request: Request, op: Operation, op_key: str, values: Mapping[str, str]
) -> Response | None:
    """Called by the dispatcher once the operation is known: fires the first matching fault rule, if any."""
    request.environ[OP_KEY] = op_key
    request.environ[PARAMS_KEY] = values
    request.environ[FIDELITY_KEY] = op.fidelity
    if not fake.faults:
        return None
    rule = fake.faults.fire(op_key, values)
    if rule is None:
        return None
    request.environ[FAULT_KEY] = rule
    if rule.latency_ms:
        time.sleep(rule.latency_ms / 1000)
    if rule.expire_tokens:
        expire_tokens(fake)
    if rule.applied:
        return None  # carried out; `finish` replaces the answer
    if rule.http_status is not None:
        return _status_response(fake, request, rule)
    if rule.error_code is not None:
        raise Fault(rule.error_code, rule.message_text)
    return None


def expire_tokens(fake: FakeArcGIS) -> None:
    """Every token of the portal and of every server site expires now (the next call with one gets 498)."""
    with fake._lock:
        fake.portal.tokens.expire_all()
        for site in fake.server.sites:
            site.tokens.expire_all()


def _status_response(fake: FakeArcGIS, request: Request, rule: FaultRule) -> Response:
    assert rule.http_status is not None
    fault = Fault(rule.error_code or rule.http_status, rule.message_text)
    response = fake._error(fault, request)
    response.status_code = rule.http_status
    if rule.retry_after is not None:
        response.headers["Retry-After"] = str(rule.retry_after)
    return response


def finish(fake: FakeArcGIS, request: Request, response: Response) -> Response:
    """Called with every answer: applies a truncating fault, then records the request in the journal."""
    rule = request.environ.get(FAULT_KEY)
    if fake._after_write is not None and request.method == "POST" and request.environ.get(OP_KEY):
        fake._after_write()
    fidelity = request.environ.get(FIDELITY_KEY, "full")
    if fidelity != "full":
        response.headers[FIDELITY_HEADER] = fidelity
    if isinstance(rule, FaultRule) and rule.applied:
        if rule.http_status is not None:
            response = _status_response(fake, request, rule)
        else:
            assert rule.error_code is not None
            response = fake._error(Fault(rule.error_code, rule.message_text), request)
    elif isinstance(rule, FaultRule) and rule.truncate and rule.http_status is None and rule.error_code is None:
        body = response.get_data()
        response.set_data(body[: len(body) // 2])
    if fake.requests.enabled and not request.path.startswith("/_fake"):
        values = request.environ.get(PARAMS_KEY)
        if values is None:
            values = dict(request.args.items())
        params = dict(values)
        for name in request.files if request.method == "POST" and request.environ.get(PARAMS_KEY) is not None else ():
            params[name] = f"<file {request.files[name].filename or 'data'}>"
        fake.requests.record(
            op=request.environ.get(OP_KEY),
            method=request.method,
            path=request.path,
            params=redact(params),
            status=response.status_code,
            error_code=_error_code(response),
            time_ms=fake.clock.now_ms(),
            fault=rule.id if isinstance(rule, FaultRule) else None,
            fidelity=fidelity,
        )
    return response


def _error_code(response: Response) -> int | None:
    if response.mimetype != "application/json" or response.is_streamed:
        return None
    body = response.get_data()
    if len(body) > 65536 or not (body.startswith(b'{"error"') or b'"status":"error"' in body[:64]):
        return None
    try:
        doc = json.loads(body)
    except ValueError:
        return None
    error = doc.get("error") if isinstance(doc, dict) else None
    code = error.get("code") if isinstance(error, dict) else doc.get("code") if isinstance(doc, dict) else None
    return code if isinstance(code, int) else None


# --- persistence for a long-running fake (the CLI's --data-dir) ----------------------------------------------


class Persistence:
    """Keeps `folder/state.json` up to date: written after POST requests (at most every `interval` seconds, and
    never more than a fifth of the time: a big state takes a while to write), at `close`, and restored at start
    when present."""

    def __init__(self, fake: FakeArcGIS, folder: str | os.PathLike[str], *, interval: float = 1.0) -> None:
        self.fake = fake
        self.path = Path(folder) / "state.json"
        self.interval = interval
        self._dirty = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="arcgis-fake-persistence", daemon=True)

    def load(self) -> bool:
        if not self.path.exists():
            return False
        restore(self.fake, self.path)
        return True

    def start(self) -> None:
        self._thread.start()

    def changed(self) -> None:
        self._dirty.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            if self._dirty.wait(self.interval):
                self._dirty.clear()
                started = time.perf_counter()
                snapshot(self.fake, self.path, copy_first=True)
                self._stop.wait(max(self.interval, 4 * (time.perf_counter() - started)))

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(10)
        snapshot(self.fake, self.path)


__all__ = ["Baseline", "Persistence", "checkpoint", "rewind", "expire_tokens", "finish", "inject", "restore", "snapshot", "state_roots"]
