"""Seed rows served by the client alone: hand-written runtime modules list them in `SEEDS`, the coverage
report counts them covered (with the module), and a name that is not a row of the seed surface is an error."""

from __future__ import annotations

from pathlib import Path

import pytest
from arcgis_typed_codegen import SpecError, load_spec
from arcgis_typed_codegen.coverage import client_rows, report

ROOT = Path(__file__).resolve().parents[2]


def test_the_runtime_lists_the_profile_rows() -> None:
    rows = client_rows(ROOT / "generated" / "arcgis_typed" / "_runtime")
    assert rows["ProfileManager.create"] == "arcgis_typed._runtime.profiles"
    assert {r for r in rows if r.startswith("ProfileManager.")} == {
        f"ProfileManager.{m}" for m in ("(constructor)", "create", "delete", "get", "list", "save_as", "update")}


def test_client_rows_are_covered_and_strays_refused(tmp_path: Path) -> None:
    spec = load_spec(ROOT / "spec")
    tsv = ROOT / "spec" / "seed-surface.tsv"
    (tmp_path / "extra.py").write_text('SEEDS = ("ProfileManager.list",)\nOTHER = ("ProfileManager.get",)\n')
    rows = client_rows(tmp_path)
    assert rows == {"ProfileManager.list": "arcgis_typed._runtime.extra"}
    found = {r["row"]: r for r in report(spec, tsv, set(), rows)["rows"]}
    assert found["ProfileManager.list"]["covered"] and found["ProfileManager.list"]["client"]
    assert not found["ProfileManager.get"]["covered"] and "client" not in found["ProfileManager.get"]
    with pytest.raises(SpecError, match="'Nobody.nothing' is not a row"):
        report(spec, tsv, set(), {"Nobody.nothing": "arcgis_typed._runtime.extra"})
