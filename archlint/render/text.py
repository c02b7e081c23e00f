"""The terminal report: a summary table per model in the spirit of ``model.summary()``,
then each diagnostic with the source line it points at, then a count line.

The report is built once as lines of styled segments; a terminal gets them through rich
(colours), pipes and files get plain text without importing rich at all.
"""

from __future__ import annotations

import sys
from collections import Counter
from typing import TYPE_CHECKING, Any, TextIO

from archlint.analysis import FileReport
from archlint.call_inference import model_calls
from archlint.cost.memory import MemoryEstimate, WeightBytes, bytes_text
from archlint.cost.model_costs import model_costs
from archlint.cost.optimizer import OptimizerState
from archlint.cost.poly import cost_to_str
from archlint.cost.receptive_field import field_text
from archlint.cost.totals import ModelCost, row_cost
from archlint.diagnostics import Diagnostic, Severity
from archlint.dims import Expr, count_to_str, format_dim, format_shape
from archlint.engine import ModelAnalysis
from archlint.graph import Call, Layer, Model
from archlint.records import record
from archlint.render.escape import visible, visible_source
from archlint.render.location import line_label, locate, prefix
from archlint.summary_rows import NestedRow, Row, summary_rows

if TYPE_CHECKING:
    from archlint.notebook import CellIndex

SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow",
                  Severity.INFO: "cyan"}

Segment = tuple[str, str]  # (text, rich style; "" for none)
Line = list[Segment]


@record(frozen=True)
class SummaryRow:
    """One row of a model's summary, as cells, for the plain table and the rich one."""

    cells: tuple[str, ...]
    # The model whose layer the row is, and the row's layer (or nested model) name: the
    # findings about that layer are marked on the row.
    model: str
    name: str
    depth: int  # 0 for the model's own rows, 1 for those of a model nested in it...
    source: Row


@record(frozen=True)
class SummaryTable:
    """A model's summary: a title, the table (header, rows, right-aligned columns) and the
    lines under it (totals, minimum input lengths)."""

    title: str
    header: tuple[str, ...]
    rows: list[SummaryRow]
    right: frozenset[int]
    footer: list[str]


def shape_text(output: Any) -> str:
    if isinstance(output, list):
        return "[" + ", ".join(shape_text(o) for o in output) + "]"
    if isinstance(output, tuple):
        return format_shape(output)
    tail = getattr(output, "tail", None)
    if tail:  # a tensor of unknown rank whose last axes are known
        return "(None, ..., " + ", ".join(format_dim(d) for d in tail) + ")"
    return "?"


def _count(value: int | Expr | None) -> str:
    return count_to_str(value) if value is not None else "?"


def layer_row(layer: Layer, calls_here: int = 1,
              cells: CellIndex | None = None) -> tuple[str, str, str, str]:
    """A layer's row; ``calls_here`` is how many times the model calls it."""
    first = layer.calls[0] if layer.calls else None
    if first is None:
        shape, params = "(not called)", "?"
    elif first.error is not None:
        shape, params = f"✗ {first.error.code}", "?"
    else:
        shape = shape_text(first.output)
        if calls_here > 1:
            shape += f"  ({calls_here} calls)"
        params = _count(first.params.total) if first.params is not None else "?"
    return (visible(f"{layer.name} ({layer.class_name})"), shape, params,
            line_label(layer.span.line, cells) or "-")


def nested_row(row: NestedRow, cells: CellIndex | None = None) -> tuple[str, str, str, str]:
    params = _count(row.params.total) if row.params is not None else "?"
    return (visible(f"{row.name} ({row.class_name})"), shape_text(row.output), params,
            line_label(row.line, cells) or "-")


