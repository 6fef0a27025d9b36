"""Installed size of the client and its dependencies, in a fresh venv.

Creates two venvs in a temporary directory with the interpreter this venv is based on:
  * client: `pip install <repo>` (a plain install, no extras, build isolation on: what a user gets);
  * floor:  `pip install urllib3 attrs cattrs` (the dependencies alone; the reference).
Measures, for each, the bytes on disk of every installed distribution except pip and setuptools (files listed
in each distribution's RECORD, .pyc files pip compiled included), the number of distributions, and `du` of
site-packages without pip/setuptools as a cross-check. The arcgis-typed distribution also ships the fake's and the
code generator's Python packages (their third-party dependencies are extras, not installed); their share is shown.
Budget (DESIGN.md): client + its deps <= 35 MB.

Also times `import arcgis_typed` vs `import urllib3, attrs, cattrs` in these clean (non-editable) venvs (info).

    python benchmarks/bench_installed_size.py [--json out.json]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import REPO, emit, median, parse_args, row, spread

BENCH = "installed_size"
BUDGET_MB = 35.0
EXCLUDE = {"pip", "setuptools", "wheel"}
EXCLUDE_TOP = {"pip", "setuptools", "pkg_resources", "_distutils_hack", "distutils-precedence.pth", "wheel"}

MEASURE = r"""
import json, os, sys, importlib.metadata as md
exclude = set(sys.argv[1].split(","))
dists = {}
for d in md.distributions():
    name = d.metadata["Name"]
    if name.lower() in exclude:
        continue
    total = 0
    by_top = {}
    for f in d.files or []:
        p = f.locate()
        try:
            size = os.path.getsize(p)
        except OSError:
            continue
        total += size
        top = str(f).split("/", 1)[0]
        by_top[top] = by_top.get(top, 0) + size
    dists[name] = {"version": d.version, "bytes": total, "by_top": by_top}
