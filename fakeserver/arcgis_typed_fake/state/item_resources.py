"""An item's file resources: names, limits and the archive upload, with no way out of the item's resources.

A resource's name is a file name, optionally in folders (`resourcesPrefix`, or an archive entry's folders):
`styles/root.json`. Names are checked, never cleaned up silently: no `..`, no `.`, no empty part, no backslash,
no control character, no absolute path, at most MAX_DEPTH folders. A zip archive (`archive=true`) is unpacked into its folders under the same
rules (an entry that breaks them refuses the whole archive). Limits as the REST API documents them: 50 MB a
file, 1,000 resources an item. Deleting the item drops its resources (`ItemStore.remove`).
"""

from __future__ import annotations

import io
import zipfile
from typing import TYPE_CHECKING

import attrs

from ..errors import Fault, bad_request, not_found

if TYPE_CHECKING:
    from .items import ItemRecord
    from .portal import PortalState
    from .users import UserRecord

MAX_RESOURCE_BYTES = 50 * 1024 * 1024
MAX_RESOURCES = 1000
MAX_DEPTH = 8  # folders in a resource's name (the fake's limit)
_BAD_CHARS = set('\\:*?"<>|') | {chr(c) for c in range(32)}


@attrs.define(eq=False)
class ResourceRecord:
    name: str
    data: bytes = attrs.field(repr=False)
    content_type: str
    created: int
    access: str = "inherit"


class ResourceStore:
    def __init__(self) -> None:
        self._by_item: dict[str, dict[str, ResourceRecord]] = {}

    def of(self, item_id: str) -> list[ResourceRecord]:
        return sorted(self._by_item.get(item_id, {}).values(), key=lambda r: r.name)

    def get(self, item_id: str, name: str) -> ResourceRecord | None:
        return self._by_item.get(item_id, {}).get(name)

    def put(self, item_id: str, record: ResourceRecord) -> None:
        self._by_item.setdefault(item_id, {})[record.name] = record

    def remove(self, item_id: str, name: str) -> None:
        self._by_item.get(item_id, {}).pop(name, None)

    def total_size(self, item_id: str) -> int:
        return sum(len(r.data) for r in self._by_item.get(item_id, {}).values())

    def drop_item(self, item_id: str) -> None:
        self._by_item.pop(item_id, None)


def _part(value: str, what: str) -> str:
    if value in ("", ".", "..") or any(c in _BAD_CHARS for c in value) or value != value.strip():
        raise bad_request(f"Invalid resource {what} '{value}'.")
    return value


def resource_name(file_name: str, prefix: str | None = None) -> str:
    """`prefix/file_name` after checking every part (no traversal, at most MAX_DEPTH folders)."""
    parts = file_name.split("/")
    if prefix:
        parts = prefix.strip("/").split("/") + parts
    if len(parts) > MAX_DEPTH + 1:
        raise bad_request(f"Invalid resource name '{'/'.join(parts)}': at most {MAX_DEPTH} folders.")
    for folder in parts[:-1]:
        _part(folder, "folder")
    _part(parts[-1], "file name")
    return "/".join(parts)


