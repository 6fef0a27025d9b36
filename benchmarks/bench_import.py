"""Import cost of the client: wall time and peak RSS of fresh interpreters.

Each command runs in a fresh `python -c ...` (this interpreter, so the same venv and site setup), once as a
warm-up and then ROUNDS times interleaved; wall time is measured around the whole process and peak RSS comes
from os.wait4 (ru_maxrss). The reference is `import urllib3, attrs, cattrs` (the client's dependencies: the floor
any client built on them pays). Budget (DESIGN.md): <= 1.25x the floor's wall time and <= 35 MiB peak RSS.

Also runs each client command once with `-X importtime` and lists what dominates.

    python benchmarks/bench_import.py [--rounds 15] [--json out.json]
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time

from _common import PY, emit, median, parse_args, row, spread

BENCH = "import"
FLOOR = "import urllib3, attrs, cattrs"
CMDS = {
    "bare interpreter (-c pass)": "pass",
    "floor: " + FLOOR: FLOOR,
    "import arcgis_typed": "import arcgis_typed",
    "from arcgis_typed import PortalClient": "from arcgis_typed import PortalClient; PortalClient",
    "from arcgis_typed.portal.ops import content, users": "from arcgis_typed.portal.ops import content, users",
}
CLIENT = [k for k in CMDS if "arcgis_typed" in k]
WALL_BUDGET = 1.25
RSS_BUDGET_MIB = 35.0


def child_env(cwd: str) -> dict[str, str]:
    """Bytecode caching on, as on a normal install: this container sets PYTHONDONTWRITEBYTECODE, and the editable
    source tree has no __pycache__, so without this every run would recompile arcgis_typed from source (and only
    arcgis_typed: the floor's modules were compiled by pip). The cache goes to a temporary prefix, not the repo."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = os.path.join(cwd, "pycache")
    return env


def run_once(code: str, cwd: str) -> tuple[float, float]:
    t0 = time.perf_counter()
    p = subprocess.Popen([PY, "-c", code], cwd=cwd, env=child_env(cwd))
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise RuntimeError(f"{code!r} exited with {p.returncode}")
    return wall, ru.ru_maxrss / 1024  # ru_maxrss is KiB on Linux


def importtime_rows(code: str, cwd: str) -> list[tuple[str, float, float]]:
    """One `-X importtime` run: (module, self ms, cumulative ms) for every module imported."""
    out = subprocess.run(
        [PY, "-X", "importtime", "-c", code],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        env=child_env(cwd),
    )
    rows = []
    for line in out.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cum_us, name = line[len("import time:") :].split("|")
        rows.append((name.strip(), int(self_us) / 1000, int(cum_us) / 1000))
    return rows


def importtime(code: str, cwd: str, floor: set[str], top: int = 8) -> dict[str, object]:
    """What the command imports beyond the floor: arcgis_typed's own modules, and the other (stdlib or
    dependency) modules the floor does not load, by self time; arcgis_typed's modules by cumulative time."""
    rows = importtime_rows(code, cwd)
    extra = [r for r in rows if r[0] not in floor]
    own = [r for r in extra if r[0].startswith("arcgis_typed")]
    other = [r for r in extra if not r[0].startswith("arcgis_typed")]
    return {
        "modules": len(rows),
        "extra_modules": len(extra),
        "own_self_ms": sum(r[1] for r in own),
        "other_extra_self_ms": sum(r[1] for r in other),
        "top_own_self_ms": sorted(own, key=lambda r: -r[1])[:top],
        "top_other_extra_self_ms": sorted(other, key=lambda r: -r[1])[:top],
        "own_cumulative_ms": sorted(own, key=lambda r: -r[2])[:top],
    }


def main() -> None:
    args = parse_args(__doc__, lambda p: p.add_argument("--rounds", type=int, default=15))
    rounds = 5 if args.quick else args.rounds
    res: dict[str, dict[str, list[float]]] = {k: {"wall": [], "rss": []} for k in CMDS}
    with tempfile.TemporaryDirectory() as cwd:  # an empty cwd: nothing on sys.path[0] shadows an import
        for code in CMDS.values():
            run_once(code, cwd)  # warm-up: page cache, .pyc files (written under the temporary prefix)
        for _ in range(rounds):
            for name, code in CMDS.items():
                wall, rss = run_once(code, cwd)
                res[name]["wall"].append(wall)
                res[name]["rss"].append(rss)
        floor_modules = {m for m, _, _ in importtime_rows(FLOOR, cwd)}
        profiles = {name: importtime(CMDS[name], cwd, floor_modules) for name in CLIENT}

    print(
        f"{rounds} interleaved runs per command after one warm-up; wall ms and peak RSS MiB: median (min-max)"
    )
    for name, v in res.items():
        print(f"  {name:55s} wall {spread(v['wall'], 1000)} ms   RSS {spread(v['rss'])} MiB")

    floor_wall = median(res["floor: " + FLOOR]["wall"]) * 1000
    floor_rss = median(res["floor: " + FLOOR]["rss"])
    bare_wall = median(res["bare interpreter (-c pass)"]["wall"]) * 1000
    rows = []
    for name in CLIENT:
        wall = median(res[name]["wall"]) * 1000
        rss = median(res[name]["rss"])
        # per-round ratios (each round ran both commands back to back): a second view of the noise
        per_round = [a / b for a, b in zip(res[name]["wall"], res["floor: " + FLOOR]["wall"])]
        rows.append(
            row(
                BENCH,
                f"{name}: wall",
                wall,
                "ms",
                ref_name="floor",
                ref_value=floor_wall,
                budget=f"<= {WALL_BUDGET}x",
                ok=wall / floor_wall <= WALL_BUDGET,
                note=f"per-round ratio {spread(per_round, 1, 2)}; above bare interpreter: "
                f"{wall - bare_wall:.0f} ms vs floor {floor_wall - bare_wall:.0f} ms",
                samples=res[name]["wall"],
            )
        )
        rows.append(
            row(
                BENCH,
                f"{name}: peak RSS",
                rss,
                "MiB",
                ref_name="floor",
                ref_value=floor_rss,
                budget=f"<= {RSS_BUDGET_MIB:.0f} MiB",
                ok=rss <= RSS_BUDGET_MIB,
                samples=res[name]["rss"],
            )
        )

    print(
        "\n-X importtime, one run each (ms; self times are inflated by -X importtime itself); modules beyond the floor's:"
    )
    for name, prof in profiles.items():
        print(
            f"  {name}: {prof['modules']} modules, {prof['extra_modules']} beyond the floor; self time of "
            f"arcgis_typed modules {prof['own_self_ms']:.1f}, of other extra modules {prof['other_extra_self_ms']:.1f}"
        )
        print(
            "    arcgis_typed, self:       "
            + ", ".join(f"{m} {s:.1f}" for m, s, _ in prof["top_own_self_ms"])
        )
        print(
            "    other extra, self:        "
            + ", ".join(f"{m} {s:.1f}" for m, s, _ in prof["top_other_extra_self_ms"])
        )
        print(
            "    arcgis_typed, cumulative: "
            + ", ".join(f"{m} {c:.1f}" for m, _, c in prof["own_cumulative_ms"])
        )
    emit(BENCH, rows, args, {"raw": res, "importtime": profiles, "rounds": rounds})


if __name__ == "__main__":
    main()
