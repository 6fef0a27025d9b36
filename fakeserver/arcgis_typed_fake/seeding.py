"""Seeding the fake from a YAML (or JSON) document, and the bulk seeding API behind it.

    version: 1
    organization: {name: City of Springfield, description: Test org}
    roles:
      - {name: Analyst, description: Reads and shares, privileges: [portal:user:createItem, portal:user:shareToGroup]}
    users:
      - {username: alice, password: alice-password, role: org_publisher, fullName: Alice A, email: a@x.test}
      - {username: bob, password: bob-password, role: Analyst}        # a custom role, by name
    groups:
      - {title: Roads, owner: alice, access: org, tags: [roads], members: [bob], admins: []}
    items:
      - {title: Road list, type: CSV, owner: alice, folder: Data, tags: [roads], text: "id,name\\n1,Main"}
      - {title: Logo, type: Image, owner: alice, file: logo.png}     # a file next to the seed file
      - {title: Basemap, type: Web Map, owner: alice, url: "https://example.test/map",
         sharing: {org: true, groups: [Roads]}}                       # groups by title (or id)
    server:
      users: [{username: publisher1, password: pub-password, role: publisher}]
      folders: [{name: Hydro, description: Water}]
      services: [{folder: Hydro, serviceName: Rivers, type: MapServer}]   # any service definition fields
    missions:                                                          # Mission Server (createMission, addReport)
      - title: Wildfire
        owner: alice                      # needs createMission's privileges (publishFeatures, createGroup, createItem)
        snippet: Fire line
        description: North ridge
        licenseInfo: Internal use
        tags: [fire, ridge]
        capabilities: [CHAT, TASK, REPORT]   # default: all six
        extent: [-120.5, 34, -119, 35.25]    # WGS84 xmin, ymin, xmax, ymax
        locale: en-US
        appId: myapp
        templateWebMap: Basemap              # a web map the owner sees, by id or title (or baseMap: {baseMapLayers: [...]})
        webMapDescription: The mission map
        members: [bob]                       # join the mission's group
        reports:
          - {title: Sightings, serviceName: sightings, questions: [{type: Number, label: Count}],
             description: Animals seen, tags: [wildlife], displayField: count, locale: en, shareAsTemplate: false}

Every entity goes in through the state layer (the same rules as the REST API: privileges, unique names,
valid roles), in the order above, so a group may name users of the same file and an item the groups. A mission
is created, given its members and its reports all or nothing: a refused member or report removes it again. The
service URLs of seeded missions name the Mission Server's first machine (no request tells the host). Each kind
is one function in `KINDS`; a new kind (missions, notifications, ...) adds one function and one entry. Unknown
kinds and fields are refused with the path of the offending entry. `Seeder` is the bulk API: `seed(doc)`
returns counts; `progress(done, total)` is called as it goes.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from arcgis_typed._runtime.operation import Operation
from arcgis_typed.mission._operations import MISSIONS_ADD_REPORT, MISSIONS_CREATE

from .errors import Fault
from .snapshot import paused_gc

if TYPE_CHECKING:
    from .app import FakeArcGIS
    from .state.users import UserRecord

SEED_VERSION = 1
Progress = Callable[[int, int], None]


class SeedError(ValueError):
    """A seed document is invalid; the message names the entry (e.g. `items[3].sharing.groups[0]`)."""


def load(source: str | os.PathLike[str] | bytes) -> tuple[dict[str, Any], Path | None]:
    """A seed document from a file (YAML or JSON) or from bytes; also the folder its `file:` entries live in."""
    folder: Path | None = None
    if isinstance(source, bytes):
        text = source.decode("utf-8")
    else:
        path = Path(source)
        folder = path.parent
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as e:
            raise SeedError(f"cannot read {path}: {e.strerror}") from None
    try:
        doc = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as e:
        raise SeedError(f"the seed document is not valid YAML: {e}") from None
    if not isinstance(doc, dict):
        raise SeedError("a seed document is a mapping (version, organization, users, groups, items, server, ...)")
    return doc, folder


def count(doc: Mapping[str, Any]) -> int:
    """How many entities a document seeds (for progress)."""
    total = 0
    for kind, entries in doc.items():
        if kind == "server" and isinstance(entries, Mapping):
            total += sum(len(v) for v in entries.values() if isinstance(v, list))
        elif isinstance(entries, list):
            total += len(entries)
        elif kind in KINDS:
            total += 1
    return total


class Seeder:
    """Seeds one fake. `files` is the folder `file:` entries are read from (None: files are refused)."""

    def __init__(self, fake: FakeArcGIS, *, files: Path | None = None, progress: Progress | None = None) -> None:
        self.fake = fake
        self.files = files
        self.progress = progress
        self.done = 0
        self.total = 0
        self.counts: dict[str, int] = {}

    def seed(self, doc: Mapping[str, Any]) -> dict[str, int]:
        version = doc.get("version", SEED_VERSION)
        if version != SEED_VERSION:
            raise SeedError(f"seed format version {version!r} is not supported (this fake reads version {SEED_VERSION})")
        unknown = [k for k in doc if k != "version" and k not in KINDS]
        if unknown:
            raise SeedError(f"unknown seed kind(s): {', '.join(map(str, unknown))} (known: {', '.join(KINDS)})")
        self.total = count({k: v for k, v in doc.items() if k != "version"})
        self.check(doc)
        with paused_gc(), self.fake._lock:
            for kind, handler in KINDS.items():
                if kind in doc and doc[kind] is not None:
                    handler(self, doc[kind], kind)
        if self.progress is not None:
            self.progress(self.done, self.total)
        return dict(self.counts)

    def check(self, doc: Mapping[str, Any]) -> None:
        """Check the shape of every entry (lists, mappings, known and required fields, readable files) before
        seeding anything, so a malformed document changes nothing. (A rule of the fake refusing an entry, such
        as a duplicate username, still stops the seeding at that entry; the entries before it stay.) The kinds'
        functions rely on it: they do not check the fields of `SHAPES` again."""
        for kind, (allowed, required) in SHAPES.items():
            known = frozenset(allowed)
            section, _, part = kind.partition(".")
            value = doc.get(section)
            if part:
                if value is None:
                    continue
                if not isinstance(value, dict):
                    raise SeedError(f"{section}: expected a mapping")
                _fields(value, section, SERVER_PARTS)
                value = value.get(part)
            if value is None:
                continue
            for where, entry in _entries(value, kind):
                if allowed and (not known.issuperset(entry) or any(entry.get(k) in (None, "") for k in required)):
                    _fields(entry, where, allowed, required)
                if kind == "items" and entry.get("file"):
                    read_file(self.files, entry["file"], f"{where}.file")
                if kind == "missions":
                    if not isinstance(entry.get("members") or [], list):
                        raise SeedError(f"{where}.members: expected a list")
                    for at, report in _entries(entry.get("reports") or [], f"{where}.reports"):
                        _fields(report, at, _REPORT_FIELDS, ("title", "serviceName", "questions"))

    # --- helpers for kinds -------------------------------------------------------------------------------------

    def entries(self, value: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for where, entry in _entries(value, path):
            yield where, entry
            self.tick(path)

    def tick(self, kind: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        self.done += 1
        if self.progress is not None and self.done % 1000 == 0:
            self.progress(self.done, self.total)

    def user(self, username: Any, where: str) -> UserRecord:
        found = self.fake.portal.users.get(str(username))
        if found is None:
            raise SeedError(f"{where}: no user {username!r}")
        return found

    def group_id(self, ref: Any, owner: UserRecord, where: str) -> str:
        groups = self.fake.portal.groups
        if groups.get(str(ref)) is not None:
            return str(ref)
        matches = [g for g in groups if g.title.lower() == str(ref).lower()]
        if len(matches) > 1:
            matches = [g for g in matches if g.owner.lower() == owner.username.lower()] or matches
        if len(matches) != 1:
            raise SeedError(f"{where}: {'no' if not matches else 'more than one'} group titled {ref!r}")
        return matches[0].id

    def members(self, owner: UserRecord, group_id: str, members: list[Any], admins: list[Any], where: str) -> None:
        """Add members and admins to a group the way the API does (25 a request); refused names stop the entry."""
        names = [self.user(u, f"{where}.members").username for u in members]
        managers = [self.user(u, f"{where}.admins").username for u in admins]
        add = self.fake.portal.groups.add_users
        refused = [name for start in range(0, max(len(names), len(managers)), 25)
                   for name in add(owner, group_id, names[start:start + 25], managers[start:start + 25])]
        if refused:
            raise SeedError(f"{where}: could not add {', '.join(refused)} to the group")

    def data_file(self, name: Any, where: str) -> bytes:
        return read_file(self.files, name, where)


def _entries(value: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """The entries of a list kind, each with its path (`users[3]`); refuses what is not a list of mappings."""
    if not isinstance(value, list):
        raise SeedError(f"{path}: expected a list")
    for i, entry in enumerate(value):
        where = f"{path}[{i}]"
        if not isinstance(entry, dict):
            raise SeedError(f"{where}: expected a mapping")
        yield where, entry


def read_file(folder: Path | None, name: Any, where: str) -> bytes:
    """A `file:` entry's content: a file in the seed file's folder (or below it), never outside it."""
    if folder is None:
        raise SeedError(f"{where}: 'file' entries need a seed file on disk (give the data as text or fileBase64)")
    base = folder.resolve()
    target = (base / str(name)).resolve()
    if not target.is_relative_to(base):
        raise SeedError(f"{where}: {name!r} is outside the seed file's folder")
    try:
        return target.read_bytes()
    except OSError as e:
        raise SeedError(f"{where}: cannot read {name!r}: {e.strerror}") from None


def _fields(entry: Mapping[str, Any], where: str, allowed: Sequence[str], required: Sequence[str] = ()) -> None:
    unknown = [k for k in entry if k not in allowed]
    if unknown:
        raise SeedError(f"{where}: unknown field(s) {', '.join(map(str, unknown))} (allowed: {', '.join(allowed)})")
    missing = [k for k in required if entry.get(k) in (None, "")]
    if missing:
        raise SeedError(f"{where}: missing {', '.join(missing)}")


class _entry:
    """A rule of the fake refusing an entry becomes a SeedError naming it: `with _entry(where):`, once per
    entity (a class, as a @contextmanager generator costs more)."""

    __slots__ = ("where",)

    def __init__(self, where: str) -> None:
        self.where = where

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, fault: BaseException | None, tb: object) -> None:
        if isinstance(fault, Fault):
            details = f" ({'; '.join(fault.details)})" if fault.details else ""
            raise SeedError(f"{self.where}: {fault.message}{details}") from None


def _organization(s: Seeder, value: Any, path: str) -> None:
    if not isinstance(value, dict):
        raise SeedError(f"{path}: expected a mapping")
    _fields(value, path, ("name", "description", "urlKey", "canSharePublic", "canSearchPublic"))
    org = s.fake.portal.org
    org.name = str(value.get("name", org.name))
    org.description = str(value.get("description", org.description))
    org.url_key = str(value.get("urlKey", org.url_key))
    org.can_share_public = bool(value.get("canSharePublic", org.can_share_public))
    org.can_search_public = bool(value.get("canSearchPublic", org.can_search_public))
    s.tick("organization")


def _roles(s: Seeder, value: Any, path: str) -> None:
    portal = s.fake.portal
    for where, entry in s.entries(value, path):
        with _entry(where):
            portal.roles.create(portal.ids.new()[:16], str(entry["name"]), str(entry.get("description", "")),
                                portal.now(), privileges=[str(p) for p in entry.get("privileges") or []])


_USER_FIELDS = ("username", "password", "role", "fullName", "firstName", "lastName", "email", "description",
                "access", "tags", "disabled")


def _users(s: Seeder, value: Any, path: str) -> None:
    portal = s.fake.portal
    for where, entry in s.entries(value, path):
        role = str(entry.get("role", "org_user"))
        custom = [r for r in portal.roles if r.name.lower() == role.lower()]
        with _entry(where):
            user = portal.add_user(
                str(entry["username"]), str(entry["password"]), role=custom[0].id if custom else role,
                full_name=str(entry.get("fullName", "")), first_name=str(entry.get("firstName", "")),
                last_name=str(entry.get("lastName", "")), email=str(entry.get("email", "")),
                description=str(entry.get("description", "")), access=str(entry.get("access", "org")),
                tags=[str(t) for t in entry.get("tags") or []],
            )
        if entry.get("disabled"):
            user.disabled = True


_GROUP_FIELDS = ("title", "owner", "access", "tags", "description", "snippet", "members", "admins",
                 "isInvitationOnly", "isViewOnly", "sortField", "sortOrder")


def _groups(s: Seeder, value: Any, path: str) -> None:
    portal = s.fake.portal
    for where, entry in s.entries(value, path):
        owner = s.user(entry["owner"], f"{where}.owner")
        with _entry(where):
            group = portal.groups.create(
                owner, title=str(entry["title"]), tags=[str(t) for t in entry.get("tags") or ["seeded"]],
                access=str(entry.get("access", "private")), description=entry.get("description"),
                snippet=entry.get("snippet"), is_invitation_only=entry.get("isInvitationOnly"),
                is_view_only=entry.get("isViewOnly"), sort_field=entry.get("sortField"),
                sort_order=entry.get("sortOrder"),
            )
            s.members(owner, group.id, entry.get("members") or [], entry.get("admins") or [], where)


_ITEM_FIELDS = ("title", "type", "owner", "folder", "tags", "typeKeywords", "description", "snippet", "url",
                "text", "file", "fileBase64", "fileName", "sharing", "protected")


def _items(s: Seeder, value: Any, path: str) -> None:
    portal = s.fake.portal
    for where, entry in s.entries(value, path):
        owner = s.user(entry["owner"], f"{where}.owner")
        folder = entry.get("folder")
        with _entry(where):
            if folder is not None and portal.items.folder(owner.username, str(folder)) is None:
                portal.add_folder(owner.username, str(folder))
            data, data_name = _item_data(s, entry, where)
            text = entry.get("text")
            item = portal.add_item(
                owner, owner.username, title=str(entry["title"]), type=str(entry["type"]),
                folder=None if folder is None else str(folder), data=data, data_name=data_name,
                text=None if text is None else text if isinstance(text, str) else json.dumps(text),
                url=entry.get("url"), tags=[str(t) for t in entry.get("tags") or []],
                type_keywords=[str(t) for t in entry.get("typeKeywords") or []],
                description=str(entry.get("description", "")), snippet=str(entry.get("snippet", "")),
            )
            item.protected = bool(entry.get("protected", False))
            sharing = entry.get("sharing")
            if sharing:
                if not isinstance(sharing, dict):
                    raise SeedError(f"{where}.sharing: expected a mapping (everyone, org, groups)")
                _fields(sharing, f"{where}.sharing", ("everyone", "org", "groups"))
                ids = [s.group_id(g, owner, f"{where}.sharing.groups") for g in sharing.get("groups") or []]
                refused = portal.share_item(owner, item, everyone=sharing.get("everyone"), org=sharing.get("org"),
                                            groups=ids, confirm_item_control=True)
                if refused:
                    raise SeedError(f"{where}.sharing: {owner.username} may not share with group(s) {refused}")


def _item_data(s: Seeder, entry: Mapping[str, Any], where: str) -> tuple[bytes | None, str | None]:
    """An item's file: `file` (next to the seed file) or `fileBase64` with `fileName` (sent by the CLI)."""
    if entry.get("file"):
        return s.data_file(entry["file"], f"{where}.file"), Path(str(entry["file"])).name
    if entry.get("fileBase64") is not None:
        try:
            data = base64.b64decode(str(entry["fileBase64"]), validate=True)
        except ValueError:
            raise SeedError(f"{where}.fileBase64: not valid base64") from None
        return data, Path(str(entry.get("fileName") or "data")).name
    return None, None


