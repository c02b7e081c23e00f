"""The ``check`` command itself, shared by the click CLI and the quick entry path."""

from __future__ import annotations

import os
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


def split_codes(values: Sequence[str], option: str = "--select") -> list[str]:
    """``--select AL1,AL2 --select AL3`` as one list; a value that names nothing (``''``,
    ``',,'``) is refused rather than read as "no restriction".

    >>> split_codes(["AL1, AL2", "AL3,"])
    ['AL1', 'AL2', 'AL3']
    """
    codes = []
    for value in values:
        parts = [part.strip() for part in value.split(",") if part.strip()]
        if not parts:
            raise UsageProblem(f"{option} {value!r} names no rule code, prefix or name "
                               "(see `archlint rules`)")
        codes.extend(parts)
    return codes


def resolve_settings(config_file: str | None, select: Sequence[str], ignore: Sequence[str]
                     ) -> tuple[Config, Settings]:
    """Configuration and rule selection; plugin load problems go to standard error."""
    from archlint.config import ConfigError, resolve

    selected, ignored = split_codes(select, "--select"), split_codes(ignore, "--ignore")
    try:
        config, settings, plugin_errors = resolve(config_file, Path.cwd(), selected, ignored)
    except ConfigError as error:
        raise UsageProblem(str(error)) from error
    for problem in plugin_errors:
        sys.stderr.write(f"archlint: rule plugin `{problem.name}` not loaded: "
                         f"{problem.message}\n")
    return config, settings


def check(paths: Sequence[str], output_format: str = "text", select: Sequence[str] = (),
          ignore: Sequence[str] = (), config_file: str | None = None,
          output_file: str | None = None, exit_zero: bool = False, jobs: int = 1,
          keras: str | None = None, values: dict[str, int] | None = None,
          expand_nested: bool = False, color: str = "auto",
          batch_size: int | None = None) -> int:
    """Analyse ``paths``, write the report, and return the exit code. ``values`` (--set)
    bind named sizes, over the configuration's; ``expand_nested`` lists the layers of
    nested models in the text report; ``color`` (auto, always, never) whether it is the
    rich one."""
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
    if keras is not None:
        settings.keras = keras
    settings.values = {**settings.values, **(values or {})}
    if batch_size is not None:
        settings.batch_size = batch_size
    files = list(collect(list(paths), config.exclude))
    if output_file:
        check_output_file(output_file, [*files, *([config.path] if config.path else [])])
    show_progress = output_format == "text" and output_file is None and len(files) > 20
    reports = analyse_all(files, settings, jobs, progress=show_progress)
    write_report(reports, output_format, settings, output_file, expand_nested, color)
    if exit_zero:
        return 0
    if any(r.error for r in reports):
        return 2
    worst = max((d.severity.rank for r in reports for d in r.diagnostics), default=-1)
    return 1 if worst >= config.fail_on.rank else 0


def check_output_file(output_file: str, inputs: Sequence[Path]) -> None:
    """Refuse, before anything is analysed or written, an ``--output`` that cannot be written
    or that names one of the files read (through any spelling, symlink or hard link)."""
    target = Path(output_file)
    if target.is_dir():
        raise UsageProblem(f"--output {output_file} is a directory; give a file name")
    if not target.parent.is_dir():
        raise UsageProblem(f"--output {output_file}: directory {target.parent} does not exist")
    try:
        written = os.stat(target)
    except OSError:
        return  # not there yet: it cannot be one of the inputs
    for path in inputs:
        try:
            read = os.stat(path)
        except OSError:
            continue
        if (read.st_dev, read.st_ino) == (written.st_dev, written.st_ino):
            raise UsageProblem(f"--output {output_file} is {path}, one of the files archlint "
                               "reads; writing the report there would overwrite it")


def write_report(reports, output_format: str, settings, output_file: str | None,
                 expand_nested: bool = False, color: str = "auto") -> None:
    if not output_file:
        _write_report(reports, output_format, settings, None, expand_nested, color)
        return
    try:
        _write_report(reports, output_format, settings, output_file, expand_nested, color)
    except OSError as error:
        raise UsageProblem(f"cannot write the report to {output_file}: "
                           f"{error.strerror or error}") from None


def _write_report(reports, output_format: str, settings, output_file: str | None,
                  expand_nested: bool = False, color: str = "auto") -> None:
    if output_format == "text":
        from archlint.render import text

        if output_file:
            with open(output_file, "w", encoding="utf-8") as handle:
                text.render(reports, handle, expand_nested, color)
        else:
            text.render(reports, expand_nested=expand_nested, color=color)
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
