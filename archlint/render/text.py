"""The terminal report: a summary table per model in the spirit of ``model.summary()``,
then each diagnostic with the source line it points at, then a count line.

The report is built once as lines of styled segments; a terminal gets them through rich
(colours), pipes and files get plain text without importing rich at all.
"""

from __future__ import annotations

import sys
from collections import Counter
from typing import Any, TextIO

from archlint.analysis import FileReport
from archlint.call_inference import model_calls
from archlint.cost.poly import cost_to_str
from archlint.cost.totals import ModelCost, row_cost
from archlint.diagnostics import Diagnostic, Severity
from archlint.dims import Expr, count_to_str, format_dim, format_shape
from archlint.engine import ModelAnalysis
from archlint.graph import Call, Layer, Model
from archlint.render.escape import visible, visible_source
from archlint.summary_rows import NestedRow, Row, summary_rows

SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow",
                  Severity.INFO: "cyan"}

Segment = tuple[str, str]  # (text, rich style; "" for none)
Line = list[Segment]


def _shape_text(output: Any) -> str:
    if isinstance(output, list):
        return "[" + ", ".join(_shape_text(o) for o in output) + "]"
    if isinstance(output, tuple):
        return format_shape(output)
    tail = getattr(output, "tail", None)
    if tail:  # a tensor of unknown rank whose last axes are known
        return "(None, ..., " + ", ".join(format_dim(d) for d in tail) + ")"
    return "?"


def _count(value: int | Expr | None) -> str:
    return count_to_str(value) if value is not None else "?"


def _layer_row(layer: Layer, calls_here: int = 1) -> tuple[str, str, str, str]:
    """A layer's row; ``calls_here`` is how many times the model calls it."""
    first = layer.calls[0] if layer.calls else None
    if first is None:
        shape, params = "(not called)", "?"
    elif first.error is not None:
        shape, params = f"✗ {first.error.code}", "?"
    else:
        shape = _shape_text(first.output)
        if calls_here > 1:
            shape += f"  ({calls_here} calls)"
        params = _count(first.params.total) if first.params is not None else "?"
    return (visible(f"{layer.name} ({layer.class_name})"), shape, params,
            str(layer.span.line or "-"))


def _nested_row(row: NestedRow) -> tuple[str, str, str, str]:
    params = _count(row.params.total) if row.params is not None else "?"
    return (visible(f"{row.name} ({row.class_name})"), _shape_text(row.output), params,
            str(row.line or "-"))


def _table_rows(model: Model, rows: list[Row], expand_nested: bool, cost: ModelCost,
                outer_calls: list[Call], indent: str = "") -> list[tuple[str, ...]]:
    """One row per layer and nested model; with ``expand_nested`` a nested model's own
    rows follow it, indented. The FLOPs cell is the row's calls' in the outer model."""
    calls_here = Counter(id(call.layer) for call in model.calls or model_calls(model))
    table: list[tuple[str, ...]] = []
    for row in rows:
        if isinstance(row, NestedRow):
            name, shape, params, line = _nested_row(row)
            flops = row_cost(cost, outer_calls, row.layer,
                             row.model if row.layer is None else None).flops
            table.append((indent + name, shape, params, cost_to_str(flops), line))
            if expand_nested:
                table += _table_rows(row.model, row.rows, expand_nested, cost, outer_calls,
                                     indent + "  ")
        else:
            name, shape, params, line = _layer_row(row, calls_here[id(row)])
            flops = row_cost(cost, outer_calls, row).flops
            table.append((indent + name, shape, params, cost_to_str(flops), line))
    return table


def _aligned(rows: list[tuple[str, ...]], right: set[int]) -> list[str]:
    """Rows as aligned columns; a hand-made table stays fast for models of thousands of
    layers, where a rich Table takes seconds."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.rjust(w) if i in right else cell.ljust(w)
                      for i, (cell, w) in enumerate(zip(row, widths))).rstrip()
            for row in rows]


_NAMED_UNKNOWN = 8  # layers named in the line; JSON's flops_unknown_in has them all


def _cost_lines(cost: ModelCost) -> list[str]:
    """The model's FLOPs and MACs per sample, and the layers whose cost is unknown."""
    lines = [f"Total FLOPs: {cost_to_str(cost.flops)}", f"Total MACs: {cost_to_str(cost.macs)}"]
    if cost.unknown_in:
        more = len(cost.unknown_in) - _NAMED_UNKNOWN
        lines.append("Unknown FLOPs in: " + ", ".join(cost.unknown_in[:_NAMED_UNKNOWN])
                     + (f" and {more} more" if more > 0 else ""))
    return lines