def _content_type(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return {
        "json": "application/json", "xml": "application/xml", "txt": "text/plain", "png": "image/png",
        "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "bmp": "image/bmp", "pdf": "application/pdf",
        "zip": "application/zip", "mp3": "audio/mpeg", "mp4": "video/mp4", "css": "text/css", "js": "text/javascript",
        "html": "text/html", "svg": "image/svg+xml",
    }.get(ext, "application/octet-stream")


def _unpack(data: bytes, prefix: str | None) -> list[tuple[str, bytes]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = [e for e in archive.infolist() if not e.is_dir()]
        out = []
        for entry in entries:
            if entry.file_size > MAX_RESOURCE_BYTES:
                raise bad_request(f"Archive entry '{entry.filename}' is larger than {MAX_RESOURCE_BYTES} bytes.")
            if entry.filename.startswith("/"):
                raise bad_request(f"Invalid resource name '{entry.filename}' in the archive.")
            out.append((resource_name(entry.filename, prefix), archive.read(entry)))
        return out
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError) as exc:
        raise bad_request(f"Invalid parameter 'file': not a readable zip archive ({exc}).") from None


def _contents(
    data: bytes | None, upload_name: str | None, file_name: str | None, prefix: str | None, text: str | None,
    archive: bool,
) -> list[tuple[str, bytes]]:
    if data is not None and text is not None:
        raise bad_request("Give a resource as one of file or text, not both.")
    if data is None and text is None:
        raise bad_request("Invalid parameters: give a file or text (with fileName).")
    if text is not None:
        if not file_name:
            raise bad_request("Invalid parameter 'fileName': required with text.")
        return [(resource_name(file_name, prefix), text.encode())]
    assert data is not None
    if len(data) > MAX_RESOURCE_BYTES:
        raise bad_request(f"The file is larger than the {MAX_RESOURCE_BYTES} bytes a resource may have.")
    if archive:
        return _unpack(data, prefix)
    name = file_name or upload_name
    if not name:
        raise bad_request("Invalid parameter 'fileName': the file has no name.")
    return [(resource_name(name, prefix), data)]


def _owned(state: PortalState, caller: UserRecord, username: str, item_id: str) -> ItemRecord:
    return state.items.owned_for(caller, item_id, username, "portal:admin:updateItems")


def add_resources(
    state: PortalState, caller: UserRecord, username: str, item_id: str, *, data: bytes | None,
    upload_name: str | None, file_name: str | None, prefix: str | None, text: str | None, archive: bool,
    access: str | None, replace: bool,
) -> ItemRecord:
    """Add (or with `replace`, update) resources; all or nothing."""
    item = _owned(state, caller, username, item_id)
    store = state.items.resources
    contents = _contents(data, upload_name, file_name, prefix, text, archive)
    names = [n for n, _ in contents]
    if len(set(names)) != len(names):
        raise bad_request("The archive holds the same resource name twice.")
    for name in names:
        exists = store.get(item.id, name) is not None
        if replace and not exists:
            raise Fault(404, "Resource does not exist or is inaccessible.", [name])
        if not replace and exists:
            raise bad_request(f"Resource '{name}' already exists; update it instead.")
    if not replace and len(store.of(item.id)) + len(names) > MAX_RESOURCES:
        raise bad_request(f"An item may have at most {MAX_RESOURCES} resources.")
    now = state.now()
    for name, blob in contents:
        old = store.get(item.id, name)
        store.put(item.id, ResourceRecord(
            name=name, data=blob, content_type=_content_type(name), created=old.created if old else now,
            access=access or (old.access if old else "inherit"),
        ))
    item.modified = now
    item.resources_size = store.total_size(item.id)
    state.items.reindex(item)
    return item


def remove_resources(
    state: PortalState, caller: UserRecord, username: str, item_id: str, resource: str | None, delete_all: bool
) -> ItemRecord:
    item = _owned(state, caller, username, item_id)
    store = state.items.resources
    if delete_all:
        store.drop_item(item.id)
    elif resource:
        name = resource_name(resource.replace("//", "/").strip("/"))
        if store.get(item.id, name) is None:
            raise Fault(404, "Resource does not exist or is inaccessible.", [name])
        store.remove(item.id, name)
    else:
        raise bad_request("Invalid parameters: give 'resource' or deleteAll=true.")
    item.modified = state.now()
    item.resources_size = store.total_size(item.id)
    state.items.reindex(item)
    return item


def read_resource(state: PortalState, caller: UserRecord | None, item_id: str, resource: str) -> ResourceRecord:
    """A resource the caller may read: visible item; `private` resources only for the owner and administrators."""
    item = state.items.visible(caller, item_id)
    name = resource_name(resource)
    record = state.items.resources.get(item.id, name)
    if record is None:
        raise not_found("Resource", name)
    if record.access == "private" and not state.items.may_administer(caller, item, "portal:admin:viewItems"):
        raise not_found("Resource", name)
    return record
