"""Undo logs: a fork of a baseline goes back to it in time proportional to what the test changed, not to the size
of the state.

A fork's state is a copy of the baseline's in which every mutable object records how to undo each change made to
it, in one `UndoLog` per fork; `reset()` plays the log backwards. To get there without touching the state
classes, a copy of the baseline is converted once into a *tracked* form (`TrackedBlob.of`, one Python pass over
the objects, then pickled):

* every `dict`, `list` and `set` of the state becomes a `TrackedDict`, `TrackedList` or `TrackedSet`: subclasses
  whose mutating methods log the inverse change first (reads run at C speed, untouched);
* every object of a mutable class of `arcgis_typed_fake` becomes an instance of a subclass of its class (same
  layout, `__slots__ = ()`) whose `__setattr__` / `__delattr__` log the old value;
* `random.Random` (the seeded id streams) becomes a `TrackedRandom`, which logs its state before its first draw;
* a class that keeps derived structures with mutation paths of its own (the search index) declares
  `__undo__ = "self"`: its internals are copied as they are, and its own methods log semantic inverses
  (`SearchIndex.put` logs how to put the document back as it was) in its class's `__undo_log__`;
* anything else that is mutable and not ours makes `TrackedBlob.of` fail naming the type, so no change can slip
  past the log unseen.

Each fork unpickles that blob (C speed) with classes of its own: subclasses of the tracked ones whose class
attribute `__undo_log__` is the fork's log, so no object carries a pointer of its own. Frozen attrs classes stay
as they are (nothing to record; their contents are tracked like everything else).

Costs: a logged change costs one tuple; `rollback()` is proportional to the number of changes, plus, for each
dict from which a test deleted a key that was not its last, one re-ordering of that dict (insertion order is
part of the state: listings follow it), and for `sort` / `clear` / slice assignment, a copy of that one list.
"""

from __future__ import annotations

import copyreg
import datetime
import decimal
import enum
import fractions
import io
import ipaddress
import pathlib
import pickle
import random
import re
import sys
import threading
import types
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar, SupportsIndex

import attrs

_PACKAGE = "arcgis_typed_fake"
_MISSING: Any = type("_Missing", (), {"__repr__": lambda self: "<missing>"})()
_LOCK_TYPES = (type(threading.Lock()), type(threading.RLock()))
# Values that are immutable (or stateless) and may sit in the state as they are.
_IMMUTABLE: tuple[type, ...] = (
    type(None), bool, int, float, complex, str, bytes, tuple, frozenset, range, type, types.FunctionType,
    types.BuiltinFunctionType, types.MethodType, types.MethodWrapperType, datetime.date, datetime.time,
    datetime.timedelta, datetime.tzinfo, decimal.Decimal, fractions.Fraction, uuid.UUID, enum.Enum, re.Pattern,
    ipaddress.IPv4Address, ipaddress.IPv6Address, ipaddress.IPv4Network, ipaddress.IPv6Network,
    ipaddress.IPv4Interface, ipaddress.IPv6Interface, pathlib.PurePath, *_LOCK_TYPES,
)


# Packages whose objects never change once made (certificates and keys).
_IMMUTABLE_PACKAGES = ("cryptography.",)
_ATOMIC = frozenset({str, int, float, bool, type(None), bytes})


class UndoLog:
    """The changes made to one fork's state since its baseline, newest last; `rollback()` undoes them all."""

    __slots__ = ("armed", "entries", "orders", "saved")

    def __init__(self) -> None:
        self.armed = False  # records only when armed (not while a copy is built, nor while rolling back)
        self.entries: list[tuple[Any, ...]] = []  # (function, *arguments): calling it undoes one change
        self.orders: set[int] = set()  # dicts whose key order is in the log already
        self.saved: set[int] = set()  # random streams whose state is already in the log

    def __len__(self) -> int:
        return len(self.entries)

    def add(self, *entry: Any) -> None:
        self.entries.append(entry)

    def remember_order(self, d: dict[Any, Any]) -> None:
        """Before the first change to `d` whose undo cannot keep its key order: the order (once per reset; when
        the rollback gets back here, `d` holds these very keys again, whatever came after)."""
        if id(d) not in self.orders:
            self.orders.add(id(d))
            self.add(_reorder, d, list(d))

    def rollback(self) -> int:
        """Undo every change, newest first; returns how many there were."""
        entries = self.entries
        done = len(entries)
        self.armed = False
        try:
            while entries:
                entry = entries.pop()
                entry[0](*entry[1:])
        finally:
            self.orders.clear()
            self.saved.clear()
            self.armed = True
        return done