def model_lines(analysis: ModelAnalysis, expand_nested: bool = False) -> list[Line]:
    model = analysis.model
    header = ("Layer (type)", "Output Shape", "Param #", "FLOPs", "Line")
    outer_calls = model.calls or model_calls(model)
    table: list[tuple[str, ...]] = [header, *_table_rows(
        model, summary_rows(model), expand_nested, analysis.cost, outer_calls)]
    # A saved model has no source lines: no Line column, no line in the title.
    if not model.span.line and not any(layer.span.line for layer in model.layers):
        table = [row[:4] for row in table]
    rows = _aligned(table, right={2, 3, 4})
    rule = "-" * max(len(row) for row in rows)
    where = f", line {model.span.line}" if model.span.line else ""
    lines: list[Line] = [[(f'Model "{visible(model.name)}" ({model.kind}{where})', "bold")],
                         [(rows[0], "bold")], [(rule, "")]]
    lines += [[(row, "")] for row in rows[1:]]
    lines.append([(rule, "")])
    totals = [f"Total params: {_count(analysis.total)}",
              f"Trainable params: {_count(analysis.trainable)}",
              f"Non-trainable params: {_count(analysis.non_trainable)}"]
    if analysis.unknown_params:
        totals.append("Unknown params in: " + visible(", ".join(analysis.unknown_params)))
    totals += _cost_lines(analysis.cost)
    for bound in analysis.bounds:
        if bound.unknown_reason is not None and bound.expression is None:
            totals.append(f"Minimum input length: {bound.symbol} >= {bound.at_least} at least "
                          f"({bound.unknown_reason})")
        elif bound.unknown_reason is not None:
            totals.append(f"Minimum input length: {bound.symbol} unknown "
                          f"({bound.limiting_layer} outputs {bound.expression} steps: "
                          f"{bound.unknown_reason})")
        elif bound.minimum is None:
            totals.append(f"Minimum input length: {bound.symbol} unknown")
        elif bound.limiting_layer is not None:
            totals.append(f"Minimum input length: {bound.symbol} >= {bound.minimum} "
                          f"({bound.limiting_layer} outputs {bound.expression} steps)")
        else:
            totals.append(f"Minimum input length: {bound.symbol} >= {bound.minimum}")
    for joint in analysis.joint_bounds:
        totals.append(f"Minimum input length: {joint.requirement} "
                      f"({joint.limiting_layer} outputs {joint.expression} steps)")
    lines += [[(visible(text), "")] for text in totals]
    return lines


def diagnostic_lines(report: FileReport, diagnostic: Diagnostic) -> list[Line]:
    span = diagnostic.span
    # Saved models have no source lines: the message names the layer.
    where = f"{span.line}:{span.column + 1}:" if span.line else ""
    lines: list[Line] = [[
        (f"{visible(report.path)}:{where} ", ""),
        (diagnostic.code, SEVERITY_STYLE[diagnostic.severity]),
        (f" [{diagnostic.severity.value}] {visible(diagnostic.rule)}: "
         f"{visible(diagnostic.message)}", ""),
    ]]
    if 0 < span.line <= len(report.source_lines):
        source = visible_source(report.source_lines[span.line - 1].rstrip())
        lines.append([(f"  {span.line:>4} | {source}", "dim")])
    return lines


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


def report_lines(reports: list[FileReport], expand_nested: bool = False) -> list[Line]:
    lines: list[Line] = []
    for report in reports:
        if report.error:
            lines.append([(visible(f"{report.path}: error: {report.error}"), "bold red")])
            continue
        if not report.models and not report.diagnostics:
            continue
        lines.append([(visible(report.path), "bold underline")])
        for analysis in report.models:
            lines += model_lines(analysis, expand_nested)
            lines.append([])
        for diagnostic in report.diagnostics:
            lines += diagnostic_lines(report, diagnostic)
        lines.append([])
    lines.append([(summary_line(reports), "bold")])
    return lines


def write_plain(reports: list[FileReport], stream: TextIO, expand_nested: bool = False) -> None:
    stream.write("".join("".join(text for text, _ in line) + "\n"
                         for line in report_lines(reports, expand_nested)))


def write_rich(reports: list[FileReport], expand_nested: bool = False) -> None:
    """Colours on a terminal; long findings wrap as the terminal does (no hard breaks)."""
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False)
    for line in report_lines(reports, expand_nested):
        text = Text()
        for segment, style in line:
            text.append(segment, style=style or None)
        console.print(text, soft_wrap=True)


def render(reports: list[FileReport], stream: TextIO | None = None,
           expand_nested: bool = False) -> None:
    """Rich on a colour terminal, plain text everywhere else (pipes, files, NO_COLOR)."""
    from archlint.render.terminal import wants_colour

    stream = stream or sys.stdout
    if wants_colour(stream):
        write_rich(reports, expand_nested)
    else:
        write_plain(reports, stream, expand_nested)
