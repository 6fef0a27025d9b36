"""Export the spec as OpenAPI 3.1 documents (one per API), for fuzzers, docs and other tools."""

from __future__ import annotations

from typing import Any

from . import naming
from .ir import Api, Model, Operation, Param, Type

ERROR_ENVELOPE = "ErrorEnvelope"
# A server's services directory (feature queries and edits) answers the REST envelope {"error": {...}}, not the
# Administrator API's (the fake's `app.error_envelope` says the same).
REST_ERROR_ENVELOPE = "RestErrorEnvelope"
REST_SERVICES = "/rest/services/"


def _schema(t: Type) -> dict[str, Any]:
    if t.base == "str":
        return {"type": "string"}
    if t.base == "int":
        return {"type": "integer"}
    if t.base == "float":
        return {"type": "number"}
    if t.base == "bool":
        return {"type": "boolean"}
    if t.base == "datetime":
        return {"type": "integer", "description": "Epoch milliseconds (UTC)."}
    if t.base == "json":
        return {}
    if t.base == "file":
        return {"type": "string", "contentMediaType": "application/octet-stream"}
    if t.base == "list":
        assert t.item is not None
        return {"type": "array", "items": _schema(t.item)}
    if t.base == "dict":
        assert t.item is not None
        return {"type": "object", "additionalProperties": _schema(t.item)}
    return {"$ref": f"#/components/schemas/{t.model}"}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if not schema:  # any JSON value, null included
        return schema
    if "type" in schema:
        out = {**schema, "type": [schema["type"], "null"]}
        if "enum" in schema:
            out["enum"] = [*schema["enum"], None]
        return out
    return {"anyOf": [schema, {"type": "null"}]}


def _model_schema(model: Model) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for f in model.fields:
        schema = _schema(f.type)
        if f.enum:
            schema = {**schema, "enum": list(f.enum)}
        if not f.required:
            schema = _nullable(schema)  # optional fields are `T | None`: ArcGIS writes null for them too
        if f.doc:
            schema = {**schema, "description": f.doc}
        props[f.wire] = schema
    out: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": True}
    required = [f.wire for f in model.fields if f.required]
    if required:
        out["required"] = required
    if model.doc:
        out["description"] = model.doc
    return out


def _form_schema(p: Param) -> dict[str, Any]:
    """How a parameter looks on the wire (always text in a form, except files)."""
    if p.location == "file":
        return {"type": "string", "format": "binary"}
    if p.encoding == "bool":
        schema: dict[str, Any] = {"type": "string", "enum": ["true", "false"]}
    elif p.encoding == "csv":
        schema = {"type": "string", "description": "Comma-separated list."}
    elif p.encoding == "json":
        schema = {"type": "string", "contentMediaType": "application/json"}
    elif p.type.base == "int":
        schema = {"type": "integer"}
        if p.minimum is not None:
            schema["minimum"] = p.minimum
        if p.maximum is not None:
            schema["maximum"] = p.maximum
    elif p.type.base == "float":
        schema = {"type": "number"}
    else:
        schema = {"type": "string"}
        if p.enum:
            schema["enum"] = list(p.enum)
    if p.doc:
        schema["description"] = p.doc
    if p.secret:
        schema["writeOnly"] = True
    return schema


def _responses(api: Api, op: Operation) -> dict[str, Any]:
    rest = api.envelope == "server" and op.path.startswith(REST_SERVICES)
    error = {"$ref": f"#/components/schemas/{REST_ERROR_ENVELOPE if rest else ERROR_ENVELOPE}"}
    if op.response_kind == "redirect":
        return {
            "302": {"description": "Redirect carrying the result", "headers": {"Location": {"schema": {"type": "string"}}}},
            "200": {"description": "An ArcGIS error", "content": {"application/json": {"schema": error}}},
        }
    if op.response_kind == "text":
        content: dict[str, Any] = {"text/html": {"schema": {"type": "string"}}, "application/json": {"schema": error}}
    elif op.response_kind == "bytes":
        # the data itself may be JSON (a web map's, for one): any JSON value, or the error envelope
        content = {"application/octet-stream": {"schema": {}},
                   "application/json": {"schema": {"anyOf": [{"description": "The data, when it is JSON."}, error]}}}
    else:
        answer: dict[str, Any] = {"$ref": f"#/components/schemas/{op.response_model}"}
        if op.response_is_list:
            answer = {"type": "array", "items": answer}
        content = {"application/json": {"schema": {"anyOf": [answer, error]}}}
        if op.html:
            content["text/html"] = {"schema": {"type": "string", "description": "A browsable page (f=html)."}}
    return {"200": {"description": "The result, or an ArcGIS error envelope (ArcGIS answers errors with HTTP 200)", "content": content}}


