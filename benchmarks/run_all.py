"""Run every benchmark, print one summary table (measured figure, same-run reference, ratio, DESIGN.md budget,
PASS/FAIL) and write benchmarks/results/latest.json.

    python benchmarks/run_all.py              # everything (~2 minutes on 2 cores)
    python benchmarks/run_all.py --quick      # fewer rounds: a smoke run, noisier figures
    python benchmarks/run_all.py --only import,roundtrip
    python benchmarks/run_all.py --with-search-index   # also the search-index micro-benchmark (its own table)
    python benchmarks/run_all.py --wait-idle 120        # on a shared box: wait for other work to stop first

Each script runs in its own interpreter (one at a time; the machine should otherwise be idle), with its stdout
shown as it goes. Exit status 1 if any budget fails, 2 if a script failed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import CLK, HERE, PY, REPO, markdown_rows, print_rows

SCRIPTS = {  # order: the noise-sensitive startup measurement first, the memory-heavy one last
    "import": "bench_import.py",
    "installed_size": "bench_installed_size.py",
    "roundtrip": "bench_roundtrip.py",
    "loopback": "bench_loopback.py",
    "inprocess": "bench_inprocess.py",
    "search_scale": "bench_search_scale.py",
    "fork": "bench_fork.py",
    "org_scale": "bench_org_scale.py",
}
TIMEOUT_S = 600
BUSY_CPUS = 0.25  # other processes using more than this (in CPUs, on average) make a script's figures suspect


def cpu_jiffies() -> tuple[int, int]:
    """(busy, steal) jiffies of the whole machine from /proc/stat."""
    f = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = f[:8]
    return user + nice + system + irq + softirq, steal


def run(script: str, extra: list[str], timeout: float) -> tuple[int, float, str, float]:
    """Run one script in its own process group; stream its output; kill the group on timeout.

    Also returns the CPU (in CPUs, averaged over the script's run) that OTHER processes used meanwhile: the
    machine's busy + steal time minus the script's own (and its waited-for children's) CPU time."""
    t0 = time.perf_counter()
    busy0, steal0 = cpu_jiffies()
    p = subprocess.Popen(
        [PY, str(HERE / script), *extra],
        cwd=str(REPO),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines = []
    try:
        assert p.stdout is not None
        for line in p.stdout:
            sys.stdout.write("    " + line)
            sys.stdout.flush()
            lines.append(line)
            if time.perf_counter() - t0 > timeout:
                raise subprocess.TimeoutExpired(script, timeout)
        _, status, ru = os.wait4(p.pid, 0)  # stdout is at EOF: the script has exited or is exiting
        p.returncode = rc = os.waitstatus_to_exitcode(status)
        own = ru.ru_utime + ru.ru_stime
    except (subprocess.TimeoutExpired, KeyboardInterrupt):
        os.killpg(p.pid, signal.SIGTERM)
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(5)
        rc, own = -1, 0.0
    wall = time.perf_counter() - t0
    busy1, steal1 = cpu_jiffies()
    other = ((busy1 - busy0) + (steal1 - steal0)) / CLK - own
    return rc, wall, "".join(lines), max(0.0, other / wall)


def git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=False
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        return out.stdout.strip() + ("+dirty" if dirty else "")
    except OSError:
        return "unknown"


def other_load(seconds: float = 1.0) -> float:
    """CPUs used by other processes over the next *seconds* (this process is idle meanwhile)."""
    b0, s0 = cpu_jiffies()
    time.sleep(seconds)
    b1, s1 = cpu_jiffies()
    return ((b1 - b0) + (s1 - s0)) / CLK / seconds


def wait_idle(limit: float) -> None:
    deadline = time.monotonic() + limit
    while True:
        load = other_load()
        if load <= BUSY_CPUS:
            return
        if time.monotonic() > deadline:
            print(f"    (machine still busy: {load:.2f} CPUs used by others; going ahead)", flush=True)
            return
        print(f"    (waiting for an idle machine: {load:.2f} CPUs used by others)", flush=True)
        time.sleep(4)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", help="comma-separated subset of: " + ", ".join(SCRIPTS))
    ap.add_argument(
        "--with-search-index", action="store_true", help="also run bench_search_index.py (1k,100k)"
    )
    ap.add_argument(
        "--wait-idle",
        type=float,
        default=0,
        metavar="SECONDS",
        help="before each script, wait up to SECONDS for other processes to stop using the CPUs",
    )
    ap.add_argument("--out", default=str(HERE / "results" / "latest.json"))
    args = ap.parse_args()
    chosen = args.only.split(",") if args.only else list(SCRIPTS)
    unknown = set(chosen) - set(SCRIPTS)
    if unknown:
        ap.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")

    started = dt.datetime.now(dt.UTC)
    load_before = os.getloadavg()
    all_rows: list[dict] = []
    scripts: dict[str, dict] = {}
    failed = []
    with tempfile.TemporaryDirectory(prefix="arcgis-typed-bench-") as tmp:
        for name in chosen:
            out = Path(tmp) / f"{name}.json"
            print(f"\n=== {name} ({SCRIPTS[name]}) ===", flush=True)
            extra = ["--json", str(out)] + (["--quick"] if args.quick else [])
            if args.wait_idle:
                wait_idle(args.wait_idle)
            rc, seconds, text, other = run(SCRIPTS[name], extra, TIMEOUT_S)
            info: dict = {
                "script": SCRIPTS[name],
                "rc": rc,
                "seconds": round(seconds, 1),
                "other_load_cpus": round(other, 2),
            }
            if rc == 0 and out.exists():
                data = json.loads(out.read_text())
                for r in data["rows"]:
                    r["other_load_cpus"] = round(other, 2)
                    if other > BUSY_CPUS and r["pass"] is not None:
                        r["budget"] = (r["budget"] or "") + " *"
                all_rows.extend(data["rows"])
                info["extra"] = data.get("extra", {})
            else:
                failed.append(name)
                info["output_tail"] = text[-4000:]
            scripts[name] = info
            print(
                f"=== {name}: exit {rc}, {seconds:.1f} s; other processes used {other:.2f} CPUs meanwhile",
                flush=True,
            )
        if args.with_search_index:
            print("\n=== search_index (bench_search_index.py --sizes 1000,100000) ===", flush=True)
            rc, seconds, text, other = run("bench_search_index.py", ["--sizes", "1000,100000"], TIMEOUT_S)
            scripts["search_index"] = {
                "script": "bench_search_index.py",
                "rc": rc,
                "seconds": round(seconds, 1),
                "other_load_cpus": round(other, 2),
                "output": text,
            }
            if rc != 0:
                failed.append("search_index")

    total = sum(s["seconds"] for s in scripts.values())
    print("\n" + "=" * 100)
    print(
        f"SUMMARY  {started:%Y-%m-%d %H:%M} UTC  commit {git_commit()}  python {platform.python_version()}  "
        f"{os.cpu_count()} CPUs  loadavg before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f}  "
        f"total {total:.0f} s{'  (QUICK: noisy)' if args.quick else ''}"
    )
    print("ratio = value / reference (both measured in this run); medians over interleaved rounds")
    print("=" * 100)
    print_rows(all_rows)
    busy = {n: s["other_load_cpus"] for n, s in scripts.items() if s["other_load_cpus"] > BUSY_CPUS}
    print(
        "\nother processes' CPU use during each script (CPUs on average): "
        + ", ".join(f"{n} {s['other_load_cpus']:.2f}" for n, s in scripts.items())
    )
    if busy:
        print(
            f"* the machine was busy with other work (> {BUSY_CPUS} CPUs) during: {', '.join(busy)}; their "
            "figures (ratios too, as rounds are unevenly disturbed) are unreliable: re-run on an idle machine"
        )
    budgeted = [r for r in all_rows if r["pass"] is not None]
    fails = [r for r in budgeted if r["pass"] is False]
    print(
        f"\n{len(budgeted) - len(fails)}/{len(budgeted)} budgets PASS"
        + ("; FAIL: " + "; ".join(r["name"] for r in fails) if fails else "")
    )
    if failed:
        print(f"scripts that did not finish: {', '.join(failed)}")

    result = {
        "date": started.isoformat(timespec="seconds"),
        "commit": git_commit(),
        "python": sys.version,
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "loadavg_before": load_before,
        "loadavg_after": os.getloadavg(),
        "quick": args.quick,
        "total_seconds": round(total, 1),
        "rows": all_rows,
        "scripts": scripts,
    }
    out_path = Path(args.out)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(result, indent=2, default=str))
    md_path = out_path.with_suffix(".md")
    md_path.write_text(
        f"Run {result['date']} (commit {result['commit']}, {os.cpu_count()} CPUs, other load per script: "
        + ", ".join(f"{n} {s['other_load_cpus']:.2f}" for n, s in scripts.items())
        + ")\n\n"
        + markdown_rows(all_rows)
    )
    print(f"wrote {out_path} and {md_path}")
    return 2 if failed else (1 if fails else 0)


if __name__ == "__main__":
    sys.exit(main())
