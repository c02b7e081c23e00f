"""``python -m archlint``. Python puts the working directory first on ``sys.path`` for ``-m``:
archlint imports nothing from the user's directory (a ``json.py`` next to a model would run),
so it is taken off before anything else is imported."""

import os
import sys

if sys.path and sys.path[0] and os.path.realpath(sys.path[0]) == os.path.realpath(os.getcwd()):
    del sys.path[0]

from archlint.entry import run

run()
