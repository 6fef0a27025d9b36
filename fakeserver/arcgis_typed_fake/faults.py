"""Fault injection (`fake.faults`): rules that make chosen operations fail, slow down or misbehave.

    fake.faults.seed(42)                                          # reproducible probabilities
    fake.faults.add("content.get", http_status=503, times=2)      # two 503s, then normal answers
    fake.faults.add("content.add_item", error_code=500, probability=0.3)
    fake.faults.add("content.search", error_code=500, after=2)    # pages 1 and 2 answer, page 3 fails
    fake.faults.add("portal:*", expire_tokens=True, times=1)      # every token expires now (next call: 498)
    fake.faults.add("content.get", truncate=True)                 # half a JSON body
    fake.faults.add("users.get", latency_ms=250)
    fake.faults.add("content.update", http_status=504, applied=True)  # the edit happens, the answer is lost

A rule matches an operation name (as in the request journal: `content.get`, `portal:content.*`, `*`) and,
with `when`, the request's parameters. Of the matching calls it lets `after` through, then fires with
`probability` (drawn from the fault generator, seeded by `seed()`) at most `times` times (None: forever).
When it fires, in this order: it sleeps `latency_ms` (real time; a ManualClock does not move), expires every token, then answers with `http_status` (a non-200 status with the
error envelope as body and `Retry-After` if given), or with the ArcGIS error envelope of `error_code` (HTTP 200,
as ArcGIS answers), or lets the request through and cuts the response body in half (`truncate`). With
`applied`, the request is carried out first and only its answer replaced by the error (a gateway timeout after
the write: the half-applied edit a client must not blindly repeat). The first rule that fires wins; the journal
names it.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping
from typing import Any

import attrs

from .journal import op_matches


@attrs.define(eq=False)
class FaultRule:
    op: str
    error_code: int | None = None
    message: str | None = None
    http_status: int | None = None
    retry_after: int | None = None
    latency_ms: int = 0
    probability: float = 1.0
    times: int | None = None
    after: int = 0
    when: Mapping[str, str] = attrs.Factory(dict)
    expire_tokens: bool = False
    truncate: bool = False
    applied: bool = False
    id: str = ""
    seen: int = 0  # matching calls so far
    fired: int = 0  # times it fired

    def __attrs_post_init__(self) -> None:
        if not 0.0 <= self.probability <= 1.0:
            raise ValueError("probability must be between 0 and 1")
        if self.http_status is not None and not 100 <= self.http_status <= 599:
            raise ValueError("http_status must be an HTTP status code")
        if self.times is not None and self.times < 0 or self.after < 0 or self.latency_ms < 0:
            raise ValueError("times, after and latency_ms must not be negative")
        if not (self.error_code or self.http_status or self.latency_ms or self.expire_tokens or self.truncate):
            raise ValueError("a fault rule needs an effect: error_code, http_status, latency_ms, expire_tokens or truncate")
        if self.applied and not (self.error_code or self.http_status):
            raise ValueError("applied needs the error to answer with: error_code or http_status")

    @property
    def message_text(self) -> str:
        return self.message or f"Injected fault ({self.id}): the fake was told to fail this request."

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "op": self.op, "errorCode": self.error_code, "message": self.message,
            "httpStatus": self.http_status, "retryAfter": self.retry_after, "latencyMs": self.latency_ms,
            "probability": self.probability, "times": self.times, "after": self.after, "when": dict(self.when),
            "expireTokens": self.expire_tokens, "truncate": self.truncate, "applied": self.applied,
            "seen": self.seen, "fired": self.fired,
        }


RULE_FIELDS = {  # wire name (control plane) -> FaultRule argument
    "op": "op", "errorCode": "error_code", "message": "message", "httpStatus": "http_status",
    "retryAfter": "retry_after", "latencyMs": "latency_ms", "probability": "probability", "times": "times",
    "after": "after", "when": "when", "expireTokens": "expire_tokens", "truncate": "truncate", "applied": "applied",
}


class Faults:
    def __init__(self, seed: int | None = None) -> None:
        self._rules: list[FaultRule] = []
        self._random = random.Random(seed)
        self._next = 0
        self._lock = threading.Lock()

    def seed(self, seed: int) -> None:
        """Restart the generator that decides probabilistic rules (same seed, same calls: same faults)."""
        with self._lock:
            self._random = random.Random(seed)

    def add(self, op: str = "*", **options: Any) -> FaultRule:
        """Add a rule (see the module's documentation for the options); returns it (its `id` removes it)."""
        with self._lock:
            self._next += 1
            rule = FaultRule(op, id=f"fault-{self._next}", **options)
            self._rules.append(rule)
            return rule

    def add_json(self, body: Mapping[str, Any]) -> FaultRule:
        unknown = set(body) - set(RULE_FIELDS)
        if unknown:
            raise ValueError(f"unknown fault rule field(s): {', '.join(sorted(unknown))} (known: {', '.join(RULE_FIELDS)})")
        options = {RULE_FIELDS[k]: v for k, v in body.items() if k != "op"}
        when = options.get("when")
        if when is not None and not isinstance(when, dict):
            raise ValueError("'when' must be an object of parameter names to values")
        return self.add(str(body.get("op", "*")), **options)

    def remove(self, rule_id: str) -> bool:
        with self._lock:
            before = len(self._rules)
            self._rules = [r for r in self._rules if r.id != rule_id]
            return len(self._rules) != before

    def clear(self) -> None:
        with self._lock:
            self._rules = []

    def __iter__(self) -> Any:
        return iter(list(self._rules))

    def __len__(self) -> int:
        return len(self._rules)

    def __bool__(self) -> bool:
        return bool(self._rules)

    def fire(self, op: str, params: Mapping[str, str]) -> FaultRule | None:
        """The rule that fires for this call, if any (counting the call for every rule it matches)."""
        with self._lock:
            for rule in self._rules:
                if not op_matches(rule.op, op):
                    continue
                if any(params.get(k) != str(v) for k, v in rule.when.items()):
                    continue
                rule.seen += 1
                if rule.seen <= rule.after or (rule.times is not None and rule.fired >= rule.times):
                    continue
                if rule.probability < 1.0 and self._random.random() >= rule.probability:
                    continue
                rule.fired += 1
                return rule
        return None


__all__ = ["FaultRule", "Faults"]
