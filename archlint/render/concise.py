"""``--format concise``: one ``path:line:col: CODE message`` line per finding, for editors
and grep."""

from __future__ import annotations

from archlint.analysis import FileReport
from archlint.render.escape import visible


def render(reports: list[FileReport]) -> str:
    lines = []
    for report in reports:
        path = visible(report.path)
        if report.error:
            lines.append(f"{path}:1:1: error: {visible(report.error)}")
        for d in report.diagnostics:
            where = f"{d.span.line}:{d.span.column + 1}:" if d.span.line else ""
            layer = f" (layer '{visible(d.layer)}')" if not d.span.line and d.layer else ""
            lines.append(f"{path}:{where} {d.code} [{d.severity.value}] {visible(d.message)}"
                         f"{layer}")
    return "".join(line + "\n" for line in lines)
