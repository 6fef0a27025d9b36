"""`WsgiRequestsAdapter`: a `requests` session talks to a WSGI app in-process (runs where `requests` is installed,
as in `tox -e compat`)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

pytest.importorskip("requests")

import requests
from arcgis_typed_fake import FakeArcGIS
from arcgis_typed_fake.requests_adapter import WsgiRequestsAdapter
from werkzeug.wrappers import Request, Response

pytestmark = pytest.mark.compat

ORIGIN = "https://fake.arcgis.test"


@Request.application
def echo(request: Request) -> Response:
    if request.path == "/redirect":
        return Response("", status=302, headers={"Location": f"{ORIGIN}/landed?from=redirect"})
    files = {name: (f.filename, f.read().decode()) for name, f in request.files.items()}
    body = {
        "method": request.method,
        "path": request.path,
        "args": dict(request.args),
        "form": dict(request.form),
        "files": files,
        "data": request.get_data(as_text=True) if not (request.form or files) else "",
        "host": request.host,
        "scheme": request.scheme,
        "remote_addr": request.remote_addr,
        "referer": request.headers.get("Referer"),
        "cookie": request.cookies.get("session"),
    }
    response = Response(json.dumps(body), content_type="application/json", status=201 if request.method == "PUT" else 200)
    response.set_cookie("session", "abc123", secure=True)
    return response


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as s:
        s.mount(ORIGIN, WsgiRequestsAdapter(echo))
        yield s


def test_get_builds_the_environ_from_the_url(session: requests.Session) -> None:
    r = session.get(f"{ORIGIN}/a%20b//c", params={"f": "json", "q": "owner:admin"}, headers={"Referer": "http"})
    assert r.status_code == 200
    assert r.reason == "OK"
    assert r.headers["Content-Type"] == "application/json"
    assert r.url == f"{ORIGIN}/a%20b//c?f=json&q=owner%3Aadmin"
    assert r.request is not None and r.request.method == "GET"
    body = r.json()
    assert body["path"] == "/a b//c"
    assert body["args"] == {"f": "json", "q": "owner:admin"}
    assert (body["host"], body["scheme"], body["remote_addr"], body["referer"]) == (
        "fake.arcgis.test", "https", "127.0.0.1", "http"
    )


def test_form_multipart_and_streamed_bodies(session: requests.Session) -> None:
    assert session.post(f"{ORIGIN}/form", data={"title": "t", "n": "1"}).json()["form"] == {"title": "t", "n": "1"}
    multipart = session.post(f"{ORIGIN}/up", data={"fileName": "a.csv"}, files={"file": ("a.csv", b"x,y\n1,2\n")})
    assert multipart.json()["form"] == {"fileName": "a.csv"}
    assert multipart.json()["files"] == {"file": ["a.csv", "x,y\n1,2\n"]}
    streamed = session.put(f"{ORIGIN}/raw", data=iter([b"chunk-1 ", b"chunk-2"]))  # chunked: no Content-Length
    assert streamed.status_code == 201
    assert streamed.json()["data"] == "chunk-1 chunk-2"


def test_redirects_cookies_and_streaming(session: requests.Session) -> None:
    hop = session.get(f"{ORIGIN}/redirect", allow_redirects=False)
    assert hop.status_code == 302 and hop.headers["Location"] == f"{ORIGIN}/landed?from=redirect"
    followed = session.get(f"{ORIGIN}/redirect")
    assert followed.json()["path"] == "/landed"
    assert [h.status_code for h in followed.history] == [302]
    assert session.cookies.get("session") == "abc123"  # Set-Cookie reached the session's jar
    assert session.get(f"{ORIGIN}/again").json()["cookie"] == "abc123"  # and is sent back
    streamed = session.get(f"{ORIGIN}/stream", stream=True)
    assert json.loads(b"".join(streamed.iter_content(chunk_size=7)))["path"] == "/stream"


def test_the_fake_through_a_plain_session() -> None:
    fake = FakeArcGIS(admin_password="adapter-pass-1")
    with requests.Session() as s:
        s.mount(ORIGIN, WsgiRequestsAdapter(fake))
        token = s.post(
            f"{ORIGIN}/portal/sharing/rest/generateToken",
            data={"username": "admin", "password": "adapter-pass-1", "client": "requestip", "f": "json"},
        ).json()["token"]
        me = s.get(f"{ORIGIN}/portal/sharing/rest/community/self", params={"f": "json"},
                   headers={"X-Esri-Authorization": f"Bearer {token}"})
        assert me.status_code == 200
        assert me.json()["username"] == "admin"
        missing = s.get(f"{ORIGIN}/portal/sharing/rest/nowhere", params={"f": "json"})
        assert missing.status_code == 200  # ArcGIS errors are HTTP 200 envelopes
        assert missing.json()["error"]["code"] == 400
