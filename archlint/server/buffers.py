"""An editor's buffer, analysed as ``archlint check`` analyses the file: the same
``analyse_source`` on the unsaved text, with the configuration found from the document's
own path. Nothing is written; an archlint bug is caught and reported, never raised."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from archlint.analysis import FileReport, Settings, analyse_source
from archlint.records import record

log = logging.getLogger("archlint.server")


@record
class Outcome:
    """One analysis of a buffer: the report, or why there is none."""

    report: FileReport | None = None
    # The [tool.archlint] table is wrong: nothing is analysed until it is fixed.
    config_error: str | None = None
    # archlint itself failed on this text (a bug): logged, nothing new is published.
    crash: str | None = None


class SettingsCache:
    """The settings of the nearest pyproject.toml with a [tool.archlint] table, read again
    only when that file (or which file it is) changes."""

    def __init__(self) -> None:
        self._cached: dict[tuple[str, int, int], Settings] = {}

    def settings_for(self, document: Path) -> Settings:
        """Raises ConfigError for a configuration archlint refuses."""
        from archlint.config import find_pyproject, resolve

        directory = document.parent
        pyproject = find_pyproject(directory)
        key = (str(pyproject), *_stamp(pyproject))
        if key not in self._cached:
            _, settings, plugin_errors = resolve(str(pyproject) if pyproject else None,
                                                 directory, [], [])
            for problem in plugin_errors:  # once per configuration, not per keystroke
                log.warning("rule plugin `%s` not loaded: %s", problem.name, problem.message)
            self._cached = {k: v for k, v in self._cached.items() if k[0] != key[0]}
            self._cached[key] = settings
        return self._cached[key]


def _stamp(path: Path | None) -> tuple[int, int]:
    """When the file last changed, and its size (a clock too coarse may miss an edit)."""
    try:
        status = os.stat(path) if path else None
    except OSError:
        status = None
    return (status.st_mtime_ns, status.st_size) if status else (0, 0)


def analyse_buffer(source: str, path: str, cache: SettingsCache) -> Outcome:
    """The buffer's text analysed under the configuration that applies to ``path``."""
    from archlint.config import ConfigError

    try:
        settings = cache.settings_for(Path(path))
    except ConfigError as error:
        return Outcome(config_error=str(error))
    try:
        return Outcome(analyse_source(source, path, settings))
    except RecursionError:
        crash = "this buffer nests deeper than archlint follows"
    except Exception as error:  # an archlint bug must not take the editor's server down
        crash = f"{type(error).__name__}: {error}"
        log.exception("analysis of %s failed", path)
    return Outcome(crash=crash)
