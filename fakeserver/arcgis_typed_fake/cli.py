"""`arcgis-fake`: run the fake ArcGIS Enterprise from a shell.

    arcgis-fake serve                 # HTTPS on 127.0.0.1, a seeded admin, URL and credentials printed
    arcgis-fake serve --data-dir DIR  # keep the state in DIR/state.json: it survives restarts
    arcgis-fake serve --seed 7 --start-time 2024-01-01T00:00:00Z --seed-file org.yaml   # deterministic
    arcgis-fake reset --url URL --control-token TOKEN
    arcgis-fake checkpoint --url URL --control-token TOKEN    # later resets come back to the state now
    arcgis-fake seed org.yaml --url URL --control-token TOKEN    # or --data-dir DIR (no server needed)
    arcgis-fake snapshot --url URL --out state.json ...; arcgis-fake restore state.json --url URL ...
    arcgis-fake faults add '{"op": "content.get", "httpStatus": 503, "times": 2}' --url URL ...
    arcgis-fake requests --op content.get --url URL ...; arcgis-fake clock --advance-ms 60000 --url URL ...
    arcgis-fake openapi               # the control plane's OpenAPI description
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from . import seeding
from .app import FakeArcGIS
from .clock import ManualClock
from .control import openapi
from .dashboard import url as dashboard_url
from .product import Persistence, snapshot
from .remote import ControlError, RemoteFake
from .server import serve
from .snapshot import SnapshotError


def _fake_from(args: argparse.Namespace) -> FakeArcGIS:
    return FakeArcGIS(
        admin_username=args.admin_username,
        admin_password=args.admin_password or os.environ.get("ARCGIS_FAKE_ADMIN_PASSWORD") or None,
        portal_context=args.portal_context,
        server_context=None if args.no_server else args.server_context,
        server_machines=tuple(m.strip() for m in args.server_machines.split(",") if m.strip()) or ("MACHINE1",),
        seed=args.seed,
        clock=ManualClock.at(args.start_time) if args.start_time else None,
        control_token=os.environ.get("ARCGIS_FAKE_CONTROL_TOKEN") or None,
    )


def _serve(args: argparse.Namespace) -> int:
    fake = _fake_from(args)
    persistence = Persistence(fake, args.data_dir) if args.data_dir else None
    restored = persistence.load() if persistence is not None else False
    if args.seed_file and not restored:
        _seed_locally(fake, args.seed_file)
    if args.checkpoint:
        fake.checkpoint()  # `reset` comes back here, undoing the changes made since
    if persistence is not None:
        fake._after_write = persistence.changed
        persistence.start()
    try:
        return _run(fake, args, persistence, restored)
    finally:
        if persistence is not None:
            persistence.close()


def _run(fake: FakeArcGIS, args: argparse.Namespace, persistence: Persistence | None, restored: bool) -> int:
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
        given = args.admin_password or os.environ.get("ARCGIS_FAKE_ADMIN_PASSWORD")
        if restored and not given:  # the state holds only a hash of the password it was created with
            lines.append(f"  admin          {fake.admin_username} / (the password the saved state was created with)")
        else:
            lines.append(f"  admin          {fake.admin_username} / {fake.admin_password}")
        if server.ca_path:
            lines.append(f"  CA certificate {server.ca_path}   (verify with it, e.g. REQUESTS_CA_BUNDLE or ca_certs=)")
        if persistence is not None:
            lines.append(f"  state file     {persistence.path}   ({'restored' if restored else 'new'}; saved as it changes)")
        lines += [
            f"  dashboard      {dashboard_url(fake, server.base_url)}",
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


def _remote_call(args: argparse.Namespace, run: Callable[[RemoteFake], Any]) -> int:
    """Run `run` against the fake at --url; print its answer as JSON (when not None). Exit status: 0, 1 when the
    fake or the file refused, 2 without a control token."""
    token = args.control_token or os.environ.get("ARCGIS_FAKE_CONTROL_TOKEN")
    if not token:
        print("give --control-token (printed by `arcgis-fake serve`) or set ARCGIS_FAKE_CONTROL_TOKEN", file=sys.stderr)
        return 2
    try:
        result = run(RemoteFake(args.url, token, cafile=args.cafile))
    except (ControlError, SnapshotError, seeding.SeedError) as e:
        print(f"arcgis-fake {args.command}: {e}", file=sys.stderr)
        return 1
    if result is not None:
        print(json.dumps(result, indent=2))
    return 0


def _control(args: argparse.Namespace, action: str, method: str, data: bytes = b"") -> int:
    return _remote_call(args, lambda fake: fake.call(action, method, data or None))


class _Progress:
    """Progress of a long seeding on stderr: at most a line a second, and a last one."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.started = self.shown = time.monotonic()

    def __call__(self, done: int, total: int = 0) -> None:
        now = time.monotonic()
        if done < self.total and now - self.shown < 1.0:
            return
        self.shown = now
        rate = done / max(now - self.started, 1e-9)
        percent = 100 * done / self.total if self.total else 100.0
        print(f"seeded {done:,}/{self.total:,} entities ({percent:.0f}%), {rate:,.0f}/s", file=sys.stderr, flush=True)


