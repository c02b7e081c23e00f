"""``archlint server`` with an analysis that fails on any buffer containing ``CRASH_HERE``:
how tests/test_server.py sees what a bug in archlint does to a running server."""

from __future__ import annotations

import sys

from archlint.server import buffers
from archlint.server.lsp import serve

MARKER = "CRASH_HERE"
real_analyse_source = buffers.analyse_source


def failing_analyse_source(source: str, path: str, settings=None):
    if MARKER in source:
        raise TypeError("a bug in archlint")
    return real_analyse_source(source, path, settings)


if __name__ == "__main__":
    buffers.analyse_source = failing_analyse_source  # type: ignore[assignment]
    serve(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
