"""The fake in-process (no socket): create + get through the typed client over WsgiTransport.

One pair = `client.content.add_item("admin", title=..., type="Web Map", text=<json>)` (multipart-free form POST)
then `client.content.get(new_id)` (GET). Each HTTP operation counts as one op, so ops/s = 2 x pairs/s; the DESIGN.md
budget (">= 2,000 ops/s, create + get") is applied to that per-operation rate. A fresh fake per round (so every
round starts from the same state), PAIRS pairs per round, ROUNDS rounds interleaved with the references:
  * bare Werkzeug routing: a tiny Request/Response/Map app with the same two routes, answering json.dumps of
    canned bodies (no state, no auth), called through the same typed client and the same WsgiTransport;
  * transport floor: `WsgiTransport(bare_app).send(HttpRequest(...))` for the same two requests (no client);
  * moto (if installed): in-process `mock_aws()` boto3 IAM create_user + get_user (the anchor fake).

    python benchmarks/bench_inprocess.py [--pairs 1000] [--rounds 7] [--json out.json]
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from typing import Any

from _common import emit, median, parse_args, row, spread
from arcgis_typed import PortalClient, WsgiTransport
from arcgis_typed._runtime.transport import HttpRequest
from arcgis_typed_fake import FakeArcGIS
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

BENCH = "inprocess"
BUDGET_OPS = 2000.0
URL = "http://fake.local/portal"
TEXT = json.dumps({"operationalLayers": [], "baseMap": {"title": "Topographic"}, "version": "2.31"})


def fake_client() -> tuple[PortalClient, Any]:
    fake = FakeArcGIS(admin_password="bench-pass-1", password_iterations=1000)
    token, _ = fake.portal.tokens.issue("admin", 24 * 60)
    return PortalClient(URL, token=token, transport=WsgiTransport(fake)), fake


def _raw_item(client: PortalClient, item_id: str) -> dict[str, Any]:
    resp = client.transport.send(
        HttpRequest(
            "GET",
            f"{URL}/sharing/rest/content/items/{item_id}?f=json",
            {"X-Esri-Authorization": f"Bearer {client.auth.token()}", "Referer": "http"},
        ),  # type: ignore[union-attr]
        idempotent=True,
    )
    return json.loads(resp.body)


def bare_werkzeug_app(canned_item: dict[str, Any]) -> Callable[..., Any]:
    url_map = Map(
        [
            Rule("/portal/sharing/rest/content/users/<username>/additem", endpoint="add", methods=["POST"]),
            Rule("/portal/sharing/rest/content/items/<item_id>", endpoint="get", methods=["GET", "POST"]),
        ]
    )
    counter = iter(range(10**9))

    @Request.application  # type: ignore[arg-type]
    def app(request: Request) -> Response:
        endpoint, values = url_map.bind_to_environ(request.environ).match(request.path.lower())
        if endpoint == "add":
            assert request.form["title"]
            body = {"success": True, "id": f"{next(counter):032x}", "folder": None}
        else:
            assert request.args.get("f") == "json"
            body = dict(canned_item, id=values["item_id"])
        return Response(
            json.dumps(body, separators=(",", ":")), content_type="application/json; charset=utf-8"
        )

    return app


def pair_loop(client: PortalClient, pairs: int) -> tuple[float, float, float, float]:
    """Returns (wall s, seconds in add_item, seconds in get, CPU s of this process)."""
    t_add = t_get = 0.0
    c0 = time.process_time()
    t0 = time.perf_counter()
    for i in range(pairs):
        a = time.perf_counter()
        new = client.content.add_item("admin", title=f"map {i}", type="Web Map", text=TEXT, tags=["bench"])
        b = time.perf_counter()
        item = client.content.get(new.id)
        c = time.perf_counter()
        assert item.id == new.id
        t_add += b - a
        t_get += c - b
    return time.perf_counter() - t0, t_add, t_get, time.process_time() - c0


def transport_loop(app: Callable[..., Any], pairs: int) -> float:
    t = WsgiTransport(app)
    hdrs = {
        "User-Agent": "arcgis-typed/0.1",
        "Referer": "http",
        "Accept": "application/json",
        "X-Esri-Authorization": "Bearer x",
    }
    post_hdrs = dict(hdrs, **{"Content-Type": "application/x-www-form-urlencoded"})
    add = HttpRequest(
        "POST",
        f"{URL}/sharing/rest/content/users/admin/addItem",
        post_hdrs,
        b"f=json&title=map&type=Web+Map&text=" + TEXT.encode(),
    )
    t0 = time.perf_counter()
    for _ in range(pairs):
        new_id = json.loads(t.send(add, idempotent=False).body)["id"]
        json.loads(
            t.send(
                HttpRequest("GET", f"{URL}/sharing/rest/content/items/{new_id}?f=json", hdrs), idempotent=True
            ).body
        )
    return time.perf_counter() - t0


def moto_setup() -> Callable[[int], float] | None:
    try:
        os.environ.update(
            AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1"
        )
        import boto3
        from moto import mock_aws
    except ImportError:
        return None

    def run(pairs: int) -> float:
        with mock_aws():
            iam = boto3.client("iam")
            iam.create_user(UserName="warm")
            t0 = time.perf_counter()
            for i in range(pairs):
                iam.create_user(UserName=f"user{i}")
                iam.get_user(UserName=f"user{i}")
            return time.perf_counter() - t0

    return run


def main() -> None:
    args = parse_args(
        __doc__,
        lambda p: (
            p.add_argument("--pairs", type=int, default=1000),
            p.add_argument("--rounds", type=int, default=7),
            p.add_argument("--moto-pairs", type=int, default=150),
            p.add_argument("--no-moto", action="store_true"),
        ),
    )
    pairs, rounds, moto_pairs = (200, 3, 50) if args.quick else (args.pairs, args.rounds, args.moto_pairs)
    client0, _ = fake_client()
    new = client0.content.add_item("admin", title="canned", type="Web Map", text=TEXT)
    canned = _raw_item(client0, new.id)
    bare = bare_werkzeug_app(canned)
    bare_client = PortalClient(URL, token="x", transport=WsgiTransport(bare))
    moto = None if args.no_moto else moto_setup()

    res: dict[str, list[float]] = {
        "fake pairs/s": [],
        "fake add ops/s": [],
        "fake get ops/s": [],
        "bare werkzeug via typed client pairs/s": [],
        "bare werkzeug via WsgiTransport.send pairs/s": [],
        "moto pairs/s": [],
        "fake pairs/CPU-s": [],
        "bare werkzeug via typed client pairs/CPU-s": [],
    }
    # warm-up
    pair_loop(fake_client()[0], 50)
    pair_loop(bare_client, 50)
    transport_loop(bare, 50)
    if moto:
        moto(10)
    for _ in range(rounds):
        client, _fake = fake_client()
        wall, t_add, t_get, cpu = pair_loop(client, pairs)
        res["fake pairs/s"].append(pairs / wall)
        res["fake add ops/s"].append(pairs / t_add)
        res["fake get ops/s"].append(pairs / t_get)
        res["fake pairs/CPU-s"].append(pairs / cpu)
        wall, _, _, cpu = pair_loop(bare_client, pairs)
        res["bare werkzeug via typed client pairs/s"].append(pairs / wall)
        res["bare werkzeug via typed client pairs/CPU-s"].append(pairs / cpu)
        res["bare werkzeug via WsgiTransport.send pairs/s"].append(pairs / transport_loop(bare, pairs))
        if moto:
            res["moto pairs/s"].append(moto_pairs / moto(moto_pairs))

    print(
        f"{pairs} create+get pairs x {rounds} interleaved rounds (moto: {moto_pairs} pairs); median (min-max)"
    )
    for k, v in res.items():
        if v:
            print(f"  {k:48s} {spread(v, 1, 0)}   = {1e6 / median(v):.0f} us per unit")
    fake_ops = 2 * median(res["fake pairs/s"])
    bare_ops = 2 * median(res["bare werkzeug via typed client pairs/s"])
    floor_ops = 2 * median(res["bare werkzeug via WsgiTransport.send pairs/s"])
    rows = [
        row(
            BENCH,
            "fake create+get via typed client (HTTP ops/s)",
            fake_ops,
            "ops/s",
            ref_name="bare Werkzeug app, same client+transport",
            ref_value=bare_ops,
            budget=f">= {BUDGET_OPS:,.0f} ops/s",
            ok=fake_ops >= BUDGET_OPS,
            note=f"one op = one HTTP operation; pairs/s {fake_ops / 2:,.0f}; add_item alone "
            f"{median(res['fake add ops/s']):,.0f} ops/s, get alone {median(res['fake get ops/s']):,.0f} ops/s; "
            f"{1e6 / fake_ops:.0f} us/op vs {1e6 / bare_ops:.0f} us/op with the bare app "
            f"(the fake's own cost ~{1e6 / fake_ops - 1e6 / bare_ops:.0f} us/op); on a CPU-time basis "
            f"{2 * median(res['fake pairs/CPU-s']):,.0f} ops/s vs "
            f"{2 * median(res['bare werkzeug via typed client pairs/CPU-s']):,.0f} (robust to other load)",
            samples=[2 * x for x in res["fake pairs/s"]],
        ),
        row(
            BENCH,
            "fake create+get via typed client (pairs/s)",
            fake_ops / 2,
            "pairs/s",
            ref_name="bare Werkzeug app, same client+transport",
            ref_value=bare_ops / 2,
            note="the same run counted per create+get pair (the budget applies per HTTP op)",
        ),
        row(
            BENCH,
            "bare Werkzeug via WsgiTransport.send, no client (ops/s)",
            floor_ops,
            "ops/s",
            note=f"the floor of this path (Werkzeug Request/Response/Map + WsgiTransport); the typed client adds "
            f"{1e6 / bare_ops - 1e6 / floor_ops:.0f} us/op on top; anchor: werkzeug test.Client + such an app "
            f"4,100 req/s",
        ),
    ]
    if res["moto pairs/s"]:
        moto_ops = 2 * median(res["moto pairs/s"])
        rows.append(
            row(
                BENCH,
                "fake vs moto in-process (IAM create_user+get_user, ops/s)",
                fake_ops,
                "ops/s",
                ref_name="moto mock_aws boto3",
                ref_value=moto_ops,
                note="ratio > 1: the fake is that many times faster; anchor: moto 280-300 ops/s",
            )
        )
    emit(BENCH, rows, args, {"raw": res, "pairs": pairs, "rounds": rounds, "moto_pairs": moto_pairs})


if __name__ == "__main__":
    main()
