"""An editor's buffer, analysed as ``archlint check`` analyses the file: the same
``analyse_source`` on the unsaved text, with the configuration found from the document's
own path. Nothing is written; an archlint bug is caught and reported, never raised."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from archlint.analysis import FileReport, Settings, analyse_source
from archlint.records import field, record

log = logging.getLogger("archlint.server")


@record
class Outcome:
    """One analysis of a buffer: the report, or why there is none."""

    report: FileReport | None = None
    # The [tool.archlint] table is wrong: nothing is analysed until it is fixed.
    config_error: str | None = None
    # archlint itself failed on this text (a bug): logged, nothing new is published.
    crash: str | None = None
    # Problems loading rule plugins, for the log.
    plugin_errors: list[str] = field(default_factory=list)


class SettingsCache:
    """The settings of the nearest pyproject.toml with a [tool.archlint] table, read again
    only when that file (or which file it is) changes."""

    def __init__(self) -> None:
        self._cached: dict[tuple[str, int], tuple[Settings, list[str]]] = {}

    def settings_for(self, document: Path) -> tuple[Settings, list[str]]:
        """Raises ConfigError for a configuration archlint refuses."""
        from archlint.config import find_pyproject, resolve

        directory = document.parent
        pyproject = find_pyproject(directory) if directory.is_dir() else None
        key = (str(pyproject), _mtime(pyproject))
        if key not in self._cached:
            _, settings, plugin_errors = resolve(str(pyproject) if pyproject else None,
                                                 directory, [], [])
            self._cached = {key: (settings, [f"{e.name}: {e.message}" for e in plugin_errors])}
        return self._cached[key]


def _mtime(path: Path | None) -> int:
    try:
        return os.stat(path).st_mtime_ns if path else 0
    except OSError:
        return 0


def analyse_buffer(source: str, path: str, cache: SettingsCache) -> Outcome:
    """The buffer's text analysed under the configuration that applies to ``path``."""
    from archlint.config import ConfigError

    try:
        settings, plugin_errors = cache.settings_for(Path(path))
    except ConfigError as error:
        return Outcome(config_error=str(error))
    try:
        return Outcome(analyse_source(source, path, settings), plugin_errors=plugin_errors)
    except RecursionError:
        crash = "this buffer nests deeper than archlint follows"
    except Exception as error:  # an archlint bug must not take the editor's server down
        crash = f"{type(error).__name__}: {error}"
        log.exception("analysis of %s failed", path)
    return Outcome(crash=crash)
