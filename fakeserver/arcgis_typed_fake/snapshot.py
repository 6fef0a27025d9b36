"""Snapshots of the fake's state: a versioned, readable, diffable JSON file, and cheap in-memory copies (fork).

**The JSON file** is a generic walk over the state objects (`fake.portal`, `fake.server`, ...): every object of a
class defined in `arcgis_typed_fake` is written as its attributes (attrs fields, slots or `__dict__`) under
`"$type"`; containers, bytes and shared references have small `$`-tagged forms; the clock is `{"$shared":
"clock"}` and becomes the restoring fake's clock. So a new store is covered without code, as long as its
attributes are data (records, dicts, lists, sets, bytes, bound methods of state objects). What a store must
declare, and only when it has such attributes:

* `__snapshot_exclude__ = ("index", "_cache")` - attributes not written: derived data (search indexes, caches)
  and secrets (live tokens);
* `def __snapshot_restored__(self) -> None` - rebuild them after a restore (called inner objects first).

A class may instead write itself as any JSON value with `__snapshot_encode__(self)` and a classmethod
`__snapshot_decode__(cls, data)` (the search index writes only its configuration; its store re-indexes).
Anything else (a lambda, a lock, an object of a foreign class) makes `encode` fail naming the attribute path;
`tests/fake/test_snapshot.py` walks fresh and busy states so a new store that is not covered fails a test.

Files are written atomically (a temporary file in the same folder, fsync, rename, fsync of the folder), so a
crash leaves the previous snapshot intact. A file of another format version is refused with a clear message.

**Baselines** copy the state in memory with pickle (locks are recreated, lazily built caches dropped), far cheaper
than the JSON walk; see `StateBlob`. A fork's copy is in tracked form, so that its reset plays back an undo log
instead of copying again (`undo.py`); pickled here, a fork's objects are written as their plain classes.
"""

from __future__ import annotations

import base64
import gc
import importlib
import io
import json
import os
import pickle
import tempfile
import threading
import types
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs

from .undo import frozen, plain_reduce, untracked

FORMAT = "arcgis-typed-fake-snapshot"
VERSION = 1
_PACKAGE = "arcgis_typed_fake"
_LOCK_TYPES = (type(threading.Lock()), type(threading.RLock()))


class SnapshotError(ValueError):
    """A snapshot cannot be written or read (names the attribute path or the problem in the file)."""


# --- the generic JSON walk ------------------------------------------------------------------------------------


_ATTRS_FIELDS: dict[type, list[str]] = {}


def _fields(obj: object) -> list[str]:
    cls = untracked(type(obj))
    cached = _ATTRS_FIELDS.get(cls)
    if cached is not None:
        return cached
    excluded = set(getattr(cls, "__snapshot_exclude__", ()))
    if attrs.has(cls):
        names = _ATTRS_FIELDS[cls] = [f.name for f in attrs.fields(cls) if f.name not in excluded]
        return names
    if hasattr(obj, "__dict__"):
        return [n for n in vars(obj) if n not in excluded]
    return [n for c in cls.__mro__ for n in getattr(c, "__slots__", ()) if hasattr(obj, n) and n not in excluded]


# A path to a value, built only when an error names it: (parent path, ".attribute" text or a dict key).
_Path = tuple[Any, Any]
_KEY = "[key]"


class _DictKey:
    __slots__ = ("key",)

    def __init__(self, key: object) -> None:
        self.key = key


def _render(path: _Path | str) -> str:
    parts = []
    while isinstance(path, tuple):
        path, part = path
        parts.append(f"[{part.key!r}]" if isinstance(part, _DictKey) else str(part))
    return str(path) + "".join(reversed(parts))


def _type_name(cls: type) -> str:
    cls = untracked(cls)
    return f"{cls.__module__.removeprefix(_PACKAGE + '.')}:{cls.__qualname__}"


def _own_class(cls: type) -> bool:
    return cls.__module__ == _PACKAGE or cls.__module__.startswith(_PACKAGE + ".")


def _atomic(value: object) -> bool:
    return value is None or isinstance(value, (bool, int, float, str, bytes))


