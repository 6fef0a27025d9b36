"""The ArcGIS paging contract shared by every paged handler: 1-based start, num, nextStart -1 at the end."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict, TypeVar

import attrs

T = TypeVar("T")

DEFAULT_NUM = 10


class PageCounts(TypedDict):
    """The counts every paged answer carries (`**window.counts` into its model)."""

    total: int
    start: int
    num: int
    next_start: int


@attrs.frozen
class Window:
    start: int
    num: int
    total: int

    @property
    def next_start(self) -> int:
        following = self.start + self.num
        return following if self.num > 0 and following <= self.total else -1

    @property
    def counts(self) -> PageCounts:
        return PageCounts(total=self.total, start=self.start, num=self.num, next_start=self.next_start)

    def of(self, values: Sequence[T]) -> Sequence[T]:
        """The page of `values` this window shows."""
        return values[self.start - 1 : self.start - 1 + self.num]


def window(start: int | None, num: int | None, total: int, default_num: int = DEFAULT_NUM) -> Window:
    return Window(start=start or 1, num=default_num if num is None else num, total=total)
