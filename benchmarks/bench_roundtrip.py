"""Typed call round trip over loopback (HTTP and TLS) vs a raw urllib3 request of the same URL.

The fake (one seeded item) is served by arcgis_typed_fake.serve (cheroot, keep-alive) in a subprocess, once over
HTTP and once over HTTPS (trustme CA, verified by both clients). Cases, each N sequential calls per round, ROUNDS
rounds interleaved (the order alternates every round):
  * typed: `PortalClient(url, token=..., ca_certs=...).content.get(item_id)` -> an `Item`;
  * raw:   `urllib3.PoolManager(maxsize=1).request("GET", <same URL>?f=json, headers=<same token, Referer,
           User-Agent, Accept headers>)` + `json.loads`.
Both keep one connection alive. Reported: median ms/call (wall), client CPU per call (time.process_time of this
process) and server CPU per call (/proc/PID/stat of the server). Budget (DESIGN.md): typed <= 1.2x raw, per scheme.
Context only: the official client's `gis.content.get` measured 2.0x raw urllib3 (reference/perf-anchors.md, sec. 6).

    python benchmarks/bench_roundtrip.py [--calls 400] [--rounds 9] [--json out.json]
"""

from __future__ import annotations

import json
from typing import Any

import urllib3
from _common import ServerProc, emit, median, parse_args, row, spread, stop_all, timed_loop
from arcgis_typed import PortalClient
from arcgis_typed._runtime.session import USER_AGENT

BENCH = "roundtrip"
BUDGET = 1.2
OFFICIAL_ANCHOR = 2.0


def clients(info: dict[str, Any]) -> dict[str, Any]:
    portal, token, item_id, ca = info["portal_url"], info["token"], info["item_id"], info["ca_path"]
    typed = PortalClient(portal, token=token, ca_certs=ca)
    url = f"{portal}/sharing/rest/content/items/{item_id}?f=json"
    headers = {
        "User-Agent": USER_AGENT,
        "Referer": "http",
        "Accept": "application/json",
        "X-Esri-Authorization": f"Bearer {token}",
    }
    pool = (
        urllib3.PoolManager(maxsize=1, cert_reqs="CERT_REQUIRED", ca_certs=ca)
        if ca
        else urllib3.PoolManager(maxsize=1)
    )

    def typed_call() -> str:
        return typed.content.get(item_id).id

    def raw_call() -> str:
        r = pool.request("GET", url, headers=headers)
        assert r.status == 200
        return json.loads(r.data)["id"]

    assert typed_call() == raw_call() == item_id
    return {"typed": typed_call, "raw": raw_call, "close": lambda: (typed.transport.close(), pool.clear())}


def main() -> None:
    args = parse_args(
        __doc__,
        lambda p: (
            p.add_argument("--calls", type=int, default=400),
            p.add_argument("--rounds", type=int, default=9),
        ),
    )
    calls, rounds = (100, 3) if args.quick else (args.calls, args.rounds)
    servers: dict[str, ServerProc] = {}
    res: dict[str, dict[str, list[float]]] = {}
    try:
        for scheme in ("http", "https"):
            servers[scheme] = ServerProc("fake", https=scheme == "https")
        cl = {scheme: clients(s.info) for scheme, s in servers.items()}
        cases = [(scheme, kind) for scheme in ("http", "https") for kind in ("typed", "raw")]
        for key in cases:
            res["/".join(key)] = {"wall_ms": [], "cpu_ms": [], "srv_ms": []}
            timed_loop(cl[key[0]][key[1]], 50, 10)  # warm-up: connection, TLS session, code paths
        for r in range(rounds):
            order = cases if r % 2 == 0 else [(s, k) for s, k in cases[::-1]]
            for scheme, kind in order:
                srv = servers[scheme]
                s0 = srv.cpu()
                n, wall, cpu = timed_loop(cl[scheme][kind], calls, 30)
                s1 = srv.cpu()
                v = res[f"{scheme}/{kind}"]
                v["wall_ms"].append(wall / n * 1000)
                v["cpu_ms"].append(cpu / n * 1000)
                v["srv_ms"].append((s1 - s0) / n * 1000)
        for c in cl.values():
            c["close"]()
    finally:
        stop_all(servers.values())

    print(f"{calls} sequential keep-alive calls x {rounds} interleaved rounds; per call: median (min-max)")
    for k, v in res.items():
        print(
            f"  {k:12s} wall {spread(v['wall_ms'], 1, 3)} ms   client CPU {spread(v['cpu_ms'], 1, 3)} ms   "
            f"server CPU {spread(v['srv_ms'], 1, 3)} ms"
        )
    rows = []
    for scheme in ("http", "https"):
        t, r = res[f"{scheme}/typed"], res[f"{scheme}/raw"]
        tw, rw = median(t["wall_ms"]), median(r["wall_ms"])
        per_round = [a / b for a, b in zip(t["wall_ms"], r["wall_ms"])]
        rows.append(
            row(
                BENCH,
                f"content.get round trip, {scheme.upper()} (wall/call)",
                tw,
                "ms",
                ref_name="raw urllib3 + json.loads",
                ref_value=rw,
                budget=f"<= {BUDGET}x",
                ok=tw / rw <= BUDGET,
                note=f"per-round ratio {spread(per_round, 1, 2)}; client CPU/call {median(t['cpu_ms']):.3f} vs "
                f"{median(r['cpu_ms']):.3f} ms ({median(t['cpu_ms']) / median(r['cpu_ms']):.2f}x); server CPU/call "
                f"{median(t['srv_ms']):.3f} vs {median(r['srv_ms']):.3f} ms",
                samples=t["wall_ms"],
            )
        )
        rows.append(
            row(
                BENCH,
                f"content.get client CPU, {scheme.upper()} (cpu/call)",
                median(t["cpu_ms"]),
                "ms",
                ref_name="raw urllib3 + json.loads",
                ref_value=median(r["cpu_ms"]),
                note="client-side cost only (no budget; the wall ratio includes the server's time, the same for both)",
            )
        )
    rows.append(
        row(
            BENCH,
            "official client gis.content.get vs raw urllib3 (anchor, TLS)",
            OFFICIAL_ANCHOR,
            "x",
            note="from reference/perf-anchors.md sec. 6 (a different run and stub server); context only",
        )
    )
    emit(BENCH, rows, args, {"raw": res, "calls": calls, "rounds": rounds})


if __name__ == "__main__":
    main()
