"""`GET /_fake/dashboard`: a page of the fake's state and request journal for a person with a browser (the
control token goes in the `token` query parameter, since a browser cannot add the control header). Everything
taken from the state is HTML-escaped; the journal is already redacted."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from .app import FakeArcGIS

JOURNAL_ROWS = 50


def _table(caption: str, header: Sequence[str], rows: Iterable[Sequence[object]], empty: str) -> str:
    body = [f"<tr>{''.join(f'<td>{escape(str(c))}</td>' for c in row)}</tr>" for row in rows]
    if not body:
        return f"<h2>{escape(caption)}</h2><p class=\"empty\">{escape(empty)}</p>"
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    return f"<h2>{escape(caption)}</h2><table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def page(fake: FakeArcGIS) -> str:
    portal, server = fake.portal, fake.server
    links = [(f'<li><a href="{escape(fake.portal_context)}/sharing/rest?f=html">Portal directory</a> '
              f"({escape(fake.portal_context)}/sharing/rest)</li>")]
    if fake.server_context is not None:
        links.append(f'<li><a href="{escape(fake.server_context)}/admin?f=html">Server Administrator Directory</a> '
                     f"({escape(fake.server_context)}/admin)</li>")
    groups = {g.id: g.title for g in portal.groups}
    sections = [
        _table("Users", ("username", "role", "full name", "disabled"),
               ((u.username, u.role_record.name, u.full_name, "yes" if u.disabled else "") for u in portal.users),
               "No users."),
        _table("Groups", ("title", "owner", "access", "members"),
               ((g.title, g.owner, g.access, len(g.members)) for g in portal.groups), "No groups."),
        _table("Items", ("title", "type", "owner", "access", "shared with"),
               ((i.title, i.type, i.owner, i.access, ", ".join(sorted(groups.get(g, g) for g in i.groups)))
                for i in sorted(portal.items, key=lambda i: i.created)), "No items."),
        _table("Server services", ("machine site", "folder", "service", "state"),
               ((", ".join(m.name for m in site.machines), s.folder, f"{s.name}.{s.type}", site.service_state(s))
                for site in server.sites if site.machines for s in site.catalog), "No services."),
        _table("Fault rules", ("id", "operation", "effect", "fired"),
               ((r.id, r.op, _effect(r.to_json()), f"{r.fired} of {r.seen}") for r in fake.faults), "No fault rules."),
        _table(f"Request journal (last {JOURNAL_ROWS})", ("#", "operation", "method", "path", "status", "error"),
               ((r.seq, r.op or "-", r.method, r.path, r.status, r.error_code or "")
                for r in list(fake.requests)[-JOURNAL_ROWS:][::-1]), "No requests yet."),
    ]
    return "\n".join([
        "<!DOCTYPE html>",
        ('<html><head><meta charset="utf-8"><title>arcgis-typed fake</title>'
         "<style>body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse}"
         "td,th{border:1px solid #bbb;padding:2px 6px;text-align:left}.empty{color:#666}</style></head><body>"),
        "<h1>arcgis-typed fake</h1>",
        (f'<p id="summary">Organization <b>{escape(portal.org.name)}</b>: {len(portal.users)} users, '
         f"{len(portal.groups)} groups, {len(portal.items)} items; clock {fake.clock.now_ms()} ms.</p>"),
        "<h2>Directories</h2><ul>" + "".join(links) + "</ul>",
        *sections,
        "</body></html>",
    ]) + "\n"


def _effect(rule: dict[str, object]) -> str:
    parts = [f"{name} {rule[key]}" for key, name in (("errorCode", "error"), ("httpStatus", "HTTP"),
                                                      ("latencyMs", "latency ms"), ("after", "after"))
             if rule.get(key)]
    parts += [name for key, name in (("expireTokens", "expire tokens"), ("truncate", "truncate"),
                                     ("applied", "after applying")) if rule.get(key)]
    if rule.get("probability") != 1.0:
        parts.append(f"p={rule.get('probability')}")
    return ", ".join(parts)


def url(fake: FakeArcGIS, base: str) -> str:
    """The dashboard's URL on `base` (scheme://host:port), with the control token."""
    return f"{base}/_fake/dashboard?token={quote(fake.control_token)}"


__all__ = ["page", "url"]
