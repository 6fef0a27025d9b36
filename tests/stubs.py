"""Small test doubles for the client runtime: a scripted Transport that records every request."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from arcgis_typed._runtime.transport import HttpRequest, HttpResponse

JSON_HEADERS = {"content-type": "application/json"}


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> HttpResponse:
    return HttpResponse(status, {**JSON_HEADERS, **(headers or {})}, json.dumps(body).encode())


class StubTransport:
    """Answers every request with `answer(request)` (or a fixed response) and counts the calls."""

    def __init__(self, answer: HttpResponse | Callable[[HttpRequest], HttpResponse]) -> None:
        self._answer = answer
        self.requests: list[HttpRequest] = []
        self.idempotent: list[bool] = []

    @property
    def calls(self) -> int:
        return len(self.requests)

    def send(self, request: HttpRequest, *, idempotent: bool) -> HttpResponse:
        self.requests.append(request)
        self.idempotent.append(idempotent)
        return self._answer(request) if callable(self._answer) else self._answer
