"""Write records (models or mappings) to a CSV or tab-separated file - what the official client's
`logs.query(export=True)` does, done safely: the file is written to a temporary file beside the target and
moved into place in one step (no half-written file, never through a symbolic link at the target), an existing
file is only replaced when asked, and a path without a suffix gets `.csv` / `.txt`.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from . import wire


def _row(record: Any) -> dict[str, Any]:
    data = record if isinstance(record, Mapping) else wire.unstructure(record)
    return {str(k): v for k, v in data.items()}


def write_table(records: Iterable[Any], out_path: str | os.PathLike[str], *,
                export_type: Literal["CSV", "TAB"] = "CSV", overwrite: bool = False) -> Path:
    """Write `records` (attrs models are written with their wire names) with a header of every key seen, in
    order of first appearance; returns the path written."""
    if export_type not in ("CSV", "TAB"):
        raise ValueError(f"export_type must be CSV or TAB, not {export_type!r}")
    target = Path(out_path)
    if not target.suffix:
        target = target.with_suffix(".txt" if export_type == "TAB" else ".csv")
    if target.is_symlink() or target.is_dir():
        raise ValueError(f"{target} is a directory or a symbolic link; give a file path")
    if target.exists() and not overwrite:
        raise FileExistsError(f"{target} exists; pass overwrite=True to replace it")
    rows = [_row(r) for r in records]
    fields = list(dict.fromkeys(key for row in rows for key in row))
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".arcgis-typed-", suffix=target.suffix, dir=target.parent)
    try:
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as file:
            writer = csv.DictWriter(file, fieldnames=fields, delimiter="\t" if export_type == "TAB" else ",")
            if fields:
                writer.writeheader()
                writer.writerows(rows)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
