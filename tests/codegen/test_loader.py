"""The spec loader: every kind of mistake is a SpecError naming the file and the key path; the real spec
loads into the IR with the expected names."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from arcgis_typed_codegen import SpecError, build, load_spec

ROOT = Path(__file__).resolve().parents[2]
FAMILY_FILE = "portal/things.yaml"
API_FILE = "portal/_api.yaml"

API: dict[str, Any] = {
    "api": "portal",
    "doc": "A test portal API.",
    "client": "PortalClient",
    "envelope": "portal",
    "context": "/portal",
    "sign_in": {"token": "things.get"},
}

_PAGE_PARAMS = {
    "q": {"type": "str", "required": True},
    "start": {"type": "int", "min": 1},
    "num": {"type": "int", "min": 0, "max": 100},
}

FAMILY: dict[str, Any] = {
    "family": "things",
    "doc": "Things, for the loader tests.",
    "models": {
        "Thing": {
            "doc": "A thing.",
            "fields": {
                "id": {"type": "str", "required": True},
                "numViews": "int",
                "access": {"type": "str", "enum": ["private", "public"]},
                "created": "datetime",
            },
        },
        "ThingPage": {
            "fields": {
                "total": {"type": "int", "required": True},
                "start": {"type": "int", "required": True},
                "num": {"type": "int", "required": True},
                "nextStart": {"type": "int", "required": True},
                "results": {"type": "list[Thing]", "required": True},
            },
        },
    },
    "operations": {
        "get": {
            "doc": "One thing.",
            "http": ["GET", "POST"],
            "path": "/sharing/rest/things/{id}",
            "auth": "optional",
            "params": {"id": {"type": "str", "in": "path", "required": True}},
            "response": "Thing",
            "errors": {400: "Thing not found."},
            "seeds": ["Thing.get", "Thing.(constructor)"],
        },
        "search": {
            "doc": "Search things.",
            "http": ["GET", "POST"],
            "path": "/sharing/rest/things",
            "auth": "optional",
            "params": copy.deepcopy(_PAGE_PARAMS),
            "paging": {"style": "start_num", "items": "results"},
            "response": "ThingPage",
        },
    },
}

DELETE = object()


def _write(tmp_path: Path, family: Any, api: Any = None, *, family_text: str | None = None) -> Path:
    root = tmp_path / "spec"
    (root / "portal").mkdir(parents=True)
    (root / API_FILE).write_text(yaml.safe_dump(API if api is None else api, sort_keys=False), encoding="utf-8")
    text = family_text if family_text is not None else yaml.safe_dump(family, sort_keys=False)
    (root / FAMILY_FILE).write_text(text, encoding="utf-8")
    return root


def _mutated(base: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(base)
    node = doc
    for key in path[:-1]:
        node = node[key]
    if value is DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return doc


def _load_error(root: Path) -> SpecError:
    with pytest.raises(SpecError) as info:
        load_spec(root)
    return info.value


def test_the_base_tree_loads(tmp_path: Path) -> None:
    spec = load_spec(_write(tmp_path, FAMILY))
    (api,) = spec.apis
    (fam,) = api.families
    assert fam.name == "things" and fam.source == FAMILY_FILE
    assert [op.const for op in fam.operations] == ["THINGS_GET", "THINGS_SEARCH"]
    search = fam.operations[1]
    assert search.paging is not None and search.paging.items_attr == "results" and search.paging.item_type == "Thing"
    thing = next(m for m in fam.models if m.name == "Thing")
    assert [f.name for f in thing.fields] == ["id", "num_views", "access", "created"]


# (what is wrong, path in the family document, new value or DELETE, expected key path, words in the message)
FAMILY_CASES: list[tuple[str, tuple[Any, ...], Any, str, str]] = [
    # unknown keys
    ("unknown top key", ("colour",), "red", "colour", "unknown key"),
    ("unknown model key", ("models", "Thing", "colour"), "red", "models.Thing.colour", "unknown key"),
    ("unknown field key", ("models", "Thing", "fields", "id", "optional"), True, "models.Thing.fields.id.optional", "unknown key"),
    ("unknown operation key", ("operations", "get", "method"), "GET", "operations.get.method", "unknown key"),
    ("unknown param key", ("operations", "get", "params", "id", "where"), "path", "operations.get.params.id.where", "unknown key"),
    ("unknown paging key", ("operations", "search", "paging", "size"), 10, "operations.search.paging.size", "unknown key"),
    # missing keys
    ("missing doc", ("doc",), DELETE, "doc", "missing"),
    ("missing fields", ("models", "Thing", "fields"), DELETE, "models.Thing.fields", "missing"),
    ("missing auth", ("operations", "get", "auth"), DELETE, "operations.get.auth", "missing"),
    ("missing response", ("operations", "get", "response"), DELETE, "operations.get.response", "missing"),
    ("missing field type", ("models", "Thing", "fields", "id"), {"required": True}, "models.Thing.fields.id.type", "missing"),
    # wrong types
    ("required not a bool", ("models", "Thing", "fields", "id", "required"), "yes", "models.Thing.fields.id.required", "true or false"),
    ("doc not a string", ("operations", "get", "doc"), 5, "operations.get.doc", "string"),
    ("http not a list", ("operations", "get", "http"), "GET", "operations.get.http", "list"),
    ("http empty", ("operations", "get", "http"), [], "operations.get.http", "at least one"),
    ("http method unknown", ("operations", "get", "http"), ["GET", "PUT"], "operations.get.http.1", "PUT"),
    ("params not a mapping", ("operations", "get", "params"), ["id"], "operations.get.params", "mapping"),
    ("models not a mapping", ("models",), ["Thing"], "models", "mapping"),
    ("fields not a mapping", ("models", "Thing", "fields"), "id", "models.Thing.fields", "mapping"),
    ("enum not a list", ("models", "Thing", "fields", "access", "enum"), "private", "models.Thing.fields.access.enum", "list"),
    ("enum entry not a string", ("models", "Thing", "fields", "access", "enum"), ["private", 3], "models.Thing.fields.access.enum.1", "string"),
    ("seeds not a list", ("operations", "get", "seeds"), "Thing.get", "operations.get.seeds", "list"),
    ("min not an int", ("operations", "search", "params", "num", "min"), "0", "operations.search.params.num.min", "integer"),
    ("min is a bool", ("operations", "search", "params", "num", "max"), True, "operations.search.params.num.max", "integer"),
    ("auth not a choice", ("operations", "get", "auth"), "password", "operations.get.auth", "not one of"),
    ("encoding not a choice", ("operations", "search", "params", "q", "encoding"), "xml", "operations.search.params.q.encoding", "not one of"),
    ("in not a choice", ("operations", "search", "params", "q", "in"), "query", "operations.search.params.q.in", "not one of"),
    ("secret not a bool", ("operations", "search", "params", "q", "secret"), "no", "operations.search.params.q.secret", "true or false"),
    ("idempotent not a bool", ("operations", "get", "idempotent"), "yes", "operations.get.idempotent", "true or false"),
    ("privileges not a list", ("operations", "get", "privileges"), "portal:admin", "operations.get.privileges", "list"),
    ("fidelity not a choice", ("operations", "get", "fidelity"), "mostly", "operations.get.fidelity", "not one of"),
    ("partial without deviations", ("operations", "get", "fidelity"), "partial", "operations.get.deviations", "deviations"),
    # names
    ("model name not PascalCase", ("models", "thing_two"), {"fields": {"a": "str"}}, "models.thing_two", "PascalCase"),
    ("operation name not snake_case", ("operations", "getThing"), None, "operations.getThing", "snake_case"),
    ("two wire names, one Python name", ("models", "Thing", "fields", "num_views"), "int", "models.Thing.fields", "duplicate"),
    ("extra is reserved", ("models", "Thing", "fields", "extra"), "json", "models.Thing.fields.extra", "reserved"),
    ("duplicate param Python name", ("operations", "search", "params", "Q"), {"type": "str", "py": "q"}, "operations.search.params", "duplicate"),
    # model references
    ("unknown model in a field", ("models", "Thing", "fields", "parent"), "Nope", "models.Thing.fields.parent.type", "unknown model"),
    ("unknown model in a list field", ("models", "Thing", "fields", "kids"), "list[Nope]", "models.Thing.fields.kids.type", "unknown model"),
    ("unknown model in a dict field", ("models", "Thing", "fields", "byId"), "dict[str, Nope]", "models.Thing.fields.byId.type", "unknown model"),
    ("unknown response model", ("operations", "get", "response"), "Nope", "operations.get.response", "unknown model"),
    ("unknown model in a param", ("operations", "search", "params", "filter"), {"type": "Nope"}, "operations.search.params.filter.type", "unknown model"),
    ("unknown special response", ("operations", "get", "response"), "@json", "operations.get.response", "special responses"),
    # type expressions
    ("bad scalar", ("models", "Thing", "fields", "numViews"), "integer", "models.Thing.fields.numViews.type", "unknown type"),
    ("unclosed list", ("models", "Thing", "fields", "numViews"), "list[int", "models.Thing.fields.numViews.type", "unknown type"),
    ("empty list", ("models", "Thing", "fields", "numViews"), "list[]", "models.Thing.fields.numViews.type", "unknown type"),
    ("dict with int keys", ("models", "Thing", "fields", "numViews"), "dict[int, str]", "models.Thing.fields.numViews.type", "unknown type"),
    ("list with a key type", ("models", "Thing", "fields", "numViews"), "list[str, int]", "models.Thing.fields.numViews.type", "type"),
    ("dict without a key type", ("models", "Thing", "fields", "numViews"), "dict[int]", "models.Thing.fields.numViews.type", "type"),
    ("type not a string", ("models", "Thing", "fields", "numViews"), {"type": 3}, "models.Thing.fields.numViews.type", "string"),
    ("file in a model", ("models", "Thing", "fields", "data"), "file", "models.Thing.fields.data.type", "only allowed for parameters"),
    ("file in a list field", ("models", "Thing", "fields", "data"), "list[file]", "models.Thing.fields.data.type", "only allowed for parameters"),
    # paths and parameters
    ("placeholder without param", ("operations", "get", "path"), "/sharing/rest/things/{thingId}", "operations.get.path", "placeholders"),
    ("path param without placeholder", ("operations", "search", "params", "owner"), {"type": "str", "in": "path"}, "operations.search.path", "placeholders"),
    ("path does not start with /", ("operations", "get", "path"), "sharing/rest/things/{id}", "operations.get.path", "start with /"),
    ("path ends with /", ("operations", "get", "path"), "/sharing/rest/things/{id}/", "operations.get.path", "end with /"),
    ("path param not a string", ("operations", "get", "params", "id", "type"), "int", "operations.get.params.id.type", "strings"),
    ("path param optional", ("operations", "get", "params", "id", "required"), False, "operations.get.params.id.required", "always required"),
    ("file param on a GET operation", ("operations", "get", "params", "data"), {"type": "file"}, "operations.get.http", "POST only"),
    ("in: file on a string", ("operations", "search", "params", "q", "in"), "file", "operations.search.params.q.in", "in: file"),
    ("file type in a form", ("operations", "search", "params", "data"), {"type": "file", "in": "form"}, "operations.search.params.data.in", "in: file"),
    ("min on a string", ("operations", "search", "params", "q", "min"), 1, "operations.search.params.q.min", "int parameters"),
    # seeds and errors
    ("seed row without a class", ("operations", "get", "seeds"), ["get"], "operations.get.seeds.0", "Class.member"),
    ("seed row with spaces", ("operations", "get", "seeds"), ["Thing.get", "Thing get"], "operations.get.seeds.1", "Class.member"),
    ("error code not numeric", ("operations", "get", "errors"), {"notfound": "Thing not found."}, "operations.get.errors.notfound", "numeric"),
    ("error code a numeric string", ("operations", "get", "errors"), {"400": "Thing not found."}, "operations.get.errors.400", "numeric"),
    ("error text not a string", ("operations", "get", "errors"), {400: ["x"]}, "operations.get.errors.400", "string"),
    ("errors not a mapping", ("operations", "get", "errors"), [400], "operations.get.errors", "mapping"),
    # paging
    ("paging without start", ("operations", "search", "params", "start"), DELETE, "operations.search.paging", "start"),
    ("paging without num", ("operations", "search", "params", "num"), DELETE, "operations.search.paging", "num"),
    ("paging without items", ("operations", "search", "paging", "items"), DELETE, "operations.search.paging.items", "missing"),
    ("paging without style", ("operations", "search", "paging", "style"), DELETE, "operations.search.paging.style", "missing"),
    ("paging style unknown", ("operations", "search", "paging", "style"), "offset", "operations.search.paging.style", "not one of"),
    ("paging items field missing", ("operations", "search", "paging", "items"), "things", "operations.search.paging.items", "no list field"),
    ("paging items field not a list", ("operations", "search", "paging", "items"), "total", "operations.search.paging.items", "no list field"),
    ("paged response without nextStart", ("models", "ThingPage", "fields", "nextStart"), DELETE, "operations.search.response", "nextStart"),
    # the file itself
    ("family name is not the file name", ("family",), "widgets", "family", "file name"),
    ("family seed row without a class", ("seeds",), ["things"], "seeds.0", "Class.member"),
    ("family seeds not a list", ("seeds",), "Thing.all", "seeds", "list"),
    # jobs
    ("job status operation unknown", ("operations", "get", "job"), {"status": "poll"}, "operations.get.job.status", "no other operation"),
    ("job status is itself", ("operations", "get", "job"), {"status": "get"}, "operations.get.job.status", "no other operation"),
    ("job without status", ("operations", "get", "job"), {"type": "publish"}, "operations.get.job.status", "missing"),
    ("job unknown key", ("operations", "get", "job"), {"status": "search", "every": 5}, "operations.get.job.every", "unknown key"),
    ("job type the status op lacks", ("operations", "get", "job"), {"status": "search", "type": "publish"}, "operations.get.job.type", "jobType"),
]


@pytest.mark.parametrize(
    ("path", "value", "key_path", "words"),
    [pytest.param(p, v, k, w, id=name) for name, p, v, k, w in FAMILY_CASES],
)
def test_family_mistakes_name_file_and_key_path(
    tmp_path: Path, path: tuple[Any, ...], value: Any, key_path: str, words: str
) -> None:
    if path == ("operations", "getThing"):
        value = copy.deepcopy(FAMILY["operations"]["get"])
    error = _load_error(_write(tmp_path, _mutated(FAMILY, path, value)))
    assert error.file == FAMILY_FILE
    assert error.key_path == key_path
    assert words.lower() in str(error).lower()
    assert str(error).startswith(f"{FAMILY_FILE}: {key_path}: ")


def test_duplicate_routes(tmp_path: Path) -> None:
    family = copy.deepcopy(FAMILY)
    twin = copy.deepcopy(family["operations"]["get"])
    twin["path"] = "/sharing/rest/Things/{thingId}"  # another placeholder name, another case: the same route
    twin["params"] = {"thingId": {"type": "str", "in": "path"}}
    family["operations"]["get_again"] = twin
    error = _load_error(_write(tmp_path, family))
    assert (error.file, error.key_path) == (FAMILY_FILE, "operations.get_again.path")
    assert "same route as things.get" in str(error)


def test_duplicate_routes_across_families(tmp_path: Path) -> None:
    root = _write(tmp_path, FAMILY)
    other = {
        "family": "widgets",
        "doc": "Widgets.",
        "operations": {"get": copy.deepcopy(FAMILY["operations"]["get"]) | {"response": "Thing"}},
    }
    (root / "portal/widgets.yaml").write_text(yaml.safe_dump(other), encoding="utf-8")
    error = _load_error(root)
    assert (error.file, error.key_path) == ("portal/widgets.yaml", "operations.get.path")


def test_model_name_used_twice_across_families(tmp_path: Path) -> None:
    root = _write(tmp_path, FAMILY)
    other = {"family": "widgets", "doc": "Widgets.", "models": {"Thing": {"fields": {"a": "str"}}}}
    (root / "portal/widgets.yaml").write_text(yaml.safe_dump(other), encoding="utf-8")
    error = _load_error(root)
    assert error.key_path == "models.Thing"
    assert error.file in (FAMILY_FILE, "portal/widgets.yaml")
    assert "already used" in str(error)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("family: things\ndoc: [unclosed\n", id="unclosed-flow"),
        pytest.param("family: things\n  doc: bad indent\n", id="bad-indent"),
        pytest.param("family: things\ndoc: \"unterminated\n", id="unterminated-string"),
        pytest.param("family: things\n\tdoc: tab\n", id="tab"),
    ],
)
def test_invalid_yaml(tmp_path: Path, text: str) -> None:
    error = _load_error(_write(tmp_path, None, family_text=text))
    assert error.file == FAMILY_FILE
    assert error.key_path == ""
    assert "not valid YAML" in str(error)


def test_duplicate_yaml_keys_are_reported(tmp_path: Path) -> None:
    text = yaml.safe_dump(FAMILY, sort_keys=False)
    text = text.replace("  search:\n", "  get:\n", 1)  # two operations called `get`: YAML would keep the last
    assert text.count("\n  get:\n") == 2
    error = _load_error(_write(tmp_path, None, family_text=text))
    assert error.file == FAMILY_FILE
    assert "duplicate key 'get'" in str(error)
    assert error.key_path == "operations.get"


@pytest.mark.parametrize("text", ["- a\n- b\n", "just a string\n", "42\n"], ids=["list", "string", "number"])
def test_top_level_not_a_mapping(tmp_path: Path, text: str) -> None:
    error = _load_error(_write(tmp_path, None, family_text=text))
    assert (error.file, error.key_path) == (FAMILY_FILE, "")
    assert "expected a mapping" in str(error)


def test_empty_file_misses_required_keys(tmp_path: Path) -> None:
    error = _load_error(_write(tmp_path, None, family_text=""))
    assert (error.file, error.key_path) == (FAMILY_FILE, "family")


API_CASES: list[tuple[str, tuple[Any, ...], Any, str, str]] = [
    ("api is not the folder name", ("api",), "server", "api", "folder name"),
    ("unknown key", ("mode",), "x", "mode", "unknown key"),
    ("missing client", ("client",), DELETE, "client", "missing"),
    ("envelope not a choice", ("envelope",), "soap", "envelope", "not one of"),
    ("sign_in unknown key", ("sign_in", "saml"), "things.get", "sign_in.saml", "unknown key"),
    ("sign_in unknown operation", ("sign_in", "token"), "things.nope", "sign_in.token", "no operation"),
    ("sign_in not qualified", ("sign_in", "token"), "get", "sign_in.token", "no operation"),
    ("context not a string", ("context",), 5, "context", "string"),
]


@pytest.mark.parametrize(
    ("path", "value", "key_path", "words"),
    [pytest.param(p, v, k, w, id=name) for name, p, v, k, w in API_CASES],
)
def test_api_file_mistakes(tmp_path: Path, path: tuple[Any, ...], value: Any, key_path: str, words: str) -> None:
    error = _load_error(_write(tmp_path, FAMILY, _mutated(API, path, value)))
    assert error.file == API_FILE
    assert error.key_path == key_path
    assert words.lower() in str(error).lower()


def test_no_api_folder(tmp_path: Path) -> None:
    (tmp_path / "spec").mkdir()
    error = _load_error(tmp_path / "spec")
    assert "no API folders" in str(error)


# --- the real spec -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_api() -> Any:
    spec = load_spec(ROOT / "spec")
    (api,) = [a for a in spec.apis if a.name == "portal"]
    return api


def test_real_spec_loads(real_api: Any) -> None:
    assert real_api.client == "PortalClient"
    assert real_api.envelope == "portal"
    assert real_api.context == "/portal"
    families = {f.name for f in real_api.families}
    assert {"content", "org", "tokens", "users"} <= families
    assert real_api.sign_in.token == "tokens.generate_token"
    for fam in real_api.families:
        assert fam.source == f"portal/{fam.name}.yaml"


def test_real_spec_names(real_api: Any) -> None:
    models = {m.name: m for m in real_api.models}
    item_fields = {f.wire: f for f in models["Item"].fields}
    assert item_fields["numViews"].name == "num_views"
    assert item_fields["numViews"].type.py == "int"
    assert item_fields["ownerFolder"].name == "owner_folder"
    assert item_fields["created"].type.base == "datetime"
    assert item_fields["id"].required and not item_fields["title"].required
    portal_fields = {f.wire: f.name for f in models["PortalSelf"].fields}
    assert portal_fields["allSSL"] == "all_ssl"
    assert portal_fields["supportsOAuth"] == "supports_oauth"

    ops = {op.qualified: op for op in real_api.operations}
    search = ops["content.search"]
    assert search.const == "CONTENT_SEARCH"
    assert search.params_class == "ContentSearchParams"
    assert search.path == "/sharing/rest/search"
    assert search.idempotent
    assert search.paging is not None
    assert (search.paging.items, search.paging.items_attr, search.paging.item_type) == ("results", "results", "Item")
    params = {p.wire: p for p in search.params}
    assert params["sortField"].name == "sort_field"
    assert params["num"].maximum == 100 and params["start"].minimum == 1
    assert ops["content.get"].rule == "/sharing/rest/content/items/<id>"
    assert ops["tokens.generate_token"].const == "TOKENS_GENERATE_TOKEN"
    assert not ops["tokens.generate_token"].idempotent
    assert {p.wire: p.secret for p in ops["tokens.generate_token"].params}["password"]
    add_item = ops["content.add_item"]
    assert {p.wire: p.location for p in add_item.params}["file"] == "file"
    assert add_item.http == ("POST",)
    assert {p.wire: p.encoding for p in add_item.params}["tags"] == "csv"


def test_seed_rows_must_exist_in_the_seed_surface(tmp_path: Path) -> None:
    root = _write(tmp_path, FAMILY)
    (root / "seed-surface.tsv").write_text(
        "seed\tmodule\tclass\tmember\tkind\n000\tthings\tThing\tget\tmethod\n000\tthings\tThing\t(constructor)\tclass\n",
        encoding="utf-8",
    )
    assert build(tmp_path)["seed-coverage.json"]  # every row the family names is there
    family = _mutated(FAMILY, ("operations", "search", "seeds"), ["Thing.search"])
    (root / FAMILY_FILE).write_text(yaml.safe_dump(family, sort_keys=False), encoding="utf-8")
    with pytest.raises(SpecError) as info:
        build(tmp_path)
    assert (info.value.file, info.value.key_path) == (FAMILY_FILE, "operations.search.seeds.0")
    assert "'Thing.search' is not a row of seed-surface.tsv" in str(info.value)
