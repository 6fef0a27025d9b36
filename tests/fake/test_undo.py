"""Undo logs (undo.py): a fork goes back to its baseline exactly (insertion order included), whatever was changed,
at a cost that follows the changes and not the size of the state."""

from __future__ import annotations

import collections
import json
import random
from collections.abc import Callable
from typing import Any

import pytest
from arcgis_typed_fake import FakeArcGIS
from arcgis_typed_fake.seeding import Seeder
from arcgis_typed_fake.snapshot import SnapshotError
from arcgis_typed_fake.state.items import ItemRecord
from arcgis_typed_fake.state.search import ITEM_ALIASES, ITEM_DEFAULT_FIELDS, ITEM_FIELDS, SearchIndex
from arcgis_typed_fake.undo import (
    TrackedDict,
    TrackedList,
    TrackedRandom,
    TrackedSet,
    UndoLog,
    fork_class,
    tracked_class,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from test_snapshot import busy_fake, client

KEYS = st.sampled_from("abcdefgh")


def ordered_state(fake: FakeArcGIS) -> str:
    """The snapshot's state as JSON text in the state's own order (dicts as inserted; sets are sorted)."""
    return json.dumps(fake.snapshot()["state"])


def armed(tracked: type, *args: Any) -> tuple[Any, UndoLog]:
    log = UndoLog()
    obj = fork_class(tracked, log)(*args)
    log.armed = True
    return obj, log


# --- containers: every mutation is undone, order included ----------------------------------------------------

DICT_OPS = st.lists(st.one_of(
    st.tuples(st.just("set"), KEYS, st.integers()),
    st.tuples(st.just("del"), KEYS),
    st.tuples(st.just("pop"), KEYS),
    st.tuples(st.just("popitem")),
    st.tuples(st.just("setdefault"), KEYS, st.integers()),
    st.tuples(st.just("update"), st.dictionaries(KEYS, st.integers(), max_size=3)),
    st.tuples(st.just("ior"), st.dictionaries(KEYS, st.integers(), max_size=3)),
    st.tuples(st.just("clear")),
), max_size=12)


def _dict_op(d: dict[str, int], op: tuple[Any, ...]) -> Any:
    name, *args = op
    if name == "set":
        d[args[0]] = args[1]
    elif name == "del":
        if args[0] in d:
            del d[args[0]]
    elif name == "pop":
        return d.pop(args[0], None)
    elif name == "popitem":
        return d.popitem() if d else None
    elif name == "setdefault":
        return d.setdefault(args[0], args[1])
    elif name == "update":
        d.update(args[0])
    elif name == "ior":
        d |= args[0]
    else:
        d.clear()
    return None


@given(start=st.dictionaries(KEYS, st.integers(), max_size=6), ops=DICT_OPS)
def test_dict_changes_are_undone_in_order(start: dict[str, int], ops: list[tuple[Any, ...]]) -> None:
    d, log = armed(TrackedDict, start)
    plain = dict(start)
    for op in ops:
        assert _dict_op(d, op) == _dict_op(plain, op)  # behaves as a dict
        assert list(d.items()) == list(plain.items())
    log.rollback()
    assert list(d.items()) == list(start.items())  # the same content, in the same order
    assert len(log) == 0


LIST_OPS = st.lists(st.one_of(
    st.tuples(st.just("append"), st.integers()),
    st.tuples(st.just("extend"), st.lists(st.integers(), max_size=3)),
    st.tuples(st.just("iadd"), st.lists(st.integers(), max_size=3)),
    st.tuples(st.just("insert"), st.integers(-8, 8), st.integers()),
    st.tuples(st.just("pop"), st.integers(-8, 8)),
    st.tuples(st.just("remove"), st.integers(0, 5)),
    st.tuples(st.just("setitem"), st.integers(-8, 8), st.integers()),
    st.tuples(st.just("setslice"), st.integers(0, 4), st.integers(0, 4), st.lists(st.integers(), max_size=3)),
    st.tuples(st.just("delitem"), st.integers(-8, 8)),
    st.tuples(st.just("delslice"), st.integers(0, 4), st.integers(0, 4)),
    st.tuples(st.just("sort")), st.tuples(st.just("reverse")), st.tuples(st.just("clear")),
    st.tuples(st.just("imul"), st.integers(0, 2)),
), max_size=12)


def _list_op(lst: list[int], op: tuple[Any, ...]) -> Any:  # noqa: C901 (one branch per operation)
    name, *args = op
    n = len(lst)
    if name == "append":
        lst.append(args[0])
    elif name in ("extend", "iadd"):
        if name == "extend":
            lst.extend(args[0])
        else:
            lst += args[0]
    elif name == "insert":
        lst.insert(args[0], args[1])
    elif name == "pop":
        return lst.pop(args[0]) if -n <= args[0] < n else None
    elif name == "remove":
        if args[0] in lst:
            lst.remove(args[0])
    elif name == "setitem":
        if -n <= args[0] < n:
            lst[args[0]] = args[1]
    elif name == "setslice":
        lst[args[0]:args[1]] = args[2]
    elif name == "delitem":
        if -n <= args[0] < n:
            del lst[args[0]]
    elif name == "delslice":
        del lst[args[0]:args[1]]
    elif name == "sort":
        lst.sort()
    elif name == "reverse":
        lst.reverse()
    elif name == "clear":
        lst.clear()
    else:
        lst *= args[0]
    return None


@given(start=st.lists(st.integers(0, 5), max_size=6), ops=LIST_OPS)
def test_list_changes_are_undone(start: list[int], ops: list[tuple[Any, ...]]) -> None:
    lst, log = armed(TrackedList, start)
    plain = list(start)
    for op in ops:
        assert _list_op(lst, op) == _list_op(plain, op)
        assert list(lst) == plain
    log.rollback()
    assert list(lst) == start


SET_OPS = st.lists(st.tuples(
    st.sampled_from(["add", "discard", "remove", "pop", "clear", "update", "ior", "difference_update", "isub",
                     "intersection_update", "iand", "symmetric_difference_update", "ixor"]),
    st.sets(KEYS, max_size=4),
), max_size=12)


def _set_op(s: set[str], name: str, values: set[str]) -> Any:
    one = min(values) if values else "a"
    if name in ("add", "discard"):
        getattr(s, name)(one)
    elif name == "remove":
        if one in s:
            s.remove(one)
    elif name == "pop":
        return bool(s) and s.pop() is not None
    elif name == "clear":
        s.clear()
    elif name in ("ior", "isub", "iand", "ixor"):
        getattr(s, f"__{name}__")(values)
    else:
        getattr(s, name)(values)
    return None


@given(start=st.sets(KEYS, max_size=6), ops=SET_OPS)
def test_set_changes_are_undone(start: set[str], ops: list[tuple[str, set[str]]]) -> None:
    s, log = armed(TrackedSet, start)
    plain = set(start)
    for name, values in ops:
        if name == "pop":  # which element goes is arbitrary: take the same one from both
            if s:
                value = s.pop()
                plain.remove(value)
        else:
            _set_op(s, name, values)
            _set_op(plain, name, values)
        assert set(s) == plain
    log.rollback()
    assert set(s) == start


def test_nothing_is_logged_while_not_armed_and_the_log_counts_changes() -> None:
    d, log = armed(TrackedDict, {"a": 1})
    log.armed = False
    d["b"] = 2
    assert len(log) == 0
    log.armed = True
    d["c"] = 3
    d["a"] = 4
    del d["c"]  # the last key: putting it back keeps the order, no re-ordering logged
    assert log.rollback() == 3
    assert list(d.items()) == [("a", 1), ("b", 2)]


def test_a_random_stream_replays_the_same_numbers_after_a_rollback() -> None:
    stream, log = armed(TrackedRandom, 42)
    first = [stream.random(), stream.getrandbits(64), stream.randrange(1000), stream.choice("abcdef")]
    log.rollback()
    again = [stream.random(), stream.getrandbits(64), stream.randrange(1000), stream.choice("abcdef")]
    assert first == again
    expected = random.Random(42)
    assert again == [expected.random(), expected.getrandbits(64), expected.randrange(1000), expected.choice("abcdef")]


def test_attributes_of_state_objects_are_undone() -> None:
    log = UndoLog()
    cls = fork_class(tracked_class(ItemRecord), log)
    item = cls(id="i1", owner="alice", org_id="o", title="Before", type="CSV", created=1, modified=1)
    assert isinstance(item, ItemRecord)
    log.armed = True
    item.title = "After"
    item.access = "public"
    item.tags.append("lost")  # a list made after the baseline: dropped with the object that holds it
    log.rollback()
    assert (item.title, item.access) == ("Before", "private")


def test_the_search_index_puts_documents_back_as_they_were() -> None:
    log = UndoLog()
    index = fork_class(tracked_class(SearchIndex), log)(ITEM_FIELDS, default_fields=ITEM_DEFAULT_FIELDS,
                                                          aliases=ITEM_ALIASES)
    index.put("a", {"title": "Roads and parks", "tags": ["x"], "numviews": 3})
    index.put("b", {"title": "Rivers", "tags": ["y"], "numviews": 5})
    before = {q: sorted(index.query(q)) for q in ("roads", "rivers", "tags:x", "tags:z", "numviews:[4 TO 9]", "*")}
    log.armed = True
    index.put("a", {"title": "Lakes", "tags": ["z"], "numviews": 7})
    index.remove("b")
    index.put("c", {"title": "Roads", "tags": ["x"]})
    assert sorted(index.query("roads")) == ["c"]
    log.rollback()
    assert {q: sorted(index.query(q)) for q in before} == before
    index.warm()  # the sorted orders too
    log.armed = True
    index.put("a", {"title": "Lakes", "numviews": 9})
    log.rollback()
    assert index.page(index.query("*"), sort_fields=["numviews"], descending=True, start=1, num=10) == ["b", "a"]


# --- forks ---------------------------------------------------------------------------------------------------


def _busy_changes(fake: FakeArcGIS) -> None:
    """Changes of every kind through the REST API: creations, updates, sharing, and deletions of baseline
    entities (which must come back in their place)."""
    admin = client(fake)
    item = admin.content.add_item("admin", title="Made by the test", type="CSV", text="a,b")
    admin.content.update("admin", item.id, title="Renamed", tags=["t1", "t2"])
    logo = next(i for i in fake.portal.items.all_of(fake.portal.items.owned_by("alice", None)) if i.title == "Logo")
    admin.content.delete("alice", logo.id)  # an item of the baseline
    admin.users.create(username="newcomer", password="newcomer-pass-1", email="n@example.test",
                       firstname="New", lastname="Comer", role="org_user")
    admin.users.update("carol", description="Changed by the test")
    admin.users.disable("alice")
    admin.users.delete("dave")  # a user of the baseline, not the last one
    group = admin.groups.create(title="Made by the test", access="org", tags=["t"])
    admin.groups.update(group.group.id, title="Renamed group")
    roads = admin.groups.search(q="title:Roads").results[0]
    admin.groups.remove_users(roads.id, users=["bob"])
    admin.groups.delete(roads.id)


def test_reset_returns_exactly_to_the_baseline_in_its_order() -> None:
    base = busy_fake()
    expected = ordered_state(base)
    baseline = base.baseline()
    fork = baseline.fork()
    assert ordered_state(fork) == expected
    _busy_changes(fork)
    assert ordered_state(fork) != expected
    fork.reset()
    assert ordered_state(fork) == expected
    titles = [i.title for i in client(fork).content.search(q="*", num=100, sort_field="title").results]
    assert titles == [i.title for i in client(base).content.search(q="*", num=100, sort_field="title").results]
    _busy_changes(fork)  # and again, from the reset state
    fork.reset()
    assert ordered_state(fork) == expected


def test_released_forks_are_reused_and_start_from_the_baseline() -> None:
    base = busy_fake()
    expected = ordered_state(base)
    baseline = base.baseline()
    first = baseline.fork()
    portal = first.portal
    _busy_changes(first)
    baseline.release(first)
    with pytest.raises(AttributeError):
        first.portal  # noqa: B018 (a released fork has no state)
    with pytest.raises(ValueError, match="released"):
        baseline.release(first)
    second = baseline.fork()
    assert second.portal is portal  # the state of the released fork, rolled back: no copy made
    assert ordered_state(second) == expected
    assert client(second).users.me().username == "admin"


def test_a_restore_inside_a_fork_still_resets_to_the_baseline() -> None:
    base = busy_fake()
    expected = ordered_state(base)
    fork = base.baseline().fork()
    other = FakeArcGIS(admin_password="other-password-1")
    other.portal.add_user("stranger", "stranger-pass-1", role="org_user")
    fork.restore(other.snapshot())
    assert fork.portal.users.get("stranger") is not None
    fork.reset()
    assert ordered_state(fork) == expected
    _busy_changes(fork)  # still tracked after that fresh copy
    fork.reset()
    assert ordered_state(fork) == expected


def _undo_entries_for_one_item(entities: int) -> int:
    fake = FakeArcGIS(admin_password="size-pass-1", seed=1, password_iterations=1)
    Seeder(fake).seed({"items": [{"title": f"Item {i}", "type": "CSV", "owner": "admin", "tags": ["t"]}
                                 for i in range(entities)]})
    fork = fake.baseline().fork()
    client(fork, password="size-pass-1").content.add_item("admin", title="One more", type="CSV", tags=["t"])
    log, _ = fork._undo  # type: ignore[misc]
    return len(log)


def test_the_work_of_a_reset_does_not_grow_with_the_state() -> None:
    """The same change logs the same number of undo entries whatever the size of the baseline (the timing of
    resets against baseline size is measured in benchmarks/bench_fork.py)."""
    assert _undo_entries_for_one_item(10) == _undo_entries_for_one_item(1000)


@pytest.mark.parametrize("make", [collections.deque, bytearray, lambda: open(__file__, "rb")])
def test_state_a_fork_cannot_track_is_refused_by_name(make: Callable[[], Any]) -> None:
    fake = FakeArcGIS(admin_password="admin-pass-1")
    value = make()
    fake.mission.security.portal_properties["odd"] = value
    with pytest.raises(SnapshotError, match=type(value).__qualname__):
        fake.fork()
    if hasattr(value, "close"):
        value.close()
