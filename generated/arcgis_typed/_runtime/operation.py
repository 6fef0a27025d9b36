"""Descriptions of operations, as the generated `_operations` tables list them.

The client reads them to build requests; the fake reads them to build its routes and validate requests.
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path
from urllib.parse import quote

import attrs

_OPTIONAL = re.compile(r"\[([^\[\]]*)\]")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@attrs.frozen
class Param:
    name: str  # Python name
    wire: str  # name on the wire
    kind: str  # str | int | float | bool | datetime | json | file | list | dict | model
    location: str  # path | form | file
    required: bool = False
    encoding: str = "plain"  # plain | csv | json | bool
    item_kind: str | None = None  # element kind of lists and dicts
    secret: bool = False  # never logged, journaled or echoed
    enum: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None


@attrs.frozen
class Operation:
    api: str  # portal | server_admin | mission_admin
    name: str  # family.function, e.g. "content.search"
    methods: tuple[str, ...]
    path: str  # relative to the API root, e.g. /sharing/rest/content/items/{id}; optional parts in [...]
    rule: str  # the Werkzeug rule for the same path (every optional part present)
    auth: str  # anonymous | optional | token
    params: tuple[Param, ...]
    params_class: str  # "module:Class" of the generated parameter class
    response: str  # "module:Class" of the response model, or @bytes / @text / @redirect
    idempotent: bool
    envelope: str = "portal"  # portal | server
    privileges: tuple[str, ...] = ()
    owner_override: str | None = None  # privilege that lets a non-owner act on someone else's object
    paging_items: str | None = None  # Python name of the list field of a paged response
    errors: tuple[tuple[int, str], ...] = ()
    seeds: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()  # every Werkzeug rule, longest first, when the path has optional [...] parts
    html: bool = False  # `f=html` answers a browsable page of the resource
    job_status: str | None = None  # a job: the operation ("family.name") that reports its progress
    job_type: str | None = None  # the jobType the status operation takes for this job, if any
    fidelity: str = "full"  # how far the fake implements it: full | partial | not_implemented (spec `fidelity`)

    @property
    def response_kind(self) -> str:
        return self.response[1:] if self.response.startswith("@") else "model"

    @property
    def all_rules(self) -> tuple[str, ...]:
        """The Werkzeug rules of every concrete path (one, unless the path has optional parts)."""
        return self.rules or (self.rule,)

    def url(self, base: str, path_values: dict[str, str]) -> str:
        """The URL of the operation: an optional `[...]` part is kept when all its placeholders have values."""

        def optional(match: re.Match[str]) -> str:
            return match.group(1) if all(n in path_values for n in _PLACEHOLDER.findall(match.group(1))) else ""

        path = _OPTIONAL.sub(optional, self.path)
        for wire, value in path_values.items():
            # a value of a path parameter with `encoding: path` keeps its slashes (a resource name in folders)
            slashes = any(p.wire == wire and p.encoding == "path" for p in self.params)
            path = path.replace("{" + wire + "}", quote(value, safe="/" if slashes else ""))
        return base.rstrip("/") + path


@attrs.frozen
class Upload:
    """A file to upload as one multipart part."""

    filename: str
    data: bytes = attrs.field(repr=lambda d: f"<{len(d)} bytes>")
    content_type: str = "application/octet-stream"

    @classmethod
    def from_path(cls, path: str | Path, content_type: str | None = None) -> Upload:
        p = Path(path)
        guessed = content_type or mimetypes.guess_type(p.name)[0] or "application/octet-stream"
        return cls(filename=p.name, data=p.read_bytes(), content_type=guessed)
