"""The one cattrs converter between attrs models and ArcGIS JSON.

* Wire names live on each attrs field (``metadata={"wire": "numViews"}``); hooks are built lazily, per class,
  on first use, so importing a models module stays cheap.
* Epoch milliseconds become aware UTC datetimes and back (ISO strings are tolerated on input); in optional
  timestamps, ArcGIS's -1 ("never") becomes None.
* Unknown response keys are kept in the model's ``extra`` mapping and written back on output, because real
  servers add fields every release.
* ``None`` values are left out on output, as ArcGIS clients do.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

T = TypeVar("T")

WIRE = "wire"
EXTRA = "extra"
_EXTRA_KEY = "\x00extra"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)


def ms_to_datetime(value: Any, _type: Any = datetime) -> datetime:
    if isinstance(value, bool):
        raise TypeError(f"expected epoch milliseconds, got {value!r}")
    if isinstance(value, (int, float)):
        return _EPOCH + timedelta(milliseconds=value)
    if isinstance(value, str):
        try:
            return _EPOCH + timedelta(milliseconds=int(value))
        except ValueError:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    raise TypeError(f"expected epoch milliseconds, got {type(value).__name__}")


def _optional_datetime(value: Any, _type: Any) -> datetime | None:
    """Optional timestamps: ArcGIS writes -1 for "never" (e.g. `lastLogin` of a user who never signed in)."""
    if value is None or (value == -1 and not isinstance(value, bool)):
        return None
    return ms_to_datetime(value)


def datetime_to_ms(value: datetime) -> int:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return (value - _EPOCH) // _MS


def _bool(value: Any, _type: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise TypeError(f"expected a boolean, got {value!r}")


def _str(value: Any, _type: Any) -> str:
    if isinstance(value, (dict, list)):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value if isinstance(value, str) else str(value)


def _wire_name(field: attrs.Attribute) -> str:  # type: ignore[type-arg]
    return str(field.metadata.get(WIRE, field.name))


def _has_extra(cls: type) -> bool:
    return any(f.name == EXTRA for f in attrs.fields(cls))


def _structure_factory(cls: type) -> Callable[[Any, Any], Any]:
    fields = attrs.fields(cls)
    overrides: dict[str, Any] = {f.name: override(rename=_wire_name(f)) for f in fields if f.name != EXTRA}
    if not _has_extra(cls):
        plain: Callable[[Any, Any], Any] = make_dict_structure_fn(cls, converter, **overrides)

        def structure_plain(value: Any, type_: Any) -> Any:
            if not isinstance(value, Mapping):
                raise TypeError(f"expected a JSON object for {cls.__name__}, got {type(value).__name__}")
            return plain(value, type_)

        return structure_plain
    overrides[EXTRA] = override(rename=_EXTRA_KEY)
    base: Callable[[Any, Any], Any] = make_dict_structure_fn(cls, converter, **overrides)
    known = frozenset(_wire_name(f) for f in fields if f.name != EXTRA)

    def structure(value: Any, type_: Any) -> Any:
        if not isinstance(value, Mapping):
            raise TypeError(f"expected a JSON object for {cls.__name__}, got {type(value).__name__}")
        unknown = {k: v for k, v in value.items() if k not in known}
        if unknown:
            value = {**value, _EXTRA_KEY: unknown}
        return base(value, type_)

    return structure


def _unstructure_factory(cls: type) -> Callable[[Any], dict[str, Any]]:
    fields = attrs.fields(cls)
    overrides: dict[str, Any] = {
        f.name: override(rename=_wire_name(f), omit_if_default=True) for f in fields if f.name != EXTRA
    }
    has_extra = _has_extra(cls)
    if has_extra:
        overrides[EXTRA] = override(omit=True)
    base: Callable[[Any], dict[str, Any]] = make_dict_unstructure_fn(cls, converter, **overrides)
    if not has_extra:
        return base

    def unstructure(obj: Any) -> dict[str, Any]:
        out = base(obj)
        return {**obj.extra, **out} if obj.extra else out

    return unstructure


def _is_model(cls: Any) -> bool:
    return isinstance(cls, type) and attrs.has(cls)


def _optional_model(type_: Any) -> type | None:
    """The model class of `Model | None`, else None."""
    args: tuple[Any, ...] = tuple(getattr(type_, "__args__", ()))
    others = [a for a in args if a is not type(None)]
    if len(args) == 2 and len(others) == 1 and _is_model(others[0]):
        model: type = others[0]
        return model
    return None


def _optional_model_factory(type_: Any) -> Callable[[Any, Any], Any]:
    """Optional objects: ArcGIS often writes {} for "none" (e.g. `"user": {}`); {} is read as None when the
    model has required fields (so it cannot be an object with every field absent)."""
    cls = _optional_model(type_)
    empty_is_none = any(f.default is attrs.NOTHING for f in attrs.fields(cls))  # type: ignore[arg-type]

    def structure(value: Any, _type: Any) -> Any:
        if value is None or (empty_is_none and value == {}):
            return None
        return converter.structure(value, cls)  # type: ignore[arg-type]

    return structure


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(omit_if_default=True)
    conv.register_structure_hook(datetime, ms_to_datetime)
    conv.register_structure_hook_func(lambda t: t == (datetime | None), _optional_datetime)
    conv.register_unstructure_hook(datetime, datetime_to_ms)
    conv.register_structure_hook(bool, _bool)
    conv.register_structure_hook(str, _str)
    return conv


converter = _make_converter()
converter.register_structure_hook_factory(_is_model, _structure_factory)
converter.register_structure_hook_factory(lambda t: _optional_model(t) is not None, _optional_model_factory)
converter.register_unstructure_hook_factory(_is_model, _unstructure_factory)


def structure(data: Any, cls: type[T]) -> T:
    """JSON-shaped data -> model (raises cattrs' ClassValidationError on mismatches)."""
    return converter.structure(data, cls)


def unstructure(obj: Any) -> Any:
    """Model -> JSON-shaped data with wire names."""
    return converter.unstructure(obj)


def loads(text: str | bytes, cls: type[T]) -> T:
    return converter.structure(json.loads(text), cls)


def dumps(obj: Any) -> str:
    return json.dumps(converter.unstructure(obj), separators=(",", ":"))


def describe(exc: BaseException) -> str:
    """A short, human message for a structuring failure (field paths, as cattrs reports them)."""
    if isinstance(exc, (cattrs.ClassValidationError, cattrs.IterableValidationError)):
        return "; ".join(cattrs.transform_error(exc))
    return str(exc)