# --- containers --------------------------------------------------------------------------------------------------


def _reorder(d: dict[Any, Any], order: list[Any]) -> None:
    items = [(k, dict.__getitem__(d, k)) for k in order]
    dict.clear(d)
    dict.update(d, items)


def _dict_refill(d: dict[Any, Any], items: list[tuple[Any, Any]]) -> None:
    dict.clear(d)
    dict.update(d, items)


def _list_truncate(lst: list[Any], n: int) -> None:
    del lst[n:]  # list.__delitem__ on the base type: see TrackedList


def _list_replace(lst: list[Any], items: list[Any]) -> None:
    list.__setitem__(lst, slice(None), items)


def _set_refill(s: set[Any], items: list[Any]) -> None:
    set.clear(s)
    set.update(s, items)


class TrackedDict(dict):  # type: ignore[type-arg]
    """A dict of a fork's state: each change logs its inverse first (see the module docstring)."""

    __slots__ = ()
    __undo_log__: ClassVar[UndoLog | None] = None
    __undo_base__: ClassVar[type] = dict

    def _log_set(self, log: UndoLog, key: Any) -> None:
        if dict.__contains__(self, key):
            log.add(dict.__setitem__, self, key, dict.__getitem__(self, key))
        else:
            log.add(dict.__delitem__, self, key)

    def _log_del(self, log: UndoLog, key: Any) -> None:
        if not dict.__contains__(self, key):
            return
        if next(reversed(self)) != key:  # re-inserted at the end by the undo: the order needs mending
            log.remember_order(self)
        log.add(dict.__setitem__, self, key, dict.__getitem__(self, key))

    def __setitem__(self, key: Any, value: Any) -> None:
        log = self.__undo_log__
        if log is not None and log.armed:
            self._log_set(log, key)
        dict.__setitem__(self, key, value)

    def __delitem__(self, key: Any) -> None:
        log = self.__undo_log__
        if log is not None and log.armed:
            self._log_del(log, key)
        dict.__delitem__(self, key)

    def pop(self, key: Any, *default: Any) -> Any:
        log = self.__undo_log__
        if log is not None and log.armed:
            self._log_del(log, key)
        return dict.pop(self, key, *default)

    def popitem(self) -> tuple[Any, Any]:
        key, value = dict.popitem(self)  # the last one: putting it back restores the order
        log = self.__undo_log__
        if log is not None and log.armed:
            log.add(dict.__setitem__, self, key, value)
        return key, value

    def setdefault(self, key: Any, default: Any = None) -> Any:
        log = self.__undo_log__
        if log is not None and log.armed and not dict.__contains__(self, key):
            log.add(dict.__delitem__, self, key)
        return dict.setdefault(self, key, default)

    def update(self, *args: Any, **kwargs: Any) -> None:
        log = self.__undo_log__
        if log is None or not log.armed:
            dict.update(self, *args, **kwargs)
            return
        for key, value in dict(*args, **kwargs).items():
            self._log_set(log, key)
            dict.__setitem__(self, key, value)

    def __ior__(self, other: Any) -> TrackedDict:  # type: ignore[misc]
        self.update(other)
        return self

    def clear(self) -> None:
        log = self.__undo_log__
        if log is not None and log.armed and self:
            log.add(_dict_refill, self, list(dict.items(self)))
        dict.clear(self)


