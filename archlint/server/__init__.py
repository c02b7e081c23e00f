"""``archlint server``: a Language Server for editors (an optional extra, ``archlint[lsp]``,
since it needs pygls). Its analysis is the check's own, on the unsaved buffer."""

from __future__ import annotations

import importlib.util

INSTALL_HINT = 'pip install "archlint[lsp]"'


def pygls_missing() -> str | None:
    """Why the server cannot start here, or None when it can."""
    if importlib.util.find_spec("pygls") is None or \
            importlib.util.find_spec("lsprotocol") is None:
        return f"archlint server needs pygls, which is not installed; install it with: " \
               f"{INSTALL_HINT}"
    return None
