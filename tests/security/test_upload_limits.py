"""Security review, sizes: a request body larger than the fake accepts is refused before it is read (the
envelope of the API called, code 413), over HTTP as in-process; an item's file and a group's thumbnail have their
own limits; nothing changes when a limit is hit."""

from __future__ import annotations

import io
import json
import socket
import ssl
import time

import pytest
from arcgis_typed_fake import app as fake_app
from arcgis_typed_fake import serve
from arcgis_typed_fake.state import portal as portal_state
from fuzzworld import fingerprint, new_world

BIG = fake_app.MAX_REQUEST_BYTES + 1


@pytest.mark.parametrize(("path", "envelope"), [
    ("/portal/sharing/rest/content/users/admin/addItem", "portal"),
    ("/portal/sharing/rest/community/createGroup", "portal"),
    ("/arcgis/admin/services/createService", "server"),
    ("/portal/sharing/rest/generateToken", "portal"),
])
def test_a_body_over_the_limit_is_refused_unread(path: str, envelope: str) -> None:
    world = new_world()
    before = fingerprint(world.fake)
    body = io.BytesIO(b"x" * 1024)  # claims BIG bytes; the fake must refuse from the header, without reading
    for content_type in ("application/x-www-form-urlencoded", "multipart/form-data; boundary=B"):
        response = world.client.post(path, input_stream=body, content_type=content_type,
                                     environ_overrides={"CONTENT_LENGTH": str(BIG)},
                                     headers={"X-Esri-Authorization": f"Bearer {world.admin_token}"})
        assert response.status_code == 200
        answer = json.loads(response.data)
        if envelope == "portal":
            assert answer["error"]["code"] == 413, answer
        else:
            assert answer["status"] == "error" and answer["code"] == 413, answer
    assert body.tell() <= 1024
    assert fingerprint(world.fake) == before


def test_a_body_over_the_limit_is_refused_over_https_without_sending_it() -> None:
    """Over a socket: the client sends the headers of a huge upload and a little of the body; the server answers
    413 at once and closes the connection, without waiting for (or reading) the rest."""
    world = new_world()
    with serve(world.fake, https=True) as server:
        assert server.ca_path is not None
        context = ssl.create_default_context(cafile=server.ca_path)
        started = time.monotonic()
        with socket.create_connection((server.host, server.port), timeout=10) as raw, \
                context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            tls.sendall(
                b"POST /portal/sharing/rest/content/users/admin/addItem HTTP/1.1\r\n"
                b"Host: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + f"Content-Length: {BIG}\r\nX-Esri-Authorization: Bearer {world.admin_token}\r\n\r\n".encode()
                + b"title=x&type=CSV&text=")
            received = b""
            while True:
                chunk = tls.recv(4096)
                if not chunk:
                    break  # the server closed the connection
                received += chunk
    assert received.startswith(b"HTTP/1.1 413 "), received[:300]
    assert b"Connection: close" in received
    assert time.monotonic() - started < 5
    assert world.fake.portal.items.get("x") is None and len(world.fake.portal.items) == 3


def test_item_files_have_a_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(portal_state, "MAX_ITEM_BYTES", 1000)
    world = new_world()
    before = fingerprint(world.fake)
    answer = json.loads(world.post("/portal/sharing/rest/content/users/admin/addItem", {
        "title": "Big", "type": "CSV", "file": (io.BytesIO(b"x" * 1001), "big.csv")},  # type: ignore[dict-item]
        world.admin_token).data)
    assert answer["error"]["code"] == 400 and "1000" in answer["error"]["message"]
    assert fingerprint(world.fake) == before
    item_id = next(i.id for i in world.fake.portal.items if i.owner == "admin")
    before = fingerprint(world.fake)
    answer = json.loads(world.post(f"/portal/sharing/rest/content/users/admin/items/{item_id}/update", {
        "file": (io.BytesIO(b"x" * 1001), "big.csv")}, world.admin_token).data)  # type: ignore[dict-item]
    assert answer["error"]["code"] == 400
    assert fingerprint(world.fake) == before


def test_group_thumbnails_have_a_size_limit() -> None:
    from arcgis_typed_fake.state.users import MAX_THUMBNAIL_BYTES

    world = new_world()
    before = fingerprint(world.fake)
    answer = json.loads(world.post("/portal/sharing/rest/community/createGroup", {
        "title": "Thumb", "tags": "t",
        "thumbnail": (io.BytesIO(b"x" * (MAX_THUMBNAIL_BYTES + 1)), "t.png")},  # type: ignore[dict-item]
        world.admin_token).data)
    assert answer["error"]["code"] == 400
    assert fingerprint(world.fake) == before


def test_the_limits_are_what_portal_documents() -> None:
    """Portal takes item files up to 100 MB through addItem (larger ones in parts, not implemented here); the
    request limit leaves room for the multipart framing around such a file."""
    assert portal_state.MAX_ITEM_BYTES == 100 * 1024 * 1024
    assert portal_state.MAX_ITEM_BYTES < fake_app.MAX_REQUEST_BYTES <= portal_state.MAX_ITEM_BYTES + 16 * 1024 * 1024
