"""The ``check`` command itself, shared by the click CLI and the quick entry path."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from archlint.analysis import Settings
    from archlint.config import Config

FORMATS = ("text", "json", "sarif", "github", "concise")


class UsageProblem(Exception):
    """The command line or the configuration is wrong: exit 2 with this message."""


def split_codes(values: Sequence[str]) -> list[str]:
    """``--select AL1,AL2 --select AL3`` as one list."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def resolve_settings(config_file: str | None, select: Sequence[str], ignore: Sequence[str]
                     ) -> tuple[Config, Settings]:
    """Configuration and rule selection; plugin load problems go to standard error."""
    from archlint.config import ConfigError, resolve

    try:
        config, settings, plugin_errors = resolve(config_file, Path.cwd(), split_codes(select),
                                                  split_codes(ignore))
    except ConfigError as error:
        raise UsageProblem(str(error)) from error
    for problem in plugin_errors:
        sys.stderr.write(f"archlint: rule plugin `{problem.name}` not loaded: "
                         f"{problem.message}\n")
    return config, settings


def check(paths: Sequence[str], output_format: str = "text", select: Sequence[str] = (),
          ignore: Sequence[str] = (), config_file: str | None = None,
          output_file: str | None = None, exit_zero: bool = False, jobs: int = 1) -> int:
    """Analyse ``paths``, write the report, and return the exit code."""
    import gc

    from archlint.files import collect
    from archlint.runner import analyse_all

    # Analysis makes many small objects that live until its file is done: with the default
    # thresholds the collector rescans them again and again, superlinear in the model size.
    gc.set_threshold(100_000, 50, 100)
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise UsageProblem(f"no such file or directory: {', '.join(missing)}")
    config, settings = resolve_settings(config_file, select, ignore)
    files = list(collect(list(paths), config.exclude))
    show_progress = output_format == "text" and output_file is None and len(files) > 20
    reports = analyse_all(files, settings, jobs, progress=show_progress)
    write_report(reports, output_format, settings, output_file)
    if exit_zero:
        return 0
    if any(r.error for r in reports):
        return 2
    worst = max((d.severity.rank for r in reports for d in r.diagnostics), default=-1)
    return 1 if worst >= config.fail_on.rank else 0


def write_report(reports, output_format: str, settings, output_file: str | None) -> None:
    if output_format == "text":
        from archlint.render import text

        if output_file:
            with open(output_file, "w", encoding="utf-8") as handle:
                text.render(reports, handle)
        else:
            text.render(reports)
        return
    if output_format == "json":
        from archlint.render import json_format

        rendered = json_format.render(reports)
    elif output_format == "sarif":
        from archlint.render import sarif

        rendered = sarif.render(reports, settings.rules)
    elif output_format == "github":
        from archlint.render import github

        rendered = github.render(reports)
    else:
        from archlint.render import concise

        rendered = concise.render(reports)
    if output_file:
        Path(output_file).write_text(rendered, encoding="utf-8")
    else:
        sys.stdout.write(rendered)
