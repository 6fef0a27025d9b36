"""The intermediate representation: a validated, fully named view of the spec.

Every naming decision (Python names, wire names, class names, constant names) is made once, in
`load.py`, and stored here; templates only print these values.
"""

from __future__ import annotations

import attrs

from .naming import path_variants

SCALARS = {"str": "str", "int": "int", "float": "float", "bool": "bool", "datetime": "datetime", "json": "Any"}
SPECIAL_RESPONSES = {"@text": "str", "@redirect": "str", "@bytes": "bytes"}


@attrs.frozen
class Type:
    """A type expression of the spec: a scalar, `file`, `list[T]`, `dict[str, T]` or a model name."""

    base: str  # one of SCALARS, "file", "list", "dict", "model"
    item: Type | None = None
    model: str | None = None

    @property
    def py(self) -> str:
        if self.base == "list":
            assert self.item is not None
            return f"list[{self.item.py}]"
        if self.base == "dict":
            assert self.item is not None
            return f"dict[str, {self.item.py}]"
        if self.base == "model":
            assert self.model is not None
            return self.model
        if self.base == "file":
            return "Upload"
        return SCALARS[self.base]

    @property
    def models(self) -> tuple[str, ...]:
        if self.base == "model":
            assert self.model is not None
            return (self.model,)
        return self.item.models if self.item is not None else ()

    @property
    def expr(self) -> str:
        if self.base == "list":
            assert self.item is not None
            return f"list[{self.item.expr}]"
        if self.base == "dict":
            assert self.item is not None
            return f"dict[str, {self.item.expr}]"
        return self.model if self.base == "model" else self.base  # type: ignore[return-value]


@attrs.frozen
class Field:
    name: str  # Python attribute name
    wire: str  # JSON key on the wire
    type: Type
    required: bool
    doc: str
    enum: tuple[str, ...]


@attrs.frozen
class Model:
    name: str
    family: str
    doc: str
    fields: tuple[Field, ...]
    is_params: bool = False  # request parameter classes are never given unknown-field storage

    @property
    def depends_on(self) -> tuple[str, ...]:
        return tuple(sorted({m for f in self.fields for m in f.type.models}))


@attrs.frozen
class Param:
    name: str  # Python name
    wire: str  # form / query / path / multipart part name
    type: Type
    location: str  # path | form | file
    required: bool
    encoding: str  # plain | csv | json | bool
    secret: bool
    enum: tuple[str, ...]
    minimum: int | None
    maximum: int | None
    doc: str


@attrs.frozen
class Paging:
    style: str  # start_num
    items: str  # wire name of the list field in the response
    items_attr: str  # its Python name
    item_type: str  # Python type of one element


@attrs.frozen
class Operation:
    api: str
    family: str
    name: str  # the Python function name inside its family, e.g. "search"
    const: str  # the constant name in the operations table, e.g. "CONTENT_SEARCH"
    params_class: str  # the generated parameter class, e.g. "ContentSearchParams"
    doc: str
    http: tuple[str, ...]
    path: str  # e.g. /sharing/rest/content/items/{id}; optional parts in [...], e.g. /admin/services[/{folderName}]
    rule: str  # the Werkzeug rule, e.g. /sharing/rest/content/items/<id> (every optional part present)
    auth: str  # anonymous | optional | token
    privileges: tuple[str, ...]
    owner_override: str | None
    idempotent: bool
    params: tuple[Param, ...]
    response: str  # a model name or one of SPECIAL_RESPONSES
    paging: Paging | None
    errors: tuple[tuple[int, str], ...]
    seeds: tuple[str, ...]
    source: str  # spec file, relative to the spec root
    rules: tuple[str, ...] = ()  # the Werkzeug rule of every concrete path, longest first (rules[0] == rule)
    html: bool = False  # f=html answers a browsable page of the resource
    job_status: str | None = None  # a job: the operation of the same family that reports its progress
    job_type: str | None = None  # the jobType value the status operation takes for it, if any
    fidelity: str = "full"  # how far the fake implements it: full | partial | not_implemented (see FIDELITY)
    deviations: tuple[str, ...] = ()  # known deviations of the fake from the real server

    @property
    def paths(self) -> tuple[str, ...]:
        """Every concrete path (one, unless the path has optional parts), longest first."""
        return tuple(path_variants(self.path))

    @property
    def qualified(self) -> str:
        return f"{self.family}.{self.name}"

    @property
    def response_py(self) -> str:
        return SPECIAL_RESPONSES.get(self.response, self.response)

    @property
    def response_kind(self) -> str:
        return self.response[1:] if self.response in SPECIAL_RESPONSES else "model"

    @property
    def response_is_list(self) -> bool:
        """`response: list[Model]`: the answer is a JSON array of the model (portals/languages)."""
        return self.response.startswith("list[")

    @property
    def response_model(self) -> str:
        """The model the answer is (or holds, for a list response)."""
        return self.response[5:-1] if self.response_is_list else self.response


@attrs.frozen
class SignIn:
    token: str | None  # qualified operation used for username/password tokens
    oauth2_authorize: str | None
    oauth2_signin: str | None


@attrs.frozen
class Family:
    name: str
    doc: str
    source: str
    models: tuple[Model, ...]  # response models and parameter classes, in dependency order
    operations: tuple[Operation, ...]
    seeds: tuple[str, ...] = ()  # rows the family's namespace serves as a whole (GIS.users: the users manager)


@attrs.frozen
class Api:
    name: str
    doc: str
    client: str
    envelope: str  # portal | server
    context: str
    sign_in: SignIn
    families: tuple[Family, ...]

    @property
    def operations(self) -> tuple[Operation, ...]:
        return tuple(op for fam in self.families for op in fam.operations)

    @property
    def models(self) -> tuple[Model, ...]:
        return tuple(m for fam in self.families for m in fam.models)

    def model_family(self, model: str) -> str:
        for m in self.models:
            if m.name == model:
                return m.family
        raise KeyError(model)


@attrs.frozen
class Spec:
    apis: tuple[Api, ...]