class _Encoder:
    def __init__(self, shared: Mapping[str, object]) -> None:
        self.shared = {id(v): k for k, v in shared.items()}
        self.counts: dict[int, int] = {}
        self.ids: dict[int, int] = {}
        self.keep: list[object] = []  # keeps every counted object alive, so ids stay unique during the walk

    def count(self, value: object, path: str) -> None:
        """First pass: how often each object is reached (those reached twice get a "$id")."""
        stack: list[tuple[object, _Path | str]] = [(value, path)]
        counts, shared, keep = self.counts, self.shared, self.keep
        while stack:
            value, where = stack.pop()
            key = id(value)
            if key in shared:
                continue
            seen = counts.get(key, 0)
            counts[key] = seen + 1
            if seen:
                continue
            keep.append(value)
            stack.extend(c for c in self._children(value, where) if not _atomic(c[0]))

    def _children(self, value: object, path: _Path | str) -> list[tuple[object, _Path | str]]:
        if isinstance(value, dict):
            children: list[tuple[object, _Path | str]] = []
            for k, v in value.items():
                if not _atomic(k):
                    children.append((k, (path, _KEY)))
                if not _atomic(v):
                    children.append((v, (path, _DictKey(k))))
            return children
        if isinstance(value, (list, tuple, set, frozenset)):
            return [(v, (path, "[]")) for v in value]
        if isinstance(value, types.MethodType):
            return [(value.__self__, (path, ".__self__"))]
        if isinstance(value, types.FunctionType):
            if "<" in value.__qualname__ or not _own_class_module(value.__module__):
                raise SnapshotError(
                    f"cannot snapshot {_render(path)}: {value.__qualname__} is a local function or lambda; store a "
                    "bound method or a module-level function, or list the attribute in __snapshot_exclude__"
                )
            return []
        cls = type(value)
        if not _own_class(cls):
            raise SnapshotError(
                f"cannot snapshot {_render(path)}: objects of {cls.__module__}.{cls.__qualname__} are not state; "
                "list the attribute in __snapshot_exclude__ (and rebuild it in __snapshot_restored__)"
            )
        if hasattr(cls, "__snapshot_encode__"):
            return [(getattr(value, "__snapshot_encode__")(), (path, "<encoded>"))]  # noqa: B009 (not on object)
        return [(getattr(value, n), (path, f".{n}")) for n in _fields(value)]

    def encode(self, value: object) -> Any:
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        if isinstance(value, bytes):
            return {"$bytes": base64.b64encode(value).decode("ascii")}
        name = self.shared.get(id(value))
        if name is not None:
            return {"$shared": name}
        key = id(value)
        if key in self.ids:
            return {"$ref": self.ids[key]}
        tag: dict[str, Any] = {}
        # written in place each time (a bound method's object is what is shared; a method has no "$id" of its own)
        # (frozen values are written in place each time too: sharing them or not means nothing)
        if (self.counts.get(key, 0) > 1 and not isinstance(value, (tuple, frozenset, types.MethodType, types.FunctionType))
                and not frozen(type(value))):
            self.ids[key] = len(self.ids) + 1
            tag["$id"] = self.ids[key]
        if isinstance(value, dict):
            if all(isinstance(k, str) and not k.startswith("$") for k in value) and not tag:
                return {k: self.encode(v) for k, v in value.items()}
            return {**tag, "$dict": [[self.encode(k), self.encode(v)] for k, v in value.items()]}
        if isinstance(value, list):
            return {**tag, "$list": [self.encode(v) for v in value]} if tag else [self.encode(v) for v in value]
        if isinstance(value, tuple):
            return {"$tuple": [self.encode(v) for v in value]}
        if isinstance(value, (set, frozenset)):
            if all(isinstance(v, str) for v in value):
                items: list[Any] = sorted(value)
            else:
                items = sorted((self.encode(v) for v in value), key=lambda e: json.dumps(e, sort_keys=True))
            return {**tag, ("$set" if isinstance(value, set) else "$frozenset"): items}
        if isinstance(value, types.MethodType):
            return {"$method": value.__name__, "of": self.encode(value.__self__)}
        if isinstance(value, types.FunctionType):
            return {"$function": f"{value.__module__}:{value.__qualname__}"}
        cls = type(value)
        out: dict[str, Any] = {"$type": _type_name(cls), **tag}
        if hasattr(cls, "__snapshot_encode__"):
            out["$data"] = self.encode(getattr(value, "__snapshot_encode__")())  # noqa: B009 (not on object)
            return out
        for n in _fields(value):
            out[n] = self.encode(getattr(value, n))
        return out


def _plain(name: str) -> bool:
    """An identifier that is not a dunder (snapshots never name `__class__`, `__dict__`, ...)."""
    return name.isidentifier() and not name.startswith("__")


def _own_class_module(module: str) -> bool:
    return module == _PACKAGE or module.startswith(_PACKAGE + ".")


