"""Which files a command line names: files as given, directories searched for ``*.py``."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator
from pathlib import Path

SKIPPED_DIRS = frozenset({"__pycache__", "node_modules", "site-packages", "venv", "env",
                          "build", "dist"})


def _skipped(name: str) -> bool:
    return name.startswith(".") or name in SKIPPED_DIRS


def excluded(path: Path, patterns: list[str]) -> bool:
    """``exclude`` globs match the path as given, or any of its trailing parts.

    >>> excluded(Path("src/legacy/old.py"), ["legacy/*"]), excluded(Path("a.py"), ["b*"])
    (True, False)
    """
    text = path.as_posix()
    parts = path.parts
    candidates = [text] + ["/".join(parts[i:]) for i in range(1, len(parts))]
    return any(fnmatch.fnmatch(c, p) for p in patterns for c in candidates)


def collect(paths: list[str], exclude: list[str] | None = None) -> Iterator[Path]:
    """Files in the order given; a directory's ``*.py`` and ``*.keras`` files sorted, hidden
    and virtual-environment folders skipped, ``exclude`` patterns honoured."""
    patterns = exclude or []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not _skipped(d)
                                 and not (Path(root, d) / "pyvenv.cfg").exists()
                                 and not excluded(Path(root, d), patterns))
                for name in sorted(files):
                    candidate = Path(root, name)
                    # Saved .json models are only read when named: most JSON is not a model.
                    if name.endswith((".py", ".keras")) and not excluded(candidate, patterns):
                        yield candidate
        else:
            yield path