class TrackedList(list):  # type: ignore[type-arg]
    """A list of a fork's state: each change logs its inverse first (see the module docstring)."""

    __slots__ = ()
    __undo_log__: ClassVar[UndoLog | None] = None
    __undo_base__: ClassVar[type] = list

    def _log_whole(self) -> None:
        log = self.__undo_log__
        if log is not None and log.armed:
            log.add(_list_replace, self, list.copy(self))

    def _position(self, index: SupportsIndex, *, insert: bool = False) -> int:
        n = len(self)
        i = index.__index__()
        if i < 0:
            i += n
        return max(0, min(n, i)) if insert else i

    def append(self, value: Any) -> None:
        log = self.__undo_log__
        if log is not None and log.armed:
            log.add(_list_truncate, self, len(self))
        list.append(self, value)

    def extend(self, values: Iterable[Any]) -> None:
        log = self.__undo_log__
        if log is not None and log.armed:
            log.add(_list_truncate, self, len(self))
        list.extend(self, values)

    def __iadd__(self, values: Iterable[Any]) -> TrackedList:  # type: ignore[misc]
        self.extend(values)
        return self

    def insert(self, index: SupportsIndex, value: Any) -> None:
        log = self.__undo_log__
        if log is not None and log.armed:
            log.add(list.__delitem__, self, self._position(index, insert=True))
        list.insert(self, index, value)

    def pop(self, index: SupportsIndex = -1) -> Any:
        value = list.pop(self, index)
        log = self.__undo_log__
        if log is not None and log.armed:
            i = index.__index__()
            log.add(list.insert, self, i + len(self) + 1 if i < 0 else i, value)
        return value

    def remove(self, value: Any) -> None:
        i = list.index(self, value)
        self.pop(i)

    def _log_item(self, index: Any, undo: Callable[..., Any]) -> None:
        """Before a change to one item (`undo` puts it back at its place) or to a slice (the whole list)."""
        log = self.__undo_log__
        if log is not None and log.armed:
            if isinstance(index, slice):
                self._log_whole()
            else:
                i = self._position(index)
                log.add(undo, self, i, list.__getitem__(self, i))

    def __setitem__(self, index: Any, value: Any) -> None:
        self._log_item(index, list.__setitem__)
        list.__setitem__(self, index, value)

    def __delitem__(self, index: Any) -> None:
        self._log_item(index, list.insert)
        list.__delitem__(self, index)

    def clear(self) -> None:
        self._log_whole()
        list.clear(self)

    def sort(self, *args: Any, **kwargs: Any) -> None:
        self._log_whole()
        list.sort(self, *args, **kwargs)

    def reverse(self) -> None:
        self._log_whole()
        list.reverse(self)

    def __imul__(self, n: SupportsIndex) -> TrackedList:
        self._log_whole()
        list.__imul__(self, n)
        return self


class TrackedSet(set):  # type: ignore[type-arg]
    """A set of a fork's state: each change logs its inverse first (see the module docstring)."""

    __slots__ = ()
    __undo_log__: ClassVar[UndoLog | None] = None
    __undo_base__: ClassVar[type] = set

    def add(self, value: Any) -> None:
        log = self.__undo_log__
        if log is not None and log.armed and not set.__contains__(self, value):
            log.add(set.discard, self, value)
        set.add(self, value)

    def discard(self, value: Any) -> None:
        log = self.__undo_log__
        if log is not None and log.armed and set.__contains__(self, value):
            log.add(set.add, self, value)
        set.discard(self, value)

    def remove(self, value: Any) -> None:
        set.remove(self, value)  # KeyError first when absent
        log = self.__undo_log__
        if log is not None and log.armed:
            log.add(set.add, self, value)

    def pop(self) -> Any:
        value = set.pop(self)
        log = self.__undo_log__
        if log is not None and log.armed:
            log.add(set.add, self, value)
        return value

    def clear(self) -> None:
        log = self.__undo_log__
        if log is not None and log.armed and self:
            log.add(_set_refill, self, list(self))
        set.clear(self)

    def _log_added(self, values: Iterable[Any]) -> None:
        log = self.__undo_log__
        if log is not None and log.armed:
            for value in values:
                if not set.__contains__(self, value):
                    log.add(set.discard, self, value)

    def _log_removed(self, values: Iterable[Any]) -> None:
        log = self.__undo_log__
        if log is not None and log.armed:
            for value in values:
                if set.__contains__(self, value):
                    log.add(set.add, self, value)

    def _apply(self, others: tuple[Iterable[Any], ...], log: Callable[[list[Any]], None],
               change: Callable[[set[Any], list[Any]], None]) -> None:
        values = [v for other in others for v in other]
        log(values)
        change(self, values)

    def update(self, *others: Iterable[Any]) -> None:
        self._apply(others, self._log_added, set.update)

    def __ior__(self, other: Any) -> TrackedSet:  # type: ignore[misc]
        self.update(other)
        return self

    def difference_update(self, *others: Iterable[Any]) -> None:
        self._apply(others, self._log_removed, set.difference_update)

    def __isub__(self, other: Any) -> TrackedSet:  # type: ignore[misc]
        self.difference_update(other)
        return self

    def intersection_update(self, *others: Iterable[Any]) -> None:
        keep = set(self).intersection(*others)
        self._log_removed([v for v in self if v not in keep])
        set.intersection_update(self, keep)

    def __iand__(self, other: Any) -> TrackedSet:  # type: ignore[misc]
        self.intersection_update(other)
        return self

    def symmetric_difference_update(self, other: Iterable[Any]) -> None:
        values = set(other)
        log = self.__undo_log__
        if log is not None and log.armed:
            for value in values:
                log.add(set.add if set.__contains__(self, value) else set.discard, self, value)
        set.symmetric_difference_update(self, values)

    def __ixor__(self, other: Any) -> TrackedSet:  # type: ignore[misc]
        self.symmetric_difference_update(other)
        return self


