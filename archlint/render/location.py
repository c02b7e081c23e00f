"""Where a finding is, as the reader knows the file: a script's line and column, or a
notebook's cell and the line in that cell (the analysis sees the cells joined; the mapping
back happens here, at the edge, as Ruff's ``NotebookIndex`` does)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from archlint.graph import Span
from archlint.records import record

if TYPE_CHECKING:
    from archlint.notebook import CellIndex


@record(frozen=True)
class Location:
    """1-based lines, 0-based columns; ``cell`` is None outside notebooks, ``end_line`` 0
    when the end is not known (or not in the same cell)."""

    cell: int | None
    line: int
    column: int
    end_line: int
    end_column: int


def locate(span: Span, cells: CellIndex | None) -> Location:
    """``span`` in the file's own terms.

    >>> from archlint.notebook import CellIndex
    >>> locate(Span(4, 2, 5, 9), CellIndex([2, 2, 2, 4, 4], [1, 2, 3, 1, 2]))
    Location(cell=4, line=1, column=2, end_line=2, end_column=9)
    """
    if cells is None:
        return Location(None, span.line, span.column, span.end_line, span.end_column)
    start = cells.locate(span.line)
    if start is None:
        return Location(None, span.line, span.column, span.end_line, span.end_column)
    end = cells.locate(span.end_line)
    if end is None or end[0] != start[0]:
        return Location(start[0], start[1], span.column, 0, 0)
    return Location(start[0], start[1], span.column, end[1], span.end_column)


def line_label(line: int, cells: CellIndex | None) -> str:
    """A line as a summary table or a title names it: ``7``, or ``cell 3:7`` in a notebook;
    empty for no line (a saved model)."""
    if not line:
        return ""
    found = cells.locate(line) if cells is not None else None
    return f"cell {found[0]}:{found[1]}" if found else str(line)


def prefix(location: Location) -> str:
    """``3:5:`` or ``cell 7:3:5:`` after a path (1-based column); empty without a line."""
    if not location.line:
        return ""
    cell = f"cell {location.cell}:" if location.cell is not None else ""
    return f"{cell}{location.line}:{location.column + 1}:"
