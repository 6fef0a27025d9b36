"""ArcGIS parameter encodings, both ways: typed values <-> form strings.

Encodings: `plain` (str/int/float as text, datetimes as epoch ms), `bool` ("true"/"false"), `csv` (comma
list) and `json` (a JSON string). The client encodes with `encode`; the fake decodes the same table with
`decode`, so both sides agree by construction. Decoding errors name the wire parameter.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from . import wire
from .operation import Operation, Param, Upload


class ParamError(ValueError):
    """A parameter value that does not fit its declaration."""

    def __init__(self, param: str, message: str) -> None:
        self.param = param
        super().__init__(f"Invalid parameter '{param}': {message}")


@attrs.frozen
class Encoded:
    path: dict[str, str]
    form: dict[str, str]
    files: dict[str, Upload]


def _text(param: Param, value: Any) -> str:
    if param.encoding == "bool":
        return "true" if value else "false"
    if param.encoding == "csv":
        return ",".join(_text(attrs.evolve(param, encoding="plain"), v) for v in value)
    if param.encoding == "json":
        return json.dumps(wire.unstructure(value), separators=(",", ":"))
    if isinstance(value, datetime):
        return str(wire.datetime_to_ms(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def encode(op: Operation, params: Mapping[str, Any] | Any) -> Encoded:
    """Split parameters (a mapping of Python names to values, as the generated functions pass, or a parameter
    object) into path values, form fields and file parts (None values are left out)."""
    out = Encoded({}, {}, {})
    get = params.get if isinstance(params, Mapping) else (lambda name: getattr(params, name))
    for p in op.params:
        value = get(p.name)
        if value is None:
            continue
        if p.location == "path":
            if value != "" or p.required:  # an empty optional path part is left out, like None
                out.path[p.wire] = str(value)
        elif p.location == "file":
            out.files[p.wire] = value
        else:
            out.form[p.wire] = _text(p, value)
    return out


_SCALAR_KINDS = ("str", "int", "float", "bool", "datetime")


def _scalar(param: Param, kind: str, raw: str) -> Any:
    if kind == "str":
        return raw
    if kind == "bool":
        low = raw.strip().lower()
        if low in ("true", "false"):
            return low == "true"
        raise ParamError(param.wire, f"expected true or false, got {raw!r}")
    if kind in ("int", "datetime"):
        try:
            number = int(raw.strip())
        except ValueError:
            raise ParamError(param.wire, f"expected an integer, got {raw!r}") from None
        return wire.ms_to_datetime(number) if kind == "datetime" else number
    if kind == "float":
        try:
            return float(raw.strip())
        except ValueError:
            raise ParamError(param.wire, f"expected a number, got {raw!r}") from None
    raise ParamError(param.wire, f"cannot decode a {kind}")


def _decode_one(param: Param, raw: str, type_hint: Any) -> Any:
    if param.encoding == "csv":
        text = raw.strip()
        if text.startswith("["):  # some clients send a JSON array where a comma list is expected
            try:
                items = json.loads(text)
            except ValueError:
                raise ParamError(param.wire, "expected a comma-separated list or a JSON array") from None
            if not isinstance(items, list):
                raise ParamError(param.wire, "expected a comma-separated list or a JSON array")
            parts = [str(i) for i in items]
        else:
            parts = [part.strip() for part in text.split(",")]
        return [_scalar(param, param.item_kind or "str", part) for part in parts if part]
    if param.encoding == "json" or param.kind in ("json", "list", "dict", "model"):
        try:
            data = json.loads(raw)
        except ValueError:
            raise ParamError(param.wire, "expected JSON") from None
        if param.kind == "json":
            return data
        try:
            return wire.structure(data, type_hint)
        except Exception as exc:
            raise ParamError(param.wire, wire.describe(exc)) from None
    value = _scalar(param, param.kind, raw)
    if param.enum:
        for allowed in param.enum:
            if str(value).lower() == allowed.lower():
                return allowed
        raise ParamError(param.wire, f"{raw!r} is not one of {', '.join(param.enum)}")
    if isinstance(value, int) and not isinstance(value, bool):
        if param.minimum is not None and value < param.minimum:
            raise ParamError(param.wire, f"must be at least {param.minimum}")
        if param.maximum is not None and value > param.maximum:
            raise ParamError(param.wire, f"must be at most {param.maximum}")
    return value


def decode(
    op: Operation,
    values: Mapping[str, str],
    files: Mapping[str, Upload],
    path: Mapping[str, str],
    params_class: type[Any],
) -> Any:
    """Form/query strings -> the operation's parameter object. Parameter names match case-insensitively
    (as ArcGIS does); unknown parameters are ignored; empty strings mean "not given" except for free text."""
    lowered = {k.lower(): v for k, v in values.items()}
    lowered_files = {k.lower(): v for k, v in files.items()}
    hints = {f.name: f.type for f in attrs.fields(params_class)}
    kwargs: dict[str, Any] = {}
    for p in op.params:
        if p.location == "path":
            raw: Any = path.get(p.wire)
            if raw is None or raw == "":
                if p.required:
                    raise ParamError(p.wire, "is required")
                raw = None  # an optional [...] part of the path that was left out
            kwargs[p.name] = raw
            continue
        if p.location == "file":
            upload = lowered_files.get(p.wire.lower())
            if upload is None and p.wire.lower() in lowered and lowered[p.wire.lower()] != "":
                raise ParamError(p.wire, "must be sent as a file part of a multipart/form-data body")
            if upload is None and p.required:
                raise ParamError(p.wire, "is required")
            kwargs[p.name] = upload
            continue
        raw = lowered.get(p.wire.lower())
        if raw is None or raw == "":
            if p.required:
                raise ParamError(p.wire, "is required")
            # An empty text field is a value (with clearEmptyFields it clears a property); for every other
            # kind an empty string means "not given", as clients send `groups=` and the like.
            kwargs[p.name] = "" if raw == "" and p.kind == "str" and not p.enum else None
            continue
        kwargs[p.name] = _decode_one(p, raw, _strip_optional(hints[p.name]))
    return params_class(**kwargs)


def _strip_optional(hint: Any) -> Any:
    args = getattr(hint, "__args__", None)
    if args and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1:
            return rest[0]
    return hint
