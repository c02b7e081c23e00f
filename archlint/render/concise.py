"""``--format concise``: one ``path:line:col: CODE message`` line per finding, for editors
and grep."""

from __future__ import annotations

from archlint.analysis import FileReport


def render(reports: list[FileReport]) -> str:
    lines = []
    for report in reports:
        if report.error:
            lines.append(f"{report.path}:1:1: error: {report.error}")
        for d in report.diagnostics:
            where = f"{d.span.line}:{d.span.column + 1}:" if d.span.line else ""
            layer = f" (layer '{d.layer}')" if not d.span.line and d.layer else ""
            lines.append(f"{report.path}:{where} {d.code} [{d.severity.value}] {d.message}"
                         f"{layer}")
    return "".join(line + "\n" for line in lines)
