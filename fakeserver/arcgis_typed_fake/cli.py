"""`arcgis-fake`: run the fake ArcGIS Enterprise from a shell.

    arcgis-fake serve                 # HTTPS on 127.0.0.1, a seeded admin, URL and credentials printed
    arcgis-fake reset --url URL --control-token TOKEN
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import urllib.request
from typing import Any

from .app import FakeArcGIS
from .control import HEADER
from .server import serve


def _serve(args: argparse.Namespace) -> int:
    fake = FakeArcGIS(
        admin_username=args.admin_username,
        admin_password=args.admin_password or os.environ.get("ARCGIS_FAKE_ADMIN_PASSWORD") or None,
        portal_context=args.portal_context,
        server_context=None if args.no_server else args.server_context,
        server_machines=tuple(m.strip() for m in args.server_machines.split(",") if m.strip()) or ("MACHINE1",),
        seed=args.seed,
        control_token=os.environ.get("ARCGIS_FAKE_CONTROL_TOKEN") or None,
    )
    stop = threading.Event()
    with serve(fake, https=not args.http, host=args.host, port=args.port, threads=args.threads) as server:
        lines = ["arcgis-fake is serving a fake ArcGIS Enterprise (portal and server)",
                 f"  portal URL     {server.portal_url}"]
        if server.server_admin_url:
            lines.append(f"  server admin   {server.server_admin_url}")
            lines += [f"    machine {name}: {url}" for name, url in list(server.machine_admin_urls.items())[1:]]
        if server.mission_admin_url:
            lines.append(f"  mission server {server.mission_admin_url.removesuffix('/admin')}   (/rest and /admin; portal tokens)")
            lines.append(f"    site admin   {fake.mission_admin_username} / {fake.mission_admin_password}")
        lines.append(f"  admin          {fake.admin_username} / {fake.admin_password}")
        if server.ca_path:
            lines.append(f"  CA certificate {server.ca_path}   (verify with it, e.g. REQUESTS_CA_BUNDLE or ca_certs=)")
        lines += [
            f"  control token  {fake.control_token}   (for `arcgis-fake reset`)",
            "Press Ctrl+C to stop.",
        ]
        signal.signal(signal.SIGTERM, lambda *_: stop.set())  # before the banner: a reader may stop us at once
        print("\n".join(lines), flush=True)
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
    return 0


def _control(args: argparse.Namespace, action: str, method: str) -> int:
    token = args.control_token or os.environ.get("ARCGIS_FAKE_CONTROL_TOKEN")
    if not token:
        print("give --control-token (printed by `arcgis-fake serve`) or set ARCGIS_FAKE_CONTROL_TOKEN", file=sys.stderr)
        return 2
    base = args.url.rstrip("/")
    scheme_host = "/".join(base.split("/", 3)[:3])
    request = urllib.request.Request(f"{scheme_host}/_fake/{action}", method=method, headers={HEADER: token}, data=b"")
    context: Any = None
    if args.cafile:
        import ssl

        context = ssl.create_default_context(cafile=args.cafile)
    with urllib.request.urlopen(request, timeout=30, context=context) as response:
        body = json.loads(response.read())
    print(json.dumps(body, indent=2))
    return 1 if "error" in body else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="arcgis-fake", description="A stateful fake ArcGIS Enterprise.")
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="serve the fake until interrupted")
    s.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    s.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    s.add_argument("--http", action="store_true", help="plain HTTP instead of HTTPS (the official client needs HTTPS)")
    s.add_argument("--threads", type=int, default=8)
    s.add_argument("--admin-username", default="admin")
    s.add_argument("--admin-password", default=None, help="default: $ARCGIS_FAKE_ADMIN_PASSWORD or a random one")
    s.add_argument("--portal-context", default="/portal")
    s.add_argument("--server-context", default="/arcgis", help="where the ArcGIS Server answers (default: /arcgis)")
    s.add_argument("--server-machines", default="MACHINE1",
                   help="comma-separated server machine names; each extra machine gets its own port")
    s.add_argument("--no-server", action="store_true", help="serve the portal only")
    s.add_argument("--seed", type=int, default=None, help="make ids reproducible")
    for name, help_text in (("reset", "forget everything but the administrator"), ("status", "show counts")):
        c = sub.add_parser(name, help=help_text)
        c.add_argument("--url", required=True, help="the fake's portal URL")
        c.add_argument("--control-token", default=None)
        c.add_argument("--cafile", default=None, help="CA certificate printed by `serve` (for HTTPS)")
    args = parser.parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    return _control(args, args.command, "POST" if args.command == "reset" else "GET")


if __name__ == "__main__":
    sys.exit(main())
