"""Time and ids for the fake: real by default, deterministic when asked."""

from __future__ import annotations

import random
import threading
import time
import uuid


class Clock:
    """Wall-clock time in epoch milliseconds."""

    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000


class ManualClock(Clock):
    """A clock that starts at `start_ms` and only moves when told (`advance`)."""

    def __init__(self, start_ms: int = 1_700_000_000_000) -> None:
        self._now = start_ms
        self._lock = threading.Lock()

    def now_ms(self) -> int:
        return self._now

    def advance(self, *, seconds: float = 0, minutes: float = 0, hours: float = 0, days: float = 0) -> int:
        with self._lock:
            self._now += int((seconds + 60 * minutes + 3600 * hours + 86400 * days) * 1000)
            return self._now


class Ids:
    """32-hex-digit ids like ArcGIS's. With a seed the sequence is reproducible."""

    def __init__(self, seed: int | None = None) -> None:
        self._random = random.Random(seed) if seed is not None else None
        self._lock = threading.Lock()

    def new(self) -> str:
        if self._random is None:
            return uuid.uuid4().hex
        with self._lock:
            return f"{self._random.getrandbits(128):032x}"
