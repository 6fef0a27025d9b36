"""Path templates with optional parts (`/services[/{folderName}]/x`) and several placeholders in one segment
(`/{serviceName}.{type}`): what the loader accepts and refuses, the rules and client signatures it renders, and
how the runtime builds URLs and the fake decodes them."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml
from arcgis_typed._runtime import params as codec
from arcgis_typed._runtime.operation import Operation, Param
from arcgis_typed.server_admin import _operations as server_ops
from arcgis_typed_codegen import SpecError, load_spec
from arcgis_typed_codegen.naming import optional_names, path_variants, werkzeug_rule
from arcgis_typed_codegen.render import render

API = {"api": "portal", "doc": "Test.", "client": "PortalClient", "envelope": "server", "context": "/arcgis"}
SERVICE_OP: dict[str, Any] = {
    "doc": "A service.",
    "http": ["GET"],
    "path": "/admin/services[/{folderName}]/{serviceName}.{type}",
    "auth": "token",
    "params": {
        "folderName": {"type": "str", "in": "path"},
        "serviceName": {"type": "str", "in": "path"},
        "type": {"type": "str", "in": "path", "py": "service_type"},
    },
    "response": "Thing",
}
FAMILY: dict[str, Any] = {
    "family": "things",
    "doc": "Things.",
    "models": {"Thing": {"fields": {"id": "str"}}},
    "operations": {"service": SERVICE_OP},
}


def _load(tmp_path: Path, op: dict[str, Any]) -> Any:
    root = tmp_path / "spec"
    (root / "portal").mkdir(parents=True)
    (root / "portal/_api.yaml").write_text(yaml.safe_dump(API), encoding="utf-8")
    family = copy.deepcopy(FAMILY)
    family["operations"]["service"] = op
    (root / "portal/things.yaml").write_text(yaml.safe_dump(family, sort_keys=False), encoding="utf-8")
    return load_spec(root)


def test_naming_helpers() -> None:
    path = "/admin/services[/{folderName}]/{serviceName}.{type}/start"
    assert path_variants(path) == ["/admin/services/{folderName}/{serviceName}.{type}/start",
                                   "/admin/services/{serviceName}.{type}/start"]
    assert optional_names(path) == ["folderName"]
    assert werkzeug_rule("/a/{b}.{c}") == "/a/<b>.<c>"
    assert path_variants("/a[/{b}]/c[/{d}]") == ["/a/{b}/c/{d}", "/a/{b}/c", "/a/c/{d}", "/a/c"]


def test_optional_parts_load_and_render(tmp_path: Path) -> None:
    spec = _load(tmp_path, SERVICE_OP)
    (op,) = spec.apis[0].operations
    assert op.rules == ("/admin/services/<folderName>/<serviceName>.<type>", "/admin/services/<serviceName>.<type>")
    assert op.rule == op.rules[0]
    assert op.paths == ("/admin/services/{folderName}/{serviceName}.{type}", "/admin/services/{serviceName}.{type}")
    params = {p.wire: p for p in op.params}
    assert not params["folderName"].required and params["serviceName"].required
    files = render(spec)
    ops_module = files["arcgis_typed/portal/ops/things.py"]
    # required path parameters are positional; the optional folder is a keyword defaulting to None
    flat = " ".join(ops_module.split())
    assert "def service( session: Session, service_name: str, service_type: str, *, folder_name: str | None = None," \
        in flat
    table = files["arcgis_typed/portal/_operations.py"]
    assert 'rules=("/admin/services/<folderName>/<serviceName>.<type>", "/admin/services/<serviceName>.<type>"),' \
        in table


@pytest.mark.parametrize(
    ("path", "params", "key_path", "words"),
    [
        ("/a[/{b}/c", {"b": {"type": "str", "in": "path"}}, "operations.service.path", "closed and not nested"),
        ("/a[/{b}[/{c}]]", {"b": {"type": "str", "in": "path"}, "c": {"type": "str", "in": "path"}},
         "operations.service.path", "closed and not nested"),
        ("/a[/b]", {}, "operations.service.path", "hold a placeholder"),
        ("/a[{b}]", {"b": {"type": "str", "in": "path"}}, "operations.service.path", "must start with /"),
        ("/a/{b}{c}", {"b": {"type": "str", "in": "path"}, "c": {"type": "str", "in": "path"}},
         "operations.service.path", "fixed text between them"),
        ("/a/{b}/{b}", {"b": {"type": "str", "in": "path"}}, "operations.service.path", "twice"),
        ("/a/b c", {}, "operations.service.path", "unexpected characters"),
        ("/a//b", {}, "operations.service.path", "empty path segment"),
        ("/a[/{b}]", {"b": {"type": "str", "in": "path", "required": True}}, "operations.service.params.b.required",
         "is optional"),
        ("/a/{b}", {"b": {"type": "str", "in": "path", "required": False}}, "operations.service.params.b.required",
         "always required"),
    ],
)
def test_path_mistakes(tmp_path: Path, path: str, params: dict[str, Any], key_path: str, words: str) -> None:
    op = {**copy.deepcopy(SERVICE_OP), "path": path, "params": params}
    with pytest.raises(SpecError) as info:
        _load(tmp_path, op)
    assert info.value.key_path == key_path
    assert words in str(info.value)


def test_optional_variants_collide_with_other_routes(tmp_path: Path) -> None:
    root = tmp_path / "spec"
    (root / "portal").mkdir(parents=True)
    (root / "portal/_api.yaml").write_text(yaml.safe_dump(API), encoding="utf-8")
    family = copy.deepcopy(FAMILY)
    family["operations"]["root_service"] = {**copy.deepcopy(SERVICE_OP), "path": "/admin/services/{name}.{kind}",
                                            "params": {"name": {"type": "str", "in": "path"},
                                                       "kind": {"type": "str", "in": "path"}}}
    (root / "portal/things.yaml").write_text(yaml.safe_dump(family, sort_keys=False), encoding="utf-8")
    with pytest.raises(SpecError, match="same route as things.service"):
        load_spec(root)


# --- the runtime side ----------------------------------------------------------------------------------------


def test_urls_keep_optional_parts_only_with_values() -> None:
    op = server_ops.SERVICES_START_SERVICE
    base = "https://h/arcgis"
    assert op.url(base, {"serviceName": "Roads", "type": "MapServer"}) == \
        "https://h/arcgis/admin/services/Roads.MapServer/start"
    assert op.url(base, {"folderName": "My Maps", "serviceName": "Roads", "type": "MapServer"}) == \
        "https://h/arcgis/admin/services/My%20Maps/Roads.MapServer/start"
    assert op.all_rules == op.rules and len(op.rules) == 2
    assert server_ops.SERVICES_CREATE_FOLDER.all_rules == (server_ops.SERVICES_CREATE_FOLDER.rule,)


def test_encode_and_decode_optional_path_parameters() -> None:
    op = server_ops.SERVICES_GET_SERVICE
    params_class = __import__("arcgis_typed.server_admin.params.services", fromlist=["x"]).ServicesGetServiceParams
    with_folder = params_class(service_name="Roads", service_type="MapServer", folder_name="Maps")
    assert codec.encode(op, with_folder).path == {"folderName": "Maps", "serviceName": "Roads", "type": "MapServer"}
    for empty in (None, ""):  # an empty optional part is left out, like None
        encoded = codec.encode(op, attrs.evolve(with_folder, folder_name=empty))
        assert encoded.path == {"serviceName": "Roads", "type": "MapServer"}
    decoded = codec.decode(op, {}, {}, {"serviceName": "Roads", "type": "MapServer"}, params_class)
    assert decoded.folder_name is None and decoded.service_name == "Roads"
    with pytest.raises(codec.ParamError, match="'serviceName': is required"):
        codec.decode(op, {}, {}, {"type": "MapServer"}, params_class)


def test_operation_defaults_keep_old_tables_valid() -> None:
    op = Operation(api="x", name="f.g", methods=("GET",), path="/a/{b}", rule="/a/<b>", auth="anonymous",
                   params=(Param(name="b", wire="b", kind="str", location="path", required=True),),
                   params_class="m:C", response="m:R", idempotent=True)
    assert op.rules == () and op.all_rules == ("/a/<b>",) and not op.html
    assert op.url("https://h/", {"b": "x/y"}) == "https://h/a/x%2Fy"


def test_slashed_path_parameters(tmp_path: Path) -> None:
    """`encoding: path` lets the last path parameter hold slashes: a `<path:...>` rule, a URL keeping them."""
    op = {"doc": "A resource.", "http": ["GET"], "path": "/items/{id}/resources/{resource}", "auth": "token",
          "params": {"id": {"type": "str", "in": "path"},
                     "resource": {"type": "str", "in": "path", "encoding": "path"}},
          "response": "Thing"}
    loaded = _load(tmp_path, op)
    (operation,) = [o for fam in loaded.apis[0].families for o in fam.operations]
    assert operation.rule == "/items/<id>/resources/<path:resource>"
    assert werkzeug_rule("/a/{b}/{c}", frozenset({"c"})) == "/a/<b>/<path:c>"
    for bad_path, wire in (("/items/{resource}/x/{id}", "resource"), ("/items/{id}/{resource}", "id")):
        spoiled = copy.deepcopy(op)
        spoiled["path"] = bad_path
        spoiled["params"] = {"id": {"type": "str", "in": "path"}, "resource": {"type": "str", "in": "path"}}
        spoiled["params"][wire]["encoding"] = "path"
        with pytest.raises(SpecError, match="encoding: path"):
            _load(tmp_path / wire, spoiled)
    form = copy.deepcopy(op)
    form["path"] = "/items/{id}"
    form["params"] = {"id": {"type": "str", "in": "path"}, "name": {"type": "str", "encoding": "path"}}
    with pytest.raises(SpecError, match="encoding: path"):
        _load(tmp_path / "form", form)
    runtime = Operation(
        api="portal", name="things.resource", methods=("GET",), path="/items/{id}/resources/{resource}", rule="",
        auth="token", params=(Param("id", "id", "str", "path"), Param("resource", "resource", "str", "path",
                                                                      encoding="path")),
        params_class="x:Y", response="@bytes", idempotent=True,
    )
    assert runtime.url("https://h/portal", {"id": "a/b", "resource": "fonts/Arial Regular/0-255.pbf"}) == (
        "https://h/portal/items/a%2Fb/resources/fonts/Arial%20Regular/0-255.pbf")
