"""Conformance mode: the same scenario runs against the fake or a live portal; responses are normalised (ids,
timestamps, tokens, URLs) and their shapes compared, with a readable report of where the fake deviates.

With the pytest plugin (`arcgis_target` fixture):

    pytest --arcgis-target live   # ARCGIS_LIVE_URL, ARCGIS_LIVE_USERNAME, ARCGIS_LIVE_PASSWORD [, ARCGIS_LIVE_CA]
                                  # records the normalised responses in .arcgis-conformance/ (--arcgis-record DIR)
    pytest --arcgis-target fake   # (the default) runs on a fork of the fake; when a recording exists for a test,
                                  # compares shapes and lists deviations in the summary and DIR/report.md
                                  # (--arcgis-strict makes a deviation fail the test)

The live target is skipped, with the reason, when the environment names no portal. The recordings are JSON,
one file per test, readable and diffable; a team records once against its portal and checks the fake in CI.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import attrs
from arcgis_typed._runtime.transport import HttpRequest, HttpResponse, Transport

_HEX_ID = re.compile(r"\b[0-9a-f]{32}\b")
_TIME_FIELDS = re.compile(r"(?i)(created|modified|expires|lastlogin|date|time|started|received)$")
_TOKEN_FIELDS = frozenset({"token", "access_token", "refresh_token", "oauth_state", "code"})
_ID_FIELDS = re.compile(r"(?i)^(id|orgid|accountid|itemid|groupid|roleid|ownerid|folderid|siteid)$")
_URL = re.compile(r"^https?://[^/]+")


def normalise(value: Any, key: str = "") -> Any:
    """A response body with what differs between runs and servers replaced by placeholders."""
    if isinstance(value, dict):
        return {k: normalise(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v, key) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if key.lower() in _TOKEN_FIELDS and isinstance(value, str):
        return "<token>"
    if _ID_FIELDS.match(key) and isinstance(value, str) and value:
        return "<id>"  # real portals' ids differ in form (org ids are 16 characters), not only in value
    if isinstance(value, (int, float)) and _TIME_FIELDS.search(key) and value > 10**11:
        return "<timestamp>"
    if isinstance(value, str):
        text = _URL.sub("https://<host>", value)
        return _HEX_ID.sub("<id>", text)
    return value


def shape(value: Any) -> Any:
    """The type structure of a JSON value: objects by key, arrays by the union of their elements' shapes."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        merged: Any = None
        for element in value:
            merged = _merge(merged, shape(element))
        return [merged] if merged is not None else []
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if value is None:
        return "null"
    return "string"


def _merge(a: Any, b: Any) -> Any:
    if a is None:
        return b
    if isinstance(a, dict) and isinstance(b, dict):
        return {k: _merge(a.get(k), b.get(k)) for k in sorted(set(a) | set(b))}
    if isinstance(a, list) and isinstance(b, list):
        return [_merge(a[0] if a else None, b[0] if b else None)] if a or b else []
    return a if a == b else f"{a}|{b}" if isinstance(a, str) and isinstance(b, str) else a


def diff(expected: Any, actual: Any, path: str = "$") -> list[str]:
    """Where `actual` (the fake's shape) deviates from `expected` (the live portal's), one line each."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        lines = [f"{path}.{k}: missing in the fake (live has {_describe(expected[k])})"
                 for k in expected if k not in actual]
        lines += [f"{path}.{k}: only in the fake ({_describe(actual[k])})" for k in actual if k not in expected]
        for k in expected:
            if k in actual:
                lines += diff(expected[k], actual[k], f"{path}.{k}")
        return lines
    if isinstance(expected, list) and isinstance(actual, list):
        if expected and actual and expected[0] is not None and actual[0] is not None:
            return diff(expected[0], actual[0], f"{path}[]")
        return []
    if expected == actual or "null" in (expected, actual) or _compatible(expected, actual):
        return []
    return [f"{path}: live has {_describe(expected)}, the fake has {_describe(actual)}"]


def _compatible(expected: Any, actual: Any) -> bool:
    return isinstance(expected, str) and isinstance(actual, str) and (
        actual in expected.split("|") or expected in actual.split("|"))


def _describe(s: Any) -> str:
    if isinstance(s, dict):
        return "an object"
    if isinstance(s, list):
        return "an array"
    return f"a {s}"


def request_key(request: HttpRequest) -> str:
    """`GET /sharing/rest/content/items/<id>`: the method and the path below the portal, ids normalised."""
    path = urlsplit(request.url).path
    below = path[path.find("/sharing/"):] if "/sharing/" in path else path
    return f"{request.method} {_HEX_ID.sub('<id>', below)}"


@attrs.define
class Exchange:
    request: str
    body: Any  # normalised

    def to_json(self) -> dict[str, Any]:
        return {"request": self.request, "shape": shape(self.body), "sample": self.body}


class RecordingTransport:
    """Wraps a transport; keeps each JSON answer, normalised, in order (sign-in requests are skipped)."""

    def __init__(self, inner: Transport) -> None:
        self.inner = inner
        self.exchanges: list[Exchange] = []

    def send(self, request: HttpRequest, *, idempotent: bool) -> HttpResponse:
        response = self.inner.send(request, idempotent=idempotent)
        key = request_key(request)
        if "generateToken" not in key and "oauth2" not in key:
            try:
                body = json.loads(response.body)
            except ValueError:
                body = None
            if body is not None:
                self.exchanges.append(Exchange(key, normalise(body)))
        return response


def recording_path(folder: Path, test_id: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", test_id).strip("_")
    return folder / f"{safe}.json"


def save(folder: Path, test_id: str, exchanges: list[Exchange]) -> Path:
    from .snapshot import write_atomic

    doc = {"test": test_id, "exchanges": [e.to_json() for e in exchanges]}
    return write_atomic(recording_path(folder, test_id), json.dumps(doc, indent=1, sort_keys=True) + "\n")


def compare(recorded: Mapping[str, Any], exchanges: list[Exchange]) -> list[str]:
    """Deviations of the fake's exchanges from a recording of the live portal, as report lines."""
    lines: list[str] = []
    live = list(recorded.get("exchanges") or [])
    if len(live) != len(exchanges):
        lines.append(f"the live run made {len(live)} request(s), the fake run {len(exchanges)}")
    for i, (theirs, ours) in enumerate(zip(live, exchanges, strict=False)):
        if theirs["request"] != ours.request:
            lines.append(f"#{i + 1}: live called {theirs['request']}, the fake run {ours.request}")
            continue
        lines += [f"#{i + 1} {ours.request}: {line}" for line in diff(theirs["shape"], shape(ours.body))]
    return lines


def write_report(folder: Path, text: str) -> Path:
    from .snapshot import write_atomic

    return write_atomic(folder / "report.md", text)


def report(deviations: Mapping[str, list[str]]) -> str:
    """A readable Markdown report: per test, where the fake deviates from the live portal."""
    if not deviations:
        return "# Conformance report\n\nNo deviation: every recorded response shape matched.\n"
    out = ["# Conformance report", "", "Where the fake's responses deviate from the recorded live portal's.", ""]
    for test_id, lines in sorted(deviations.items()):
        out.append(f"## {test_id}")
        out += [f"- {line}" for line in lines] or ["- (matches)"]
        out.append("")
    return "\n".join(out)


__all__ = ["Exchange", "RecordingTransport", "compare", "diff", "normalise", "recording_path", "report", "save", "shape",
           "write_report"]
