"""The ``archlint`` command's entry point.

The plain form ``archlint PATH... [--format F] [--color C] [--exit-zero]`` (what pre-commit
and most CI jobs run) goes straight to the check: importing click costs about as much as
analysing a model, a fifth of the whole run. Every other command line goes through the click
application in ``archlint.cli``, which also reports every usage error.
"""

from __future__ import annotations

import contextlib
import os
import sys

from archlint.check import FORMATS, UsageProblem, check
from archlint.render.terminal import COLOR_CHOICES

SUBCOMMANDS = ("check", "rules", "layers", "explain", "crosscheck", "graph", "server")


def quick_check_options(args: list[str]) -> dict | None:
    """The check options of a plain command line, or None when click should parse it."""
    if not args or args[0] in SUBCOMMANDS:
        return None
    paths: list[str] = []
    options: dict = {"output_format": "text", "exit_zero": False}
    tokens = iter(args)
    for token in tokens:
        if token == "--exit-zero":
            options["exit_zero"] = True
        elif token == "--format" or token.startswith("--format="):
            value = token.partition("=")[2] if "=" in token else next(tokens, None)
            if value not in FORMATS:
                return None
            options["output_format"] = value
        elif token == "--color" or token.startswith("--color="):
            value = token.partition("=")[2] if "=" in token else next(tokens, None)
            if value not in COLOR_CHOICES:
                return None
            options["color"] = value
        elif token.startswith("-") or not os.path.exists(token):
            return None  # other options, and missing paths, get click's parsing and errors
        else:
            paths.append(token)
    return {"paths": paths, **options} if paths else None


def run() -> None:
    """Entry point that turns unexpected failures into exit code 2 with a clear message."""
    try:
        options = quick_check_options(sys.argv[1:])
        if options is not None:
            # On a usage problem nothing is written yet: click reports it in its usual form.
            with contextlib.suppress(UsageProblem):
                sys.exit(check(**options))
        from archlint.cli import main

        main(standalone_mode=True)
    except SystemExit:
        raise
    except Exception as error:  # an archlint bug: say so, exit 2, no traceback
        sys.stderr.write(f"archlint: internal error: {type(error).__name__}: {error}\n")
        sys.exit(2)