def _table_rows(model: Model, rows: list[Row], expand_nested: bool, cost: ModelCost,
                outer_calls: list[Call], depth: int = 0,
                cells: CellIndex | None = None) -> list[SummaryRow]:
    """One row per layer and nested model; with ``expand_nested`` a nested model's own
    rows follow it, one level deeper. The FLOPs cell is the row's calls' in the outer
    model."""
    calls_here = Counter(id(call.layer) for call in model.calls or model_calls(model))
    table: list[SummaryRow] = []
    for row in rows:
        if isinstance(row, NestedRow):
            name, shape, params, line = nested_row(row, cells)
            flops = row_cost(cost, outer_calls, row.layer,
                             row.model if row.layer is None else None).flops
            table.append(SummaryRow((name, shape, params, cost_to_str(flops), line),
                                    model.name, row.name, depth, row))
            if expand_nested:
                table += _table_rows(row.model, row.rows, expand_nested, cost, outer_calls,
                                     depth + 1, cells)
        else:
            name, shape, params, line = layer_row(row, calls_here[id(row)], cells)
            flops = row_cost(cost, outer_calls, row).flops
            table.append(SummaryRow((name, shape, params, cost_to_str(flops), line),
                                    model.name, row.name, depth, row))
    return table


def _aligned(rows: list[tuple[str, ...]], right: set[int]) -> list[str]:
    """Rows as aligned columns; a hand-made table stays fast for models of thousands of
    layers, where a rich Table takes seconds."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.rjust(w) if i in right else cell.ljust(w)
                      for i, (cell, w) in enumerate(zip(row, widths))).rstrip()
            for row in rows]


def cost_lines(analysis: ModelAnalysis, batch_size: int | None = None) -> list[str]:
    """Footer lines under the totals: weight and activation memory, the training estimate,
    and what each output sees of the input."""
    model = analysis.model
    costs = model_costs(model, batch_size)
    memory = costs.memory
    weights = memory.weights
    stored = weights.total if isinstance(weights, WeightBytes) else weights
    lines = [f"Weight memory: {bytes_text(stored)}",
             f"Activation memory per sample: {bytes_text(memory.activations)}"]
    optimizer = memory.optimizer
    batch = memory.batch_size if memory.batch_size is not None else "B"
    name = optimizer.name if isinstance(optimizer, OptimizerState) else "optimizer unknown"
    text = f"Training memory ({name}, batch size {batch}): {memory.training_text()}"
    if isinstance(optimizer, OptimizerState) and optimizer.tf_keras is not None:
        other = MemoryEstimate(weights, memory.activations, optimizer.tf_keras, batch_size)
        text += f" (Keras 3; tf-keras: {other.training_text()})"
    lines.append(text)
    for ref in model.outputs:
        field = costs.fields.get(id(ref.call))
        if field is not None:
            lines.append(f"Receptive field of '{ref.call.layer.name}': {field_text(field)}")
    return lines


_NAMED_UNKNOWN = 8  # layers named in the line; JSON's flops_unknown_in has them all


def _cost_lines(cost: ModelCost) -> list[str]:
    """The model's FLOPs and MACs per sample, and the layers whose cost is unknown."""
    lines = [f"Total FLOPs: {cost_to_str(cost.flops)}", f"Total MACs: {cost_to_str(cost.macs)}"]
    if cost.unknown_in:
        more = len(cost.unknown_in) - _NAMED_UNKNOWN
        lines.append("Unknown FLOPs in: " + ", ".join(cost.unknown_in[:_NAMED_UNKNOWN])
                     + (f" and {more} more" if more > 0 else ""))
    return lines


def model_summary(analysis: ModelAnalysis, expand_nested: bool = False,
                  cells: CellIndex | None = None,
                  batch_size: int | None = None) -> SummaryTable:
    """The model's summary table and the lines under it, as text cells; ``cells``: a
    notebook's index, to name lines as ``cell 3:7``; ``batch_size``: the training memory
    estimate's."""
    model = analysis.model
    header: tuple[str, ...] = ("Layer (type)", "Output Shape", "Param #", "FLOPs", "Line")
    outer_calls = model.calls or model_calls(model)
    rows = _table_rows(model, summary_rows(model), expand_nested, analysis.cost, outer_calls,
                       0, cells)
    # A saved model has no source lines: no Line column, no line in the title.
    if not model.span.line and not any(layer.span.line for layer in model.layers):
        header = header[:4]
        rows = [SummaryRow(row.cells[:4], row.model, row.name, row.depth, row.source)
                for row in rows]
    found = cells.locate(model.span.line) if cells is not None else None
    where = f", cell {found[0]}, line {found[1]}" if found else \
        f", line {model.span.line}" if model.span.line else ""
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
    totals += cost_lines(analysis, batch_size)
    return SummaryTable(f'Model "{visible(model.name)}" ({model.kind}{where})', header, rows,
                        frozenset({2, 3, 4}), [visible(text) for text in totals])