def _operation(api: Api, op: Operation, method: str, path: str) -> dict[str, Any]:
    """One method of one concrete path of `op` (a path with optional parts has several: see `variant_suffix`)."""
    body_params = [p for p in op.params if p.location != "path"]
    present = set(naming.path_names(path))
    parameters: list[dict[str, Any]] = [
        {"name": p.wire, "in": "path", "required": True, "schema": {"type": "string"}}
        for p in op.params
        if p.location == "path" and p.wire in present
    ]
    out: dict[str, Any] = {
        "operationId": f"{op.family}_{op.name}"
        + variant_suffix(op, path)
        + ("" if method == op.http[0].lower() else f"_{method}"),
        "summary": op.doc.split(". ")[0][:120],
        "description": op.doc,
        "tags": [op.family],
        "x-arcgis-auth": op.auth,
        "x-arcgis-idempotent": op.idempotent,
        "x-arcgis-seeds": list(op.seeds),
    }
    if op.privileges:
        out["x-arcgis-privileges"] = list(op.privileges)
    if op.owner_override:
        out["x-arcgis-owner-override"] = op.owner_override
    if op.job_status:
        out["x-arcgis-job"] = {"status": f"{op.family}_{op.job_status}", "jobType": op.job_type}
    if op.fidelity != "full" or op.deviations:  # absent: the fake implements it fully
        out["x-fake-fidelity"] = op.fidelity
        out["x-fake-deviations"] = list(op.deviations)
    if op.auth != "anonymous":
        out["security"] = [{"bearer": []}, {}] if op.auth == "optional" else [{"bearer": []}]
    formats = ["json", "pjson", "html"] if op.html else ["json", "pjson"]
    f_param = {"name": "f", "in": "query", "schema": {"type": "string", "enum": formats}}
    if method == "get":
        parameters += [
            {"name": p.wire, "in": "query", "required": p.required, "schema": _form_schema(p)} for p in body_params
        ]
        parameters.append(f_param)
    else:
        media = "multipart/form-data" if any(p.location == "file" for p in op.params) else "application/x-www-form-urlencoded"
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {"f": {"type": "string", "enum": formats}, **{p.wire: _form_schema(p) for p in body_params}},
        }
        required = [p.wire for p in body_params if p.required]
        if required:
            schema["required"] = required
        out["requestBody"] = {"required": bool(required), "content": {media: {"schema": schema}}}
    if parameters:
        out["parameters"] = parameters
    out["responses"] = _responses(api, op)
    return out


def variant_suffix(op: Operation, path: str) -> str:
    """The operationId suffix of a concrete path that leaves optional parts out: `_without_folderName`."""
    missing = [name for name in naming.path_names(op.path) if name not in naming.path_names(path)]
    return "_without_" + "_".join(missing) if missing else ""


def export(api: Api) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for op in api.operations:
        for path in op.paths:
            item = paths.setdefault(path, {})
            for method in op.http:
                item[method.lower()] = _operation(api, op, method.lower(), path)
    schemas = {m.name: _model_schema(m) for m in api.models if not m.is_params}
    portal_form = {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "integer"},
                "message": {"type": "string"},
                "details": {"type": "array", "items": {"type": "string"}},
            },
            "required": ["code", "message"],
        }
    }
    schemas[ERROR_ENVELOPE] = {
        "type": "object",
        "description": "ArcGIS error envelope (answered with HTTP 200).",
        "properties": portal_form
        if api.envelope == "portal"
        else {"status": {"const": "error"}, "messages": {"type": "array", "items": {"type": "string"}}, "code": {"type": "integer"}},
        "required": ["error"] if api.envelope == "portal" else ["status", "messages", "code"],
    }
    if api.envelope == "server" and any(op.path.startswith(REST_SERVICES) for op in api.operations):
        schemas[REST_ERROR_ENVELOPE] = {"type": "object", "required": ["error"], "properties": portal_form,
                                        "description": "The services directory's error envelope (HTTP 200)."}
    return {
        "openapi": "3.1.0",
        "info": {"title": f"ArcGIS Enterprise - {api.name}", "version": "0.1.0", "description": api.doc},
        "servers": [{"url": "https://{host}" + api.context, "variables": {"host": {"default": "localhost"}}}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {
                "bearer": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-Esri-Authorization",
                    "description": "`Bearer <token>`; a `token` form or query parameter works too.",
                }
            },
        },
    }
