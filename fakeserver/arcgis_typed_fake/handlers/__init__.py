"""Handlers, one module per spec family (`<api>_<family>.py`). Importing this package registers them all:
every module of the package is imported, so a new family's handler module needs no entry here."""

from __future__ import annotations

import importlib
import pkgutil

MODULES = tuple(
    importlib.import_module(f"{__name__}.{info.name}")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name)
    if not info.name.startswith("_")
)
