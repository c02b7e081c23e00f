"""Whether a report goes to a colour terminal (rich) or as plain text (pipes, files)."""

from __future__ import annotations

import os
import sys
from typing import TextIO


def wants_colour(stream: TextIO) -> bool:
    """Standard output on a terminal that takes colour (no ``NO_COLOR``, not ``TERM=dumb``)."""
    return stream is sys.stdout and stream.isatty() and not os.environ.get("NO_COLOR") and \
        os.environ.get("TERM") != "dumb"
