"""The report on a colour terminal: each model's summary as a table in the style of Keras's
own ``model.summary()`` (heavy header, a rule between rows, totals under it), with symbolic
sizes highlighted and the codes of the findings on the rows they concern; then each finding
as a code frame (``code_frame``); then the count line.

It reads the same rows and footer lines as the plain report (``text.model_summary``), so a
column or a footer line added there shows here too. Only this module imports rich, and only
``text.render`` imports it, when standard output is a colour terminal.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TextIO

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from archlint.analysis import FileReport
from archlint.diagnostics import Diagnostic
from archlint.dims import Expr
from archlint.render.code_frame import SEVERITY_STYLE, code_frame
from archlint.render.escape import visible
from archlint.render.text import (
    SummaryRow,
    SummaryTable,
    model_summary,
    search_space_report,
    summary_line,
    summary_lines,
)
from archlint.summary_rows import NestedRow

# Above this many rows a summary is printed as the plain aligned table: laying out a rich
# Table costs 0.5 to 1 ms a row (2.4 s for 2,000 layers, where the plain table takes 70 ms),
# so 200 rows (ResNet50 has 177) stay near 0.1-0.2 s; benchmarks/report_timing.py measures.
RICH_TABLE_MAX_ROWS = 200

SYMBOLIC_STYLE = "bold magenta"  # a size that depends on a named size (T, args.window)
CLASS_STYLE = "color(45)"  # as Keras's summary shows the class name
ERROR_CELL_STYLE = "red"

Marks = dict[tuple[str, str], list[Diagnostic]]


def write_rich(reports: list[FileReport], stream: TextIO, expand_nested: bool = False) -> None:
    """Colours on a terminal (or wherever ``--color=always`` sends them)."""
    console = Console(file=stream, highlight=False, force_terminal=True, no_color=False)
    print_report(console, reports, expand_nested)


def print_report(console: Console, reports: list[FileReport],
                 expand_nested: bool = False) -> None:
    for report in reports:
        if report.error:
            console.print(Text(visible(f"{report.path}: error: {report.error}"),
                               style="bold red"), soft_wrap=True)
            continue
        if not report.models and not report.diagnostics and not report.search_spaces:
            continue
        console.print(Text(visible(report.path), style="bold underline"), soft_wrap=True)
        marks = _marks(report.diagnostics)
        for analysis in report.models:
            summary = model_summary(analysis, expand_nested, report.cells,
                                    report.batch_size)
            if len(summary.rows) > RICH_TABLE_MAX_ROWS:
                _print_plain_table(console, summary)
            else:
                _print_table(console, summary, marks, analysis.model.name)
            console.print()
        for line in search_space_report(report):
            console.print(Text.assemble(*((text, style or "") for text, style in line)),
                          soft_wrap=True)
        for diagnostic in report.diagnostics:
            console.print(code_frame(report, diagnostic), soft_wrap=True)
            console.print()
    console.print(Text(summary_line(reports), style="bold"), soft_wrap=True)


def _marks(diagnostics: Iterable[Diagnostic]) -> Marks:
    """The findings about each layer, by (model name, layer name)."""
    marks: Marks = defaultdict(list)
    for diagnostic in diagnostics:
        if diagnostic.layer is not None:
            marks[(diagnostic.model or "", diagnostic.layer)].append(diagnostic)
    return marks


def _row_findings(row: SummaryRow, marks: Marks, outer: str) -> list[Diagnostic]:
    found = {id(d): d for key in ((row.model, row.name), (outer, row.name), ("", row.name))
             for d in marks.get(key, ())}
    return list(found.values())


def _symbolic_texts(row: SummaryRow) -> tuple[list[str], set[str]]:
    """The row's symbolic dimensions as printed (longest first), and the named sizes they
    use."""
    if isinstance(row.source, NestedRow):
        output, params = row.source.output, row.source.params
    else:
        call = row.source.calls[0] if row.source.calls else None
        output = call.output if call is not None else None
        params = call.params if call is not None else None
    dims: list[Expr] = []
    stack: list[object] = [output]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, Expr):
            dims.append(item)
        elif getattr(item, "tail", None):
            stack.extend(item.tail)  # type: ignore[attr-defined]
    if params is not None:  # counts are typed int but are expressions of named sizes
        counts: tuple[object, ...] = (params.total, params.trainable)
        dims += [count for count in counts if isinstance(count, Expr)]
    symbols = {name for dim in dims for name in dim.symbols()}
    return sorted({visible(str(dim)) for dim in dims}, key=len, reverse=True), symbols


def _styled_cell(cell: str, texts: list[str], symbols: set[str]) -> Text:
    """A shape cell with its symbolic dimensions highlighted; a count cell that depends on
    a named size highlighted whole."""
    text = Text(cell)
    if cell.startswith("✗"):
        text.stylize(ERROR_CELL_STYLE)
    elif cell.startswith(("(", "[")):
        for dim in texts:
            text.highlight_words([dim], SYMBOLIC_STYLE)
    elif any(symbol in cell for symbol in symbols):
        text.stylize(SYMBOLIC_STYLE)
    return text


def _name_cell(row: SummaryRow, findings: list[Diagnostic]) -> Text:
    # Keras marks a nested model's rows with "└" under it, three spaces a level.
    prefix = "   " * row.depth + "└ " if row.depth else ""
    name, paren, class_name = row.cells[0].rpartition(" (")
    if not paren:
        text = Text(prefix + row.cells[0])
    else:
        text = Text.assemble(prefix + name + " (", (class_name[:-1], CLASS_STYLE), ")")
    shown: set[str] = set()
    for diagnostic in findings:
        if diagnostic.code not in shown:  # the same finding about two models: once
            shown.add(diagnostic.code)
            text.append(" ")
            text.append(diagnostic.code, style=SEVERITY_STYLE[diagnostic.severity])
    return text


def _print_table(console: Console, summary: SummaryTable, marks: Marks, outer: str) -> None:
    table = Table(box=box.HEAVY_HEAD, show_lines=True, header_style="bold")
    for i, title in enumerate(summary.header):
        # A narrow terminal folds a long cell; it never cuts a name or a count short.
        table.add_column(title, justify="right" if i in summary.right else "left",
                         overflow="fold")
    all_symbols: set[str] = set()
    for row in summary.rows:
        texts, symbols = _symbolic_texts(row)
        all_symbols |= symbols
        findings = _row_findings(row, marks, outer)
        table.add_row(_name_cell(row, findings),
                      *(_styled_cell(cell, texts, symbols) for cell in row.cells[1:]))
    console.print(Text(summary.title, style="bold"), soft_wrap=True)
    console.print(table)
    for line in summary.footer:
        label, colon, value = line.partition(": ")
        # A count that is an expression of named sizes, as in the table.
        symbolic = " " not in value and any(symbol in value for symbol in all_symbols)
        console.print(Text.assemble(" ", (label + colon, "bold"),
                                    (value, SYMBOLIC_STYLE if symbolic else "")),
                      soft_wrap=True)


def _print_plain_table(console: Console, summary: SummaryTable) -> None:
    """A large model's summary as the plain report prints it: the title and the header in
    bold, the rows written as they are (escaped already), without rich's per-line work."""
    lines = summary_lines(summary)
    for line in lines[:2]:
        console.print(Text.assemble(*line), soft_wrap=True)
    rows = "".join("".join(segment for segment, _ in line) + "\n" for line in lines[2:])
    if console.record:  # a recording console keeps what goes through print
        console.print(rows, end="", soft_wrap=True, markup=False, highlight=False)
    else:
        console.file.write(rows)
