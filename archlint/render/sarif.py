"""``--format sarif``: SARIF 2.1.0 for code-scanning tabs and editors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from archlint import __version__
from archlint.analysis import FileReport
from archlint.diagnostics import Severity
from archlint.docs import INLINE_LITERAL, plain_text, sections
from archlint.render.location import locate
from archlint.rule import Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/archlint/"
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _uri(path: str) -> str:
    """Relative to the working directory where possible, with forward slashes."""
    candidate = Path(path)
    try:
        candidate = candidate.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return candidate.resolve().as_uri()
    return candidate.as_posix()


def _rule(rule: Rule) -> dict[str, Any]:
    doc = sections(type(rule))
    full = " ".join(f"{title}: {body}" for title, body in doc.items())
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": plain_text(full) or rule.summary,
                            "markdown": INLINE_LITERAL.sub(r"`\1`", full) or rule.summary},
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "helpUri": f"{INFORMATION_URI}#{rule.code.lower()}",
    }


def render(reports: list[FileReport], rules: list[Rule]) -> str:
    index = {rule.code: i for i, rule in enumerate(rules)}
    results = []
    for report in reports:
        for d in report.diagnostics:
            where = locate(d.span, report.cells)
            region: dict[str, Any] = {"startLine": max(where.line, 1),
                                      "startColumn": where.column + 1}
            if where.end_line:
                region["endLine"] = where.end_line
                region["endColumn"] = max(where.end_column + 1, 1)
            location: dict[str, Any] = {"physicalLocation": {
                "artifactLocation": {"uri": _uri(report.path)}, "region": region}}
            if where.cell is not None:
                # The region's lines are the cell's; the cell is named as a logical location
                # and given as a number (1-based, over all cells) in the location's properties.
                location["logicalLocations"] = [{"name": f"cell {where.cell}"}]
                location["properties"] = {"cell": where.cell}
            result: dict[str, Any] = {
                "ruleId": d.code,
                "level": LEVEL[d.severity],
                "message": {"text": d.message},
                "locations": [location],
            }
            if d.code in index:
                result["ruleIndex"] = index[d.code]
            if d.layer:
                result["properties"] = {"model": d.model, "layer": d.layer}
            results.append(result)
    notifications = [{"level": "error", "message": {"text": r.error},
                      "locations": [{"physicalLocation": {
                          "artifactLocation": {"uri": _uri(r.path)}}}]}
                     for r in reports if r.error]
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "archlint", "version": __version__,
                            "informationUri": INFORMATION_URI,
                            "rules": [_rule(rule) for rule in rules]}},
        "results": results,
    }
    if notifications:
        run["invocations"] = [{"executionSuccessful": False,
                               "toolExecutionNotifications": notifications}]
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2) + "\n"
