"""One file, end to end: read, parse, interpret, propagate shapes, run the rules."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from archlint.diagnostics import Diagnostic, Event
from archlint.engine import ModelAnalysis, analyse_model
from archlint.frontend.interpreter import Interpreter
from archlint.graph import Span
from archlint.rule import Rule, RuleContext, builtin_rules

SYNTAX_ERROR = "AL003"
KERAS_MARKERS = ("keras", "tensorflow")


@dataclass
class FileReport:
    path: str
    models: list[ModelAnalysis] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # Set when the file could not be read at all (exit code 2 for that file).
    error: str | None = None
    source_lines: list[str] = field(default_factory=list)


def analyse_source(source: str, path: str = "<string>",
                   rules: list[Rule] | None = None) -> FileReport:
    report = FileReport(path, source_lines=source.splitlines())
    events: list[Event] = []
    if not any(marker in source for marker in KERAS_MARKERS):
        return report  # not a Keras script: nothing to say
    try:
        tree = ast.parse(source, filename=path)
    except (SyntaxError, ValueError) as error:
        line = getattr(error, "lineno", None) or 1
        column = max((getattr(error, "offset", None) or 1) - 1, 0)
        message = getattr(error, "msg", str(error))
        events.append(Event(SYNTAX_ERROR, f"Python cannot parse this file: {message}",
                            Span(line, column)))
    else:
        interpreter = Interpreter(tree)
        interpreter.run()
        events.extend(interpreter.events)
        reported: set[int] = set()
        for model in interpreter.models:
            report.models.append(analyse_model(model, reported))
        for analysis in report.models:
            events.extend(analysis.events)
    context = RuleContext(path, report.models, events)
    for rule in rules if rules is not None else default_rules():
        for finding in rule.check(context):
            report.diagnostics.append(Diagnostic(
                rule.code, rule.name, rule.severity, finding.message, finding.span,
                finding.model, finding.layer))
    report.diagnostics.sort(key=Diagnostic.sort_key)
    return report


def analyse_file(path: str | Path, rules: list[Rule] | None = None) -> FileReport:
    try:
        source = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return FileReport(str(path), error=f"cannot read {path}: {error}")
    return analyse_source(source, str(path), rules)


_default_rules: list[Rule] | None = None


def default_rules() -> list[Rule]:
    global _default_rules
    if _default_rules is None:
        _default_rules = builtin_rules()
    return _default_rules