def inline_files(doc: dict[str, Any], folder: Path | None) -> dict[str, Any]:
    """The document with each item's `file` replaced by its content (`fileBase64`), to send it elsewhere."""
    items = doc.get("items")
    if not isinstance(items, list) or not any(isinstance(e, dict) and e.get("file") for e in items):
        return doc
    inlined = []
    for i, entry in enumerate(items):
        if isinstance(entry, dict) and entry.get("file"):
            data = read_file(folder, entry["file"], f"items[{i}].file")
            entry = {k: v for k, v in entry.items() if k != "file"}
            entry.update(fileBase64=base64.b64encode(data).decode("ascii"), fileName=Path(str(items[i]["file"])).name)
        inlined.append(entry)
    return {**doc, "items": inlined}


def chunks(doc: Mapping[str, Any], size: int = 500) -> Iterator[tuple[dict[str, Any], int]]:
    """The document cut into documents of at most `size` entries each (in seeding order), with their sizes."""
    for kind in KINDS:
        value = doc.get(kind)
        if value is None:
            continue
        if kind == "server" and isinstance(value, dict):
            for part in ("users", "folders", "services"):
                entries = value.get(part) or []
                for start in range(0, len(entries), size):
                    piece = entries[start:start + size]
                    yield {"version": SEED_VERSION, "server": {part: piece}}, len(piece)
        elif isinstance(value, list):
            for start in range(0, len(value), size):
                yield {"version": SEED_VERSION, kind: value[start:start + size]}, len(value[start:start + size])
        else:
            yield {"version": SEED_VERSION, kind: value}, 1


