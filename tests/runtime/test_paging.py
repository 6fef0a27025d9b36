"""Paging over start/num/nextStart: lazily, to the end (nextStart -1), never in a loop."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import parse_qs, urlsplit

import attrs
import pytest
from arcgis_typed import PortalClient
from arcgis_typed._runtime.errors import ResponseDecodeError
from arcgis_typed._runtime.paging import MAX_PAGE, iterate
from arcgis_typed._runtime.transport import HttpRequest, HttpResponse
from hypothesis import given
from hypothesis import strategies as st
from stubs import StubTransport, json_response


@attrs.frozen
class Page:
    results: list[int]
    next_start: int


class Server:
    """`total` results 0..total-1 served in ArcGIS style: 1-based start, nextStart -1 after the last page."""

    def __init__(self, total: int, *, last: int = -1) -> None:
        self.total = total
        self.last = last
        self.calls: list[tuple[int, int]] = []

    def fetch(self, start: int, num: int) -> Page:
        self.calls.append((start, num))
        results = list(range(start - 1, min(start - 1 + num, self.total)))
        following = start + num if start - 1 + num < self.total else self.last
        return Page(results, following)


@given(total=st.integers(min_value=0, max_value=450), page_size=st.integers(min_value=1, max_value=MAX_PAGE))
def test_iterates_every_result_once(total: int, page_size: int) -> None:
    server = Server(total)
    assert list(iterate(server.fetch, lambda p: p.results, page_size=page_size)) == list(range(total))
    assert len(server.calls) == max(1, math.ceil(total / page_size))
    assert server.calls[0] == (1, page_size)
    assert all(num == page_size for _, num in server.calls)


def test_stops_at_next_start_minus_one() -> None:
    server = Server(250)
    items = list(iterate(server.fetch, lambda p: p.results))
    assert len(items) == 250
    assert server.calls == [(1, 100), (101, 100), (201, 100)]


def test_stops_at_next_start_zero() -> None:
    # Portal answers an empty search with start 0 / nextStart 0 (see the NoResultsSearchResponse fixture)
    server = Server(0, last=0)
    assert list(iterate(server.fetch, lambda p: p.results)) == []
    assert server.calls == [(1, 100)]


def test_custom_start() -> None:
    server = Server(30)
    assert list(iterate(server.fetch, lambda p: p.results, page_size=10, start=21)) == list(range(20, 30))
    assert server.calls == [(21, 10)]


def test_is_lazy() -> None:
    server = Server(1000)
    iterator = iterate(server.fetch, lambda p: p.results, page_size=10)
    assert server.calls == []
    assert next(iterator) == 0
    assert server.calls == [(1, 10)]
    for _ in range(10):
        next(iterator)
    assert len(server.calls) == 2


@pytest.mark.parametrize("bad_next", [1, 2, 3])
def test_raises_when_next_start_does_not_advance(bad_next: int) -> None:
    calls = []

    def fetch(start: int, num: int) -> Page:
        calls.append(start)
        if start == 1:
            return Page([1, 2], 3)  # fine: 1 -> 3
        return Page([3, 4], bad_next)  # 3 -> 1, 2 or 3: backwards or standing still

    got: list[int] = []
    with pytest.raises(ResponseDecodeError, match="did not advance"):
        got.extend(iterate(fetch, lambda p: p.results, page_size=2))
    assert got == [1, 2, 3, 4]  # the pages read before the bad one were yielded
    assert calls == [1, 3]  # and it never fetched again


def test_a_server_repeating_the_same_page_cannot_make_it_loop() -> None:
    calls = []

    def fetch(start: int, num: int) -> Page:
        calls.append(start)
        return Page([0], 1)  # nextStart always 1

    with pytest.raises(ResponseDecodeError):
        list(iterate(fetch, lambda p: p.results))
    assert calls == [1]


@pytest.mark.parametrize("page_size", [0, -1, MAX_PAGE + 1, 1000])
def test_page_size_bounds(page_size: int) -> None:
    server = Server(10)
    with pytest.raises(ValueError, match="page_size"):
        list(iterate(server.fetch, lambda p: p.results, page_size=page_size))
    assert server.calls == []


@pytest.mark.parametrize("page_size", [1, MAX_PAGE])
def test_page_size_limits_are_allowed(page_size: int) -> None:
    server = Server(3)
    assert list(iterate(server.fetch, lambda p: p.results, page_size=page_size)) == [0, 1, 2]


# --- through the generated client ---------------------------------------------------------------------------


def _search_server(total: int) -> StubTransport:
    def answer(request: HttpRequest) -> HttpResponse:
        query = parse_qs(urlsplit(request.url).query)
        start, num = int(query["start"][0]), int(query["num"][0])
        ids = [f"item{i}" for i in range(start, min(start + num, total + 1))]
        following = start + num if start + num <= total else -1
        return json_response(
            {"query": query["q"][0], "total": total, "start": start, "num": len(ids), "nextStart": following,
             "results": [{"id": i, "owner": "ann"} for i in ids]}
        )

    return StubTransport(answer)


def test_search_all_through_the_client() -> None:
    transport = _search_server(25)
    client = PortalClient("https://portal.example/portal", transport=transport)
    items = list(client.content.search_all(q="owner:ann", page_size=10))
    assert [i.id for i in items] == [f"item{i}" for i in range(1, 26)]
    assert transport.calls == 3
    starts = [parse_qs(urlsplit(r.url).query)["start"] for r in transport.requests]
    assert starts == [["1"], ["11"], ["21"]]
    assert all(r.method == "GET" for r in transport.requests)


def test_search_all_page_size_is_checked_before_any_request() -> None:
    transport = _search_server(5)
    client = PortalClient("https://portal.example/portal", transport=transport)
    with pytest.raises(ValueError):
        list(client.content.search_all(q="x", page_size=101))
    assert transport.calls == 0


def _bad_pages(request: HttpRequest) -> Any:
    return json_response({"total": 5, "start": 1, "num": 1, "nextStart": 1, "results": [{"id": "a"}]})


def test_search_all_with_a_server_that_does_not_advance() -> None:
    transport = StubTransport(_bad_pages)
    client = PortalClient("https://portal.example/portal", transport=transport)
    with pytest.raises(ResponseDecodeError):
        list(client.content.search_all(q="x"))
    assert transport.calls == 1
