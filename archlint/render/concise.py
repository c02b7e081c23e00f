"""``--format concise``: one ``path:line:col: CODE message`` line per finding, for editors
and grep (``path:cell N:line:col:`` in a notebook)."""

from __future__ import annotations

from archlint.analysis import FileReport
from archlint.render.escape import visible
from archlint.render.location import locate, prefix


def render(reports: list[FileReport]) -> str:
    lines = []
    for report in reports:
        path = visible(report.path)
        if report.error:
            lines.append(f"{path}:1:1: error: {visible(report.error)}")
        for d in report.diagnostics:
            where = prefix(locate(d.span, report.cells))
            layer = f" (layer '{visible(d.layer)}')" if not d.span.line and d.layer else ""
            lines.append(f"{path}:{where} {d.code} [{d.severity.value}] {visible(d.message)}"
                         f"{layer}")
    return "".join(line + "\n" for line in lines)