class TrackedRandom(random.Random):
    """A seeded id stream of a fork: logs its state before its first draw after the baseline (or the last reset)."""

    __undo_log__: ClassVar[UndoLog | None] = None
    __undo_base__: ClassVar[type] = random.Random

    def _save(self) -> None:
        log = self.__undo_log__
        if log is not None and log.armed and id(self) not in log.saved:
            log.saved.add(id(self))
            log.add(random.Random.setstate, self, random.Random.getstate(self))

    def random(self) -> float:
        self._save()
        return super().random()

    def getrandbits(self, k: int) -> int:
        self._save()
        return super().getrandbits(k)

    def seed(self, *args: Any, **kwargs: Any) -> None:
        if hasattr(self, "gauss_next"):  # not while being created
            self._save()
        super().seed(*args, **kwargs)

    def setstate(self, state: Any) -> None:
        self._save()
        super().setstate(state)


CONTAINERS: dict[type, type] = {dict: TrackedDict, list: TrackedList, set: TrackedSet, random.Random: TrackedRandom}


# --- our own classes ---------------------------------------------------------------------------------------------


def _restore_attribute(obj: object, name: str, old: Any) -> None:
    if old is _MISSING:
        object.__delattr__(obj, name)
    else:
        object.__setattr__(obj, name, old)


def _tracked_setattr(self: Any, name: str, value: Any) -> None:
    log = self.__undo_log__
    if log is not None and log.armed:
        log.add(_restore_attribute, self, name, getattr(self, name, _MISSING))
    self.__undo_base__.__setattr__(self, name, value)


def _tracked_delattr(self: Any, name: str) -> None:
    log = self.__undo_log__
    if log is not None and log.armed:
        log.add(_restore_attribute, self, name, getattr(self, name))
    self.__undo_base__.__delattr__(self, name)


def _attrs_eq(self: Any, other: Any) -> Any:
    base = self.__undo_base__
    if not isinstance(other, base):
        return NotImplemented
    names = [a.name for a in attrs.fields(base) if a.eq]
    return [getattr(self, n) for n in names] == [getattr(other, n) for n in names]


def _attrs_ne(self: Any, other: Any) -> Any:
    result = _attrs_eq(self, other)
    return result if result is NotImplemented else not result


_TRACKED: dict[type, type] = {}  # class -> its tracked subclass (named in this module, so pickle finds it)


def _own(cls: type) -> bool:
    return cls.__module__ == _PACKAGE or cls.__module__.startswith(_PACKAGE + ".")


def frozen(cls: type) -> bool:
    """An attrs class whose objects cannot change."""
    return attrs.has(cls) and getattr(cls.__setattr__, "__name__", "") == "_frozen_setattrs"


def trackable(cls: type) -> bool:
    """A mutable class of ours whose objects a fork tracks (not frozen attrs, not a builtin subclass)."""
    return (
        _own(cls)
        and not frozen(cls)
        and not issubclass(cls, (BaseException, enum.Enum, dict, list, set, frozenset, tuple, str, bytes, int))
    )


def _own_reduce(cls: type) -> bool:
    """`cls` (or a base other than object) says how its objects pickle."""
    return any("__reduce__" in vars(c) or "__reduce_ex__" in vars(c) for c in cls.__mro__[:-1])