def _seed_locally(fake: FakeArcGIS, path: str) -> dict[str, int]:
    doc, folder = seeding.load(path)
    progress = _Progress(seeding.count({k: v for k, v in doc.items() if k != "version"}))
    return seeding.Seeder(fake, files=folder, progress=progress).seed(doc)


def _seed(args: argparse.Namespace) -> int:
    if args.data_dir:
        try:
            fake = _fake_from(args)
            persistence = Persistence(fake, args.data_dir)
            persistence.load()
            counts = _seed_locally(fake, args.file)
            snapshot(fake, persistence.path)
        except (seeding.SeedError, SnapshotError) as e:
            print(f"arcgis-fake seed: {e}", file=sys.stderr)
            return 1
        print(json.dumps({"seeded": counts, "stateFile": str(persistence.path)}, indent=2))
        return 0
    if not args.url:
        print("give --url (a served fake) or --data-dir (a state folder)", file=sys.stderr)
        return 2

    def run(fake: RemoteFake) -> Any:
        doc, _ = seeding.load(args.file)
        progress = _Progress(seeding.count({k: v for k, v in doc.items() if k != "version"}))
        return {"seeded": fake.seed(args.file, progress=progress)}

    return _remote_call(args, run)


def _snapshot_cmd(args: argparse.Namespace) -> int:
    def run(fake: RemoteFake) -> Any:
        fake.snapshot(args.out)
        return {"snapshot": str(args.out)}

    return _remote_call(args, run)


def _restore_cmd(args: argparse.Namespace) -> int:
    def run(fake: RemoteFake) -> Any:
        fake.restore(args.file)
        return {"status": "success", "restored": str(args.file)}

    return _remote_call(args, run)


def _faults_cmd(args: argparse.Namespace) -> int:
    actions: dict[str, Callable[[RemoteFake], Any]] = {
        "add": lambda fake: fake.call("faults", "POST", (args.rule or "{}").encode()),
        "clear": lambda fake: fake.call("faults", "DELETE"),
        "remove": lambda fake: fake.call(f"faults/{args.rule}", "DELETE"),
        "seed": lambda fake: fake.call("faults/seed", "POST", {"seed": int(args.rule or 0)}),
        "list": lambda fake: fake.call("faults"),
    }
    return _remote_call(args, actions[args.action])


def _clock_cmd(args: argparse.Namespace) -> int:
    if args.advance_ms is not None:
        return _control(args, "clock", "POST", json.dumps({"advanceMs": args.advance_ms}).encode())
    if args.set_ms is not None:
        return _control(args, "clock", "POST", json.dumps({"setMs": args.set_ms}).encode())
    return _control(args, "clock", "GET")


def _remote(parser: argparse.ArgumentParser, *, required: bool = True) -> None:
    parser.add_argument("--url", required=required, help="the fake's portal URL")
    parser.add_argument("--control-token", default=None, help="default: $ARCGIS_FAKE_CONTROL_TOKEN")
    parser.add_argument("--cafile", default=None, help="CA certificate printed by `serve` (for HTTPS)")


