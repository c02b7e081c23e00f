"""What the editor shows next to the code: a note at the end of each line that creates or
calls a layer (its output shape and parameter count), and a layer's summary row on hover.

Pure functions of a FileReport, with 1-based lines as the report has them; the language
server turns them into LSP positions. The texts come from the terminal report's own row
helpers, so the editor and ``archlint check`` print the same shapes and counts.
"""

from __future__ import annotations

from archlint.analysis import FileReport
from archlint.dims import count_to_str
from archlint.graph import Call, Layer, Span
from archlint.records import record
from archlint.render.text import layer_row, nested_row, shape_text
from archlint.summary_rows import NestedRow, summary_rows


@record(frozen=True)
class Site:
    """One place in the source that makes a layer's output: a call, or a model called as a
    layer. ``label`` is its inlay text, ``row`` its summary row."""

    span: Span
    order: int
    label: str
    row: tuple[str, str, str, str]

    @property
    def last_line(self) -> int:
        return self.span.end_line or self.span.line


def call_label(call: Call) -> str:
    """``→ (None, 11, 32) · 1,952 params``; ``✗ AL104`` when Keras refuses the call."""
    if call.error is not None:
        return f"✗ {call.error.code}"
    label = f"→ {shape_text(call.output)}"
    if call.params is not None:
        label += f" · {count_to_str(call.params.total)} params"
    return label


def sites(report: FileReport) -> list[Site]:
    """Every call site once (a loop or a function called twice reaches a site again: the
    first call is shown, with how many there are), then every model called as a layer."""
    by_site: dict[tuple[int, int], list[Call]] = {}
    # When a model called as a layer runs, by the line of the call (for the order of a line's
    # hints).
    nested_order: dict[int, int] = {}
    for layer in report.layers:
        for call in layer.calls:
            if not call.span.line:
                continue
            if call.nested_in:  # shown once, on the nested model's own row
                line = call.span.line
                nested_order[line] = min(nested_order.get(line, call.order), call.order)
            else:
                by_site.setdefault((call.span.line, call.span.column), []).append(call)
    found = []
    for calls in by_site.values():
        first = min(calls, key=lambda call: call.order)
        label = call_label(first)
        if len(calls) > 1:
            label += f" ({len(calls)} calls)"
        found.append(Site(first.span, first.order, label,
                          layer_row(first.layer, _top_level_calls(first.layer))))
    found += _nested_sites(report, nested_order)
    return sorted(found, key=lambda site: (site.last_line, site.order))


def _nested_sites(report: FileReport, order: dict[int, int]) -> list[Site]:
    seen: set[tuple[int, str]] = set()
    found: list[Site] = []
    for analysis in report.models:
        for row in summary_rows(analysis.model):
            if not isinstance(row, NestedRow) or not row.line or (row.line, row.name) in seen:
                continue
            seen.add((row.line, row.name))
            params = f" · {count_to_str(row.params.total)} params" if row.params is not None \
                else ""
            label = f"→ {shape_text(row.output)}{params}"
            found.append(Site(Span(row.line), order.get(row.line, 0), label, nested_row(row)))
    return found


def line_labels(report: FileReport) -> dict[int, str]:
    """The inlay text at the end of each line (1-based) that makes a layer's output; the
    sites ending on one line are joined in the order they run."""
    labels: dict[int, list[str]] = {}
    for site in sites(report):
        labels.setdefault(site.last_line, []).append(site.label)
    for layer in report.layers:
        # A layer made on one line and called on another: its weights where it is made.
        line = layer.span.end_line or layer.span.line
        if line and line not in labels and _called_elsewhere(layer) \
                and layer.calls[0].params is not None:
            labels[line] = [f"{count_to_str(layer.calls[0].params.total)} params"]
    return {line: "; ".join(texts) for line, texts in labels.items()}


def _top_level_calls(layer: Layer) -> int:
    return sum(1 for call in layer.calls if not call.nested_in)


def _called_elsewhere(layer: Layer) -> bool:
    return bool(layer.calls) and all(call.span.line != layer.span.line for call in layer.calls)


def hover_markdown(report: FileReport, line: int) -> tuple[str, Span] | None:
    """The summary rows of the sites on ``line`` (1-based) as a Markdown table, with the
    finding codes on each, and the span to highlight; None when no layer is made there."""
    here = [site for site in sites(report) if site.span.line <= line <= site.last_line]
    if not here:
        # A layer made here and called elsewhere; one handed to another layer
        # (``Bidirectional(LSTM(8))``) is that layer's row, not one of its own.
        here = [Site(layer.span, 0, "", layer_row(layer, _top_level_calls(layer)))
                for layer in report.layers if _covers(layer.span, line)
                and (layer.calls or not layer.referenced)]
    if not here:
        return None
    table = ["| Layer (type) | Output Shape | Param # | Findings |", "|---|---|---|---|"]
    for site in here:
        name, shape, params, _ = site.row
        codes = sorted({d.code for d in report.diagnostics if _overlaps(d.span, site.span)})
        table.append(f"| {_cell(name)} | {_cell(shape)} | {params} | "
                     f"{', '.join(codes) or '-'} |")
    if len(here) == 1:
        return "\n".join(table), here[0].span
    first, last = here[0].span, max((site.span for site in here),
                                    key=lambda span: (span.end_line or span.line))
    return "\n".join(table), Span(first.line, first.column, last.end_line or last.line,
                                  last.end_column)


def _cell(text: str) -> str:
    """A table cell as code: shapes such as ``32*F+32`` are not Markdown emphasis."""
    return "`" + text.replace("`", "'").replace("|", "\\|") + "`"


def _covers(span: Span, line: int) -> bool:
    return span.line <= line <= (span.end_line or span.line)


def _overlaps(a: Span, b: Span) -> bool:
    return a.line <= (b.end_line or b.line) and b.line <= (a.end_line or a.line)
