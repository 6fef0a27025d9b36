"""Forks, resets and snapshots of the fake's state as the seeded baseline grows, and the YAML/bulk seeding API.

For each baseline size (entities = items + users (1 in 10) + groups (1 in 100), seeded through
`arcgis_typed_fake.seeding.Seeder`, the API behind `arcgis-fake seed`):
  * `fork.reset()`     - back to the baseline after the test changed things (one item added): plays the fork's
                         undo log backwards, so it must not cost more as the baseline grows
  * fork + release     - what the `arcgis_fork` fixture costs per test: `baseline.fork()` takes the state of the
                         last released fork, `baseline.release(fork)` rolls it back (one item added meanwhile)
  * fresh fork         - `baseline.fork()` with no released fork to reuse: a copy of the whole state (linear)
  * tracked form       - the one-off pass that makes the baseline trackable (first fork of a baseline)
  * `fake.snapshot(path)` / `fake.restore(path)` - the versioned JSON file, written atomically
Reference in the same run: the same at the smallest size, and building the state from scratch by seeding (what
a test pays without forks). The seeding rate of the largest size is checked against DESIGN.md's budget
(>= 10,000 entities/s).

    python benchmarks/bench_fork.py [--sizes 100,1000,10000] [--repeat 7] [--json out.json] [--quick]
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from _common import emit, median, parse_args, row, spread
from arcgis_typed_fake import FakeArcGIS
from arcgis_typed_fake.seeding import Seeder

BENCH = "fork"
SEED_BUDGET = 10_000.0
FLAT_BUDGET = 2.0  # a reset at the largest size may cost at most this many times the smallest's (noise included)


def seed_doc(n: int) -> dict[str, Any]:
    users = max(1, n // 10)
    groups = max(1, n // 100)
    items = n - users - groups
    return {
        "users": [{"username": f"user{i}", "password": "user-password-1", "role": "org_publisher"} for i in range(users)],
        "groups": [{"title": f"Group {i}", "owner": "user0", "tags": ["bench"], "members": [f"user{(i + 1) % users}"]}
                   for i in range(groups)],
        "items": [{"title": f"Item {i} roads parks", "type": "CSV", "owner": f"user{i % users}",
                   "tags": ["bench", f"t{i % 50}"]} for i in range(items)],
    }


SEED_CPU: dict[int, float] = {}


def seeded(n: int) -> tuple[FakeArcGIS, float]:
    fake = FakeArcGIS(admin_password="bench-pass-1", seed=n, password_iterations=1000)
    doc = seed_doc(n)
    t0, c0 = time.perf_counter(), time.process_time()
    Seeder(fake).seed(doc)
    SEED_CPU[n] = time.process_time() - c0
    return fake, time.perf_counter() - t0


def main() -> None:
    args = parse_args(__doc__, lambda p: (p.add_argument("--sizes", default=None), p.add_argument("--repeat", type=int, default=7)))
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else ([100, 1000] if args.quick else [100, 1000, 10000])
    repeat = 3 if args.quick else args.repeat
    results: dict[int, dict[str, list[float]]] = {}
    seed_time: dict[int, float] = {}
    tracked_time: dict[int, float] = {}
    for n in sizes:
        fake, seconds = seeded(n)
        seed_time[n] = seconds
        print(f"seeded {n:,} entities in {seconds:.2f} s = {n / seconds:,.0f} entities/s", flush=True)
        baseline = fake.baseline()
        t0 = time.perf_counter()
        baseline.tracked()
        tracked_time[n] = time.perf_counter() - t0
        times: dict[str, list[float]] = {"reset": [], "fork+release": [], "fresh fork": [], "snapshot": [], "restore": []}
        with tempfile.TemporaryDirectory(prefix="bench-fork-") as tmp:
            path = Path(tmp) / "state.json"
            for _ in range(repeat):
                t0 = time.perf_counter()
                fresh = baseline.fork()  # nothing released yet: a copy of the whole state
                times["fresh fork"].append(time.perf_counter() - t0)
                fresh.portal.add_item(fresh.portal.users.require("admin"), "admin", title="changed by the test", type="CSV")
                t0 = time.perf_counter()
                fresh.reset()
                times["reset"].append(time.perf_counter() - t0)
                assert len(fresh.portal.items) == len(fake.portal.items)
                baseline.release(fresh)
                t0 = time.perf_counter()
                fork = baseline.fork()  # the released state, rolled back
                elapsed = time.perf_counter() - t0
                fork.portal.add_item(fork.portal.users.require("admin"), "admin", title="changed by the test", type="CSV")
                t0 = time.perf_counter()
                baseline.release(fork)
                times["fork+release"].append(elapsed + time.perf_counter() - t0)
                baseline._spare.clear()  # the next round's fresh fork copies again
                t0 = time.perf_counter()
                fake.snapshot(path)
                times["snapshot"].append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                fake.restore(path)
                times["restore"].append(time.perf_counter() - t0)
            size = path.stat().st_size
        results[n] = times
        cells = "  ".join(f"{k} {spread(v, 1000, 2)} ms" for k, v in times.items())
        print(f"  {n:>7,}: {cells}  (snapshot file {size / 1e6:.1f} MB; tracked form {tracked_time[n]:.2f} s)",
              flush=True)

    small, big = sizes[0], sizes[-1]
    rows = [
        row(BENCH, f"bulk seeding API, {big:,} entities (items, users 1/10, groups 1/100)", big / seed_time[big],
            "entities/s", budget=f">= {SEED_BUDGET:,.0f}/s", ok=big / seed_time[big] >= SEED_BUDGET,
            note=f"on a CPU-time basis {big / SEED_CPU[big]:,.0f} entities/s (robust to other load); users dominate: "
                 "each password is hashed (PBKDF2, 1000 iterations); items alone seed faster (bench_search_scale.py)"),
    ]
    for what, label in (("reset", "fork.reset() after one change"), ("fork+release", "fork + release per test")):
        ratio = median(results[big][what]) / median(results[small][what])
        rows.append(row(BENCH, f"{label} @ {big:,} vs @ {small:,} entities", median(results[big][what]) * 1e3, "ms",
                        ref_name=f"same @ {small:,}", ref_value=median(results[small][what]) * 1e3,
                        budget=f"<= {FLAT_BUDGET:g}x (must not grow with the state)", ok=ratio <= FLAT_BUDGET,
                        note=f"a fresh copy of the {big:,}-entity state (fork with nothing to reuse) takes "
                             f"{median(results[big]['fresh fork']) * 1e3:.0f} ms"))
    rows.append(row(BENCH, f"fresh fork of a {big:,}-entity baseline (nothing released to reuse)",
                    median(results[big]["fresh fork"]) * 1000, "ms",
                    ref_name=f"seeding the same {big:,} entities", ref_value=seed_time[big] * 1000,
                    note=f"per entity {median(results[big]['fresh fork']) / big * 1e6:.1f} us: linear, a copy of the "
                         f"whole state; the tracked form (once per baseline) took {tracked_time[big] * 1e3:.0f} ms"))
    for what in ("snapshot", "restore"):
        rows.append(row(BENCH, f"JSON {what} of {big:,} entities", median(results[big][what]) * 1000, "ms",
                        ref_name=f"same @ {small:,}", ref_value=median(results[small][what]) * 1000))
    emit(BENCH, rows, args, {"times": {str(k): v for k, v in results.items()},
                             "seed_seconds": {str(k): v for k, v in seed_time.items()},
                             "tracked_seconds": {str(k): v for k, v in tracked_time.items()}})


if __name__ == "__main__":
    main()
