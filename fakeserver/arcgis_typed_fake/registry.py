"""The handler registry: `@handles("portal:content.search")` binds a function to an operation of the
generated operations table. Codegen reads these decorators (without importing) for the coverage report."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

HANDLERS: dict[str, Callable[..., Any]] = {}


def handles(*keys: str) -> Callable[[F], F]:
    def register(fn: F) -> F:
        for key in keys:
            if key in HANDLERS and HANDLERS[key] is not fn:
                raise RuntimeError(f"two handlers for {key}")
            HANDLERS[key] = fn
        return fn

    return register
