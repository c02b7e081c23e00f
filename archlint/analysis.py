"""One file, end to end: read, parse, interpret, propagate shapes, run the rules, apply
suppressions."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING

from archlint import suppressions
from archlint.codes import RULE_CRASHED, SYNTAX_ERROR, UNUSED_SUPPRESSION
from archlint.diagnostics import Diagnostic, Event, Severity
from archlint.engine import ModelAnalysis, analyse_model, stray_call_events
from archlint.files import open_regular, read_source
from archlint.frontend.interpreter import Interpreter
from archlint.frontend.naming import KERAS2
from archlint.frontend.values import HostObject
from archlint.graph import Layer, Span
from archlint.records import field, record
from archlint.rule import Rule, RuleContext

if TYPE_CHECKING:
    from archlint.notebook import CellIndex
    from archlint.search_space.space import SearchSpace

KERAS_MARKERS = ("keras", "tensorflow")
# What a script with a KerasTuner hypermodel holds (`hp.Int(`...): only then is it looked for.
HYPERPARAMETER_MARKERS = (".Int(", ".Float(", ".Choice(", ".Boolean(", ".Fixed(",
                          ".conditional_scope(")


@record
class FileReport:
    path: str
    models: list[ModelAnalysis] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # Set when the file could not be read at all (exit code 2 for that file).
    error: str | None = None
    source_lines: list[str] = field(default_factory=list)
    # Every layer the file builds, in a model or not.
    layers: list[Layer] = field(default_factory=list)
    # A notebook's lines -> (cell, line in the cell); lines and spans are of the joined cells.
    cells: CellIndex | None = None
    # The search space of each KerasTuner hypermodel the script defines.
    search_spaces: list[SearchSpace] = field(default_factory=list)
    # The configured training batch size, which the memory estimates use.
    batch_size: int | None = None


@record
class Settings:
    """The rules a run applies, already configured and selected, and severity overrides."""

    rules: list[Rule]
    severity: dict[str, Severity] = field(default_factory=dict)
    # Code -> name of every rule archlint knows, enabled or not (empty: the enabled ones);
    # a suppression naming none of them is reported.
    catalog: dict[str, str] = field(default_factory=dict)
    # The Keras scripts run under: "auto" (what each script's imports say), "3", "2", "both".
    keras: str = "auto"
    # Values bound to named sizes (--set, [tool.archlint.values]): name -> size.
    values: dict[str, int] = field(default_factory=dict)
    # The training batch size (--batch-size, batch-size) and the memory budget in bytes.
    batch_size: int | None = None
    memory_budget: int | None = None

    def level(self, rule: Rule) -> Severity:
        return self.severity.get(rule.code, rule.severity)


def analyse_source(source: str, path: str = "<string>", settings: Settings | None = None,
                   syntax_error: Event | None = None) -> FileReport:
    """``syntax_error``: a parse error found beforehand (a notebook cell), reported instead
    of analysing the source."""
    settings = settings or default_settings()
    report = FileReport(path, source_lines=source.splitlines(), batch_size=settings.batch_size)
    if not any(marker in source for marker in KERAS_MARKERS):
        return report  # not a Keras script: nothing to say
    suppressed = suppressions.parse(source)
    if suppressed.skip_file:
        return report
    events, layers = ([syntax_error], []) if syntax_error else \
        _analyse(source, path, report, settings.keras, settings.values)
    report.layers = layers
    _run_rules(report, _context(path, report.models, events, layers, settings), settings,
               suppressed)
    if any(marker in source for marker in HYPERPARAMETER_MARKERS):
        report.search_spaces = _search_spaces(source, path, settings)
    return report


def _context(path: str, models: list[ModelAnalysis], events: list[Event],
             layers: list[Layer], settings: Settings) -> RuleContext:
    return RuleContext(path, models, events, layers, settings.batch_size,
                       settings.memory_budget)


def _search_spaces(source: str, path: str, settings: Settings) -> list[SearchSpace]:
    from archlint.search_space.space import analyse_search_spaces

    try:
        tree = ast.parse(source, filename=path)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []  # already reported by the analysis
    return analyse_search_spaces(tree, source, path, settings)


def _run_rules(report: FileReport, context: RuleContext, settings: Settings,
               suppressed: suppressions.Suppressions | None = None) -> None:
    """Every selected rule over the context; crashes become AL004, suppressions apply."""
    suppressed = suppressed or suppressions.Suppressions()
    by_code = {rule.code: rule for rule in settings.rules}
    found: list[Diagnostic] = []
    for rule in settings.rules:
        if rule.code == UNUSED_SUPPRESSION:
            continue
        try:
            findings = list(rule.check(context))
        except Exception as error:  # a rule's bug must not hide the other rules' findings
            crash = Event(RULE_CRASHED, f"rule {rule.code} ({rule.name}) crashed: "
                          f"{type(error).__name__}: {error}", Span(1))
            crash_rule = by_code.get(RULE_CRASHED)
            if crash_rule is not None:
                found.extend(_diagnostics(crash_rule, crash_rule.check(
                    RuleContext(context.path, [], [crash])), settings))
            continue
        found.extend(_diagnostics(rule, findings, settings))
    report.diagnostics.extend(d for d in _one_per_site(found) if suppressed.find(
        d.code, d.rule, d.span.line, d.span.end_line) is None)
    unused_rule = by_code.get(UNUSED_SUPPRESSION)
    # A `skip-file: AL503` (or a prefix of it) silences the judgement of the others too.
    if unused_rule is not None and not any(s.covers(unused_rule.code, unused_rule.name)
                                           for s in suppressed.file_wide):
        catalog = settings.catalog or {rule.code: rule.name for rule in settings.rules}
        unused = [Event(UNUSED_SUPPRESSION, message, Span(s.line, s.column))
                  for s in suppressed.every()
                  if (message := _suppression_problem(s, catalog, set(by_code)))]
        report.diagnostics.extend(_diagnostics(
            unused_rule, unused_rule.check(RuleContext(context.path, [], unused)), settings))
    report.diagnostics.sort(key=Diagnostic.sort_key)


def _one_per_site(found: list[Diagnostic]) -> list[Diagnostic]:
    """One finding per code and source site, however often a loop or a function called
    several times reaches it: the first one, which names the first layer concerned."""
    seen: set[tuple[object, ...]] = set()
    kept = []
    for diagnostic in found:
        key: tuple[object, ...] = (diagnostic.code, diagnostic.span.line, diagnostic.span.column)
        if not diagnostic.span.line:  # a saved model has no lines: its layers are the sites
            key += (diagnostic.model, diagnostic.layer, diagnostic.message)
        if key not in seen:
            seen.add(key)
            kept.append(diagnostic)
    return kept


def _analyse(source: str, path: str, report: FileReport, keras: str = "auto",
             values: dict[str, int] | None = None) -> tuple[list[Event], list[Layer]]:
    try:
        tree = ast.parse(source, filename=path)
    except (RecursionError, MemoryError):
        return [Event(SYNTAX_ERROR, "Python's parser gives up on this file: it is nested too "
                      "deeply or is too large to parse", Span(1))], []
    except (SyntaxError, ValueError) as error:
        line = getattr(error, "lineno", None) or 1
        column = max((getattr(error, "offset", None) or 1) - 1, 0)
        message = getattr(error, "msg", str(error))
        return [Event(SYNTAX_ERROR, f"Python cannot parse this file: {message}",
                      Span(line, column))], []
    interpreter = Interpreter(tree, source, keras, values)
    interpreter.run()
    return _analyse_interpreted(interpreter, report), interpreter.layers


def _analyse_interpreted(interpreter: Interpreter, report: FileReport) -> list[Event]:
    """The models of a walked script analysed into ``report``; every event."""
    events = list(interpreter.events)
    reported: set[int] = set()
    for model in interpreter.models:
        report.models.append(analyse_model(model, reported))
    for analysis in report.models:
        events.extend(analysis.events)
    versions = {"2": ("2",), "both": ("3", "2")}.get(interpreter.keras, ("3",))
    if interpreter.names.dialect == KERAS2:
        versions = ("2",)
    events.extend(stray_call_events(interpreter.calls, reported, versions))
    return events


class PointAnalyser:
    """One script analysed again and again, its hypermodel called each time on one
    point's ``hp`` (``archlint.search_space``)."""

    def __init__(self, tree: ast.Module, source: str, path: str, settings: Settings):
        self.tree, self.source, self.path, self.settings = tree, source, path, settings
        self.suppressed = suppressions.parse(source)
        self.last: Interpreter | None = None

    def analyse(self, hypermodel: tuple[str, HostObject],
                ) -> tuple[FileReport, ModelAnalysis | None]:
        """The report, and the analysis of the model the hypermodel returns (None when
        it returns none that archlint follows)."""
        report = FileReport(self.path)
        interpreter = Interpreter(self.tree, self.source, self.settings.keras,
                                  self.settings.values, like=self.last)
        self.last = interpreter
        returned = interpreter.run(hypermodel)
        events = _analyse_interpreted(interpreter, report)
        report.layers = interpreter.layers
        _run_rules(report, RuleContext(self.path, report.models, events, interpreter.layers),
                   self.settings, self.suppressed)
        model = getattr(returned, "model", None)
        found = next((a for a in report.models if a.model is model), None)
        return report, found

    @property
    def steps(self) -> int:
        """The steps the last walk took (what a point costs)."""
        return self.last.evaluator.steps if self.last is not None else 0


