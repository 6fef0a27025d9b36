"""`python -m arcgis_typed_codegen [--check] [--root DIR] [--out DIR]`: regenerate `generated/` from `spec/`."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .generate import build, differences, write
from .load import SpecError


def _default_root() -> Path:
    here = Path.cwd()
    if (here / "spec").is_dir():
        return here
    return Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="arcgis-typed-codegen", description=__doc__)
    parser.add_argument("--root", type=Path, default=None, help="project root holding spec/ (default: auto)")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: ROOT/generated)")
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 if generated/ is stale")
    args = parser.parse_args(argv)
    root = (args.root or _default_root()).resolve()
    out = (args.out or root / "generated").resolve()
    started = time.perf_counter()
    try:
        files = build(root)
    except SpecError as exc:
        print(f"spec error: {exc}", file=sys.stderr)
        return 2
    if args.check:
        problems = differences(files, out)
        for line in problems:
            print(line, file=sys.stderr)
        if problems:
            print("generated/ is stale: run `python -m arcgis_typed_codegen`", file=sys.stderr)
            return 1
        print(f"generated/ is up to date ({len(files)} files)")
        return 0
    changed = write(files, out)
    print(f"wrote {changed} of {len(files)} files in {time.perf_counter() - started:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