def _server(s: Seeder, value: Any, path: str) -> None:
    if not isinstance(value, dict):
        raise SeedError(f"{path}: expected a mapping (users, folders, services)")
    _fields(value, path, ("users", "folders", "services"))
    try:
        site = s.fake.server.site
    except LookupError:
        raise SeedError(f"{path}: the fake's first server machine is in no site") from None
    for where, entry in s.entries(value.get("users") or [], f"{path}.users"):
        with _entry(where):
            site.add_user(str(entry["username"]), str(entry["password"]), role=str(entry.get("role", "publisher")))
    for where, entry in s.entries(value.get("folders") or [], f"{path}.folders"):
        with _entry(where):
            site.catalog.create_folder(str(entry["name"]), str(entry.get("description", "")))
    for where, entry in s.entries(value.get("services") or [], f"{path}.services"):
        definition = {k: v for k, v in entry.items() if k != "folder"}
        with _entry(where):
            site.catalog.create_service(entry.get("folder"), definition)


_MISSION_FIELDS = ("title", "owner", "snippet", "description", "licenseInfo", "tags", "capabilities", "extent",
                   "locale", "appId", "templateWebMap", "baseMap", "webMapDescription", "members", "reports")
_REPORT_FIELDS = ("title", "serviceName", "questions", "source", "description", "tags", "displayField",
                  "drawingInfo", "locale", "shareAsTemplate")


