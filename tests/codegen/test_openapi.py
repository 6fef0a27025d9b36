"""The OpenAPI export is valid OpenAPI 3.1 and lists every operation of the table with its methods."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from arcgis_typed.portal import _operations
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

ROOT = Path(__file__).resolve().parents[2]
OPENAPI = ROOT / "generated" / "openapi" / "portal.json"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(OPENAPI.read_text(encoding="utf-8"))
    return data


def test_validates(document: dict[str, Any]) -> None:
    validate(document)  # raises on any violation of the OpenAPI 3.1 schema
    assert document["openapi"].startswith("3.1")


def test_validation_would_catch_a_broken_document(document: dict[str, Any]) -> None:
    broken = json.loads(json.dumps(document))
    del broken["info"]
    with pytest.raises(OpenAPIValidationError, match="info"):
        validate(broken)


def _body_properties(entry: dict[str, Any]) -> set[str]:
    content = entry.get("requestBody", {}).get("content", {})
    return {name for media in content.values() for name in media.get("schema", {}).get("properties", {})}


def test_every_operation_appears_with_its_methods(document: dict[str, Any]) -> None:
    paths: dict[str, Any] = document["paths"]
    assert _operations.OPERATIONS
    for op in _operations.OPERATIONS:
        assert op.path in paths, f"{op.name}: {op.path} not in the OpenAPI paths"
        item = paths[op.path]
        declared = {m for m in item if m in ("get", "post", "put", "delete", "patch", "head", "options")}
        assert declared == {m.lower() for m in op.methods}, op.name
        base_id = op.name.replace(".", "_")
        placeholders = set(re.findall(r"\{(\w+)\}", op.path))
        others = {p.wire for p in op.params if p.location != "path"}
        for method in op.methods:
            entry = item[method.lower()]
            assert entry["operationId"] in (base_id, f"{base_id}_{method.lower()}"), op.name
            params = entry.get("parameters", []) + item.get("parameters", [])
            assert {p["name"] for p in params if p.get("in") == "path"} == placeholders, op.name
            if method == "GET":
                assert others <= {p["name"] for p in params if p.get("in") == "query"}, op.name
            else:
                assert others <= _body_properties(entry), op.name
            for p in op.params:
                if p.location == "file":
                    assert "multipart/form-data" in entry["requestBody"]["content"], op.name


def test_no_paths_beyond_the_table(document: dict[str, Any]) -> None:
    assert set(document["paths"]) == {op.path for op in _operations.OPERATIONS}


def test_operation_ids_are_unique(document: dict[str, Any]) -> None:
    ids = [
        entry["operationId"]
        for item in document["paths"].values()
        for method, entry in item.items()
        if isinstance(entry, dict) and "operationId" in entry
    ]
    assert len(ids) == len(set(ids))


def test_codegen_check_exits_zero() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "arcgis_typed_codegen", "--check"],
        cwd=ROOT,
        capture_output=True,
        check=False,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "up to date" in result.stdout


def test_codegen_check_fails_on_a_stale_tree(tmp_path: Path) -> None:
    out = tmp_path / "generated"
    result = subprocess.run(
        [sys.executable, "-m", "arcgis_typed_codegen", "--check", "--root", str(ROOT), "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        check=False,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "missing:" in result.stderr