print(json.dumps(dists))
"""


def base_python() -> str:
    return getattr(sys, "_base_executable", None) or sys.executable


def make_venv(path: Path, packages: list[str]) -> tuple[Path, float]:
    t0 = time.perf_counter()
    subprocess.run([base_python(), "-m", "venv", str(path)], check=True)
    py = path / "bin" / "python"
    out = subprocess.run(
        [str(py), "-m", "pip", "install", "--disable-pip-version-check", "-q", *packages],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=str(path),
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"pip install {packages} failed:\n{out.stdout}\n{out.stderr}")
    return py, time.perf_counter() - t0


def site_packages(py: Path) -> Path:
    out = subprocess.run(
        [str(py), "-I", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(out.stdout.strip())


def du_bytes(root: Path, exclude_top: set[str]) -> int:
    total = 0
    for entry in root.iterdir():
        name = entry.name
        base = name.split("-", 1)[0] if name.endswith(".dist-info") else name
        if base in exclude_top or name in exclude_top:
            continue
        if entry.is_file():
            total += entry.stat().st_size
            continue
        for dirpath, _, files in os.walk(entry):
            for f in files:
                total += os.path.getsize(os.path.join(dirpath, f))
    return total


def measure(py: Path) -> dict[str, dict]:
    # -I and a neutral cwd: the repo's own *.egg-info must not be picked up from sys.path[0]
    out = subprocess.run(
        [str(py), "-I", "-c", MEASURE, ",".join(EXCLUDE)],
        capture_output=True,
        text=True,
        check=True,
        cwd=str(py.parent),
    )
    return json.loads(out.stdout)


def import_times(pys: dict[str, tuple[Path, str]], rounds: int, cwd: str) -> dict[str, list[float]]:
    res: dict[str, list[float]] = {k: [] for k in pys}
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # .pyc as pip compiled them
    for py, code in pys.values():
        subprocess.run([str(py), "-c", code], cwd=cwd, check=True, env=env)  # warm-up
    for _ in range(rounds):
        for name, (py, code) in pys.items():
            t0 = time.perf_counter()
            subprocess.run([str(py), "-c", code], cwd=cwd, check=True, env=env)
            res[name].append(time.perf_counter() - t0)
    return res


def main() -> None:
    args = parse_args(__doc__)
    rounds = 3 if args.quick else 7
    with tempfile.TemporaryDirectory(prefix="arcgis-typed-size-") as tmp:
        tmpdir = Path(tmp)
        client_py, client_s = make_venv(tmpdir / "client", [str(REPO)])
        floor_py, floor_s = make_venv(tmpdir / "floor", ["urllib3", "attrs", "cattrs"])
        client = measure(client_py)
        floor = measure(floor_py)
        client_du = du_bytes(site_packages(client_py), EXCLUDE_TOP)
        floor_du = du_bytes(site_packages(floor_py), EXCLUDE_TOP)
        imp = import_times(
            {
                "client venv: import arcgis_typed": (client_py, "import arcgis_typed"),
                "client venv: from arcgis_typed.portal.ops import content, users": (
                    client_py,
                    "from arcgis_typed.portal.ops import content, users",
                ),
                "floor venv: import urllib3, attrs, cattrs": (floor_py, "import urllib3, attrs, cattrs"),
            },
            rounds,
            tmp,
        )

    mb = 1_000_000
    c_total = sum(d["bytes"] for d in client.values())
    f_total = sum(d["bytes"] for d in floor.values())
    print(f"fresh venvs (pip install took {client_s:.1f} s for the client, {floor_s:.1f} s for the floor)")
    print(
        f"client venv: {len(client)} distributions (without pip/setuptools), {c_total / mb:.2f} MB by RECORD, "
        f"{client_du / mb:.2f} MB by du"
    )
    for name, d in sorted(client.items(), key=lambda kv: -kv[1]["bytes"]):
        print(f"  {name:22s} {d['version']:10s} {d['bytes'] / mb:7.3f} MB")
    ours = client.get("arcgis-typed") or client.get("arcgis_typed") or {"by_top": {}}
    for top, b in sorted(ours["by_top"].items(), key=lambda kv: -kv[1]):
        print(f"      {top:30s} {b / mb:7.3f} MB")
    print(
        f"floor venv: {len(floor)} distributions, {f_total / mb:.2f} MB by RECORD, {floor_du / mb:.2f} MB by du"
    )
    for name, v in imp.items():
        print(f"  {name:62s} wall {spread(v, 1000)} ms")

    client_pkg = ours["by_top"].get("arcgis_typed", 0)
    rows = [
        row(
            BENCH,
            "client + deps installed (RECORD bytes)",
            c_total / mb,
            "MB",
            ref_name="urllib3+attrs+cattrs",
            ref_value=f_total / mb,
            budget=f"<= {BUDGET_MB:.0f} MB",
            ok=c_total / mb <= BUDGET_MB,
            note=f"du of site-packages without pip/setuptools: {client_du / mb:.2f} MB (floor {floor_du / mb:.2f} MB); "
            f"the arcgis_typed package itself: {client_pkg / mb:.2f} MB; the distribution also ships "
            + ", ".join(
                f"{t} {b / mb:.2f} MB" for t, b in ours["by_top"].items() if t.startswith("arcgis_typed_")
            )
            + "; anchor: official client env 639 MB",
        ),
        row(
            BENCH,
            "installed distributions (w/o pip, setuptools)",
            len(client),
            "dists",
            ref_name="floor",
            ref_value=len(floor),
            note="anchor: official client env 64 distributions; " + ", ".join(sorted(client)),
        ),
    ]
    fl = median(imp["floor venv: import urllib3, attrs, cattrs"])
    for name in [k for k in imp if k.startswith("client")]:
        rows.append(
            row(
                BENCH,
                name.replace("client venv: ", "clean venv: ") + " (wall)",
                median(imp[name]) * 1000,
                "ms",
                ref_name="floor venv",
                ref_value=fl * 1000,
                note=f"{rounds} interleaved runs; info only (bench_import holds the budget)",
            )
        )
    emit(
        BENCH,
        rows,
        args,
        {
            "client": client,
            "floor": floor,
            "client_du": client_du,
            "floor_du": floor_du,
            "pip_seconds": {"client": client_s, "floor": floor_s},
        },
    )


if __name__ == "__main__":
    main()
