"""`f=html`: the browsable pages of the Server Administrator Directory (for operations whose spec says
`html: true`). A page shows the resource's JSON, its child resources as links, and a form per operation
below it (from the operations table). Everything taken from the request or the state is HTML-escaped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from html import escape
from typing import Any
from urllib.parse import quote, urlencode

from arcgis_typed._runtime.operation import Operation

_WORD = re.compile(r"^[A-Za-z][\w]*$")


def _href(path: str, token: str | None) -> str:
    query = {"f": "html", **({"token": token} if token else {})}
    return escape(f"{path}?{urlencode(query)}", quote=True)


def _children(rule: str, routes: Iterable[tuple[str, Operation]]) -> list[tuple[str, Operation]]:
    """Operations one fixed word below the resource's rule: (word, operation)."""
    found: dict[str, Operation] = {}
    prefix = rule.rstrip("/").lower() + "/"
    for child_rule, op in routes:
        if child_rule.lower().startswith(prefix):
            word = child_rule[len(prefix):]
            if _WORD.match(word):
                found.setdefault(word, op)
    return sorted(found.items())


def _links(path: str, payload: Any) -> list[tuple[str, str]]:
    """Child resources named by the resource itself: `resources`, `folders`, and `services` entries."""
    links: list[tuple[str, str]] = []
    if not isinstance(payload, dict):
        return links
    for key in ("resources", "folders"):
        for name in payload.get(key) or []:
            if isinstance(name, str):
                links.append((name, f"{path}/{quote(name, safe='')}"))
    for service in payload.get("services") or []:
        if isinstance(service, dict) and "serviceName" in service and "type" in service:
            name = f"{service['serviceName']}.{service['type']}"
            links.append((name, f"{path}/{quote(name, safe='.')}"))
    return links


def _form(action: str, word: str, op: Operation, token: str | None) -> str:
    rows = []
    for p in op.params:
        if p.location != "form":
            continue
        kind = "password" if p.secret else "text"
        required = " required" if p.required else ""
        rows.append(
            f'<label>{escape(p.wire)} <input name="{escape(p.wire, quote=True)}" type="{kind}"{required}></label><br>'
        )
    hidden = f'<input type="hidden" name="token" value="{escape(token, quote=True)}">' if token else ""
    return (
        f'<form method="post" action="{escape(action, quote=True)}"><fieldset><legend>{escape(word)}</legend>'
        + "".join(rows)
        + f'{hidden}<select name="f"><option>json</option><option>pjson</option><option>html</option></select> '
        + "<button>Submit</button></fieldset></form>"
    )


def page(
    *,
    title: str,
    path: str,
    rule: str,
    payload: Any,
    routes: Iterable[tuple[str, Operation]],
    home: str,
    token: str | None,
) -> str:
    """The page of the resource at `path` (matched by `rule`); `token` is carried in links and forms."""
    children = _children(rule, routes)
    links = _links(path, payload)
    named = {name.lower() for name, _ in links}
    links += [(word, f"{path}/{word}") for word, op in children if "GET" in op.methods and word.lower() not in named]
    forms = [_form(f"{path}/{word}", word, op, token) for word, op in children if "GET" not in op.methods]
    parent = path.rsplit("/", 1)[0]
    nav = f'<a href="{_href(home, token)}">Home</a>'
    if path.rstrip("/") != home.rstrip("/") and parent:
        nav += f' &gt; <a href="{_href(parent, token)}">Up</a>'
    body = [
        "<!DOCTYPE html>",
        f"<html><head><meta charset=\"utf-8\"><title>{escape(title)}</title></head><body>",
        f"<nav>{nav}</nav>",
        f"<h1>{escape(title)}</h1>",
        f"<h2>{escape(path)}</h2>",
        "<h3>JSON</h3>",
        f"<pre>{escape(json.dumps(payload, indent=2, sort_keys=True))}</pre>",
    ]
    if links:
        body.append("<h3>Child Resources</h3><ul>")
        body += [f'<li><a href="{_href(href, token)}">{escape(name)}</a></li>' for name, href in links]
        body.append("</ul>")
    if forms:
        body.append("<h3>Supported Operations</h3>")
        body += forms
    body.append("</body></html>")
    return "\n".join(body) + "\n"


def home_page(heading: str, paragraphs: Iterable[str], *, rows: Iterable[tuple[str, str]] = (),
              json_url: str | None = None) -> str:
    """A plain page of the portal website (home/item.html, home/group.html, home/user.html): a heading,
    paragraphs, a table of properties and a link to the resource's JSON; everything is HTML-escaped."""
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs if p)
    table = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    link = f'<p><a href="{escape(json_url)}">JSON</a></p>' if json_url else ""
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(heading)}</title></head><body>'
            f"<h1>{escape(heading)}</h1>{body}{f'<table>{table}</table>' if table else ''}{link}</body></html>")