class _Decoder:
    def __init__(self, shared: Mapping[str, object]) -> None:
        self.shared = shared
        self.by_id: dict[int, object] = {}
        self.created: list[object] = []

    def _class(self, name: str) -> type:
        module, _, qualname = name.partition(":")
        try:
            target: Any = importlib.import_module(f"{_PACKAGE}.{module}" if module != _PACKAGE else _PACKAGE)
        except ImportError:
            raise SnapshotError(f"unknown state class {name!r} in the snapshot") from None
        for part in qualname.split("."):
            target = getattr(target, part, None)
        if not isinstance(target, type) or not _own_class(target):
            raise SnapshotError(f"unknown state class {name!r} in the snapshot")
        return target

    def decode(self, data: Any) -> Any:
        if data is None or isinstance(data, (bool, int, float, str)):
            return data
        if isinstance(data, list):
            return [self.decode(v) for v in data]
        if not isinstance(data, dict):
            raise SnapshotError(f"unexpected value {data!r} in the snapshot")
        if "$ref" in data:
            try:
                return self.by_id[data["$ref"]]
            except KeyError:
                raise SnapshotError(f"dangling reference {data['$ref']} in the snapshot") from None
        if "$shared" in data:
            try:
                return self.shared[data["$shared"]]
            except KeyError:
                raise SnapshotError(f"the snapshot refers to {data['$shared']!r}, which this fake lacks") from None
        if "$bytes" in data:
            return base64.b64decode(data["$bytes"])
        if "$tuple" in data:
            return tuple(self.decode(v) for v in data["$tuple"])
        if "$frozenset" in data:
            return frozenset(self.decode(v) for v in data["$frozenset"])
        if "$method" in data:
            name = str(data["$method"])
            owner = self.decode(data["of"])
            method = getattr(owner, name, None) if _plain(name) else None
            if not isinstance(method, types.MethodType):
                raise SnapshotError(f"refusing to load method {name!r} of {type(owner).__name__} from a snapshot")
            return method
        if "$function" in data:
            module, _, qualname = str(data["$function"]).partition(":")
            if not (module == f"{_PACKAGE}.clock" or module.startswith(f"{_PACKAGE}.state")) or not all(
                _plain(part) for part in qualname.split(".")
            ):
                raise SnapshotError(f"refusing to load function {data['$function']!r} from a snapshot")
            try:
                target: Any = importlib.import_module(module)
                for part in qualname.split("."):
                    target = getattr(target, part)
            except (ImportError, AttributeError):
                raise SnapshotError(f"unknown function {data['$function']!r} in the snapshot") from None
            if not isinstance(target, types.FunctionType):
                raise SnapshotError(f"refusing to load {data['$function']!r} from a snapshot: not a function")
            return target
        for tag, empty in (("$dict", dict), ("$list", list), ("$set", set)):
            if tag in data:
                container: Any = empty()
                self._remember(data, container)
                if tag == "$dict":
                    for k, v in data[tag]:
                        container[self.decode(k)] = self.decode(v)
                elif tag == "$list":
                    container.extend(self.decode(v) for v in data[tag])
                else:
                    container.update(self.decode(v) for v in data[tag])
                return container
        if "$type" in data:
            cls = self._class(data["$type"])
            if hasattr(cls, "__snapshot_decode__"):
                obj = cls.__snapshot_decode__(self.decode(data["$data"]))
                self._remember(data, obj)
                return obj
            obj = object.__new__(cls)
            self._remember(data, obj)
            self.created.append(obj)
            for k, v in data.items():
                if not k.startswith("$"):
                    if not _plain(k):
                        raise SnapshotError(f"refusing attribute {k!r} of {cls.__name__} in the snapshot")
                    object.__setattr__(obj, k, self.decode(v))
            return obj
        return {k: self.decode(v) for k, v in data.items()}

    def _remember(self, data: dict[str, Any], obj: object) -> None:
        if "$id" in data:
            self.by_id[data["$id"]] = obj

    def finish(self) -> None:
        for obj in reversed(self.created):  # inner objects were created after their owners
            hook = getattr(obj, "__snapshot_restored__", None)
            if hook is not None:
                hook()


def encode_state(roots: Mapping[str, object], shared: Mapping[str, object]) -> dict[str, Any]:
    """The JSON value of the state objects `roots` (by name); `shared` objects are written by name only."""
    encoder = _Encoder(shared)
    for name, root in roots.items():
        encoder.count(root, name)
    return {name: encoder.encode(root) for name, root in roots.items()}


