"""Paging over ArcGIS `start`/`num`/`nextStart` results (start is 1-based; nextStart is -1 at the end)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from .errors import ResponseDecodeError

P = TypeVar("P")
T = TypeVar("T")

MAX_PAGE = 100


def iterate(
    fetch: Callable[[int, int], P],
    items: Callable[[P], Sequence[T]],
    *,
    page_size: int = MAX_PAGE,
    start: int = 1,
) -> Iterator[T]:
    """Yield every element of every page, fetching pages lazily; stops when nextStart is -1 (or 0)."""
    if not 1 <= page_size <= MAX_PAGE:
        raise ValueError(f"page_size must be between 1 and {MAX_PAGE}")
    while start > 0:
        page = fetch(start, page_size)
        yield from items(page)
        following = int(_next_start(page))
        if 0 < following <= start:
            raise ResponseDecodeError(f"paging did not advance (start {start}, nextStart {following})")
        start = following


def _next_start(page: Any) -> int:
    return int(page.next_start)