def _missions(s: Seeder, value: Any, path: str) -> None:
    fake = s.fake
    if fake.mission_context is None:
        raise SeedError(f"{path}: this fake has no Mission Server (it was made with mission_context=None)")
    catalog = fake.mission.catalog
    rest_url = f"https://{fake.mission.default_machine.host}{fake.mission_context}/rest"
    for where, entry in s.entries(value, path):
        owner = s.user(entry["owner"], f"{where}.owner")
        _privileged(owner, MISSIONS_CREATE, f"{where}.owner")
        with _entry(where):
            mission = catalog.create(
                owner, title=str(entry["title"]), rest_url=rest_url, snippet=_text(entry, "snippet"),
                description=_text(entry, "description"), license_info=_text(entry, "licenseInfo"),
                capabilities=_csv(entry.get("capabilities")), app_id=_text(entry, "appId"),
                tags=_csv(entry.get("tags")), extent=_csv(entry.get("extent")),
                template_webmap_id=_web_map(s, owner, entry.get("templateWebMap"), f"{where}.templateWebMap"),
                base_map=entry.get("baseMap"), webmap_description=_text(entry, "webMapDescription"),
                locale=_text(entry, "locale"))
        try:  # all or nothing: a refused member or report takes the mission away again
            s.members(owner, mission.group_id, entry.get("members") or [], [], where)
            if entry.get("reports"):
                _privileged(owner, MISSIONS_ADD_REPORT, f"{where}.owner")
            for at, report in _entries(entry.get("reports") or [], f"{where}.reports"):
                with _entry(at):
                    catalog.add_report(
                        owner, mission.id, rest_url=rest_url, title=str(report["title"]),
                        service_name=str(report["serviceName"]), questions=report["questions"],
                        source=_text(report, "source"), description=_text(report, "description"),
                        tags=_csv(report.get("tags")), display_field=_text(report, "displayField"),
                        drawing_info=report.get("drawingInfo"), locale=_text(report, "locale"),
                        share_as_template=report.get("shareAsTemplate"))
        except Exception:
            catalog.delete(owner, mission.id)
            raise