def decode_state(data: Mapping[str, Any], shared: Mapping[str, object]) -> dict[str, Any]:
    decoder = _Decoder(shared)
    with paused_gc():
        out = {name: decoder.decode(value) for name, value in data.items()}
        decoder.finish()
    return out


# --- files ----------------------------------------------------------------------------------------------------


def document(state: Mapping[str, Any], *, meta: Mapping[str, Any]) -> dict[str, Any]:
    return {"format": FORMAT, "version": VERSION, **meta, "state": state}


def check_document(doc: Any, source: str = "the snapshot") -> Mapping[str, Any]:
    """The state part of a snapshot document; refuses anything that is not one of this version."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise SnapshotError(f"{source} is not an arcgis-typed fake snapshot (no \"format\": \"{FORMAT}\")")
    version = doc.get("version")
    if version != VERSION:
        raise SnapshotError(
            f"{source} has snapshot format version {version!r}, but this arcgis-typed fake reads version {VERSION} "
            "only; restore it with the arcgis-typed version that wrote it (see its \"writer\" field), or re-create it"
        )
    state = doc.get("state")
    if not isinstance(state, dict):
        raise SnapshotError(f"{source} has no \"state\" object")
    return state


def write_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """Write `text` to `path` so that a reader (or a crash) sees the old file or the new one, never a part."""
    target = Path(path)
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return target


def read_document(path: str | os.PathLike[str]) -> Mapping[str, Any]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise SnapshotError(f"cannot read snapshot {path}: {e.strerror}") from None
    try:
        doc = json.loads(text)
    except ValueError as e:
        raise SnapshotError(f"{path} is not valid JSON ({e}); it is not a complete snapshot") from None
    return doc  # type: ignore[no-any-return]


def dumps(doc: Mapping[str, Any]) -> str:
    """Indented with sorted keys where order carries no meaning: stable, line-diffable output."""
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


# --- in-memory copies (fork) -----------------------------------------------------------------------------------


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic GC while many objects are made at once (it would scan the growing heap again and again)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _new_lock(kind: str) -> object:
    return threading.RLock() if kind == "rlock" else threading.Lock()


class _Pickler(pickle.Pickler):
    """Pickles state: recreates locks, keeps module-level functions and lambdas without closures by reference."""

    def __init__(self, file: io.BytesIO, functions: list[Callable[..., Any]], *, plain: bool = True) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.functions = functions
        self.plain = plain

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, _LOCK_TYPES):
            return _new_lock, ("rlock" if isinstance(obj, _LOCK_TYPES[1]) else "lock",)
        # a fork's tracked objects are copied as their plain selves, unless this is a tracked blob (undo.py)
        return plain_reduce(obj) if self.plain else NotImplemented

    def persistent_id(self, obj: Any) -> Any:
        if type(obj) is types.FunctionType and obj.__closure__ is None and "<lambda>" in obj.__qualname__:
            self.functions.append(obj)
            return len(self.functions) - 1
        return None


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, functions: list[Callable[..., Any]]) -> None:
        super().__init__(file)
        self.functions = functions

    def persistent_load(self, pid: Any) -> Any:
        return self.functions[pid]


@attrs.frozen
class StateBlob:
    """A frozen copy of some state objects; `copy()` gives a fresh, independent set of them each time."""

    data: bytes
    functions: tuple[Callable[..., Any], ...]

    @classmethod
    def of(cls, roots: Mapping[str, object], *, plain: bool = True) -> StateBlob:
        """A copy of `roots`; `plain=False` keeps the tracked classes of a fork's objects (see undo.py)."""
        buffer = io.BytesIO()
        functions: list[Callable[..., Any]] = []
        try:
            with paused_gc():
                _Pickler(buffer, functions, plain=plain).dump(dict(roots))
        except (pickle.PicklingError, TypeError, AttributeError) as e:
            raise SnapshotError(f"cannot copy the fake's state: {e}") from e
        return cls(buffer.getvalue(), tuple(functions))

    def copy(self) -> dict[str, Any]:
        with paused_gc():  # unpickling makes many objects at once: the cyclic GC would scan the heap repeatedly
            return _Unpickler(io.BytesIO(self.data), list(self.functions)).load()  # type: ignore[no-any-return]


__all__ = [
    "FORMAT",
    "VERSION",
    "SnapshotError",
    "StateBlob",
    "check_document",
    "decode_state",
    "document",
    "dumps",
    "encode_state",
    "read_document",
    "write_atomic",
]
