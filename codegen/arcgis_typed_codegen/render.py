"""Render the IR into the `arcgis_typed` package tree (deterministically: sorted, strict, no timestamps)."""

from __future__ import annotations

import json
import textwrap
from typing import Any

import jinja2

from .ir import Api, Family, Field, Model, Operation, Param, Spec

GENERATED_HEADER = "DO NOT EDIT"


def _pydoc(text: str) -> str:
    return str(text).replace("\\", "\\\\").replace('"""', '\\"\\"\\"').strip()


def _py(value: Any) -> str:
    """A Python literal with double-quoted strings (the style of the hand-written code)."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, tuple):
        inner = ", ".join(_py(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(_py(v) for v in value) + "]"
    return repr(value)


def _docstring(text: str, indent: str) -> str:
    """A docstring block at `indent` (one line when short)."""
    lines = [line.rstrip() for line in _pydoc(text).split("\n")]
    if len(lines) == 1 and len(lines[0]) + len(indent) + 6 <= 110:
        return f'{indent}"""{lines[0]}"""'
    body = "\n".join(f"{indent}{line}" if line else "" for line in lines[1:])
    return f'{indent}"""{lines[0]}\n{body}\n{indent}"""'


def _wrap_call(head: str, args: list[str], tail: str, indent: str) -> str:
    """`head(a, b)tail` on one line when it fits in 110 columns, else one argument per line."""
    one = f"{indent}{head}({', '.join(args)}){tail}"
    if len(one) <= 110 or not args:
        return one
    lead = len(head) - len(head.lstrip())
    pad = indent + " " * lead
    inner = "".join(f"{pad}    {a},\n" for a in args)
    return f"{indent}{head}(\n{inner}{pad}){tail}"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("arcgis_typed_codegen", "templates"),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["pydoc"] = _pydoc
    env.filters["pyrepr"] = _py
    env.globals["docstring"] = _docstring
    env.globals["wrap_call"] = _wrap_call
    return env


def _ns_class(family: Family) -> str:
    return "".join(p.capitalize() for p in family.name.split("_")) + "Ops"


def _param_type(p: Param) -> str:
    if p.enum and p.type.base == "str":
        return "Literal[" + ", ".join(f'"{v}"' for v in p.enum) + "]"
    return p.type.py


def _field_type(f: Field, model: Model) -> str:
    base = "Literal[" + ", ".join(f'"{v}"' for v in f.enum) + "]" if (model.is_params and f.enum) else f.type.py
    return base if f.required else f"{base} | None"


def _field_default(f: Field, model: Model) -> str:
    return "" if f.required else " = None"


def _signature(op: Operation, first: str, paged: bool = False) -> list[str]:
    args = [first]
    positional = [p for p in op.params if p.location == "path" and p.required]  # optional path parts: keywords
    rest = [p for p in op.params if p not in positional and not (paged and p.wire in ("start", "num"))]
    args += [f"{p.name}: str" for p in positional]
    keyword = [f"{p.name}: {_param_type(p)}" for p in rest if p.required]
    keyword += [f"{p.name}: {_param_type(p)} | None = None" for p in rest if not p.required]
    if paged:
        keyword.append("page_size: int = 100")
    if keyword:
        args += ["*", *keyword]
    return args


def _call_args(op: Operation, paged: bool = False) -> list[str]:
    return [f"{p.name}={p.name}" for p in op.params if not (paged and p.wire in ("start", "num"))]


def _op_doc(op: Operation) -> str:
    lines = [op.doc, "", f"`{' | '.join(op.http)} {op.path}` - auth: {op.auth}"]
    if op.privileges:
        lines.append(f"Needs privileges: {', '.join(op.privileges)}.")
    if op.owner_override:
        lines.append(f"Acts on the caller's own objects, or anyone's with {op.owner_override}.")
    if op.job_status:
        kind = f" with jobType {op.job_type}" if op.job_type else ""
        lines.append(f"A job: poll `{op.family}.{op.job_status}`{kind} until it completes"
                     " (`arcgis_typed._runtime.jobs.wait`).")
    if op.paging:
        lines.append(f"Paged: see `{op.name}_all` to iterate over every result.")
    if op.fidelity != "full" or op.deviations:
        lines.append(f"Fake fidelity: {op.fidelity.replace('_', ' ')}.")
        lines += [f"- {text}" for text in op.deviations]
    documented = [p for p in op.params if p.doc or p.enum]
    if documented:
        lines += ["", "Args:"]
        for p in documented:
            text = p.doc or ""
            if p.enum:
                text += (" " if text else "") + "One of: " + ", ".join(p.enum) + "."
            lines.append(f"    {p.name}: {text}")
    for code, text in op.errors:
        if code == op.errors[0][0]:
            lines += ["", "Raises:"]
        lines.append(f"    {_ERROR_CLASSES.get(code, 'ArcGISError')} ({code}): {text}")
    return "\n".join(lines)


_ERROR_CLASSES = {400: "BadRequest", 403: "PermissionDenied", 404: "NotFound", 409: "Conflict", 498: "InvalidToken",
                  499: "TokenRequired", 500: "ServerError"}


def _param_args(p: Param) -> str:
    kind = p.type.base
    item = p.type.item.base if p.type.item is not None else None
    parts = [f"name={_py(p.name)}", f"wire={_py(p.wire)}", f"kind={_py(kind)}", f"location={_py(p.location)}"]
    if p.required:
        parts.append("required=True")
    if p.encoding != "plain":
        parts.append(f"encoding={_py(p.encoding)}")
    if item:
        parts.append(f"item_kind={_py(item)}")
    if p.secret:
        parts.append("secret=True")
    if p.enum:
        parts.append(f"enum={_py(p.enum)}")
    if p.minimum is not None:
        parts.append(f"minimum={p.minimum!r}")
    if p.maximum is not None:
        parts.append(f"maximum={p.maximum!r}")
    return ", ".join(parts)


def _model_imports(api: Api, models: tuple[Model, ...] | list[Model]) -> list[str]:
    """Imports of a module that defines `models` (response models, or parameter classes)."""
    text = " ".join(_field_type(f, m) for m in models for f in m.fields)
    lines = []
    if "datetime" in text:
        lines.append("from datetime import datetime")
    typing_names = ["Any"] + (["Literal"] if "Literal[" in text else [])
    lines.append(f"from typing import {', '.join(typing_names)}")
    lines.append("")
    lines.append("import attrs")
    lines.append("")
    if "Upload" in text:
        lines.append("from arcgis_typed._runtime.operation import Upload")
    local = {m.name for m in models}
    foreign: dict[str, set[str]] = {}
    for m in models:
        for dep in m.depends_on:
            if dep not in local:
                foreign.setdefault(api.model_family(dep), set()).add(dep)
    for fam in sorted(foreign):
        lines.append(_import(f"arcgis_typed.{api.name}.models.{fam}", sorted(foreign[fam])))
    while lines and lines[-1] == "":
        lines.pop()
    return lines


def _ops_imports(api: Api, family: Family) -> list[str]:
    names: set[str] = set()
    for op in family.operations:
        if op.response_kind == "model":
            names.add(op.response_model)
        if op.paging:
            names.add(op.paging.item_type)
    sig = " ".join(" ".join(_signature(op, "")) for op in family.operations)
    # Response models are imported for the type checker only; at run time the session loads an operation's
    # model on its first call (`response_model`), so importing an ops module does not build every attrs class
    # of the models it returns (most of what importing it cost).
    lines = ["from __future__ import annotations", ""]
    paged = any(op.paging for op in family.operations)
    if paged:
        lines.append("from collections.abc import Iterator")
    typing_names = [n for n in ("Any", "Literal") if f"{n}[" in sig or f": {n}" in sig]
    if names:
        typing_names.insert(0, "TYPE_CHECKING")
    if typing_names:
        lines.append(f"from typing import {', '.join(typing_names)}")
    if lines[-1] != "":
        lines.append("")
    if "Upload" in sig:
        lines.append("from arcgis_typed._runtime.operation import Upload")
    if paged:
        lines.append("from arcgis_typed._runtime.paging import iterate")
    lines.append("from arcgis_typed._runtime.session import Session" + (", response_model" if names else ""))
    lines.append(f"from arcgis_typed.{api.name} import _operations as _ops")
    by_family: dict[str, set[str]] = {}
    for name in names:
        by_family.setdefault(api.model_family(name), set()).add(name)
    if by_family:
        lines += ["", "if TYPE_CHECKING:"]
    for fam in sorted(by_family):
        lines.append(textwrap.indent(_import(f"arcgis_typed.{api.name}.models.{fam}", sorted(by_family[fam])), "    "))
    return lines


def _import(module: str, names: list[str]) -> str:
    # isort's order (what ruff checks): constants, then classes, then the rest; case-insensitive within each
    names = sorted(names, key=lambda n: (0 if n.isupper() else 1 if n[:1].isupper() else 2, n.lower(), n))
    line = f"from {module} import {', '.join(names)}"
    if len(line) <= 110:
        return line
    return f"from {module} import (\n" + "".join(f"    {n},\n" for n in names) + ")"


def _models_module(api: Api, family: str) -> str:
    return f"arcgis_typed.{api.name}.models.{family}"


def render(spec: Spec) -> dict[str, str]:
    """Every generated file, as {path relative to generated/: text}."""
    env = _environment()
    files: dict[str, str] = {}
    for api in spec.apis:
        api_source = f"spec/{api.name}/"
        base = f"arcgis_typed/{api.name}"
        ctx: dict[str, Any] = {"api": api, "api_source": api_source}
        files[f"{base}/__init__.py"] = env.get_template("api_init.py.j2").render(ctx, ns_class=_ns_class)
        files[f"{base}/_operations.py"] = env.get_template("operations.py.j2").render(
            ctx,
            param_args=_param_args,
            params_module=lambda fam: f"arcgis_typed.{api.name}.params.{fam}",
            response_ref=lambda op: op.response
            if op.response_kind != "model"
            else f"{_models_module(api, api.model_family(op.response_model))}:{op.response_model}"
            + ("[]" if op.response_is_list else ""),
        )
        files[f"{base}/models/__init__.py"] = _package_doc(f"Models of the {api.name} API, one module per spec family.")
        files[f"{base}/ops/__init__.py"] = _package_doc(f"Operations of the {api.name} API, one module per spec family.")
        files[f"{base}/params/__init__.py"] = _package_doc(
            f"Parameter classes of the {api.name} API's operations, one module per spec family. The client passes plain "
            "keyword arguments; these classes are what the fake decodes requests into (and what the tests draw from)."
        )
        for fam in api.families:
            models = [m for m in fam.models if not m.is_params]
            params = [m for m in fam.models if m.is_params]
            files[f"{base}/models/{fam.name}.py"] = env.get_template("models.py.j2").render(
                family=fam, models=models, title=f"Models of the `{fam.name}` family.",
                imports=_model_imports(api, models), field_type=_field_type, field_default=_field_default,
            )
            if params:
                files[f"{base}/params/{fam.name}.py"] = env.get_template("models.py.j2").render(
                    family=fam, models=params, title=f"Parameters of the `{fam.name}` family's operations.",
                    imports=_model_imports(api, params), field_type=_field_type, field_default=_field_default,
                )
            if fam.operations:
                exports = sorted(
                    [op.name for op in fam.operations]
                    + [f"{op.name}_all" for op in fam.operations if op.paging]
                    + [_ns_class(fam)]
                )
                files[f"{base}/ops/{fam.name}.py"] = env.get_template("ops.py.j2").render(
                    family=fam,
                    ns_class=_ns_class(fam),
                    imports=_ops_imports(api, fam),
                    exports=exports,
                    signature=_signature,
                    call_args=_call_args,
                    op_doc=_op_doc,
                )
    files["arcgis_typed/__init__.py"] = env.get_template("package_init.py.j2").render(apis=spec.apis)
    files["arcgis_typed/py.typed"] = ""
    return files


def _package_doc(text: str) -> str:
    return (
        "# Generated by arcgis_typed_codegen. DO NOT EDIT.\n"
        "# Regenerate with: python -m arcgis_typed_codegen\n"
        f'"""{text}"""\n'
    )


def dump_json(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
