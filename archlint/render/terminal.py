"""Whether a report goes to a colour terminal (rich) or as plain text (pipes, files)."""

from __future__ import annotations

import os
import sys
from typing import TextIO

COLOR_CHOICES = ("auto", "always", "never")


def wants_colour(stream: TextIO, color: str = "auto") -> bool:
    """``--color``: ``always`` and ``never`` decide; ``auto`` colours standard output on a
    terminal, unless ``NO_COLOR`` is set (no-color.org), or ``TERM=dumb``; ``FORCE_COLOR``
    colours it even through a pipe."""
    if color != "auto":
        return color == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if stream is not sys.stdout:
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return stream.isatty() and os.environ.get("TERM") != "dumb"
