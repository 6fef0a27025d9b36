"""Name conversions between the wire (camelCase) and Python (snake_case / PascalCase)."""

from __future__ import annotations

import keyword
import re

_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def snake(wire: str) -> str:
    """`numViews` -> `num_views`, `allSSL` -> `all_ssl`, `folderId` -> `folder_id`; keywords get a `_`."""
    name = _BOUNDARY.sub("_", wire).replace("-", "_").lower()
    return name + "_" if keyword.iskeyword(name) or name in {"self", "session"} else name


def pascal(name: str) -> str:
    """`share_items` -> `ShareItems`."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[_\W]+", name) if part)


def upper(name: str) -> str:
    return re.sub(r"\W+", "_", name).upper()


def werkzeug_rule(path: str) -> str:
    """`/content/items/{id}` -> `/content/items/<id>`."""
    return re.sub(r"\{(\w+)\}", r"<\1>", path)


def path_names(path: str) -> list[str]:
    return re.findall(r"\{(\w+)\}", path)
