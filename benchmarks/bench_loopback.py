"""The fake served over loopback with keep-alive: requests per second of `content.get` through the typed client.

Servers (each arcgis_typed_fake.serve, cheroot, 8 threads, keep-alive, in its own subprocess), HTTP and HTTPS:
  * fake:    FakeArcGIS with one seeded item;
  * trivial: the same server answering a raw WSGI app that returns the fake's exact bytes for that item.
Cases, N sequential calls on one kept-alive connection per round, ROUNDS rounds interleaved:
  * typed -> fake      `PortalClient(...).content.get(id)`    (budgeted: >= 800 req/s, DESIGN.md)
  * raw   -> trivial   urllib3 PoolManager GET + json.loads   (the reference: the floor of this server + client)
  * typed -> trivial   (splits the gap into the client's and the fake's share)
  * typed -> fake, server in this process (a thread, as the pytest plugin runs it; the client and the server share
    one GIL), HTTP only (info).
Server CPU per request comes from /proc/PID/stat.

    python benchmarks/bench_loopback.py [--calls 600] [--rounds 7] [--json out.json]
"""

from __future__ import annotations

from typing import Any

from _common import ServerProc, emit, median, parse_args, row, spread, stop_all, timed_loop
from _server import seeded_fake
from arcgis_typed_fake import serve
from bench_roundtrip import clients

BENCH = "loopback"
BUDGET_RPS = 800.0


def main() -> None:
    args = parse_args(
        __doc__,
        lambda p: (
            p.add_argument("--calls", type=int, default=600),
            p.add_argument("--rounds", type=int, default=7),
        ),
    )
    calls, rounds = (150, 3) if args.quick else (args.calls, args.rounds)
    servers: dict[str, ServerProc] = {}
    in_thread: Any = None
    res: dict[str, dict[str, list[float]]] = {}
    try:
        for kind in ("fake", "trivial"):
            for scheme in ("http", "https"):
                servers[f"{kind}/{scheme}"] = ServerProc(kind, https=scheme == "https")
        fake, token, item_id = seeded_fake()
        in_thread = serve(fake, https=False)
        thread_info = {
            "portal_url": in_thread.portal_url,
            "ca_path": None,
            "token": token,
            "item_id": item_id,
        }

        cl = {key: clients(s.info) for key, s in servers.items()}
        cl["fake-in-thread/http"] = clients(thread_info)
        cases: dict[str, tuple[Any, ServerProc | None]] = {}
        for scheme in ("http", "https"):
            cases[f"typed -> fake, {scheme}"] = (cl[f"fake/{scheme}"]["typed"], servers[f"fake/{scheme}"])
            cases[f"raw -> trivial, {scheme}"] = (
                cl[f"trivial/{scheme}"]["raw"],
                servers[f"trivial/{scheme}"],
            )
            cases[f"typed -> trivial, {scheme}"] = (
                cl[f"trivial/{scheme}"]["typed"],
                servers[f"trivial/{scheme}"],
            )
        cases["typed -> fake in this process (thread), http"] = (cl["fake-in-thread/http"]["typed"], None)
        for name, (fn, _) in cases.items():
            res[name] = {"rps": [], "srv_us": []}
            timed_loop(fn, 50, 10)  # warm-up
        names = list(cases)
        for r in range(rounds):
            for name in names if r % 2 == 0 else names[::-1]:
                fn, srv = cases[name]
                s0 = srv.cpu() if srv else 0.0
                n, wall, _ = timed_loop(fn, calls, 30)
                s1 = srv.cpu() if srv else 0.0
                res[name]["rps"].append(n / wall)
                res[name]["srv_us"].append((s1 - s0) / n * 1e6)
        for c in cl.values():
            c["close"]()
    finally:
        stop_all(servers.values())
        if in_thread is not None:
            in_thread.stop()

    print(f"{calls} sequential keep-alive calls x {rounds} interleaved rounds; median (min-max)")
    for k, v in res.items():
        srv = f"   server CPU {spread(v['srv_us'], 1, 0)} us/req" if "thread" not in k else ""
        print(f"  {k:46s} {spread(v['rps'], 1, 0)} req/s{srv}")
    rows = []
    for scheme in ("http", "https"):
        typed_fake = median(res[f"typed -> fake, {scheme}"]["rps"])
        raw_triv = median(res[f"raw -> trivial, {scheme}"]["rps"])
        typed_triv = median(res[f"typed -> trivial, {scheme}"]["rps"])
        srv_fake = median(res[f"typed -> fake, {scheme}"]["srv_us"])
        srv_triv = median(res[f"raw -> trivial, {scheme}"]["srv_us"])
        rows.append(
            row(
                BENCH,
                f"typed content.get -> fake, {scheme.upper()} (req/s)",
                typed_fake,
                "req/s",
                ref_name="raw urllib3 -> trivial app, same server",
                ref_value=raw_triv,
                budget=f">= {BUDGET_RPS:.0f} req/s",
                ok=typed_fake >= BUDGET_RPS,
                note=f"typed -> trivial app {typed_triv:.0f} req/s; per request: {1e6 / typed_fake:.0f} us vs "
                f"{1e6 / raw_triv:.0f} us floor (client share ~{1e6 / typed_triv - 1e6 / raw_triv:.0f} us, fake share "
                f"~{1e6 / typed_fake - 1e6 / typed_triv:.0f} us); server CPU/req {srv_fake:.0f} us (fake) vs "
                f"{srv_triv:.0f} us (trivial); anchor: moto server 106 ops/s",
                samples=res[f"typed -> fake, {scheme}"]["rps"],
            )
        )
    th = median(res["typed -> fake in this process (thread), http"]["rps"])
    rows.append(
        row(
            BENCH,
            "typed content.get -> fake served in-process (thread), HTTP",
            th,
            "req/s",
            ref_name="fake in a subprocess",
            ref_value=median(res["typed -> fake, http"]["rps"]),
            note="how the pytest plugin runs it: client and server share one interpreter (GIL); info only",
        )
    )
    emit(BENCH, rows, args, {"raw": res, "calls": calls, "rounds": rounds})


if __name__ == "__main__":
    main()
