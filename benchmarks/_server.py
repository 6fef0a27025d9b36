"""A loopback server for the benchmarks, run as a subprocess by _common.ServerProc.

usage: _server.py fake|trivial http|https THREADS

* fake:    arcgis_typed_fake.FakeArcGIS with one seeded item, served by arcgis_typed_fake.serve (cheroot, keep-alive).
* trivial: the same server (serve(), same threads, same TLS setup) answering a raw WSGI app that returns the
           fake's exact JSON body for that item on every path (same bytes on the wire, no routing, no state).

Prints one JSON line {"portal_url", "ca_path", "token", "item_id", "body_len"} when ready, then serves until
SIGTERM or until stdin is closed (so it never outlives the benchmark that started it).
"""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading

from arcgis_typed import WsgiTransport
from arcgis_typed._runtime.transport import HttpRequest
from arcgis_typed_fake import FakeArcGIS, serve

logging.getLogger("arcgis_typed_fake").setLevel(logging.CRITICAL)


def seeded_fake() -> tuple[FakeArcGIS, str, str]:
    fake = FakeArcGIS(admin_password="bench-pass-1", seed=7)
    admin = fake.portal.users.get("admin")
    assert admin is not None
    item = fake.portal.add_item(
        admin,
        "admin",
        title="Roads of the county",
        type="Feature Service",
        tags=["roads", "transport"],
        text='{"layers": []}',
        description="Road network",
        snippet="Roads",
    )
    token, _ = fake.portal.tokens.issue("admin", 24 * 60)
    return fake, token, item.id


def main() -> None:
    kind, scheme, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
    fake, token, item_id = seeded_fake()
    if kind == "fake":
        app = fake
    elif kind == "trivial":
        url = f"http://127.0.0.1{fake.portal_context}/sharing/rest/content/items/{item_id}?f=json"
        body = (
            WsgiTransport(fake)
            .send(
                HttpRequest("GET", url, {"X-Esri-Authorization": f"Bearer {token}", "Referer": "http"}),
                idempotent=True,
            )
            .body
        )
        assert b'"error"' not in body, body
        headers = [("Content-Type", "application/json; charset=utf-8"), ("Content-Length", str(len(body)))]

        def app(environ, start_response):  # type: ignore[no-untyped-def]
            start_response("200 OK", headers)
            return [body]

        app.portal_context = "/portal"  # type: ignore[attr-defined]
    else:
        raise SystemExit(f"unknown kind {kind}")

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())

    def watch_stdin() -> None:
        sys.stdin.read()  # returns at EOF: the parent closed the pipe or died
        stop.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    with serve(app, https=scheme == "https", threads=threads) as server:
        print(
            json.dumps(
                {
                    "portal_url": server.portal_url,
                    "ca_path": server.ca_path,
                    "token": token,
                    "item_id": item_id,
                }
            ),
            flush=True,
        )
        stop.wait()


if __name__ == "__main__":
    main()
