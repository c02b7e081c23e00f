"""Which files a command line names (files as given, directories searched for ``*.py``,
notebooks and saved models), and how they are read: regular files only, source text decoded
as Python decodes it."""

from __future__ import annotations

import fnmatch
import io
import os
import stat
import tokenize
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

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
    """Files in the order given; a directory's ``*.py``, ``*.ipynb`` and ``*.keras`` files
    sorted, hidden (``.ipynb_checkpoints``) and virtual-environment folders skipped,
    ``exclude`` patterns honoured."""
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
                    # A FIFO, socket or device named *.py would block or never end: skipped.
                    if name.endswith((".py", ".keras", ".ipynb")) and candidate.is_file() \
                            and not excluded(candidate, patterns):
                        yield candidate
        else:
            yield path


class NotReadable(OSError):
    """A path that is not a regular file, or a source file that cannot be decoded; the
    message says why, in one line, without the path (the caller names it)."""


def _kind(mode: int) -> str:
    kinds = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
             (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
             (stat.S_ISDIR, "a directory"))
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def open_regular(path: str | Path) -> BinaryIO:
    """``path`` opened for reading in binary, refused unless it is a regular file.

    The file is opened without blocking and checked on the open descriptor, so a FIFO never
    waits for a writer and a device is never read, even if the path changed after a walk.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        mode = os.stat(path).st_mode  # a socket cannot be opened at all: say what it is
        if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
            raise
        raise NotReadable(f"it is {_kind(mode)}, and archlint reads only regular files") \
            from None
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise NotReadable(f"it is {_kind(mode)}, and archlint reads only regular files")
        if hasattr(os, "set_blocking"):
            os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


_CODING_HINT = ("Python reads source as UTF-8 unless a `# -*- coding: NAME -*-` comment on "
                "line 1 or 2 names another encoding")


def decode_source(data: bytes) -> str:
    """Source bytes as Python reads them: a UTF-8 byte-order mark or a PEP 263 coding line
    decides the encoding (UTF-8 otherwise); the mark itself is not part of the text.

    >>> decode_source(b"# -*- coding: latin-1 -*-\\nname = 'caf\\xe9'\\n").splitlines()
    ['# -*- coding: latin-1 -*-', "name = 'café'"]
    """
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        reason = error.msg
        if reason.startswith("encoding problem"):
            reason = "it starts with a UTF-8 byte-order mark but its coding comment names " \
                     "another encoding"
        elif reason.startswith("invalid or missing"):
            reason = "its first lines are not UTF-8 and it has no coding comment"
        elif reason.startswith("unknown encoding"):
            raise NotReadable(f"its coding comment names an encoding Python does not know "
                              f"({reason.rpartition(': ')[2]})") from None
        raise NotReadable(f"{reason}; {_CODING_HINT}") from None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        shown = "UTF-8" if encoding.startswith("utf-8") else encoding
        raise NotReadable(f"line {line} is not valid {shown} text (byte "
                          f"0x{data[error.start]:02x}); {_CODING_HINT}") from None


def read_source(path: str | Path) -> str:
    """A Python source file's text, as the interpreter would read it (see ``decode_source``).

    Raises OSError (``NotReadable`` for a non-regular or undecodable file).
    """
    with open_regular(path) as handle:
        return decode_source(handle.read())
