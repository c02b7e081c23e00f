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
            lines.append(f"{report.path}:{d.span.line}:{d.span.column + 1}: {d.code} "
                         f"[{d.severity.value}] {d.message}")
    return "".join(line + "\n" for line in lines)
