"""The command line: ``archlint PATH...`` and its subcommands."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from archlint import __version__

FORMATS = ("text", "json")


class DefaultGroup(click.Group):
    """``archlint model.py`` means ``archlint check model.py``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h",
                                                                      "--version"):
            args = ["check", *args]
        return super().parse_args(ctx, args)


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="archlint")
def main() -> None:
    """Static architecture analyzer and linter for Keras models.

    Reads model scripts without running them, computes every layer's output shape and
    parameter count as Keras would, and reports what Keras would refuse or get wrong.
    """


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text",
              show_default=True, help="Report format.")
def check(paths: tuple[str, ...], output_format: str) -> None:
    """Analyse model scripts (files, or directories searched for *.py)."""
    from archlint.analysis import analyse_file
    from archlint.diagnostics import Severity
    from archlint.files import collect

    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise click.UsageError(f"no such file or directory: {', '.join(missing)}")
    reports = [analyse_file(path) for path in collect(list(paths))]
    if output_format == "json":
        from archlint.render import json_format

        sys.stdout.write(json_format.render(reports))
    else:
        from rich.console import Console

        from archlint.render import text

        console = Console(highlight=False)
        if not console.is_terminal:
            console = Console(highlight=False, width=120)  # pipes and CI logs: no 80-column wrap
        text.render(reports, console)
    if any(r.error for r in reports):
        sys.exit(2)
    worst = max((d.severity.rank for r in reports for d in r.diagnostics), default=0)
    sys.exit(1 if worst >= Severity.WARNING.rank else 0)


def run() -> None:
    """Entry point that turns unexpected failures into exit code 2 with a clear message."""
    try:
        main(standalone_mode=True)
    except SystemExit:
        raise
    except Exception as error:  # an archlint bug: say so, exit 2, no traceback
        click.echo(f"archlint: internal error: {type(error).__name__}: {error}", err=True)
        sys.exit(2)