def _settings(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--admin-username", default="admin")
    parser.add_argument("--admin-password", default=None, help="default: $ARCGIS_FAKE_ADMIN_PASSWORD or a random one")
    parser.add_argument("--portal-context", default="/portal")
    parser.add_argument("--server-context", default="/arcgis", help="where the ArcGIS Server answers (default: /arcgis)")
    parser.add_argument("--server-machines", default="MACHINE1",
                        help="comma-separated server machine names; each extra machine gets its own port")
    parser.add_argument("--no-server", action="store_true", help="serve the portal only")
    parser.add_argument("--seed", type=int, default=None, help="make ids and tokens reproducible")
    parser.add_argument("--start-time", default=None,
                        help="deterministic time: the clock starts at this ISO instant and moves only when told")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="arcgis-fake", description="A stateful fake ArcGIS Enterprise.")
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="serve the fake until interrupted")
    s.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    s.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    s.add_argument("--http", action="store_true", help="plain HTTP instead of HTTPS (the official client needs HTTPS)")
    s.add_argument("--threads", type=int, default=8)
    _settings(s)
    s.add_argument("--data-dir", default=None, help="keep the state in DIR/state.json (restored at start, saved as it changes)")
    s.add_argument("--seed-file", default=None, help="seed from this YAML file at start (unless --data-dir had a state)")
    s.add_argument("--checkpoint", action="store_true",
                   help="after seeding: `reset` comes back to the seeded state instead of an empty one")
    for name, help_text in (("reset", "forget everything but the administrator (or back to the checkpoint)"),
                            ("checkpoint", "later resets come back to the state now"), ("status", "show counts"),
                            ("requests", "show the request journal"), ("expire-tokens", "every token expires now")):
        c = sub.add_parser(name, help=help_text)
        _remote(c)
        if name == "requests":
            c.add_argument("--op", default="*", help="only this operation (content.get, portal:*, ...)")
            c.add_argument("--limit", type=int, default=100)
    c = sub.add_parser("seed", help="seed a fake from a YAML file (a served one, or a --data-dir state)")
    c.add_argument("file")
    _remote(c, required=False)
    _settings(c)
    c.add_argument("--data-dir", default=None, help="seed the state in DIR/state.json instead (no server needed)")
    c = sub.add_parser("snapshot", help="write the served fake's state to a snapshot file")
    _remote(c)
    c.add_argument("--out", required=True, help="the snapshot file (written atomically)")
    c = sub.add_parser("restore", help="replace the served fake's state with a snapshot file's")
    c.add_argument("file")
    _remote(c)
    c = sub.add_parser("faults", help="fault injection rules: list, add JSON, remove ID, clear, seed N")
    c.add_argument("action", choices=("list", "add", "remove", "clear", "seed"), nargs="?", default="list")
    c.add_argument("rule", nargs="?", default=None, help="add: the rule as JSON; remove: its id; seed: the seed")
    _remote(c)
    c = sub.add_parser("clock", help="show or move the fake's clock (a --start-time fake)")
    c.add_argument("--advance-ms", type=int, default=None)
    c.add_argument("--set-ms", type=int, default=None)
    _remote(c)
    sub.add_parser("openapi", help="print the control plane's OpenAPI description")
    args = parser.parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    commands: dict[str, Callable[[argparse.Namespace], int]] = {
        "seed": _seed, "snapshot": _snapshot_cmd, "restore": _restore_cmd, "faults": _faults_cmd, "clock": _clock_cmd,
        "requests": lambda a: _control(a, f"requests?{urlencode({'op': a.op, 'limit': a.limit})}", "GET"),
        "expire-tokens": lambda a: _control(a, "tokens/expire", "POST"),
        "openapi": lambda a: print(json.dumps(openapi(), indent=2)) or 0,
    }
    if args.command in commands:
        return commands[args.command](args)
    return _control(args, args.command, "POST" if args.command in ("reset", "checkpoint") else "GET")


if __name__ == "__main__":
    sys.exit(main())
