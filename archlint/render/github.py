"""``--format github``: GitHub Actions workflow commands, shown as annotations on the diff.

    ::error file=model.py,line=7,col=6,endLine=7,endColumn=20,title=AL101 nonpositive-timesteps::...

In a notebook the annotation is on the file, and the message starts with ``cell 7:3:5:``.
"""

from __future__ import annotations

from archlint.analysis import FileReport
from archlint.diagnostics import Severity
from archlint.render.escape import visible
from archlint.render.location import locate, prefix

COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape_data(text: str) -> str:
    """The workflow-command encoding of line breaks (GitHub shows them as breaks), then
    every other control character escaped as in the other formats."""
    return visible(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(reports: list[FileReport]) -> str:
    lines = []
    for report in reports:
        path = _escape_property(report.path)
        if report.error:
            lines.append(f"::error file={path},title=archlint::{_escape_data(report.error)}")
        for d in report.diagnostics:
            where = locate(d.span, report.cells)
            props = [f"file={path}"]
            message = d.message
            if where.cell is not None:
                # A line of the cell is not a line of the .ipynb file GitHub shows: the
                # annotation goes on the file, and the message names the cell.
                message = f"{prefix(where)} {message}"
            else:
                props += [f"line={max(where.line, 1)}", f"col={where.column + 1}"]
                if where.end_line:
                    props += [f"endLine={where.end_line}", f"endColumn={where.end_column + 1}"]
            props.append("title=" + _escape_property(f"{d.code} {d.rule}"))
            lines.append(f"::{COMMAND[d.severity]} {','.join(props)}::{_escape_data(message)}")
    return "".join(line + "\n" for line in lines)
