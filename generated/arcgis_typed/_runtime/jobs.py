"""Waiting for ArcGIS jobs: poll a status operation until the job completes, fails or time runs out.

Long operations (publishing, exporting, creating services, rebuilding indexes) answer at once with a job id;
a status operation then reports `status` as the job goes on. ArcGIS spells the states in two vocabularies,
the portal's (`processing`, `partial`, `completed`, `failed`) and the geoprocessing one (`esriJobSubmitted`,
`esriJobExecuting`, `esriJobSucceeded`, `esriJobFailed`, `esriJobCancelled`, `esriJobTimedOut`); both are
understood here. This module knows no endpoint: the caller passes the function that polls.

Time is injectable (`sleep`, `clock`), so a test can drive a fake's manual clock instead of waiting.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from .errors import ArcGISClientError

S = TypeVar("S")

COMPLETED = frozenset({"completed", "esrijobsucceeded", "succeeded", "success"})
FAILED = frozenset({"failed", "esrijobfailed", "error"})
CANCELLED = frozenset({"cancelled", "canceled", "esrijobcancelled", "stopped", "terminated"})
TIMED_OUT = frozenset({"esrijobtimedout", "timedout"})


class JobError(ArcGISClientError):
    """A job did not complete: it failed, was cancelled, or did not finish in time. `status` is the last
    status the server reported (None when it never answered)."""

    def __init__(self, message: str, status: Any = None) -> None:
        super().__init__(message)
        self.status = status


class JobFailed(JobError):
    """The server reports the job failed (or was cancelled, or timed out on the server)."""


class JobTimeout(JobError):
    """The job was still running when the client's time limit ran out."""


def state_of(status: Any) -> str:
    """The job state a status answer reports, lower-cased (`status` attribute or key; `jobStatus` as well)."""
    for name in ("status", "job_status", "jobStatus"):
        value = status.get(name) if isinstance(status, dict) else getattr(status, name, None)
        if isinstance(value, str) and value:
            return value.lower()
    raise JobError(f"the status answer reports no job state: {status!r}", status)


def message_of(status: Any) -> str:
    for name in ("status_message", "statusMessage", "message"):
        value = status.get(name) if isinstance(status, dict) else getattr(status, name, None)
        if isinstance(value, str) and value:
            return value
    return ""


def wait(
    poll: Callable[[], S],
    *,
    timeout: float = 300.0,
    interval: float = 1.0,
    max_interval: float = 10.0,
    sleep: Callable[[float], object] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    what: str = "job",
) -> S:
    """Call `poll` until the status it answers is completed; return that last status.

    Waits `interval` seconds between polls, growing by half each time up to `max_interval`. Raises
    `JobFailed` when the job fails or is cancelled, `JobTimeout` after `timeout` seconds (by `clock`).
    """
    if timeout < 0 or interval <= 0 or max_interval < interval:
        raise ValueError("need timeout >= 0 and 0 < interval <= max_interval")
    deadline = clock() + timeout
    delay = interval
    while True:
        status = poll()
        state = state_of(status)
        if state in COMPLETED:
            return status
        if state in FAILED | CANCELLED | TIMED_OUT:
            detail = message_of(status)
            raise JobFailed(f"{what} {state}" + (f": {detail}" if detail else ""), status)
        remaining = deadline - clock()
        if remaining <= 0:
            raise JobTimeout(f"{what} still {state} after {timeout} s", status)
        sleep(min(delay, remaining))
        delay = min(delay * 1.5, max_interval)


__all__ = ["JobError", "JobFailed", "JobTimeout", "message_of", "state_of", "wait"]