def _diagnostics(rule: Rule, findings: object, settings: Settings) -> list[Diagnostic]:
    level = settings.level(rule)
    return [Diagnostic(rule.code, rule.name, level, f.message, f.span, f.model, f.layer)
            for f in findings]  # type: ignore[attr-defined]


def _suppression_problem(suppression: suppressions.Suppression, catalog: dict[str, str],
                         enabled: set[str]) -> str | None:
    """What is wrong with a suppression: codes that name no rule, codes that suppressed
    nothing (only judged when every rule they name has run); None when nothing is."""
    directive = f"`archlint: {suppression.directive}`"
    if suppression.codes is None:
        return None if suppression.used else \
            f"this {directive} for any code suppresses nothing; remove it"
    unknown, unused = [], []
    for selector in suppression.codes:
        named = [code for code, name in catalog.items()
                 if suppressions.selects(selector, code, name)]
        if not named:
            unknown.append(selector)
        elif selector not in suppression.used_codes and set(named) <= enabled:
            unused.append(selector)
    problems = []
    if unknown:
        which = "which matches" if len(unknown) == 1 else "which match"
        problems.append(f"this {directive} names {' and '.join(unknown)}, {which} no rule "
                        "code, prefix or name (see `archlint rules`)")
    if unused and len(unused) + len(unknown) == len(suppression.codes):
        problems.append(f"this {directive} for {', '.join(unused)} suppresses nothing; "
                        "remove it")
    elif unused:
        verb, pronoun = ("suppresses", "it") if len(unused) == 1 else ("suppress", "them")
        problems.append(f"{', '.join(unused)} in this {directive} {verb} nothing; remove "
                        f"{pronoun} from the comment")
    return "; ".join(problems) or None


