"""The ``graph`` command: one file's models drawn as Mermaid, DOT or SVG."""

from __future__ import annotations

import sys
from pathlib import Path

from archlint.check import UsageProblem, check_output_file, resolve_settings
from archlint.codes import SYNTAX_ERROR

GRAPH_FORMATS = ("mermaid", "dot", "svg")

# Mermaid's default limits, which GitHub keeps and a diagram cannot raise: past them it shows
# an error instead of the graph.
MERMAID_MAX_EDGES, MERMAID_MAX_TEXT = 500, 50_000


class InputProblem(Exception):
    """The file cannot be drawn (unreadable, not Python, no model): exit 2 with this."""


def draw(path: str, output_format: str = "mermaid", model_name: str | None = None,
         expand_nested: bool = False, output_file: str | None = None,
         config_file: str | None = None, keras: str | None = None,
         values: dict[str, int] | None = None) -> str:
    """The graph of the file's models in ``output_format``, written to ``output_file``
    when given; returns what was drawn."""
    from archlint.analysis import SAVED_MODEL_SUFFIXES, analyse_file
    from archlint.render import graph_dot, graph_mermaid
    from archlint.render.graph_view import graph_views

    source = Path(path)
    if not source.exists():
        raise UsageProblem(f"no such file: {path}")
    if source.is_dir():
        raise UsageProblem(f"{path} is a directory; `archlint graph` draws one file")
    config, settings = resolve_settings(config_file, (), ())
    if output_file:
        check_output_file(output_file, [source, *([config.path] if config.path else [])])
    if keras is not None:
        settings.keras = keras
    settings.values = {**settings.values, **(values or {})}
    report = analyse_file(source, settings)
    if report.error:
        raise InputProblem(report.error)
    syntax = next((d for d in report.diagnostics if d.code == SYNTAX_ERROR), None)
    if syntax is not None:
        raise InputProblem(f"{path}:{syntax.span.line}: {syntax.message}")
    if not report.models:
        kinds = "saved model" if source.suffix in SAVED_MODEL_SUFFIXES else "script"
        raise InputProblem(f"{path}: no Keras model found in this {kinds} (archlint draws "
                           "the models built with keras.Model, Sequential or a Model "
                           "subclass)")
    names = [analysis.model.name for analysis in report.models]
    if model_name is not None and model_name not in names:
        raise UsageProblem(f"--model {model_name!r}: {path} builds no model of that name; "
                           f"its models: {', '.join(dict.fromkeys(names))}")
    views = graph_views(report, expand_nested, model_name)
    if output_format == "mermaid":
        drawn = graph_mermaid.render(views)
        edges = sum(len(view.edges) for view in views)
        if edges > MERMAID_MAX_EDGES or len(drawn) > MERMAID_MAX_TEXT:
            sys.stderr.write(
                f"archlint graph: note: this flowchart has {edges:,} edges and "
                f"{len(drawn):,} characters; Mermaid (and GitHub) draws at most "
                f"{MERMAID_MAX_EDGES} edges and {MERMAID_MAX_TEXT:,} characters. Draw one "
                "model (--model NAME), keep nested models collapsed, or use --format svg\n")
    else:
        drawn = graph_dot.render(views)
        if output_format == "svg":
            try:
                drawn = graph_dot.to_svg(drawn)
            except graph_dot.GraphvizError as error:
                raise InputProblem(str(error)) from None
    if output_file is None:
        sys.stdout.write(drawn)
        return drawn
    try:
        Path(output_file).write_text(drawn, encoding="utf-8")
    except OSError as error:
        raise UsageProblem(f"cannot write the graph to {output_file}: "
                           f"{error.strerror or error}") from None
    return drawn
