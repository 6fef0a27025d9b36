"""Hypothesis strategies derived from the generated attrs models and the operations table.

`for_class(cls)` builds instances of any generated model (response models and parameter classes) from its
attrs fields and their types; `for_params(op, cls)` builds parameter objects that also honour the
operation's declared constraints (bounds, enums, what a form encoding can carry), for encode/decode
round trips.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import types
import typing
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, Literal

import attrs
from arcgis_typed._runtime.operation import Operation, Param, Upload
from hypothesis import strategies as st

EXTRA = "extra"

# Text that survives UTF-8 (no lone surrogates): what JSON and forms can carry.
CHARS = st.characters(exclude_categories=["Cs"])
TEXT = st.text(CHARS, max_size=20)
KEYS = st.text(CHARS, max_size=10)

JSON_SCALARS: st.SearchStrategy[Any] = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT
)


def json_values(max_leaves: int = 8) -> st.SearchStrategy[Any]:
    """Any JSON value (what `json` fields and `Any` carry)."""
    return st.recursive(
        JSON_SCALARS,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
        max_leaves=max_leaves,
    )


def ms_datetimes(
    min_value: datetime = datetime(1, 1, 2), max_value: datetime = datetime(9999, 12, 30)
) -> st.SearchStrategy[datetime]:
    """Aware UTC datetimes at millisecond precision (what epoch milliseconds can express), except the instant
    1 ms before the epoch: -1 is ArcGIS's "never", read as None in optional timestamps."""
    return (
        st.datetimes(min_value=min_value, max_value=max_value, timezones=st.just(UTC))
        .map(lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000))
        .filter(lambda d: d != NEVER)
    )


NEVER = datetime(1969, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)


UPLOADS = st.builds(
    Upload,
    filename=st.text(st.characters(min_codepoint=33, max_codepoint=126, blacklist_characters='"\\/;'), min_size=1, max_size=12),
    data=st.binary(max_size=64),
    content_type=st.sampled_from(["application/octet-stream", "application/json", "text/plain", "image/png"]),
)


def _is_attrs_class(tp: Any) -> bool:
    return isinstance(tp, type) and attrs.has(tp)


def from_type(tp: Any) -> st.SearchStrategy[Any]:
    """A strategy for one field type: scalars, datetime, list, dict, Any, Literal, Optional, attrs classes."""
    if tp is Any:
        return json_values()
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        inner = st.one_of(*(from_type(a) for a in rest))
        return st.none() | inner if len(rest) < len(args) else inner
    if origin is Literal:
        return st.sampled_from(args)
    if origin is list:
        return st.lists(from_type(args[0]), max_size=3)
    if origin is dict:
        return st.dictionaries(KEYS, from_type(args[1]), max_size=3)
    if tp is str:
        return TEXT
    if tp is bool:
        return st.booleans()
    if tp is int:
        return st.integers(min_value=-(2**63), max_value=2**63)
    if tp is float:
        return st.floats(allow_nan=False, allow_infinity=False)
    if tp is datetime:
        return ms_datetimes()
    if tp is bytes:
        return st.binary(max_size=64)
    if tp is Upload:
        return UPLOADS
    if _is_attrs_class(tp):
        return st.deferred(lambda: for_class(tp))
    raise TypeError(f"no strategy for {tp!r}")


def wire_name(field: attrs.Attribute) -> str:  # type: ignore[type-arg]
    return str(field.metadata.get("wire", field.name))


def extra_values(cls: type) -> st.SearchStrategy[dict[str, Any]]:
    """Unknown fields: JSON values under keys that are no declared wire name."""
    declared = {wire_name(f) for f in attrs.fields(cls) if f.name != EXTRA}
    keys = KEYS.filter(lambda k: k not in declared and not k.startswith("\x00"))
    return st.dictionaries(keys, json_values(max_leaves=4), max_size=3)


@functools.cache
def for_class(cls: type) -> st.SearchStrategy[Any]:
    """Instances of a generated attrs class, every field drawn from its declared type."""
    hints = typing.get_type_hints(cls)
    kwargs: dict[str, st.SearchStrategy[Any]] = {}
    for field in attrs.fields(cls):
        if field.name == EXTRA:
            kwargs[field.name] = extra_values(cls)
        else:
            kwargs[field.name] = from_type(hints[field.name])
    return st.builds(cls, **kwargs)


# --- parameters --------------------------------------------------------------------------------------------

# A plain form value: any non-empty text ("" means "not given").
FORM_TEXT = st.text(CHARS, min_size=1, max_size=20)
# One element of a comma list: no comma, no surrounding blanks, and not looking like a JSON array.
CSV_ITEM = st.text(CHARS, min_size=1, max_size=12).filter(
    lambda s: "," not in s and s == s.strip() and not s.startswith("[")
)


def _scalar_for_param(p: Param, kind: str) -> st.SearchStrategy[Any]:
    if p.enum:
        return st.sampled_from(p.enum)
    if kind == "str":
        return FORM_TEXT
    if kind == "int":
        return st.integers(
            min_value=p.minimum if p.minimum is not None else -(2**63),
            max_value=p.maximum if p.maximum is not None else 2**63,
        )
    if kind == "float":
        return st.floats(allow_nan=False, allow_infinity=False)
    if kind == "bool":
        return st.booleans()
    if kind == "datetime":
        return ms_datetimes()
    raise TypeError(f"{p.wire}: no strategy for kind {kind!r}")


def for_param(p: Param, hint: Any) -> st.SearchStrategy[Any]:
    """Values a parameter can carry through its form encoding and come back equal."""
    if p.location == "file":
        value: st.SearchStrategy[Any] = UPLOADS
    elif p.encoding == "csv":
        item = CSV_ITEM if (p.item_kind or "str") == "str" else _scalar_for_param(attrs.evolve(p, enum=()), p.item_kind or "str")
        value = st.lists(item, min_size=1, max_size=4)
    elif p.kind == "json":
        value = json_values().filter(lambda v: v is not None)
    elif p.kind in ("list", "dict", "model"):
        value = from_type(_strip_optional(hint))
    else:
        value = _scalar_for_param(p, p.kind)
    return value if p.required else st.none() | value


def _strip_optional(hint: Any) -> Any:
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (typing.Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1:
            return rest[0]
    return hint


def for_params(op: Operation, cls: type) -> st.SearchStrategy[Any]:
    hints = typing.get_type_hints(cls)
    return st.builds(cls, **{p.name: for_param(p, hints[p.name]) for p in op.params})


# --- discovery ---------------------------------------------------------------------------------------------


def model_modules(package: str = "arcgis_typed.portal.models") -> Iterator[types.ModuleType]:
    pkg = importlib.import_module(package)
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        yield importlib.import_module(f"{package}.{info.name}")


def model_classes(packages: tuple[str, ...] = ("arcgis_typed.portal.models", "arcgis_typed.portal.params")) -> list[type]:
    """Every attrs class defined in the generated models and params modules (response models and parameter
    classes)."""
    out = []
    for package in packages:
        for module in model_modules(package):
            for name in sorted(vars(module)):
                obj = getattr(module, name)
                if _is_attrs_class(obj) and obj.__module__ == module.__name__:
                    out.append(obj)
    return out


def resolve(ref: str) -> Any:
    """`"module:Class"` (as the operations table writes it) -> the class."""
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)
