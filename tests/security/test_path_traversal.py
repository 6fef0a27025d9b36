"""Security review, paths: no path traversal through any file name, folder name, resource name or other
path-like parameter, of any operation of the table (so operations added later are covered): nothing is written
outside memory, no stored name keeps a folder part, and path segments such as `..` never reach another
resource. The client builds multipart headers that a hostile file name cannot break, and sends only a file's
base name."""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
from pathlib import Path

import pytest
from arcgis_typed import PortalClient, Upload, WsgiTransport
from arcgis_typed._runtime.operation import Operation
from fuzzworld import ADMIN_PASSWORD, fingerprint, new_world, operation_tables
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

CANARY = "hardening-traversal-canary"
TRAVERSALS = [
    f"../../{CANARY}", f"..\\..\\{CANARY}", f"/tmp/{CANARY}", f"C:\\{CANARY}", f"%2e%2e%2f{CANARY}",
    f"....//....//{CANARY}", f"./../{CANARY}", f"{CANARY}\x00.png", f"..%c0%af{CANARY}", "..", ".", "/",
]
PATHLIKE = re.compile(r"(?i)(^file$|filename|folder|resource|path|location|servicename|machinename|^username$|^name$)")


# Display names (a role's or a group's name) are free text, not paths: a role may be called "..".
DISPLAY_NAMES = {("roles", "name")}


def pathlike(op: Operation) -> list[str]:
    family = op.name.split(".")[0]
    return [p.wire for p in op.params if p.location in ("form", "file", "path") and PATHLIKE.search(p.wire)
            and (family, p.wire) not in DISPLAY_NAMES]


TARGETS = [(op, context) for ops, context in operation_tables().values() for op in ops if pathlike(op)]


def canaries() -> list[Path]:
    roots = {Path.cwd(), Path(tempfile.gettempdir()), Path("/tmp"), Path.cwd().parent}
    return [p for root in roots if root.is_dir() for p in root.glob(f"*{CANARY}*")]


def folder_parts(state: object) -> list[str]:
    """Every string of the state that looks like a path with a folder part made of dots."""
    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            if re.search(r"(^|[\\/])\.\.([\\/]|$)", value):
                found.append(value)
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v)

    walk(state)
    return found


def test_the_table_has_path_like_parameters() -> None:
    wires = {w for op, _ in TARGETS for w in pathlike(op)}
    assert {"file", "fileName", "folderId", "folderName", "serviceName", "username"} <= wires


@pytest.mark.parametrize(("op", "context"), TARGETS, ids=[f"{op.api}:{op.name}" for op, _ in TARGETS])
def test_path_like_parameters_cannot_traverse(op: Operation, context: str) -> None:
    world = new_world()
    before_files = canaries()
    assert not before_files
    names = pathlike(op)
    for value in TRAVERSALS:
        for wire in names:
            location = next(p.location for p in op.params if p.wire == wire)
            path_values = {p.wire: (value if p.wire == wire else "admin" if "user" in p.wire.lower() else "Fuzzed")
                           for p in op.params if p.location == "path"}
            path = op.url(context, path_values)
            for token in (world.admin_token, world.user_token):
                data: dict[str, object] = {p.wire: "x" for p in op.params if p.required and p.location == "form"}
                data.update({"title": "t", "type": "CSV"})
                if location == "form":
                    data[wire] = value
                elif location == "file":
                    data[wire] = (io.BytesIO(b"a,b\n"), value)
                response = world.post(path, data, token)  # type: ignore[arg-type]
                assert response.status_code in (200, 302), (op.name, response.status_code)
                if response.mimetype == "application/json":
                    body = json.loads(response.data)
                    assert not (isinstance(body, dict) and body.get("code") == 500), body
    assert not canaries(), canaries()
    stored = folder_parts(fingerprint(world.fake))
    assert not stored, (op.name, stored, repr(fingerprint(world.fake))[:0])


def test_uploaded_file_names_lose_their_folders() -> None:
    world = new_world()
    for value in TRAVERSALS:
        for by in ("part", "fileName"):
            data: dict[str, object] = {"title": "t", "type": "CSV", "file": (io.BytesIO(b"a,b\n"), value if by == "part"
                                                                               else "plain.csv")}
            if by == "fileName":
                data["fileName"] = value
            added = json.loads(world.post("/portal/sharing/rest/content/users/admin/addItem", data,  # type: ignore[arg-type]
                                          world.admin_token).data)
            item = world.fake.portal.items.get(added["id"])
            assert item is not None and item.data_name is not None
            assert "/" not in item.data_name and "\\" not in item.data_name and "\x00" not in item.data_name
            assert item.data_name not in ("", ".", "..")
            download = world.client.get(f"/portal/sharing/rest/content/items/{item.id}/data",
                                        headers={"X-Esri-Authorization": f"Bearer {world.admin_token}"})
            disposition = download.headers.get("Content-Disposition", "")
            assert "/" not in disposition.split("filename=")[1].split(";")[0], disposition
    assert not canaries()