def model_lines(analysis: ModelAnalysis, expand_nested: bool = False,
                cells: CellIndex | None = None, batch_size: int | None = None) -> list[Line]:
    return summary_lines(model_summary(analysis, expand_nested, cells, batch_size))


def summary_lines(summary: SummaryTable) -> list[Line]:
    table = [summary.header, *(("  " * row.depth + row.cells[0], *row.cells[1:])
                               for row in summary.rows)]
    rows = _aligned(table, right=set(summary.right))
    rule = "-" * max(len(row) for row in rows)
    lines: list[Line] = [[(summary.title, "bold")], [(rows[0], "bold")], [(rule, "")]]
    lines += [[(row, "")] for row in rows[1:]]
    lines.append([(rule, "")])
    lines += [[(text, "")] for text in summary.footer]
    return lines


def location(report: FileReport, diagnostic: Diagnostic) -> str:
    """``path:line:column`` (``path:cell 7:3:5`` in a notebook) of a finding, as both
    reports print it."""
    # Saved models have no source lines: the message names the layer.
    where = prefix(locate(diagnostic.span, report.cells))
    return f"{visible(report.path)}:{where[:-1]}" if where else visible(report.path)


def diagnostic_lines(report: FileReport, diagnostic: Diagnostic) -> list[Line]:
    span = diagnostic.span
    lines: list[Line] = [[
        (f"{location(report, diagnostic)}: ", ""),
        (diagnostic.code, SEVERITY_STYLE[diagnostic.severity]),
        (f" [{diagnostic.severity.value}] {visible(diagnostic.rule)}: "
         f"{visible(diagnostic.message)}", ""),
    ]]
    if 0 < span.line <= len(report.source_lines):
        source = visible_source(report.source_lines[span.line - 1].rstrip())
        shown = locate(span, report.cells).line
        lines.append([(f"  {shown:>4} | {source}", "dim")])
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
        if not report.models and not report.diagnostics and not report.search_spaces:
            continue
        lines.append([(visible(report.path), "bold underline")])
        for analysis in report.models:
            lines += model_lines(analysis, expand_nested, report.cells, report.batch_size)
            lines.append([])
        lines += search_space_report(report)
        for diagnostic in report.diagnostics:
            lines += diagnostic_lines(report, diagnostic)
        lines.append([])
    lines.append([(summary_line(reports), "bold")])
    return lines


def search_space_report(report: FileReport) -> list[Line]:
    """The KerasTuner search spaces of a file, each followed by a blank line."""
    if not report.search_spaces:
        return []
    from archlint.render.search_space import search_space_lines

    lines: list[Line] = []
    for space in report.search_spaces:
        lines += [*search_space_lines(space), []]
    return lines


def write_plain(reports: list[FileReport], stream: TextIO, expand_nested: bool = False) -> None:
    stream.write("".join("".join(text for text, _ in line) + "\n"
                         for line in report_lines(reports, expand_nested)))


def render(reports: list[FileReport], stream: TextIO | None = None,
           expand_nested: bool = False, color: str = "auto") -> None:
    """Rich on a colour terminal, plain text everywhere else (pipes, files, NO_COLOR)."""
    from archlint.render.terminal import wants_colour

    stream = stream or sys.stdout
    if wants_colour(stream, color):
        from archlint.render.rich_report import write_rich

        write_rich(reports, stream, expand_nested)
    else:
        write_plain(reports, stream, expand_nested)
