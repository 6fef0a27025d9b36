"""Time and ids for the fake: real by default, deterministic when asked."""

from __future__ import annotations

import base64
import datetime
import random
import secrets
import struct
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

    @classmethod
    def at(cls, instant: str | datetime.datetime) -> ManualClock:
        """A clock stopped at `instant`: an aware datetime or an ISO 8601 text ("2024-01-31T12:00:00Z")."""
        when = instant if isinstance(instant, datetime.datetime) else datetime.datetime.fromisoformat(instant)
        if when.tzinfo is None:
            raise ValueError("give the instant with its time zone (e.g. 2024-01-31T12:00:00Z)")
        return cls(int(when.timestamp() * 1000))

    def now_ms(self) -> int:
        return self._now

    def set(self, now_ms: int) -> None:
        """Jump to an instant (epoch ms); time may go backwards only when told so explicitly, like here."""
        with self._lock:
            self._now = now_ms

    def advance(self, *, seconds: float = 0, minutes: float = 0, hours: float = 0, days: float = 0) -> int:
        with self._lock:
            self._now += int((seconds + 60 * minutes + 3600 * hours + 86400 * days) * 1000)
            return self._now


class Ids:
    """32-hex-digit ids like ArcGIS's. With a seed the sequence is reproducible."""

    def __init__(self, seed: int | None = None) -> None:
        self._random = random.Random(seed) if seed is not None else None
        self._secrets = random.Random(seed ^ 0x5EC7E7) if seed is not None else None  # tokens: a stream of their own
        self._lock = threading.Lock()

    def __snapshot_encode__(self) -> object:
        """Where the seeded streams are (a restored fake continues the same sequence), or None when unseeded."""
        if self._random is None or self._secrets is None:
            return None
        return [_pack(self._random), _pack(self._secrets)]

    @classmethod
    def __snapshot_decode__(cls, data: object) -> Ids:
        ids = cls(None)
        if isinstance(data, list) and len(data) == 2:
            ids._random, ids._secrets = _unpack(data[0]), _unpack(data[1])
        return ids

    def secret(self) -> str:
        """A token (64 URL-safe characters from 48 random bytes); reproducible with a seed, else from `secrets`."""
        if self._secrets is None:
            return secrets.token_urlsafe(48)
        with self._lock:
            return base64.urlsafe_b64encode(self._secrets.randbytes(48)).decode("ascii")

    def new(self) -> str:
        if self._random is None:
            return uuid.uuid4().hex
        with self._lock:
            return f"{self._random.getrandbits(128):032x}"



def _pack(generator: random.Random) -> str:
    """A Mersenne Twister's state as one base64 string (625 32-bit words)."""
    version, words, gauss = generator.getstate()
    if version != 3 or gauss is not None:
        raise ValueError("unexpected random state")
    return base64.b64encode(struct.pack(f"<{len(words)}I", *words)).decode("ascii")


def _unpack(text: object) -> random.Random:
    raw = base64.b64decode(str(text))
    generator = random.Random()
    generator.setstate((3, struct.unpack(f"<{len(raw) // 4}I", raw), None))
    return generator
