"""Name conversions between the wire (camelCase) and Python (snake_case / PascalCase), and path templates."""

from __future__ import annotations

import itertools
import keyword
import re
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet

_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_OPTIONAL = re.compile(r"\[([^\[\]]*)\]")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def snake(wire: str) -> str:
    """`numViews` -> `num_views`, `allSSL` -> `all_ssl`, `folderId` -> `folder_id`; keywords get a `_`."""
    name = _BOUNDARY.sub("_", wire).replace("-", "_").lower()
    return name + "_" if keyword.iskeyword(name) or name in {"self", "session"} else name


def pascal(name: str) -> str:
    """`share_items` -> `ShareItems`."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[_\W]+", name) if part)


def upper(name: str) -> str:
    return re.sub(r"\W+", "_", name).upper()


def werkzeug_rule(path: str, slashes: AbstractSet[str] = frozenset()) -> str:
    """`/content/items/{id}` -> `/content/items/<id>`; `/{name}.{type}` -> `/<name>.<type>` (one concrete path);
    placeholders in `slashes` (encoding: path) take Werkzeug's path converter: `<path:name>`."""
    return _PLACEHOLDER.sub(lambda m: f"<path:{m[1]}>" if m[1] in slashes else f"<{m[1]}>", path)


def path_names(path: str) -> list[str]:
    """Every placeholder of a path template, optional parts included."""
    return _PLACEHOLDER.findall(path)


def optional_parts(path: str) -> list[str]:
    """The optional `[...]` parts of a path template, without their brackets."""
    return _OPTIONAL.findall(path)


def optional_names(path: str) -> list[str]:
    """The placeholders that sit in optional `[...]` parts of a path template."""
    return [name for part in optional_parts(path) for name in _PLACEHOLDER.findall(part)]


def path_variants(path: str) -> list[str]:
    """Every concrete path of a template with optional parts, longest first:
    `/admin/services[/{folderName}]/createService` -> the path with the folder, then the one without."""
    parts = optional_parts(path)
    variants = []
    for keep in itertools.product((True, False), repeat=len(parts)):
        variants.append(_OPTIONAL.sub(_keeper(iter(keep)), path))
    return variants


def _keeper(flags: Iterator[bool]) -> Callable[[re.Match[str]], str]:
    """A substitution that keeps or drops each optional part in turn, as `flags` says."""
    return lambda match: match.group(1) if next(flags) else ""


def without_optional(path: str) -> str:
    """The path template with every optional part removed (for checks that look at the fixed text)."""
    return _OPTIONAL.sub("", path)
