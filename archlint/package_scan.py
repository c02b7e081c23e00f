"""The modules of a package, listed from its directories.

``pkgutil.iter_modules`` would do, but it imports ``inspect``, which alone costs several
milliseconds of archlint's start-up.
"""

from __future__ import annotations

import os
from collections.abc import Iterable


def submodule_names(package_paths: Iterable[str]) -> list[str]:
    """Sorted names of the modules and subpackages in a package's ``__path__``."""
    names: set[str] = set()
    for directory in package_paths:
        try:
            entries = os.listdir(directory)
        except OSError:
            continue
        for entry in entries:
            stem, extension = os.path.splitext(entry)
            if extension == ".py" and stem.isidentifier() and stem != "__init__":
                names.add(stem)
            elif entry.isidentifier() and \
                    os.path.isfile(os.path.join(directory, entry, "__init__.py")):
                names.add(entry)
    return sorted(names)