def tracked_class(cls: type) -> type:
    """The tracked subclass of `cls` (made once, kept in this module under a name pickle can find)."""
    made = _TRACKED.get(cls)
    if made is not None:
        return made
    name = "T_" + f"{cls.__module__}.{cls.__qualname__}".removeprefix(_PACKAGE + ".").replace(".", "_")
    namespace: dict[str, Any] = {
        "__slots__": (),
        "__module__": __name__,
        "__qualname__": name,
        "__undo_log__": None,
        "__undo_base__": cls,
    }
    if getattr(cls, "__undo__", None) != "self":
        namespace["__setattr__"] = _tracked_setattr
        namespace["__delattr__"] = _tracked_delattr
    if _own_reduce(cls):
        namespace["__reduce_ex__"] = _tracked_reduce_ex
    if attrs.has(cls) and cls.__eq__ is not object.__eq__:  # attrs' __eq__ wants the very same class
        namespace["__eq__"] = _attrs_eq
        namespace["__ne__"] = _attrs_ne
        namespace["__hash__"] = cls.__hash__
    made = type(name, (cls,), namespace)
    _TRACKED[cls] = made
    setattr(sys.modules[__name__], name, made)
    return made


def _retrack(cls: type, function: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    """Make an object the way its class's own `__reduce__` says, then make it tracked."""
    obj = function(*args)
    if isinstance(obj, cls.__undo_base__):  # type: ignore[attr-defined]
        obj.__class__ = cls
    return obj


def _tracked_reduce_ex(self: Any, protocol: SupportsIndex) -> Any:
    """For a class with a `__reduce__` of its own: the same, made tracked again when unpickled."""
    reduced = self.__undo_base__.__reduce_ex__(self, protocol)
    return (_retrack, (type(self), reduced[0], reduced[1]), *reduced[2:])


# --- the tracked form of a baseline, and forks of it --------------------------------------------------------


def untracked(cls: type) -> type:
    """The class a fork's tracked object stands for (`cls` itself when it is not a tracked class)."""
    base: type = getattr(cls, "__undo_base__", cls)
    return base


class _Converter:
    """Turns a fresh copy of the state into its tracked form, in place (see the module docstring)."""

    def __init__(self) -> None:
        self.done: dict[int, Any] = {}
        self.keep: list[Any] = []  # keeps originals alive, so ids stay unique during the walk

    def convert(self, obj: Any) -> Any:  # noqa: C901 (one dispatch on the kind of object)
        cls = type(obj)
        if cls in _ATOMIC:
            return obj
        key = id(obj)
        done = self.done.get(key, _MISSING)
        if done is not _MISSING:
            return done
        self.keep.append(obj)
        convert = self.convert
        if cls is dict:
            new_dict = self.done[key] = TrackedDict()
            dict.update(new_dict, [(convert(k), convert(v)) for k, v in obj.items()])
            return new_dict
        if cls is list:
            new_list = self.done[key] = TrackedList()
            list.extend(new_list, [convert(v) for v in obj])
            return new_list
        if cls is set:
            new_set = self.done[key] = TrackedSet(convert(v) for v in obj)
            return new_set
        if cls is tuple:
            items = tuple(convert(v) for v in obj)
            self.done[key] = result = obj if all(a is b for a, b in zip(items, obj)) else items
            return result
        if cls is random.Random:
            obj.__class__ = TrackedRandom
            self.done[key] = obj
            return obj
        if cls is types.MethodType:  # a hook: the object it is bound to is state like any other
            self.done[key] = obj
            convert(obj.__self__)
            return obj
        if isinstance(obj, type) or not _own(cls):
            if isinstance(obj, _IMMUTABLE) or cls.__module__.startswith(_IMMUTABLE_PACKAGES):
                self.done[key] = obj
                return obj
            raise TypeError(
                f"a fork cannot track changes to objects of {cls.__module__}.{cls.__qualname__} in the state; "
                "keep state in dicts, lists, sets and classes of arcgis_typed_fake (see undo.py)"
            )
        self.done[key] = obj
        if not trackable(cls):
            if frozen(cls):  # it cannot change, what it holds may
                self._convert_attributes(obj)
            return obj
        obj.__class__ = tracked_class(cls)
        if getattr(cls, "__undo__", None) != "self":  # (one that logs its own undo keeps its internals)
            self._convert_attributes(obj)
        return obj

    def _convert_attributes(self, obj: Any) -> None:
        for name in _attributes(obj):
            value = getattr(obj, name)
            new = self.convert(value)
            if new is not value:
                object.__setattr__(obj, name, new)


def _attributes(obj: Any) -> list[str]:
    names = list(vars(obj)) if hasattr(obj, "__dict__") else []
    for c in type(obj).__mro__:
        for name in c.__dict__.get("__slots__", ()):
            if name not in ("__dict__", "__weakref__") and hasattr(obj, name):
                names.append(name)
    return names


def _new_object(cls: type, *args: Any) -> Any:
    """`copyreg.__newobj__` under another name: pickle checks that one's class against the object's."""
    return cls.__new__(cls, *args)


def _new_object_ex(cls: type, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return cls.__new__(cls, *args, **kwargs)


def _reduce(obj: Any, cls: type) -> tuple[Any, ...]:
    """`obj`'s reduction as an object of `cls` (its untracked class)."""
    reduced = obj.__reduce_ex__(pickle.HIGHEST_PROTOCOL)
    if isinstance(reduced, str):
        raise TypeError(f"{cls.__qualname__} objects pickle as globals; they cannot be state")
    function, args = reduced[0], reduced[1]
    if function is _retrack:  # a class with a __reduce__ of its own: as that one says
        return (args[1], args[2], *reduced[2:])
    if function is copyreg.__newobj__ and args and args[0] is type(obj):  # type: ignore[attr-defined]
        return (_new_object, (cls, *args[1:]), *reduced[2:])
    if function is copyreg.__newobj_ex__ and args and args[0] is type(obj):  # type: ignore[attr-defined]
        return (_new_object_ex, (cls, *args[1:]), *reduced[2:])
    if function is type(obj):
        return (cls, *reduced[1:])
    return tuple(reduced)


def plain_reduce(obj: Any) -> Any:
    """How the ordinary pickler writes an object of a fork: as its untracked class (NotImplemented when `obj`
    is not tracked)."""
    cls = type(obj)
    base = getattr(cls, "__undo_base__", None)
    if base is None or isinstance(obj, type):
        return NotImplemented
    if base is dict:
        return dict, (), None, None, iter(dict.items(obj))
    if base is list:
        return list, (), None, iter(list.__iter__(obj)), None
    if base is set:
        return set, (list(set.__iter__(obj)),)
    return _reduce(obj, base)


@attrs.frozen
class TrackedBlob:
    """A baseline's state in tracked form; `load()` gives a fork its own copy and undo log."""

    data: bytes
    functions: tuple[Callable[..., Any], ...]

    @classmethod
    def of(cls, roots: Mapping[str, object]) -> TrackedBlob:
        """From a fresh copy of the state (`StateBlob.copy()`): it is converted in place."""
        from .snapshot import SnapshotError, StateBlob, paused_gc

        try:
            with paused_gc():
                converted = _Converter().convert(dict(roots))
        except TypeError as e:
            raise SnapshotError(f"cannot make a fork of the fake's state: {e}") from e
        blob = StateBlob.of(converted, plain=False)
        return cls(blob.data, blob.functions)

    def load(self) -> tuple[UndoLog, dict[str, Any]]:
        """A fresh copy of the state whose every change is logged in the returned (not yet armed) log."""
        from .snapshot import paused_gc

        log = UndoLog()
        with paused_gc():
            roots = _ForkUnpickler(io.BytesIO(self.data), self.functions, log).load()
        return log, roots


class _ForkUnpickler(pickle.Unpickler):
    """Loads a tracked blob with classes of this fork's own (their `__undo_log__` is its log)."""

    def __init__(self, file: io.BytesIO, functions: tuple[Callable[..., Any], ...], log: UndoLog) -> None:
        super().__init__(file)
        self.functions = functions
        self.log = log
        self.classes: dict[str, type] = {}

    def persistent_load(self, pid: Any) -> Any:
        return self.functions[pid]

    def find_class(self, module: str, name: str) -> Any:
        found = super().find_class(module, name)
        if module != __name__ or not isinstance(found, type) or "__undo_base__" not in vars(found):
            return found
        mine = self.classes.get(name)
        if mine is None:
            mine = self.classes[name] = fork_class(found, self.log)
        return mine


def fork_class(tracked: type, log: UndoLog) -> type:
    """The subclass of a tracked class whose objects record their changes in `log` (one per fork)."""
    name = tracked.__qualname__
    return type(name, (tracked,), {"__slots__": (), "__module__": __name__, "__qualname__": name,
                                   "__undo_log__": log, "__undo_base__": tracked.__undo_base__})  # type: ignore[attr-defined]


__all__ = [
    "TrackedBlob",
    "TrackedDict",
    "TrackedList",
    "TrackedRandom",
    "TrackedSet",
    "UndoLog",
    "fork_class",
    "frozen",
    "plain_reduce",
    "trackable",
    "tracked_class",
    "untracked",
]