SAVED_MODEL_SUFFIXES = (".keras", ".json")
_MODEL_JSON_MARKERS = ('"Functional"', '"Sequential"', '"Model"')


def analyse_saved(path: str | Path, settings: Settings | None = None) -> FileReport:
    """A saved model (``.keras`` zip or ``model.to_json()`` file), from its stored config:
    no TensorFlow, no weights. Diagnostics name layers; there are no source lines."""
    from archlint.frontend.saved_model import SavedModelError, read_models

    settings = settings or default_settings()
    report = FileReport(str(path), batch_size=settings.batch_size)
    if Path(path).suffix == ".json" and not _looks_like_model_json(Path(path)):
        return report  # some other JSON file: not ours to judge
    try:
        models, events = read_models(path)
    except SavedModelError as error:
        report.error = str(error)
        return report
    reported: set[int] = set()
    report.models = [analyse_model(model, reported) for model in models]
    for analysis in report.models:
        events.extend(analysis.events)
    layers = report.layers = [layer for analysis in report.models
                              for layer in analysis.model.layers]
    _run_rules(report, _context(str(path), report.models, events, layers, settings), settings)
    return report


def _looks_like_model_json(path: Path) -> bool:
    try:
        with open_regular(path) as handle:
            head = handle.read(1 << 16).decode("utf-8", errors="replace")
    except OSError:
        return True  # let the reader report it
    return '"class_name"' in head and any(m in head for m in _MODEL_JSON_MARKERS)


def analyse_notebook(path: str | Path, settings: Settings | None = None) -> FileReport:
    """A Jupyter notebook: its code cells analysed as one script (``archlint.notebook``);
    the report keeps the cell index that renderers map lines through."""
    from archlint.notebook import cell_syntax_error, read_notebook

    try:
        book = read_notebook(str(path))
    except OSError as error:
        return FileReport(str(path), error=f"cannot read {path}: {error.strerror or error}")
    problem = cell_syntax_error(book)
    syntax_error = None
    if problem is not None:
        line, column, message = problem
        syntax_error = Event(SYNTAX_ERROR, f"Python cannot parse this cell: {message}",
                             Span(line, column))
    report = analyse_source(book.source, str(path), settings, syntax_error)
    report.cells = book.index
    # Messages name other lines of the joined cells ("LSTM 'lstm' (line 12)"); a parse
    # error's message already speaks of its own cell.
    report.diagnostics = [d if d.code == SYNTAX_ERROR else Diagnostic(
        d.code, d.rule, d.severity, book.index.in_cells(d.message), d.span, d.model, d.layer)
        for d in report.diagnostics]
    report.source_lines = book.lines  # excerpts show the cells as written, magics too
    return report


def analyse_file(path: str | Path, settings: Settings | None = None) -> FileReport:
    if Path(path).suffix in SAVED_MODEL_SUFFIXES:
        return analyse_saved(path, settings)
    if Path(path).suffix == ".ipynb":
        return analyse_notebook(path, settings)
    try:
        source = read_source(path)
    except OSError as error:
        return FileReport(str(path), error=f"cannot read {path}: {error.strerror or error}")
    return analyse_source(source, str(path), settings)


_default: Settings | None = None


def default_settings() -> Settings:
    """Every built-in rule with its defaults (plugins come in through the CLI's settings)."""
    global _default
    if _default is None:
        from archlint.plugins import load_rules

        loaded, _ = load_rules(include_plugins=False)
        _default = Settings([entry.rule_class() for entry in loaded],
                            catalog={e.rule_class.code: e.rule_class.name for e in loaded})
    return _default