def _privileged(user: UserRecord, op: Operation, where: str) -> None:
    """The privileges the REST operation needs (its spec's `privileges`), checked as the fake's router does."""
    lacking = [p for p in op.privileges if not user.has(p)]
    if lacking:
        them = "it" if len(lacking) == 1 else "them"
        raise SeedError(f"{where}: {user.username} lacks {', '.join(lacking)} ({op.name} needs {them})")


def _text(entry: Mapping[str, Any], name: str) -> str | None:
    value = entry.get(name)
    return None if value is None else str(value)


def _csv(value: Any) -> str | None:
    """A list (or a comma-separated string) as the comma-separated string the REST parameter takes."""
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return None if value is None else str(value)


def _web_map(s: Seeder, owner: UserRecord, ref: Any, where: str) -> str | None:
    """A web map by id, or by title among the web maps `owner` sees."""
    if ref is None:
        return None
    items = s.fake.portal.items
    if items.get(str(ref)) is not None:
        return str(ref)
    matches = [i.id for i in items if i.type == "Web Map" and i.title.lower() == str(ref).lower()
               and items.can_view(owner, i)]
    if len(matches) != 1:
        raise SeedError(f"{where}: {'no' if not matches else 'more than one'} web map titled {ref!r}")
    return matches[0]


