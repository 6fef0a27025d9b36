"""`response: list[Model]` (an answer that is a JSON array, such as portals/languages): it loads, renders a
typed function returning a list, exports an array schema, and malformed or paged list responses are spec
errors naming the key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from arcgis_typed_codegen import SpecError, build, load_spec
from test_loader import FAMILY, FAMILY_FILE, _mutated, _write


def test_a_list_response_loads_and_renders(tmp_path: Path) -> None:
    family = _mutated(FAMILY, ("operations", "get", "response"), "list[Thing]")
    root = _write(tmp_path, family)
    (root / "seed-surface.tsv").write_text("seed\tmodule\tclass\tmember\tkind\n000\tthings\tThing\tget\tmethod\n"
                                           "000\tthings\tThing\t(constructor)\tclass\n", encoding="utf-8")
    spec = load_spec(root)
    op = next(o for o in spec.apis[0].operations if o.name == "get")
    assert (op.response_is_list, op.response_model, op.response_py) == (True, "Thing", "list[Thing]")
    files = build(tmp_path)
    ops_module = files["arcgis_typed/portal/ops/things.py"]
    assert "-> list[Thing]:" in ops_module and "model: list[Thing] = session.call(" in ops_module
    assert 'response="arcgis_typed.portal.models.things:Thing[]"' in files["arcgis_typed/portal/_operations.py"]
    schema = json.loads(files["openapi/portal.json"])["paths"]["/sharing/rest/things/{id}"]["get"]
    answer = schema["responses"]["200"]["content"]["application/json"]["schema"]["anyOf"][0]
    assert answer == {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}


@pytest.mark.parametrize(("op", "response", "key"), [
    ("get", "list[Nothing]", "operations.get.response"),
    ("get", "dict[str, Thing]", "operations.get.response"),
    ("get", "list[Thing", "operations.get.response"),
    ("search", "list[Thing]", "operations.search.paging"),
])
def test_bad_list_responses(tmp_path: Path, op: str, response: str, key: str) -> None:
    family = _mutated(FAMILY, ("operations", op, "response"), response)
    with pytest.raises(SpecError) as info:
        load_spec(_write(tmp_path, family))
    assert (info.value.file, info.value.key_path) == (FAMILY_FILE, key)
