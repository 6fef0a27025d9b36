"""The seed-coverage report: for every row of seed-surface.tsv, the operations serving it and whether the
fake implements each (read from the fake's `@handles("api:family.op")` decorators, without importing it)."""

from __future__ import annotations

import ast
import csv
from pathlib import Path
from typing import Any

from .ir import Spec
from .load import FIDELITY, SpecError


def fake_handlers(handlers_dir: Path) -> set[str]:
    """Every `api:family.op` named by a `@handles(...)` decorator in the fake's handler modules."""
    found: set[str] = set()
    for path in sorted(handlers_dir.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for deco in node.decorator_list:
                    if (
                        isinstance(deco, ast.Call)
                        and getattr(deco.func, "id", getattr(deco.func, "attr", None)) == "handles"
                    ):
                        found.update(a.value for a in deco.args if isinstance(a, ast.Constant) and isinstance(a.value, str))
    return found


def client_rows(runtime_dir: Path) -> dict[str, str]:
    """Rows served by the client alone, without a REST call (connection profiles...): each hand-written
    runtime module may list them in a module-level `SEEDS = ("Class.member", ...)`. Row -> module name."""
    found: dict[str, str] = {}
    for path in sorted(runtime_dir.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in tree.body:
            if (
                isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "SEEDS" for t in node.targets)
                and isinstance(node.value, (ast.Tuple, ast.List))
            ):
                for elt in node.value.elts:
                    if isinstance(elt, ast.Constant) and isinstance(elt.value, str):
                        found[elt.value] = f"arcgis_typed._runtime.{path.stem}"
    return found


def seed_rows(tsv: Path) -> list[dict[str, str]]:
    with tsv.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def report(spec: Spec, tsv: Path, handlers: set[str], client: dict[str, str] | None = None) -> dict[str, Any]:
    client = client or {}
    serving: dict[str, list[str]] = {}
    first_use: dict[str, SpecError] = {}
    fidelity: dict[str, dict[str, Any]] = {}
    for api in spec.apis:
        for fam in api.families:  # a row the family's namespace serves as a whole: every operation of it
            for i, row in enumerate(fam.seeds):
                serving.setdefault(row, []).extend(f"{api.name}:{op.qualified}" for op in fam.operations)
                first_use.setdefault(row, SpecError(fam.source, ("seeds", i), f"{row!r} is not a row of {tsv.name}"))
        for op in api.operations:
            key = f"{api.name}:{op.qualified}"
            if key in handlers and op.fidelity == "not_implemented":
                raise SpecError(op.source, ("operations", op.name, "fidelity"), "says 'not_implemented' but has a handler")
            level = op.fidelity if key in handlers else "not_implemented"  # no handler: whatever the label says
            fidelity[key] = {"fidelity": level, "deviations": list(op.deviations)}
            for i, row in enumerate(op.seeds):
                serving.setdefault(row, []).append(f"{api.name}:{op.qualified}")
                first_use.setdefault(
                    row, SpecError(op.source, ("operations", op.name, "seeds", i), f"{row!r} is not a row of {tsv.name}")
                )
    rows = []
    known = set()
    for r in seed_rows(tsv):
        key = f"{r['class']}.{r['member']}"
        known.add(key)
        ops = sorted(set(serving.get(key, [])))
        entry: dict[str, Any] = {
            "row": key,
            "seed": r["seed"],
            "module": r["module"],
            "kind": r["kind"],
            "operations": [{"operation": o, "fake": o in handlers, **fidelity[o]} for o in ops],
            "covered": bool(ops) and all(o in handlers for o in ops) or key in client,
        }
        if key in client:
            entry["client"] = client[key]  # served by the client alone (no REST operation)
        rows.append(entry)
    unknown = sorted(set(serving) - known)
    if unknown:
        raise first_use[unknown[0]]
    strays = sorted(set(client) - known)
    if strays:
        raise SpecError(client[strays[0]], ("SEEDS",), f"{strays[0]!r} is not a row of {tsv.name}")
    covered = sum(1 for r in rows if r["covered"])
    by_fidelity = {level: sorted(k for k, v in fidelity.items() if v["fidelity"] == level) for level in FIDELITY}
    return {
        "rows": rows,
        "summary": {"rows": len(rows), "covered": covered, "with_operations": sum(1 for r in rows if r["operations"]),
                    "fidelity": {level: len(ops) for level, ops in by_fidelity.items()}},
        "fidelity": {"partial": {k: fidelity[k]["deviations"] for k in by_fidelity["partial"]},
                     "not_implemented": by_fidelity["not_implemented"]},
    }


def markdown(data: dict[str, Any]) -> str:
    """The report as a table by class: rows covered end to end (client, fake and a test) and rows still open."""
    by_class: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in data["rows"]:
        cls = row["row"].split(".", 1)[0]
        by_class.setdefault((row["seed"][:3], cls), []).append(row)
    summary = data["summary"]
    lines = [
        "<!-- Generated by `python -m arcgis_typed_codegen` from spec/ and the fake's handlers. DO NOT EDIT. -->",
        "# Seed-surface coverage",
        "",
        f"{summary['covered']} of {summary['rows']} rows of `spec/seed-surface.tsv` are served by operations the fake "
        "implements (each exercised end to end by a test marked with its row).",
        "",
        "| seed | class | covered | not covered yet |",
        "|---|---|---|---|",
    ]
    for (seed, cls), rows in sorted(by_class.items()):
        open_rows = ", ".join(r["row"].split(".", 1)[1] for r in rows if not r["covered"]) or "-"
        covered = sum(1 for r in rows if r["covered"])
        lines.append(f"| {seed} | {cls} | {covered} / {len(rows)} | {open_rows} |")
    return "\n".join(lines) + "\n"
