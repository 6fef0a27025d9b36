"""The file system of a fake server machine: a folder on the real disk under which every path a client names
(`/backups`, `C:\\backups\\site.agssite`) lives. Nothing a client sends can reach outside it: drive letters
and leading separators are dropped, `..`, NUL and other control characters are refused, and the resolved path
(symbolic links followed) must stay under the root.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import weakref
from pathlib import Path

from ..errors import bad_request

_DRIVE = re.compile(r"^[A-Za-z]:")


class Sandbox:
    """Paths of one fake machine. The root is made on first use (a temporary folder, removed with the sandbox,
    unless one is given)."""

    # a restored sandbox makes its folder again on first use (a temporary one is new: files are not in snapshots)
    __snapshot_exclude__ = ("_root_cache",)

    def __init__(self, root: str | Path | None = None) -> None:
        self._given = str(root) if root is not None else None  # a str, so snapshots can carry it
        self._root_cache: Path | None = None

    def __snapshot_restored__(self) -> None:
        self._root_cache = None

    @property
    def root(self) -> Path:
        if self._root_cache is None:
            if self._given is not None:
                given = Path(self._given)
                given.mkdir(parents=True, exist_ok=True)
                self._root_cache = given.resolve()
            else:  # a temporary folder of its own, removed when the sandbox is garbage collected
                self._root_cache = Path(tempfile.mkdtemp(prefix="arcgis-fake-machine-")).resolve()
                weakref.finalize(self, shutil.rmtree, self._root_cache, True)
        return self._root_cache

    def path(self, value: str, param: str) -> Path:
        """The real path of a client's path, or a 400 naming `param`."""
        text = value.strip().replace("\\", "/")
        if not text or any(ord(c) < 32 for c in text):
            raise bad_request(f"Invalid parameter '{param}': '{value}' is not a path")
        text = _DRIVE.sub("", text)
        parts = [p for p in text.split("/") if p not in ("", ".")]
        if ".." in parts:
            raise bad_request(f"Invalid parameter '{param}': '..' is not allowed in '{value}'")
        target = self.root.joinpath(*parts).resolve()
        if not target.is_relative_to(self.root):
            raise bad_request(f"Invalid parameter '{param}': '{value}' is outside the server's file system")
        return target

    def display(self, path: Path) -> str:
        """How the server names a path of its file system to clients (`/backups/site.agssite`)."""
        return "/" + path.relative_to(self.root).as_posix()
