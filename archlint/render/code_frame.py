"""A finding as a code frame, in the manner of rustc and Ruff: a header with the code and the
message, the location, the source lines around the span with a caret line under the span,
and the fix the message suggests on its own line.

Only the rich report draws frames; the plain report keeps one line per finding.
"""

from __future__ import annotations

import re

from rich.cells import cell_len
from rich.console import Group
from rich.text import Text

from archlint.analysis import FileReport
from archlint.diagnostics import Diagnostic, Severity
from archlint.graph import Span
from archlint.render.escape import visible, visible_source
from archlint.render.text import location

SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "bold yellow",
                  Severity.INFO: "bold cyan"}
GUTTER_STYLE = "bold blue"
CONTEXT_LINES = 1  # source lines shown before and after the span
MAX_SPAN_LINES = 6  # a longer span shows its first and last lines, "..." between

# The sentence where a message turns to what to do: the rules' messages end with an
# imperative ("Use padding='same'...", "Pad or filter...", "For N classes use ...").
_FIX = re.compile(r"(?<=[.)] )(?:(?:Use|Pad|Keep|Move|Give|Set|Remove|Delete|Add|Connect|"
                  r"Pass|Rename|Replace|Flip|Make|Change|Drop|Put|Call|Declare|Bind|Shrink|"
                  r"Wrap|Install|Define|Compile|Write|Name|Choose|Apply|Split|Reshape|Swap)\b|"
                  r"For [^.;]*\buse\b)")


def split_fix(message: str) -> tuple[str, str | None]:
    """The message's diagnosis and, apart, the fix it suggests (None when it suggests none).

    >>> split_fix("Keras 3 reports 48; tf-keras is right. Use equal units, or tf-keras")
    ('Keras 3 reports 48; tf-keras is right', 'Use equal units, or tf-keras')
    >>> split_fix("no step reaches the output (window 7). For N classes use softmax")
    ('no step reaches the output (window 7)', 'For N classes use softmax')
    >>> split_fix("LSTM 'lstm' expects ndim=3. Its input has ndim=2")
    ("LSTM 'lstm' expects ndim=3. Its input has ndim=2", None)
    """
    found = _FIX.search(message)
    if found is None:
        return message, None
    return message[:found.start()].rstrip(" ."), message[found.start():]


def _column(source: str, byte_column: int) -> int:
    """The display column of ``ast``'s UTF-8 byte offset in a line, as the frame prints it
    (tabs expanded, control characters escaped, wide characters two cells)."""
    prefix = source.encode("utf-8")[:max(byte_column, 0)].decode("utf-8", "ignore")
    return cell_len(visible_source(prefix))


def _underlines(lines: list[str], span: Span) -> dict[int, tuple[int, int]]:
    """For each line number the span covers, the display columns [start, end) to mark."""
    last = max(span.end_line, span.line)
    marks = {}
    for number in range(span.line, min(last, len(lines)) + 1):
        source = lines[number - 1].rstrip("\r\n")
        shown = cell_len(visible_source(source.rstrip()))
        indent = len(source) - len(source.lstrip())
        if not source.strip() and span.line < number < last:
            continue  # a blank line inside the span: nothing to mark
        start = _column(source, span.column) if number == span.line else _column(source, indent)
        end = _column(source, span.end_column) if number == last and span.end_line else shown
        if end <= start:  # no end known, or an empty span: mark one cell
            end = start + 1
        marks[number] = (start, end)
    return marks


def _shown_lines(first: int, last: int, lines: list[str]) -> list[int | None]:
    """Line numbers to print (None for an elision): the span's, cut in the middle when long,
    and the context around it (blank lines left out)."""
    marked = list(range(first, last + 1))
    numbers: list[int | None] = [n for n in range(max(1, first - CONTEXT_LINES), first)
                                 if lines[n - 1].strip()]
    if len(marked) > MAX_SPAN_LINES:
        keep = MAX_SPAN_LINES // 2
        numbers += [*marked[:keep], None, *marked[-keep:]]
    else:
        numbers += marked
    numbers += [n for n in range(last + 1, min(len(lines), last + CONTEXT_LINES) + 1)
                if lines[n - 1].strip()]
    return numbers


def code_frame(report: FileReport, diagnostic: Diagnostic) -> Group:
    """The finding as a frame; a finding with no source line to show (a saved model) keeps
    its header, location and help lines."""
    span = diagnostic.span
    style = SEVERITY_STYLE[diagnostic.severity]
    message, fix = split_fix(visible(diagnostic.message))
    header = Text.assemble((f"{diagnostic.severity.value}[{diagnostic.code}]", style),
                           (": ", "bold"), (message, "bold"))
    parts: list[Text] = [header]
    lines = report.source_lines
    marks = _underlines(lines, span) if 0 < span.line <= len(lines) else {}
    shown = _shown_lines(min(marks), max(marks), lines) if marks else []

    def numbered(number: int) -> int:
        """A line as the reader numbers it: in a notebook, the line in its cell."""
        found = report.cells.locate(number) if report.cells is not None else None
        return found[1] if found else number

    width = len(str(max((numbered(n) for n in shown if n is not None), default=0)))
    pad = " " * width
    # The rule's name labels the carets; without them it follows the location.
    rule = "" if shown else f" ({diagnostic.rule})"
    parts.append(Text.assemble((f"{pad}--> ", GUTTER_STYLE),
                               location(report, diagnostic) + rule))
    if shown:
        parts.append(Text(f"{pad} |", style=GUTTER_STYLE))
    last_marked = max(marks, default=0)
    for number in shown:
        if number is None:
            parts.append(Text("...", style=GUTTER_STYLE))
            continue
        source = visible_source(lines[number - 1].rstrip())
        gutter = f"{numbered(number):>{width}} |" + (" " if source else "")
        parts.append(Text.assemble((gutter, GUTTER_STYLE), source))
        if number in marks:
            start, end = marks[number]
            label = f" {diagnostic.rule}" if number == last_marked else ""
            parts.append(Text.assemble((f"{pad} | ", GUTTER_STYLE), " " * start,
                                       ("^" * (end - start) + label, style)))
    if shown:
        parts.append(Text(f"{pad} |", style=GUTTER_STYLE))
    if fix is not None:
        parts.append(Text.assemble((f"{pad} = ", GUTTER_STYLE), ("help", "bold"), f": {fix}"))
    return Group(*parts)
