"""Fidelity labels: the spec says how far the fake implements each operation; the label reaches the docs, the
OpenAPI export and the seed-coverage report, and cannot disagree with the fake's handlers."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import pytest
from arcgis_typed_codegen import SpecError, load_spec
from arcgis_typed_codegen.coverage import fake_handlers, report

ROOT = Path(__file__).resolve().parents[2]
HANDLERS = ROOT / "fakeserver" / "arcgis_typed_fake" / "handlers"
SEEDS = ROOT / "spec" / "seed-surface.tsv"


def test_labels_reach_the_report_the_openapi_and_the_docstrings() -> None:
    coverage = json.loads((ROOT / "generated" / "seed-coverage.json").read_text())
    assert coverage["summary"]["fidelity"]["partial"] >= 1
    deviations = coverage["fidelity"]["partial"]["portal:content.search"]
    assert any("stemmed" in d for d in deviations)
    row = next(r for r in coverage["rows"] if any(o["operation"] == "portal:content.search" for o in r["operations"]))
    op = next(o for o in row["operations"] if o["operation"] == "portal:content.search")
    assert op["fidelity"] == "partial" and op["deviations"] == deviations
    openapi = json.loads((ROOT / "generated" / "openapi" / "portal.json").read_text())
    search = openapi["paths"]["/sharing/rest/search"]["get"]
    assert search["x-fake-fidelity"] == "partial" and search["x-fake-deviations"] == deviations
    assert "x-fake-fidelity" not in openapi["paths"]["/sharing/rest/content/items/{id}"]["get"]  # full: no label
    from arcgis_typed.portal.ops import content

    assert "Fake fidelity: partial." in (content.search.__doc__ or "")


def test_a_not_implemented_label_on_a_handled_operation_fails_generation() -> None:
    spec = load_spec(ROOT / "spec")
    handlers = fake_handlers(HANDLERS)
    api = spec.apis[0]
    family = api.families[0]
    op = family.operations[0]
    relabel = attrs.evolve(family, operations=(attrs.evolve(op, fidelity="not_implemented"), *family.operations[1:]))
    wrong = attrs.evolve(spec, apis=(attrs.evolve(api, families=(relabel, *api.families[1:])), *spec.apis[1:]))
    with pytest.raises(SpecError, match="not_implemented' but has a handler"):
        report(wrong, SEEDS, handlers)
    key = f"{api.name}:{op.qualified}"
    without = report(spec, SEEDS, handlers - {key})  # no handler: reported not implemented, whatever the label
    assert key in without["fidelity"]["not_implemented"]
