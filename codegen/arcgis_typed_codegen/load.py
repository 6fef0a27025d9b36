"""Load the YAML spec into the IR, checking every key; each mistake names its file and key path."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs
import yaml

from . import naming
from .ir import (
    SCALARS,
    SPECIAL_RESPONSES,
    Api,
    Family,
    Field,
    Model,
    Operation,
    Paging,
    Param,
    SignIn,
    Spec,
    Type,
)

API_FILE = "_api.yaml"
HTTP_METHODS = ("GET", "POST")
AUTH_MODES = ("anonymous", "optional", "token")
FIDELITY = ("full", "partial", "not_implemented")  # how far the fake implements an operation
LOCATIONS = ("path", "form", "file")
ENCODINGS = ("plain", "csv", "json", "bool", "path")
PAGING_STYLES = ("start_num",)
ENVELOPES = ("portal", "server")
SEED_ROW = re.compile(r"^[A-Za-z_][\w]*\.(\(constructor\)|[\w/{}.-]+)$")
_LIST = re.compile(r"^list\s*\[\s*(.+?)\s*\]$")
_DICT = re.compile(r"^dict\s*\[\s*str\s*,\s*(.+?)\s*\]$")


class SpecError(ValueError):
    """A mistake in a spec file: `file: key.path: what is wrong`."""

    def __init__(self, file: str, path: Iterable[str | int], message: str) -> None:
        self.file = file
        self.key_path = ".".join(str(p) for p in path)
        super().__init__(f"{file}: {self.key_path or '(top)'}: {message}")


class _Ctx:
    """Where we are in a spec file, for error messages."""

    def __init__(self, file: str, path: tuple[str | int, ...] = ()) -> None:
        self.file = file
        self.path = path

    def at(self, *keys: str | int) -> _Ctx:
        return _Ctx(self.file, self.path + keys)

    def error(self, message: str) -> SpecError:
        return SpecError(self.file, self.path, message)

    def mapping(self, value: Any, *, allowed: Iterable[str] | None = None, required: Iterable[str] = ()) -> dict[str, Any]:
        if value is None:
            value = {}
        if not isinstance(value, Mapping):
            raise self.error(f"expected a mapping, got {type(value).__name__}")
        for key in value:
            if not isinstance(key, str):
                raise self.at(str(key)).error("keys must be strings")
        if allowed is not None:
            unknown = sorted(set(value) - set(allowed))
            if unknown:
                raise self.at(unknown[0]).error(f"unknown key (allowed: {', '.join(sorted(allowed))})")
        for key in required:
            if key not in value:
                raise self.at(key).error("required key is missing")
        return dict(value)

    def string(self, value: Any, *, choices: Iterable[str] | None = None) -> str:
        if not isinstance(value, str):
            raise self.error(f"expected a string, got {type(value).__name__}")
        if choices is not None and value not in choices:
            raise self.error(f"{value!r} is not one of {', '.join(choices)}")
        return value

    def boolean(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise self.error(f"expected true or false, got {value!r}")
        return value

    def integer(self, value: Any) -> int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.error(f"expected an integer, got {value!r}")
        return value

    def strings(self, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise self.error(f"expected a list, got {type(value).__name__}")
        return tuple(self.at(i).string(v) for i, v in enumerate(value))

    def type(self, value: Any, *, allow_file: bool = False) -> Type:
        text = self.string(value).strip()
        for container, pattern in (("list", _LIST), ("dict", _DICT)):
            match = pattern.match(text)
            if match:
                inner = match.group(1)
                if container == "list" and re.match(r"^str\s*,", inner):
                    raise self.error(f"unknown type {text!r} (lists take one type: list[T]; maps are dict[str, T])")
                return Type(container, item=self.type(inner, allow_file=False))
        if text in SCALARS:
            return Type(text)
        if text == "file":
            if not allow_file:
                raise self.error("`file` is only allowed for parameters")
            return Type("file")
        if re.fullmatch(r"[A-Z][A-Za-z0-9]*", text):
            return Type("model", model=text)
        raise self.error(
            f"unknown type {text!r} (expected {', '.join(SCALARS)}, file, list[T], dict[str, T] or a Model name)"
        )


class _DuplicateKey(Exception):
    def __init__(self, path: tuple[str | int, ...], key: str, line: int) -> None:
        self.path, self.key, self.line = path, key, line


class _StrictLoader(yaml.SafeLoader):
    """A SafeLoader that refuses duplicate mapping keys (plain YAML silently keeps the last one)."""


def _check_duplicates(node: yaml.Node, path: tuple[str | int, ...] = ()) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if isinstance(key_node, yaml.ScalarNode) and key in seen:
                raise _DuplicateKey(path, key, key_node.start_mark.line + 1)
            seen.add(key)
            _check_duplicates(value_node, path + (key,))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _check_duplicates(item, path + (i,))


def _read_yaml(path: Path, rel: str) -> Any:
    loader = _StrictLoader(path.read_text(encoding="utf-8"))
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_duplicates(node)
        return loader.construct_document(node)
    except _DuplicateKey as dup:
        raise SpecError(rel, (*dup.path, dup.key), f"duplicate key {dup.key!r} (line {dup.line})") from None
    except yaml.YAMLError as exc:
        raise SpecError(rel, (), f"not valid YAML: {exc}") from None
    finally:
        loader.dispose()


_FIELD_KEYS = ("type", "required", "doc", "enum", "py")


def _field(ctx: _Ctx, wire: str, raw: Any) -> Field:
    spec = {"type": raw} if isinstance(raw, str) else ctx.mapping(raw, allowed=_FIELD_KEYS, required=("type",))
    return Field(
        name=ctx.at("py").string(spec["py"]) if "py" in spec else naming.snake(wire),
        wire=wire,
        type=ctx.at("type").type(spec["type"]),
        required=ctx.at("required").boolean(spec.get("required", False)),
        doc=ctx.at("doc").string(spec.get("doc", "")),
        enum=ctx.at("enum").strings(spec.get("enum", [])),
    )


def _model(ctx: _Ctx, name: str, family: str, raw: Any) -> Model:
    if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", name):
        raise ctx.error("model names are PascalCase")
    spec = ctx.mapping(raw, allowed=("doc", "fields"), required=("fields",))
    fields_raw = ctx.at("fields").mapping(spec["fields"])
    fields = tuple(_field(ctx.at("fields", wire), wire, value) for wire, value in fields_raw.items())
    _unique(ctx.at("fields"), [f.name for f in fields], "Python field name")
    if any(f.name == "extra" for f in fields):
        raise ctx.at("fields", "extra").error("`extra` is reserved for unknown response fields")
    return Model(name=name, family=family, doc=ctx.at("doc").string(spec.get("doc", "")), fields=fields)


_PARAM_KEYS = ("type", "required", "doc", "enum", "py", "in", "encoding", "secret", "min", "max")


def _default_encoding(t: Type) -> str:
    if t.base == "bool":
        return "bool"
    if t.base == "list" and t.item is not None and t.item.base in ("str", "int"):
        return "csv"
    if t.base in ("list", "dict", "model", "json"):
        return "json"
    return "plain"


def _param(ctx: _Ctx, wire: str, raw: Any, optional_path: frozenset[str] = frozenset()) -> Param:
    spec = {"type": raw} if isinstance(raw, str) else ctx.mapping(raw, allowed=_PARAM_KEYS, required=("type",))
    t = ctx.at("type").type(spec["type"], allow_file=True)
    location = ctx.at("in").string(spec.get("in", "file" if t.base == "file" else "form"), choices=LOCATIONS)
    if (location == "file") != (t.base == "file"):
        raise ctx.at("in").error("file parameters (type: file) and only they go `in: file`")
    if location == "path" and t.base != "str":
        raise ctx.at("type").error("path parameters are strings")
    encoding = ctx.at("encoding").string(spec.get("encoding", _default_encoding(t)), choices=ENCODINGS)
    in_optional_part = location == "path" and wire in optional_path
    required = ctx.at("required").boolean(spec.get("required", location == "path" and not in_optional_part))
    if location == "path" and not required and not in_optional_part:
        raise ctx.at("required").error(
            "path parameters are always required, unless they sit in an optional [/...] part of the path"
        )
    if in_optional_part and required:
        raise ctx.at("required").error("a path parameter in an optional [/...] part of the path is optional")
    bounds = {k: ctx.at(k).integer(spec[k]) if k in spec else None for k in ("min", "max")}
    if (bounds["min"] is not None or bounds["max"] is not None) and t.base != "int":
        raise ctx.at("min" if bounds["min"] is not None else "max").error("min/max apply to int parameters only")
    return Param(
        name=ctx.at("py").string(spec["py"]) if "py" in spec else naming.snake(wire),
        wire=wire,
        type=t,
        location=location,
        required=required,
        encoding=encoding,
        secret=ctx.at("secret").boolean(spec.get("secret", False)),
        enum=ctx.at("enum").strings(spec.get("enum", [])),
        minimum=bounds["min"],
        maximum=bounds["max"],
        doc=ctx.at("doc").string(spec.get("doc", "")),
    )


_OP_KEYS = (
    "doc", "http", "path", "auth", "privileges", "owner_override", "idempotent", "params", "response",
    "paging", "errors", "seeds", "html", "job", "fidelity", "deviations",
)


def _operation(ctx: _Ctx, api: str, family: str, name: str, raw: Any, source: str) -> Operation:
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise ctx.error("operation names are snake_case")
    spec = ctx.mapping(raw, allowed=_OP_KEYS, required=("doc", "http", "path", "auth", "response"))
    if not isinstance(spec["http"], list):
        raise ctx.at("http").error(f"expected a list of HTTP methods, got {type(spec['http']).__name__}")
    http = tuple(ctx.at("http", i).string(m, choices=HTTP_METHODS) for i, m in enumerate(spec["http"]))
    if not http:
        raise ctx.at("http").error("at least one HTTP method")
    path = ctx.at("path").string(spec["path"])
    _check_path(ctx.at("path"), path)
    optional_path = frozenset(naming.optional_names(path))
    params_raw = ctx.at("params").mapping(spec.get("params"))
    params = tuple(_param(ctx.at("params", wire), wire, value, optional_path) for wire, value in params_raw.items())
    _unique(ctx.at("params"), [p.name for p in params], "Python parameter name")
    in_path = [p.wire for p in params if p.location == "path"]
    if sorted(in_path) != sorted(naming.path_names(path)):
        raise ctx.at("path").error(f"path placeholders {naming.path_names(path)} must match the `in: path` params {in_path}")
    if any(p.location == "file" for p in params) and http != ("POST",):
        raise ctx.at("http").error("operations with file parameters are POST only")
    slashes = frozenset(p.wire for p in params if p.encoding == "path")
    for wire in slashes:
        if next(p for p in params if p.wire == wire).location != "path" or not path.endswith("{" + wire + "}"):
            raise ctx.at("params", wire, "encoding").error(
                "encoding: path (a value that may hold slashes) is for the path parameter at the end of the path"
            )
    response = ctx.at("response").string(spec["response"])
    if response.startswith("@") and response not in SPECIAL_RESPONSES:
        raise ctx.at("response").error(f"special responses are {', '.join(SPECIAL_RESPONSES)}")
    if "[" in response and not re.fullmatch(r"list\[[A-Za-z_][A-Za-z0-9_]*\]", response):
        raise ctx.at("response").error("a response is a model, `list[Model]` (a JSON array) or a special response")
    if response.startswith("list[") and "paging" in spec:
        raise ctx.at("paging").error("a list response cannot be paged")
    errors_raw = spec.get("errors") or {}
    if not isinstance(errors_raw, Mapping):
        raise ctx.at("errors").error("expected a mapping of ArcGIS error code to description")
    errors = []
    for code, text in errors_raw.items():
        if not isinstance(code, int) or isinstance(code, bool):
            raise ctx.at("errors", str(code)).error("error keys are numeric ArcGIS error codes")
        errors.append((code, ctx.at("errors", code).string(text)))
    seeds = ctx.at("seeds").strings(spec.get("seeds", []))
    for i, row in enumerate(seeds):
        if not SEED_ROW.match(row):
            raise ctx.at("seeds", i).error("seed rows are written Class.member, as in seed-surface.tsv")
    paging = None
    if "paging" in spec:
        pctx = ctx.at("paging")
        praw = pctx.mapping(spec["paging"], allowed=("style", "items"), required=("style", "items"))
        style = pctx.at("style").string(praw["style"], choices=PAGING_STYLES)
        wires = {p.wire for p in params}
        if not {"start", "num"} <= wires:
            raise pctx.error("start_num paging needs `start` and `num` parameters")
        paging = Paging(style=style, items=pctx.at("items").string(praw["items"]), items_attr="", item_type="")
    job_status = job_type = None
    if "job" in spec:
        jctx = ctx.at("job")
        jraw = jctx.mapping(spec["job"], allowed=("status", "type"), required=("status",))
        job_status = jctx.at("status").string(jraw["status"])
        job_type = jctx.at("type").string(jraw["type"]) if "type" in jraw else None
    idempotent_default = "GET" in http
    fidelity = ctx.at("fidelity").string(spec.get("fidelity", "full"), choices=FIDELITY)
    deviations = ctx.at("deviations").strings(spec.get("deviations", []))
    if fidelity == "partial" and not deviations:
        raise ctx.at("deviations").error("a partial operation lists its known deviations")
    return Operation(
        api=api,
        family=family,
        name=name,
        const=naming.upper(f"{family}_{name}"),
        params_class=naming.pascal(f"{family}_{name}_params"),
        doc=ctx.at("doc").string(spec["doc"]).strip(),
        http=http,
        path=path,
        rule=naming.werkzeug_rule(naming.path_variants(path)[0], slashes),
        rules=tuple(naming.werkzeug_rule(v, slashes) for v in naming.path_variants(path)),
        html=ctx.at("html").boolean(spec.get("html", False)),
        fidelity=fidelity,
        deviations=deviations,
        auth=ctx.at("auth").string(spec["auth"], choices=AUTH_MODES),
        privileges=ctx.at("privileges").strings(spec.get("privileges", [])),
        owner_override=ctx.at("owner_override").string(spec["owner_override"]) if "owner_override" in spec else None,
        idempotent=ctx.at("idempotent").boolean(spec.get("idempotent", idempotent_default)),
        params=params,
        response=response,
        paging=paging,
        errors=tuple(sorted(errors)),
        seeds=seeds,
        source=source,
        job_status=job_status,
        job_type=job_type,
    )


_SEGMENT_TEXT = re.compile(r"^[\w.~-]*$")  # the fixed text of a path segment (placeholders removed)


def _check_path(ctx: _Ctx, path: str) -> None:
    """Paths start with / and do not end with /; `{name}` placeholders, several per segment only when fixed
    text separates them (`{serviceName}.{type}`); optional parts are `[/...]`, not nested, each with a placeholder."""
    if not path.startswith("/") or path.endswith("/") and path != "/":
        raise ctx.error("paths start with / and do not end with /")
    fixed = re.sub(r"\[[^\[\]]*\]", "", path)
    if "[" in fixed or "]" in fixed:
        raise ctx.error("optional parts are written [/...], closed and not nested")
    for part in naming.optional_parts(path):
        if not part.startswith("/") or part.endswith("/") or not naming.path_names(part):
            raise ctx.error(f"the optional part [{part}] must start with /, not end with /, and hold a placeholder")
    names = naming.path_names(path)
    if len(set(names)) != len(names):
        raise ctx.error("a placeholder appears twice in the path")
    for variant in naming.path_variants(path):
        for segment in variant.strip("/").split("/"):
            if "}{" in segment:
                raise ctx.error(f"placeholders in one segment need fixed text between them: {segment!r}")
            if not _SEGMENT_TEXT.match(re.sub(r"\{\w+\}", "", segment)):
                raise ctx.error(f"unexpected characters in the path segment {segment!r}")
            if not segment and variant != "/":
                raise ctx.error("empty path segment (//)")


def _unique(ctx: _Ctx, names: list[str], what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ctx.error(f"duplicate {what} {name!r}")
        seen.add(name)


def _params_model(op: Operation) -> Model:
    fields = tuple(
        Field(name=p.name, wire=p.wire, type=p.type, required=p.required, doc=p.doc, enum=p.enum) for p in op.params
    )
    return Model(name=op.params_class, family=op.family, doc=f"Parameters of `{op.qualified}`.", fields=fields, is_params=True)


def _ordered(models: list[Model], local: set[str]) -> tuple[Model, ...]:
    """Sort models so that each comes after the models of its own module it refers to (name order otherwise)."""
    by_name = {m.name: m for m in models}
    done: list[Model] = []
    placed: set[str] = set()

    def place(m: Model, stack: tuple[str, ...]) -> None:
        if m.name in placed:
            return
        for dep in m.depends_on:
            if dep in local and dep not in placed and dep not in stack:
                place(by_name[dep], stack + (m.name,))
        placed.add(m.name)
        done.append(m)

    for m in sorted(models, key=lambda m: m.name):
        place(m, ())
    return tuple(done)


def _resolve(api: str, families: list[Family], api_file: str) -> list[Family]:
    """Check model references and fill in what needs the whole API (paging item types)."""
    known: dict[str, Model] = {}
    for fam in families:
        for m in fam.models:
            if m.name in known:
                raise SpecError(fam.source, ("models", m.name), f"model name already used in {known[m.name].family}")
            known[m.name] = m
    resolved = []
    for fam in families:
        op_of_params = {op.params_class: op.name for op in fam.operations}
        for m in fam.models:
            for f in m.fields:
                for ref in f.type.models:
                    if ref not in known:
                        where = (
                            ("operations", op_of_params[m.name], "params") if m.is_params else ("models", m.name, "fields")
                        )
                        raise SpecError(fam.source, (*where, f.wire, "type"), f"unknown model {ref!r}")
        ops = []
        for op in fam.operations:
            ctx = _Ctx(fam.source, ("operations", op.name))
            if op.response_kind == "model" and op.response_model not in known:
                raise ctx.at("response").error(f"unknown model {op.response_model!r}")
            if op.job_status is not None:
                _check_job(ctx.at("job"), op, fam)
            if op.paging is not None:
                model = known[op.response]
                field = next((f for f in model.fields if f.wire == op.paging.items), None)
                if field is None or field.type.base != "list" or field.type.item is None:
                    raise ctx.at("paging", "items").error(f"{op.response} has no list field {op.paging.items!r}")
                if not {"nextStart", "total"} <= {f.wire for f in model.fields}:
                    raise ctx.at("response").error("paged responses need `total` and `nextStart` fields")
                paging = Paging(op.paging.style, op.paging.items, field.name, field.type.item.py)
                op = attrs.evolve(op, paging=paging)
            ops.append(op)
        resolved.append(Family(fam.name, fam.doc, fam.source, fam.models, tuple(ops), fam.seeds))
    return resolved


def _check_job(ctx: _Ctx, op: Operation, fam: Family) -> None:
    """A job's status operation is a reading operation of the same family; a job type is one of its jobType
    values (when it declares them)."""
    status = next((o for o in fam.operations if o.name == op.job_status), None)
    if status is None or status is op:
        raise ctx.at("status").error(f"no other operation {op.job_status!r} in family {fam.name!r}")
    if "GET" not in status.http:
        raise ctx.at("status").error(f"the status operation {status.name!r} must allow GET (it only reads)")
    job_param = next((p for p in status.params if p.wire == "jobType"), None)
    if op.job_type is not None and (job_param is None or (job_param.enum and op.job_type not in job_param.enum)):
        raise ctx.at("type").error(f"{status.name!r} takes no jobType {op.job_type!r}")


def load_api(api_dir: Path, spec_root: Path) -> Api:
    api_rel = (api_dir / API_FILE).relative_to(spec_root).as_posix()
    ctx = _Ctx(api_rel)
    head = ctx.mapping(
        _read_yaml(api_dir / API_FILE, api_rel),
        allowed=("api", "doc", "client", "envelope", "context", "sign_in"),
        required=("api", "doc", "client", "envelope", "context"),
    )
    name = ctx.at("api").string(head["api"])
    if name != api_dir.name:
        raise ctx.at("api").error(f"must equal the folder name {api_dir.name!r}")
    families: list[Family] = []
    for path in sorted(api_dir.glob("*.yaml")):
        if path.name == API_FILE:
            continue
        rel = path.relative_to(spec_root).as_posix()
        fctx = _Ctx(rel)
        raw = fctx.mapping(
            _read_yaml(path, rel), allowed=("family", "doc", "models", "operations", "seeds"), required=("family", "doc")
        )
        family = fctx.at("family").string(raw["family"])
        if family != path.stem:
            raise fctx.at("family").error(f"must equal the file name {path.stem!r}")
        models = [
            _model(fctx.at("models", mname), mname, family, mraw)
            for mname, mraw in fctx.at("models").mapping(raw.get("models")).items()
        ]
        ops = tuple(
            _operation(fctx.at("operations", oname), name, family, oname, oraw, rel)
            for oname, oraw in fctx.at("operations").mapping(raw.get("operations")).items()
        )
        models += [_params_model(op) for op in ops]
        local = {m.name for m in models}
        fseeds = tuple(fctx.at("seeds").strings(raw.get("seeds", [])))
        for i, row in enumerate(fseeds):
            if "." not in row:
                raise fctx.at("seeds", i).error("seed rows are written Class.member, as in seed-surface.tsv")
        families.append(
            Family(family, fctx.at("doc").string(raw["doc"]).strip(), rel, _ordered(models, local), ops, fseeds)
        )
    families = _resolve(name, families, api_rel)
    qualified = {op.qualified for fam in families for op in fam.operations}
    sctx = ctx.at("sign_in")
    sraw = sctx.mapping(head.get("sign_in"), allowed=("token", "oauth2_authorize", "oauth2_signin"))
    for key, value in sraw.items():
        if sctx.at(key).string(value) not in qualified:
            raise sctx.at(key).error(f"no operation {value!r}")
    _check_routes(families)
    return Api(
        name=name,
        doc=ctx.at("doc").string(head["doc"]),
        client=ctx.at("client").string(head["client"]),
        envelope=ctx.at("envelope").string(head["envelope"], choices=ENVELOPES),
        context=ctx.at("context").string(head["context"]),
        sign_in=SignIn(sraw.get("token"), sraw.get("oauth2_authorize"), sraw.get("oauth2_signin")),
        families=tuple(families),
    )


def _check_routes(families: list[Family]) -> None:
    seen: dict[str, str] = {}
    for fam in families:
        for op in fam.operations:
            for rule in op.rules:
                key = re.sub(r"<\w+>", "<>", rule).lower()
                if key in seen:
                    raise SpecError(fam.source, ("operations", op.name, "path"), f"same route as {seen[key]}")
                seen[key] = op.qualified


def load_spec(spec_root: Path, *, only: Callable[[str], bool] | None = None) -> Spec:
    """Load every API folder (a folder holding `_api.yaml`) under `spec_root`."""
    apis = [
        load_api(d, spec_root)
        for d in sorted(p.parent for p in spec_root.glob(f"*/{API_FILE}"))
        if only is None or only(d.name)
    ]
    if not apis:
        raise SpecError(spec_root.name, (), f"no API folders (folders holding {API_FILE})")
    return Spec(tuple(apis))
