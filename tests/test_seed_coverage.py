"""Every seed-surface row that the spec says is served by implemented operations has an end-to-end test
marked `@pytest.mark.seed("Class.member")`, and every marker names a real row."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from arcgis_typed_codegen.coverage import seed_rows

ROOT = Path(__file__).resolve().parents[1]


def _seed_markers() -> dict[str, list[str]]:
    """Row -> test files marking it, read from the source (independent of which tests were collected)."""
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "seed"
                and isinstance(node.func.value, ast.Attribute)
                and node.func.value.attr == "mark"
            ):
                for arg in node.args:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        found.setdefault(arg.value, []).append(path.relative_to(ROOT).as_posix())
    return found


def test_every_covered_row_has_a_marked_end_to_end_test() -> None:
    report = json.loads((ROOT / "generated" / "seed-coverage.json").read_text())
    covered = {row["row"] for row in report["rows"] if row["covered"]}
    assert covered, "the coverage report claims no rows at all"
    missing = sorted(covered - set(_seed_markers()))
    assert not missing, f"rows claimed covered without a @pytest.mark.seed test: {missing}"


def test_seed_markers_name_real_rows() -> None:
    rows = {f"{r['class']}.{r['member']}" for r in seed_rows(ROOT / "spec" / "seed-surface.tsv")}
    unknown = {row: files for row, files in _seed_markers().items() if row not in rows}
    assert not unknown, f"markers naming rows that are not in seed-surface.tsv: {unknown}"


def test_spec_copy_of_seed_surface_matches_shared() -> None:
    shared = ROOT.parent / "shared" / "seed-surface.tsv"
    if not shared.exists():
        pytest.skip("../shared is not beside this checkout")
    assert (ROOT / "spec" / "seed-surface.tsv").read_bytes() == shared.read_bytes()


def test_the_readme_states_the_coverage_of_the_report() -> None:
    summary = json.loads((ROOT / "generated" / "seed-coverage.json").read_text())["summary"]
    stated = f"{summary['covered']} of {summary['rows']} rows"
    assert stated in (ROOT / "README.md").read_text(), f"README.md must say '{stated}' (generated/seed-coverage.md)"
