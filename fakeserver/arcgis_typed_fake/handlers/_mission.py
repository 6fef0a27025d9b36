"""What every Mission Server handler shares: the log record each request leaves (DEBUG when it was handled,
WARNING with the error when it was refused), so `logs/query` sees the server's own activity."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from ..call import MissionCall
from ..errors import Fault
from ..state.mission import CODE_REQUEST, CODE_REQUEST_FAILED

R = TypeVar("R")
SUCCESS = "success"


def logged(fn: Callable[[MissionCall, Any], R]) -> Callable[[MissionCall, Any], R]:
    @functools.wraps(fn)
    def handler(call: MissionCall, params: Any) -> R:
        source = "Admin" if call.op.path.startswith("/admin") else "Rest"
        user = call.caller.username if call.caller is not None else ""
        try:
            result = fn(call, params)
        except Fault as fault:
            call.mission.log("WARNING", f"{call.op.name} failed: {fault.message}", source=source,
                             code=CODE_REQUEST_FAILED, user=user, method=call.op.name)
            raise
        call.mission.log("DEBUG", f"{call.request.method} {call.op.path} ({call.op.name}) handled.", source=source,
                         code=CODE_REQUEST, user=user, method=call.op.name)
        return result

    return handler
