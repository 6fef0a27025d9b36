"""Build the whole generated tree in memory, write it, or check that `generated/` matches it."""

from __future__ import annotations

from pathlib import Path

from . import coverage, openapi
from .load import load_spec
from .render import dump_json, render

# The one allowlist of hand-written paths inside generated/ (everything else there is generator output).
HANDWRITTEN = ("arcgis_typed/_runtime/", "arcgis_typed/workflows.py")  # workflows: typed ops composed
SEED_SURFACE = "spec/seed-surface.tsv"
FAKE_HANDLERS = "fakeserver/arcgis_typed_fake/handlers"
CLIENT_RUNTIME = "generated/arcgis_typed/_runtime"  # hand-written modules may list client-only seed rows


def is_handwritten(rel: str) -> bool:
    return rel.startswith(HANDWRITTEN)


def build(root: Path) -> dict[str, str]:
    """Every generated file as {path relative to generated/: text}."""
    spec = load_spec(root / "spec")
    files = render(spec)
    for api in spec.apis:
        files[f"openapi/{api.name}.json"] = dump_json(openapi.export(api))
    handlers = coverage.fake_handlers(root / FAKE_HANDLERS)
    client = coverage.client_rows(root / CLIENT_RUNTIME)
    seed_coverage = coverage.report(spec, root / SEED_SURFACE, handlers, client)
    files["seed-coverage.json"] = dump_json(seed_coverage)
    files["seed-coverage.md"] = coverage.markdown(seed_coverage)
    return dict(sorted(files.items()))


def _existing(out: Path) -> dict[str, Path]:
    found = {}
    for path in sorted(out.rglob("*")):
        rel = path.relative_to(out).as_posix()
        if path.is_file() and "__pycache__" not in path.parts and not is_handwritten(rel):
            found[rel] = path
    return found


def differences(files: dict[str, str], out: Path) -> list[str]:
    """What differs between `files` and the tree in `out` (hand-written paths ignored)."""
    existing = _existing(out)
    problems = [f"missing: {rel}" for rel in files if rel not in existing]
    problems += [f"stale: {rel}" for rel in existing if rel not in files]
    problems += [
        f"differs: {rel}" for rel, text in files.items() if rel in existing and existing[rel].read_bytes() != text.encode()
    ]
    return sorted(problems)


def write(files: dict[str, str], out: Path) -> int:
    """Write `files` under `out`, delete generated files that are no longer produced; returns files changed."""
    changed = 0
    for rel, path in _existing(out).items():
        if rel not in files:
            path.unlink()
            changed += 1
    for rel, text in files.items():
        target = out / rel
        data = text.encode()
        if target.exists() and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        changed += 1
    return changed
