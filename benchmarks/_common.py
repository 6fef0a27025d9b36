"""Shared helpers for the benchmark scripts (not a test module; no pytest).

Every script measures a case against a reference measured in the same run, repeats both in interleaved rounds,
and reports medians. Each script prints its own table and, with ``--json PATH``, writes its rows there for
``run_all.py``. A row is a dict:

    {"bench": ..., "name": ..., "value": float, "unit": ..., "ref_name": ..., "ref_value": float | None,
     "ratio": float | None, "budget": "human text" | None, "pass": bool | None, "note": ...}
"""

from __future__ import annotations

import argparse
import json
import os
import select
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Self

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PY = sys.executable

Row = dict[str, Any]


def median(xs: Sequence[float]) -> float:
    return statistics.median(xs)


def spread(xs: Sequence[float], scale: float = 1.0, digits: int = 1) -> str:
    """'median (min-max)' with the given scale and number of digits."""
    return f"{median(xs) * scale:.{digits}f} ({min(xs) * scale:.{digits}f}-{max(xs) * scale:.{digits}f})"


def row(
    bench: str,
    name: str,
    value: float,
    unit: str,
    *,
    ref_name: str | None = None,
    ref_value: float | None = None,
    ratio: float | None = None,
    budget: str | None = None,
    ok: bool | None = None,
    note: str = "",
    samples: Sequence[float] | None = None,
) -> Row:
    if ratio is None and ref_value:
        ratio = value / ref_value
    out: Row = {
        "bench": bench,
        "name": name,
        "value": value,
        "unit": unit,
        "ref_name": ref_name,
        "ref_value": ref_value,
        "ratio": ratio,
        "budget": budget,
        "pass": ok,
        "note": note,
    }
    if samples is not None:
        out["samples"] = list(samples)
    return out


def fmt_value(v: float | None, unit: str = "") -> str:
    if v is None:
        return "-"
    a = abs(v)
    if a >= 10_000:
        s = f"{v:,.0f}"
    elif a >= 100:
        s = f"{v:.0f}"
    elif a >= 10:
        s = f"{v:.1f}"
    elif a >= 1:
        s = f"{v:.2f}"
    else:
        s = f"{v:.3f}"
    return f"{s} {unit}".strip()


def print_rows(rows: Iterable[Row]) -> None:
    rows = list(rows)
    header = ("case", "value", "reference", "ratio", "budget", "verdict")
    table = [header]
    for r in rows:
        ref = f"{fmt_value(r['ref_value'], r['unit'])} ({r['ref_name']})" if r["ref_name"] else "-"
        ratio = f"{r['ratio']:.2f}x" if r["ratio"] is not None else "-"
        verdict = {True: "PASS", False: "FAIL", None: "info"}[r["pass"]]
        table.append((r["name"], fmt_value(r["value"], r["unit"]), ref, ratio, r["budget"] or "-", verdict))
    widths = [max(len(str(t[i])) for t in table) for i in range(len(header))]
    for i, t in enumerate(table):
        print("  ".join(str(c).ljust(w) for c, w in zip(t, widths)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    notes = [r for r in rows if r.get("note")]
    for r in notes:
        print(f"  note [{r['name']}]: {r['note']}")


def markdown_rows(rows: Iterable[Row]) -> str:
    """The rows as a Markdown table (for benchmarks/README.md)."""
    out = ["| case | value | reference (same run) | ratio | budget | verdict |", "|---|---|---|---|---|---|"]
    for r in rows:
        ref = f"{fmt_value(r['ref_value'], r['unit'])} ({r['ref_name']})" if r["ref_name"] else "-"
        ratio = f"{r['ratio']:.2f}x" if r["ratio"] is not None else "-"
        verdict = {True: "PASS", False: "**FAIL**", None: "info"}[r["pass"]]
        out.append(
            f"| {r['name']} | {fmt_value(r['value'], r['unit'])} | {ref} | {ratio} | "
            f"{(r['budget'] or '-').replace('|', '/')} | {verdict} |"
        )
    return "\n".join(out) + "\n"


def parse_args(
    doc: str, extra: Callable[[argparse.ArgumentParser], None] | None = None
) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--json", help="write the result rows to this file")
    p.add_argument(
        "--quick", action="store_true", help="fewer rounds/calls (a smoke run; figures are noisier)"
    )
    if extra:
        extra(p)
    return p.parse_args()


def emit(bench: str, rows: list[Row], args: argparse.Namespace, extra: dict[str, Any] | None = None) -> None:
    print()
    print_rows(rows)
    if args.json:
        Path(args.json).write_text(json.dumps({"bench": bench, "rows": rows, "extra": extra or {}}, indent=2))


# --- processes ---------------------------------------------------------------------------------------------------

CLK = os.sysconf("SC_CLK_TCK")


def proc_cpu_seconds(pid: int) -> float:
    """utime + stime of one process (all its threads) from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK


class ServerProc:
    """`benchmarks/_server.py` in a subprocess: a cheroot server (arcgis_typed_fake.serve) on 127.0.0.1.

    It prints one JSON line (urls, token, item id) when ready; it exits on SIGTERM or when its stdin closes
    (so it can never outlive this process). Stop it with stop(): SIGTERM to its PID, then SIGKILL after 5 s.
    """

    def __init__(self, kind: str, https: bool, *, threads: int = 8, start_timeout: float = 30.0) -> None:
        argv = [PY, str(HERE / "_server.py"), kind, "https" if https else "http", str(threads)]
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=str(REPO))
        self.pid = self.proc.pid
        try:
            assert self.proc.stdout is not None
            ready, _, _ = select.select([self.proc.stdout], [], [], start_timeout)
            if not ready:
                raise RuntimeError(f"server {kind}/{https} did not start in {start_timeout} s")
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"server {kind}/{https} exited with {self.proc.wait(5)}")
            self.info: dict[str, Any] = json.loads(line)
        except BaseException:
            self.stop()
            raise

    def cpu(self) -> float:
        return proc_cpu_seconds(self.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        for f in (self.proc.stdin, self.proc.stdout):
            if f is not None:
                f.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def stop_all(servers: Iterable[ServerProc]) -> None:
    for s in servers:
        try:
            s.stop()
        except Exception as exc:  # noqa: BLE001  # keep stopping the others
            print(f"warning: could not stop server pid {s.pid}: {exc}", file=sys.stderr)


def timed_loop(fn: Callable[[], object], n: int, time_limit: float) -> tuple[int, float, float]:
    """Call fn up to n times (stopping early after time_limit seconds); return (calls, wall s, CPU s)."""
    c0 = time.process_time()
    t0 = time.perf_counter()
    done = 0
    for done in range(1, n + 1):
        fn()
        if done % 50 == 0 and time.perf_counter() - t0 > time_limit:
            break
    wall = time.perf_counter() - t0
    return done, wall, time.process_time() - c0
