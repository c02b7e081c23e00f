"""The terminal report: a summary table per model in the spirit of ``model.summary()``,
then each diagnostic with the source line it points at, then a count line."""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group
from rich.text import Text

from archlint.analysis import FileReport
from archlint.diagnostics import Diagnostic, Severity
from archlint.dims import format_shape
from archlint.engine import ModelAnalysis
from archlint.graph import Layer

SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow",
                  Severity.INFO: "cyan"}


def _shape_text(output: Any) -> str:
    if isinstance(output, list):
        return "[" + ", ".join(_shape_text(o) for o in output) + "]"
    if isinstance(output, tuple):
        return format_shape(output)
    return "?"


def _count(value: int | None) -> str:
    return f"{value:,}" if value is not None else "?"


def _layer_row(layer: Layer) -> tuple[str, str, str, str]:
    first = layer.calls[0] if layer.calls else None
    if first is None:
        shape, params = "(not called)", "?"
    elif first.error is not None:
        shape, params = f"✗ {first.error.code}", "?"
    else:
        shape = _shape_text(first.output)
        if len(layer.calls) > 1:
            shape += f"  ({len(layer.calls)} calls)"
        params = _count(first.params.total) if first.params is not None else "?"
    return f"{layer.name} ({layer.class_name})", shape, params, str(layer.span.line or "-")


def _aligned(rows: list[tuple[str, ...]], right: set[int]) -> list[str]:
    """Rows as aligned columns; a hand-made table stays fast for models of thousands of
    layers, where a rich Table takes seconds."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.rjust(w) if i in right else cell.ljust(w)
                      for i, (cell, w) in enumerate(zip(row, widths))).rstrip()
            for row in rows]


def model_table(analysis: ModelAnalysis, plain: bool) -> Group:
    model = analysis.model
    header = ("Layer (type)", "Output Shape", "Param #", "Line")
    lines = _aligned([header, *(_layer_row(layer) for layer in model.layers)], right={2, 3})
    rule = "-" * max(len(line) for line in lines)
    title = Text(f'Model "{model.name}" ({model.kind}, line {model.span.line})',
                 style="" if plain else "bold")
    table = Text("\n".join([lines[0], rule, *lines[1:], rule]))
    if not plain:
        table.stylize("bold", 0, len(lines[0]))
    lines = [
        f"Total params: {_count(analysis.total)}",
        f"Trainable params: {_count(analysis.trainable)}",
        f"Non-trainable params: {_count(analysis.non_trainable)}",
    ]
    if analysis.unknown_params:
        lines.append("Unknown params in: " + ", ".join(analysis.unknown_params))
    for bound in analysis.bounds:
        if bound.minimum is None:
            lines.append(f"Minimum input length: {bound.symbol} unknown")
        elif bound.limiting_layer is not None:
            lines.append(f"Minimum input length: {bound.symbol} >= {bound.minimum} "
                         f"({bound.limiting_layer} gets {bound.expression} steps)")
        else:
            lines.append(f"Minimum input length: {bound.symbol} >= {bound.minimum}")
    return Group(title, table, Text("\n".join(lines)))


def diagnostic_block(report: FileReport, diagnostic: Diagnostic, plain: bool) -> Text:
    span = diagnostic.span
    text = Text()
    # Saved models have no source lines: the message names the layer.
    where = f"{span.line}:{span.column + 1}:" if span.line else ""
    text.append(f"{report.path}:{where} ")
    text.append(diagnostic.code, style="" if plain else SEVERITY_STYLE[diagnostic.severity])
    text.append(f" [{diagnostic.severity.value}] {diagnostic.rule}: ")
    text.append(diagnostic.message)
    if 0 < span.line <= len(report.source_lines):
        source = report.source_lines[span.line - 1].rstrip()
        text.append(f"\n  {span.line:>4} | {source}", style="" if plain else "dim")
    return text


def summary_line(reports: list[FileReport]) -> str:
    counts = {s: 0 for s in Severity}
    for report in reports:
        for diagnostic in report.diagnostics:
            counts[diagnostic.severity] += 1
    models = sum(len(r.models) for r in reports)
    unreadable = sum(1 for r in reports if r.error)
    parts = [f"{len(reports)} file{'s' if len(reports) != 1 else ''}",
             f"{models} model{'s' if models != 1 else ''}",
             f"{counts[Severity.ERROR]} error{'s' if counts[Severity.ERROR] != 1 else ''}",
             f"{counts[Severity.WARNING]} warning{'s' if counts[Severity.WARNING] != 1 else ''}",
             f"{counts[Severity.INFO]} info"]
    if unreadable:
        parts.append(f"{unreadable} unreadable")
    return "Found: " + ", ".join(parts)


def render(reports: list[FileReport], console: Console) -> None:
    plain = not console.is_terminal or console.no_color
    for report in reports:
        if report.error:
            console.print(Text(f"{report.path}: error: {report.error}"))
            continue
        if not report.models and not report.diagnostics:
            continue
        console.print(Text(report.path, style="" if plain else "bold underline"))
        for analysis in report.models:
            console.print(model_table(analysis, plain))
            console.print()
        for diagnostic in report.diagnostics:
            console.print(diagnostic_block(report, diagnostic, plain), soft_wrap=True)
        console.print()
    console.print(Text(summary_line(reports), style="" if plain else "bold"))
