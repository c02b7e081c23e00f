"""Which files a command line names: files as given, directories searched for ``*.py``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

SKIPPED_DIRS = frozenset({"__pycache__", "node_modules", "site-packages", "venv", "env",
                          "build", "dist"})


def _skipped(name: str) -> bool:
    return name.startswith(".") or name in SKIPPED_DIRS


def collect(paths: list[str]) -> Iterator[Path]:
    """Files in the order given; a directory's ``*.py`` files sorted, hidden and
    virtual-environment folders skipped."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not _skipped(d)
                                 and not (Path(root, d) / "pyvenv.cfg").exists())
                for name in sorted(files):
                    if name.endswith(".py"):
                        yield Path(root, name)
        else:
            yield path