SERVER_PARTS = ("users", "folders", "services")
# The fields each list kind accepts and needs (checked before anything is seeded); () accepts any field.
SHAPES: dict[str, tuple[Sequence[str], Sequence[str]]] = {
    "roles": (("name", "description", "privileges"), ("name",)),
    "users": (_USER_FIELDS, ("username", "password")),
    "groups": (_GROUP_FIELDS, ("title", "owner")),
    "items": (_ITEM_FIELDS, ("title", "type", "owner")),
    "server.users": (("username", "password", "role"), ("username", "password")),
    "server.folders": (("name", "description"), ("name",)),
    "server.services": ((), ()),
    "missions": (_MISSION_FIELDS, ("title", "owner")),
}

# Seeded in this order. A new kind: one function (Seeder, value, path) and one entry here.
KINDS: dict[str, Callable[[Seeder, Any, str], None]] = {
    "organization": _organization,
    "roles": _roles,
    "users": _users,
    "groups": _groups,
    "items": _items,
    "server": _server,
    "missions": _missions,
}


def seed(fake: FakeArcGIS, source: str | os.PathLike[str] | bytes | Mapping[str, Any], *,
         progress: Progress | None = None) -> dict[str, int]:
    """Seed `fake` from a file, YAML/JSON bytes or a document; returns the count of each kind seeded."""
    if isinstance(source, Mapping):
        doc, folder = dict(source), None
    else:
        doc, folder = load(source)
    return Seeder(fake, files=folder, progress=progress).seed(doc)


__all__ = ["KINDS", "SEED_VERSION", "SeedError", "Seeder", "chunks", "count", "inline_files", "load", "seed"]
