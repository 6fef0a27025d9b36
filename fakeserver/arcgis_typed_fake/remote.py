"""`RemoteFake`: the control plane of a fake served elsewhere (another process, a container), from Python, typed.

    from arcgis_typed_fake.remote import RemoteFake
    fake = RemoteFake("https://127.0.0.1:8443/portal", control_token="...", cafile="ca.pem")
    fake.seed("org.yaml", progress=print)
    fake.snapshot("state.json")
    fake.add_fault(op="content.get", httpStatus=503, times=2)
    fake.requests(op="content.get")[-1].status
    fake.restore("state.json")

The same operations as `FakeArcGIS` in-process and `arcgis-fake` on a shell (which uses this class).
"""

from __future__ import annotations

import json
import os
import ssl
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from . import seeding
from .control import HEADER
from .journal import RequestRecord
from .snapshot import check_document, dumps, read_document, write_atomic


class ControlError(RuntimeError):
    """The fake answered a control call with an error envelope."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{message} (code {code})")
        self.code = code


class RemoteFake:
    def __init__(self, url: str, control_token: str, *, cafile: str | None = None, timeout: float = 600) -> None:
        self.base = "/".join(url.rstrip("/").split("/", 3)[:3])  # scheme://host:port
        self.control_token = control_token
        self.context = ssl.create_default_context(cafile=cafile) if cafile else None
        self.timeout = timeout

    def call(self, action: str, method: str = "GET", body: Any = None) -> dict[str, Any]:
        """One control call; the decoded answer, or ControlError."""
        data = b"" if body is None else body if isinstance(body, bytes) else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.base}/_fake/{action}", method=method,
                                         headers={HEADER: self.control_token}, data=data)
        with urllib.request.urlopen(request, timeout=self.timeout, context=self.context) as response:
            answer: dict[str, Any] = json.loads(response.read())
        error = answer.get("error")
        if isinstance(error, dict):
            raise ControlError(int(error.get("code", 0)), str(error.get("message", "")))
        return answer

    def status(self) -> dict[str, Any]:
        return self.call("status")

    def reset(self) -> None:
        self.call("reset", "POST")

    def checkpoint(self) -> None:
        """Later resets come back to the state as it is now."""
        self.call("checkpoint", "POST")

    def snapshot(self, path: str | os.PathLike[str] | None = None) -> dict[str, Any]:
        """The snapshot document; also written atomically to `path` on this machine when given."""
        doc: dict[str, Any] = self.call("snapshot")["snapshot"]
        if path is not None:
            write_atomic(path, dumps(doc))
        return doc

    def restore(self, source: str | os.PathLike[str] | dict[str, Any]) -> None:
        doc = source if isinstance(source, dict) else read_document(source)
        check_document(doc, "the snapshot" if isinstance(source, dict) else str(source))  # refuse before sending
        self.call("restore", "POST", doc)

    def seed(self, path: str | os.PathLike[str], *, progress: Callable[[int, int], None] | None = None,
             chunk: int = 500) -> dict[str, int]:
        """Seed from a YAML file (its `file:` entries are read here and sent inline), `chunk` entries a request,
        calling `progress(done, total)` after each."""
        doc, folder = seeding.load(path)
        doc = seeding.inline_files(doc, folder)
        total = seeding.count({k: v for k, v in doc.items() if k != "version"})
        done, counts = 0, dict[str, int]()
        for piece, size in seeding.chunks(doc, chunk):
            for kind, n in self.call("seed", "POST", piece)["seeded"].items():
                counts[kind] = counts.get(kind, 0) + n
            done += size
            if progress is not None:
                progress(done, total)
        return counts

    def add_fault(self, **rule: Any) -> dict[str, Any]:
        """Add a fault rule (wire names: op, errorCode, httpStatus, latencyMs, probability, times, after, when,
        expireTokens, truncate, applied, retryAfter, message); returns it with its id."""
        answer: dict[str, Any] = self.call("faults", "POST", rule)["rule"]
        return answer

    def faults(self) -> list[dict[str, Any]]:
        rules: list[dict[str, Any]] = self.call("faults")["rules"]
        return rules

    def remove_fault(self, rule_id: str) -> None:
        self.call(f"faults/{rule_id}", "DELETE")

    def clear_faults(self) -> None:
        self.call("faults", "DELETE")

    def seed_faults(self, seed: int) -> None:
        self.call("faults/seed", "POST", {"seed": seed})

    def requests(self, op: str = "*", limit: int = 1000) -> list[RequestRecord]:
        """The journal (oldest first), as typed records."""
        answer = self.call(f"requests?{urlencode({'op': op, 'limit': limit})}")
        return [RequestRecord(seq=r["seq"], op=r["op"], method=r["method"], path=r["path"], params=r["params"],
                              status=r["status"], error_code=r["errorCode"], time_ms=r["timeMs"], fault=r["fault"])
                for r in answer["requests"]]

    def clear_requests(self) -> None:
        self.call("requests", "DELETE")

    def expire_tokens(self) -> None:
        self.call("tokens/expire", "POST")

    def now_ms(self) -> int:
        return int(self.call("clock")["nowMs"])

    def advance(self, ms: int) -> int:
        return int(self.call("clock", "POST", {"advanceMs": ms})["nowMs"])


__all__ = ["ControlError", "RemoteFake"]
