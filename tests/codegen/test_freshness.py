"""generated/ is exactly what the generator makes from spec/: byte for byte, no file missing, none extra."""

from __future__ import annotations

from pathlib import Path

import pytest
from arcgis_typed_codegen import build, differences, write
from arcgis_typed_codegen.generate import HANDWRITTEN, is_handwritten

ROOT = Path(__file__).resolve().parents[2]
GENERATED = ROOT / "generated"


@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    return build(ROOT)


def _tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` that the generator owns (hand-written paths and caches left out)."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and "__pycache__" not in path.parts and not rel.startswith(HANDWRITTEN):
            out[rel] = path.read_bytes()
    return out


def test_in_memory_build_matches_generated(files: dict[str, str]) -> None:
    problems = differences(files, GENERATED)
    assert problems == [], "generated/ is stale; run `python -m arcgis_typed_codegen`:\n" + "\n".join(problems)


def test_written_tree_equals_generated_tree(files: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "generated"
    written = write(files, out)
    assert written == len(files)
    fresh = _tree(out)
    committed = _tree(GENERATED)
    missing = sorted(set(fresh) - set(committed))
    extra = sorted(set(committed) - set(fresh))
    assert missing == [], f"generator output missing from generated/: {missing}"
    assert extra == [], f"files in generated/ the generator does not make (and not hand-written): {extra}"
    differing = sorted(rel for rel in fresh if fresh[rel] != committed[rel])
    assert differing == []
    # writing again changes nothing
    assert write(files, out) == 0


def test_handwritten_paths_are_not_generated(files: dict[str, str]) -> None:
    assert HANDWRITTEN, "the allowlist is never empty: _runtime/ is hand-written"
    assert not [rel for rel in files if is_handwritten(rel)]
    for prefix in HANDWRITTEN:
        assert (GENERATED / prefix).exists(), f"allowlisted {prefix} does not exist"


def test_generated_python_files_carry_the_do_not_edit_header(files: dict[str, str]) -> None:
    for rel, text in files.items():
        if rel.endswith(".py"):
            head = "\n".join(text.splitlines()[:3])
            assert "DO NOT EDIT" in head and "python -m arcgis_typed_codegen" in head, rel


def test_no_absolute_paths_or_timestamps(files: dict[str, str]) -> None:
    for rel, text in files.items():
        assert str(ROOT) not in text, rel
        assert "/work/" not in text, rel


def test_build_is_deterministic(files: dict[str, str]) -> None:
    again = build(ROOT)
    assert list(again) == list(files)
    assert again == files


def test_write_removes_stale_generated_files_but_keeps_handwritten(files: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "generated"
    write(files, out)
    stale = out / "arcgis_typed" / "portal" / "models" / "gone.py"
    stale.write_text("# old\n")
    kept = out / "arcgis_typed" / "_runtime" / "mine.py"
    kept.parent.mkdir(parents=True, exist_ok=True)
    kept.write_text("# hand-written\n")
    assert differences(files, out) == ["stale: arcgis_typed/portal/models/gone.py"]
    assert write(files, out) == 1
    assert not stale.exists()
    assert kept.read_text() == "# hand-written\n"
    assert differences(files, out) == []


def test_differences_reports_changed_and_missing(files: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "generated"
    write(files, out)
    first, second = sorted(files)[:2]
    (out / first).write_text(files[first] + "# edited\n")
    (out / second).unlink()
    assert differences(files, out) == sorted([f"differs: {first}", f"missing: {second}"])
