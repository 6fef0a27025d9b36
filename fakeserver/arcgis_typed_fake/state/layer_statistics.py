"""Statistics of feature queries (`outStatistics`, `groupByFieldsForStatistics`, `having`), as SQL computes
them on a relational data store: NULLs are left out of every statistic (count counts the non-NULL values,
`*` counts rows), a statistic of no values is NULL (count: 0), stddev and var are the sample statistics (NULL
for fewer than two values), NULL group-by values form a group of their own, and without group-by fields there
is exactly one row even when nothing matched.
"""

from __future__ import annotations

import math
import re
import statistics as pystats
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import attrs

from ..errors import Fault
from .where import Row, Value, compile_value, compile_where, invalid

TYPES = ("count", "sum", "min", "max", "avg", "stddev", "var")
NUMERIC_ONLY = {"sum", "avg", "stddev", "var"}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_AGGREGATE = re.compile(r"\b(COUNT|SUM|MIN|MAX|AVG|STDDEV|VAR)\s*\(([^()]*)\)", re.IGNORECASE)


@contextmanager
def _about(param: str) -> Iterator[None]:
    """Where-clause errors of a compiled expression, renamed to the parameter it came from."""
    try:
        yield
    except Fault as exc:
        exc.details = [d.replace("'where'", f"'{param}'") for d in exc.details]
        raise


@attrs.frozen
class Statistic:
    kind: str
    value: Value | None  # None: count(*)
    name: str
    field: dict[str, Any]  # the output field's definition

    def compute(self, rows: Sequence[Row]) -> Any:
        if self.value is None:
            return len(rows)
        return aggregate(self.kind, [v for v in map(self.value, rows) if v is not None])


def aggregate(kind: str, values: list[Any]) -> Any:
    """One statistic of non-NULL values."""
    if kind == "count":
        return len(values)
    if not values:
        return None
    if kind == "sum":
        return sum(values)
    if kind == "min":
        return min(values)
    if kind == "max":
        return max(values)
    if kind == "avg":
        return math.fsum(values) / len(values)
    if len(values) < 2:
        return None
    variance = float(pystats.variance(values))
    return variance if kind == "var" else math.sqrt(variance)


def _output_field(kind: str, expression: str, value_kind: str, layer_fields: Mapping[str, dict[str, Any]],
                  name: str) -> dict[str, Any]:
    source = layer_fields.get(expression.strip().strip('"').lower())
    if kind == "count":
        esri_type = "esriFieldTypeInteger"
    elif kind in ("min", "max") and source is not None:
        esri_type = "esriFieldTypeInteger" if source["type"] == "esriFieldTypeOID" else str(source["type"])
    else:
        esri_type = "esriFieldTypeString" if value_kind == "text" else "esriFieldTypeDouble"
    return {"name": name, "type": esri_type, "alias": name}


def parse(raw: Any, fields: Sequence[dict[str, Any]]) -> list[Statistic]:
    """outStatistics: [{statisticType, onStatisticField, outStatisticFieldName}, ...]."""
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list) or not raw or not all(isinstance(s, dict) for s in raw):
        raise invalid("'outStatistics' must be a JSON array of {\"statisticType\": ..., \"onStatisticField\": ..., "
                      "\"outStatisticFieldName\": ...}.")
    types = {f["name"]: str(f.get("type")) for f in fields}
    by_lower = {f["name"].lower(): f for f in fields}
    out: list[Statistic] = []
    for entry in raw:
        kind = str(entry.get("statisticType") or "").strip().lower()
        if kind not in TYPES:
            raise invalid(f"'outStatistics' has the statisticType {entry.get('statisticType')!r}; expected one of "
                          f"{', '.join(TYPES)}.")
        expression = entry.get("onStatisticField")
        if not isinstance(expression, str) or not expression.strip():
            raise invalid("'outStatistics' needs an onStatisticField (a field name or expression) in each statistic.")
        value: Value | None = None
        value_kind = "number"
        if not (kind == "count" and expression.strip() == "*"):
            with _about("outStatistics"):
                value, value_kind = compile_value(expression, types)
        if kind in NUMERIC_ONLY and value_kind == "text":
            raise invalid(f"'outStatistics': {kind} of {expression.strip()!r} needs a numeric field.")
        default = f"{kind}_{re.sub(r'[^A-Za-z0-9_]', '', expression)}"
        name = str(entry.get("outStatisticFieldName") or default)
        if not _NAME.fullmatch(name) or name.lower() in {s.name.lower() for s in out}:
            raise invalid(f"'outStatistics' has the outStatisticFieldName {name!r}; each must be a distinct name of "
                          "letters, digits and underscores.")
        out.append(Statistic(kind, value, name, _output_field(kind, expression, value_kind, by_lower, name)))
    return out


def _having(text: str | None, group_fields: Sequence[dict[str, Any]], stats: Sequence[Statistic],
            types: Mapping[str, str]) -> Callable[[dict[str, Any], Sequence[Row]], bool]:
    """A test of one group (its output row and its rows) for `having`: a where clause over the group-by
    fields, the output statistics and aggregate functions such as AVG(field) or COUNT(*)."""
    if text is None or not text.strip():
        return lambda row, rows: True
    calls: list[Statistic] = []

    def replace(match: re.Match[str]) -> str:
        name = f"having_{len(calls)}_"
        raw = {"statisticType": match.group(1), "onStatisticField": match.group(2), "outStatisticFieldName": name}
        with _about("having"):
            calls.extend(parse([raw], [{"name": n, "type": t} for n, t in types.items()]))
        return f'"{name}"'

    rewritten = _AGGREGATE.sub(replace, text)
    known = {f["name"]: str(f["type"]) for f in [*group_fields, *(s.field for s in [*stats, *calls])]}
    with _about("having"):
        test = compile_where(rewritten, known)
    return lambda row, rows: test({**row, **{c.name: c.compute(rows) for c in calls}})


def compute(rows: Sequence[Row], stats: Sequence[Statistic], group_fields: Sequence[dict[str, Any]],
            having: str | None, types: Mapping[str, str]) -> list[dict[str, Any]]:
    """One output row per group (one in all without group-by fields) that `having` keeps."""
    names = [f["name"] for f in group_fields]
    groups: dict[tuple[Any, ...], list[Row]] = {}
    for row in rows:
        groups.setdefault(tuple(row.get(n) for n in names), []).append(row)
    if not names:
        groups = {(): list(rows)}
    keep = _having(having, group_fields, stats, types)
    out: list[dict[str, Any]] = []
    for key, members in groups.items():
        result = {**dict(zip(names, key, strict=True)), **{s.name: s.compute(members) for s in stats}}
        if keep(result, members):
            out.append(result)
    return out