def test_group_thumbnails_lose_their_folders_and_cannot_be_reached_through_dots() -> None:
    world = new_world()
    created = json.loads(world.post("/portal/sharing/rest/community/createGroup", {
        "title": "Thumbs", "tags": "t", "thumbnail": (io.BytesIO(b"\x89PNG"), "../../../etc/thumb.png")},  # type: ignore[dict-item]
        world.admin_token).data)
    group = world.fake.portal.groups.get(created["group"]["id"])
    assert group is not None and group.thumbnail == "thumb.png"
    base = f"/portal/sharing/rest/community/groups/{group.id}/info"
    headers = {"X-Esri-Authorization": f"Bearer {world.admin_token}"}
    assert world.client.get(f"{base}/thumb.png", headers=headers).data == b"\x89PNG"
    for path in (f"{base}/../../../etc/thumb.png", f"{base}/..%2F..%2Fthumb.png", f"{base}/%2e%2e/thumb.png",
                 f"{base}/x/../thumb.png"):
        answer = world.client.get(path, headers=headers, query_string={"f": "json"})
        assert answer.data != b"\x89PNG", path


@pytest.mark.parametrize("path", [
    "/arcgis/admin/services/../../admin/machines", "/arcgis/admin/services/%2e%2e/machines",
    "/arcgis/admin/services/..%2Fmachines", "/portal/sharing/rest/content/items/../../community/self",
    "/portal/sharing/rest/community/users/..%2F..%2Fportals%2Fself",
])
def test_dot_segments_reach_nothing_else(path: str) -> None:
    """`..` is never resolved by the router: a path with dot segments is no other resource's path."""
    world = new_world()
    token = world.client.post("/arcgis/admin/generateToken", data={
        "username": "admin", "password": ADMIN_PASSWORD, "client": "requestip", "f": "json"}).get_json()["token"]
    before = fingerprint(world.fake)
    for t in (world.admin_token, token):
        answer = json.loads(world.client.post(path, data={"f": "json", "token": t}).data)
        assert "error" in answer or answer.get("status") == "error", (path, answer)
    assert fingerprint(world.fake) == before


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.text(st.characters(codec="utf-8"), min_size=1, max_size=30))
def test_the_client_sends_any_file_name_as_one_safe_part(name: str) -> None:
    """urllib3 escapes quotes and line breaks in multipart headers: a hostile name adds no field or header,
    and the fake keeps at most its base name."""
    world = _CLIENT_WORLD
    client = PortalClient("https://fake.test/portal", transport=WsgiTransport(world.fake), token=world.admin_token)
    hostile = name + '"\r\nContent-Disposition: form-data; name="title"\r\n\r\nInjected'
    added = client.content.add_item("admin", title="Safe", type="CSV", file=Upload(hostile, b"a,b\n", "text/csv"))
    item = world.fake.portal.items.get(added.id)
    assert item is not None and item.title == "Safe"
    assert item.data_name is not None and "/" not in item.data_name and "\r" not in item.data_name


_CLIENT_WORLD = new_world()


def test_upload_from_path_sends_the_base_name_only(tmp_path: Path) -> None:
    nested = tmp_path / "secret-folder" / "data.csv"
    nested.parent.mkdir()
    nested.write_bytes(b"a,b\n")
    upload = Upload.from_path(nested)
    assert upload.filename == "data.csv" and str(tmp_path) not in repr(upload)


def test_tls_files_of_a_served_fake_are_private_and_removed() -> None:
    from arcgis_typed_fake import FakeArcGIS, serve

    fake = FakeArcGIS(admin_password=ADMIN_PASSWORD, password_iterations=1)
    with serve(fake, https=True) as one, serve(fake, https=True) as two:
        assert one.ca_path and two.ca_path and one.ca_path != two.ca_path
        folder = Path(one.ca_path).parent
        assert folder != Path(two.ca_path).parent
        assert oct(folder.stat().st_mode & 0o777) == oct(0o700)
        key = folder / "server-key.pem"
        assert key.exists() and os.stat(key).st_uid == os.getuid()
    assert not folder.exists()
