"""The OpenAPI export is valid OpenAPI 3.1 and lists every operation of each table with its methods (an
operation whose path has optional parts appears once per concrete path)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from arcgis_typed._runtime.operation import Operation
from arcgis_typed.portal import _operations as portal_operations
from arcgis_typed.server_admin import _operations as server_admin_operations
from arcgis_typed_codegen.naming import path_variants
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

ROOT = Path(__file__).resolve().parents[2]
TABLES = {"portal": portal_operations.OPERATIONS, "server_admin": server_admin_operations.OPERATIONS}


@pytest.fixture(scope="module", params=sorted(TABLES))
def api(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def document(api: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ROOT / "generated" / "openapi" / f"{api}.json").read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def operations(api: str) -> tuple[Operation, ...]:
    return TABLES[api]


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


def test_every_operation_appears_with_its_methods(document: dict[str, Any], operations: tuple[Operation, ...]) -> None:
    paths: dict[str, Any] = document["paths"]
    assert operations
    for op in operations:
        variants = path_variants(op.path)
        assert len(variants) == len(op.all_rules), op.name
        all_placeholders = set(re.findall(r"\{(\w+)\}", op.path))
        for path in variants:
            assert path in paths, f"{op.name}: {path} not in the OpenAPI paths"
            item = paths[path]
            declared = {m for m in item if m in ("get", "post", "put", "delete", "patch", "head", "options")}
            assert declared == {m.lower() for m in op.methods}, op.name
            placeholders = set(re.findall(r"\{(\w+)\}", path))
            left_out = sorted(all_placeholders - placeholders)
            base_id = op.name.replace(".", "_") + ("_without_" + "_".join(left_out) if left_out else "")
            others = {p.wire for p in op.params if p.location != "path"}
            for method in op.methods:
                entry = item[method.lower()]
                assert entry["operationId"] in (base_id, f"{base_id}_{method.lower()}"), op.name
                params = entry.get("parameters", []) + item.get("parameters", [])
                assert {p["name"] for p in params if p.get("in") == "path"} == placeholders, op.name
                if method == "GET":
                    assert others <= {p["name"] for p in params if p.get("in") == "query"}, op.name
                    formats = next(p for p in params if p["name"] == "f")["schema"]["enum"]
                else:
                    assert others <= _body_properties(entry), op.name
                    formats = next(iter(entry["requestBody"]["content"].values()))["schema"]["properties"]["f"]["enum"]
                assert ("html" in formats) == op.html, op.name
                for p in op.params:
                    if p.location == "file":
                        assert "multipart/form-data" in entry["requestBody"]["content"], op.name


def test_no_paths_beyond_the_table(document: dict[str, Any], operations: tuple[Operation, ...]) -> None:
    assert set(document["paths"]) == {path for op in operations for path in path_variants(op.path)}


def test_the_error_envelope_is_the_apis(document: dict[str, Any], api: str) -> None:
    envelope = document["components"]["schemas"]["ErrorEnvelope"]["properties"]
    assert set(envelope) == ({"error"} if api == "portal" else {"status", "messages", "code"})


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
