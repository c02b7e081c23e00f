"""A hypermodel's search space: the model figures over every point (or sampled points) and
the points Keras refuses.

Each point is a whole analysis of the script with the hypermodel called on an ``hp`` bound
to that point (``analysis.analyse_hypermodel_point``): its model's figures come from
``metrics.MODEL_FIGURES``, its refusals are the error diagnostics in the hypermodel or its
model, as the normal analysis reports them. A space of up to ``MAX_EXHAUSTIVE_POINTS``
points is walked whole and its bounds are exact. A larger one whose extra size comes from
hyperparameters that are only layer sizes is bounded from the formulas, exactly
(``search_space.formulas``); any other (or one with a range that has no step) is sampled,
and its bounds are only those of the points seen.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from archlint.codes import DATA_DEPENDENT_REFUSAL
from archlint.diagnostics import Diagnostic, Severity
from archlint.engine import ModelAnalysis
from archlint.records import field, record
from archlint.search_space.explore import NotListable, every_point, sampled_points, space_size
from archlint.search_space.formulas import NoProof, bound_figures, box_size, walk_structures
from archlint.search_space.hypermodels import Hypermodel, find_hypermodels
from archlint.search_space.hyperparameters import HyperParameter, PointHyperParameters
from archlint.search_space.metrics import MODEL_FIGURES, Figure, number
from archlint.search_space.size_uses import size_only_lines

if TYPE_CHECKING:
    from archlint.analysis import Settings

MAX_EXHAUSTIVE_POINTS = 1024
SAMPLED_POINTS = 128
# Layers built and statements walked over a whole walk: a large model, or a long script
# around the hypermodel (each point walks it again), gets fewer points (never under
# MIN_POINTS), so that a search space costs about as much whatever the script's size.
MAX_LAYERS_BUILT = 16_384
MAX_STEPS_WALKED = 32_768
MIN_POINTS = 16


@record(eq=False)
class Point:
    """One point analysed: the active hyperparameters' values and what Keras makes of it."""

    hp: PointHyperParameters
    metrics: dict[str, int | None] = field(default_factory=dict)
    # The figures as computed: expressions in the sizes kept as symbols.
    figures: dict[str, Figure] = field(default_factory=dict)
    refusals: list[Diagnostic] = field(default_factory=list)
    # Refusals for some values of the sizes kept as symbols only (AL110).
    conditional: list[Diagnostic] = field(default_factory=list)
    analysis: ModelAnalysis | None = None  # kept for a point with sizes as symbols
    # The hypermodel returned no model archlint follows.
    no_model: bool = False
    layers: int = 0  # layers the script built at this point
    steps: int = 0  # statements and loop passes the walk of the script took

    @property
    def used(self) -> dict[str, Any]:
        return self.hp.values

    @property
    def defined(self) -> dict[str, HyperParameter]:
        return self.hp.defined

    @property
    def problem(self) -> str | None:
        return self.hp.problem


@record
class MetricRange:
    name: str
    minimum: int | None = None
    minimum_at: dict[str, Any] = field(default_factory=dict)
    maximum: int | None = None
    maximum_at: dict[str, Any] = field(default_factory=dict)
    # Points with no refusal where archlint cannot compute the figure.
    unknown_points: int = 0


@record
class Refusal:
    """Points Keras refuses for one reason (a code at one line)."""

    code: str
    line: int
    message: str  # at the first point refused
    points: int
    example: dict[str, Any]
    # Hyperparameter values for which every point seen is refused.
    whenever: dict[str, list[Any]] = field(default_factory=dict)
    # Whether those values alone account for every point refused.
    exactly: bool = False


@record
class SearchSpace:
    function: str
    line: int
    hyperparameters: list[HyperParameter] = field(default_factory=list)
    points: int = 0  # points of the space the figures cover
    exhaustive: bool = False
    # Bounded from the formulas: one analysis per structure (``structures``), the sizes
    # (``sizes``) kept as symbols.
    from_formulas: bool = False
    structures: int = 0
    sizes: list[str] = field(default_factory=list)
    # Why the formulas could not bound a large space (then sampled).
    no_formulas: str | None = None
    built: int = 0  # points with no refusal
    metrics: list[MetricRange] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    # Why the space could not be read, or why it is sampled.
    problem: str | None = None
    sampled_because: str | None = None
    returns_no_model: bool = False
    # Ranges with no step: walked at their default, their ends and any value (unknown to
    # the hypermodel: a figure that stays known does not depend on it).
    unlisted: list[str] = field(default_factory=list)

    @property
    def bounds(self) -> str:
        """"exact" when every point was analysed and every figure is known, else
        "sampled" (the bounds are only those of the points analysed)."""
        complete = (self.exhaustive or self.from_formulas) and \
            not any(m.unknown_points for m in self.metrics)
        return "exact" if complete and not self.returns_no_model else "sampled"


def analyse_search_spaces(tree: ast.Module, source: str, path: str,
                          settings: Settings) -> list[SearchSpace]:
    """Every hypermodel of the script with its space (empty when it has none)."""
    spaces = []
    for found in find_hypermodels(tree):
        try:
            spaces.append(analyse_space(tree, source, path, settings, found))
        except Exception as error:  # an archlint bug must not hide the file's own report
            spaces.append(SearchSpace(found.name, found.line, problem=(
                f"internal error: {type(error).__name__}: {error}")))
    return spaces


def analyse_space(tree: ast.Module, source: str, path: str, settings: Settings,
                  hypermodel: Hypermodel) -> SearchSpace:
    from archlint.analysis import PointAnalyser

    analyser = PointAnalyser(tree, source, path, settings)

    def run(assignment: dict[str, Any], sizes: frozenset[int] = frozenset()) -> Point:
        hp = PointHyperParameters(dict(assignment), size_lines=sizes)
        report, model = analyser.analyse((hypermodel.name, hp))
        point = _point(hp, report.diagnostics, model, hypermodel)
        point.layers = len(report.layers)
        point.steps = analyser.steps
        return point

    space = SearchSpace(hypermodel.name, hypermodel.line)
    first = run({})
    if first.problem is not None:
        space.problem = first.problem
        return space
    size = space_size(first)
    limit = max(MIN_POINTS, min(MAX_EXHAUSTIVE_POINTS, MAX_LAYERS_BUILT // max(first.layers, 1),
                                MAX_STEPS_WALKED // max(first.steps, 1)))
    points: list[Point] | None = None
    if size <= limit:
        try:
            points = every_point(run, first, limit)
        except NotListable as why:
            space.sampled_because = str(why)
    else:
        space.sampled_because = f"{size} points, more than {limit} analysed whole"
    space.exhaustive = points is not None
    sizes = _size_lines(tree, hypermodel)
    if points is None and sizes:
        try:
            structures = walk_structures(lambda a: run(a, sizes), run, limit)
            _summarise_structures(space, structures, bound_figures(structures, run))
            space.sampled_because = None
            return space
        except NoProof as why:
            space.no_formulas = str(why)
    if points is None:
        points = sampled_points(run, first, min(SAMPLED_POINTS, limit))
    problem = next((p.problem for p in points if p.problem is not None), None)
    if problem is not None:
        space.problem = problem
        return space
    _summarise(space, points)
    return space


def _size_lines(tree: ast.Module, hypermodel: Hypermodel) -> frozenset[int]:
    function = next((node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)
                     and node.lineno == hypermodel.line), None)
    return size_only_lines(function, hypermodel.parameter) if function else frozenset()


def _point(hp: PointHyperParameters, diagnostics: list[Diagnostic],
           model: ModelAnalysis | None, hypermodel: Hypermodel) -> Point:
    name = model.model.name if model is not None else None

    def ours(d: Diagnostic) -> bool:
        return (name is not None and d.model == name) or \
            hypermodel.line <= d.span.line <= hypermodel.end_line

    refusals = [d for d in diagnostics if d.severity == Severity.ERROR and ours(d)]
    conditional = [d for d in diagnostics if d.code == DATA_DEPENDENT_REFUSAL and ours(d)]
    point = Point(hp, refusals=refusals, conditional=conditional, no_model=model is None)
    if model is not None:
        point.figures = {metric: compute(model) for metric, compute in MODEL_FIGURES.items()}
        point.metrics = {metric: number(figure) for metric, figure in point.figures.items()}
        if hp.symbolic:
            point.analysis = model
    return point


def _summarise(space: SearchSpace, points: list[Point]) -> None:
    defined: dict[str, HyperParameter] = {}
    for point in points:
        for name, hp in point.defined.items():
            defined.setdefault(name, hp)
    # In the order of the script's lines (a walk meets conditional ones in any order).
    space.hyperparameters = sorted(defined.values(), key=lambda hp: hp.line or 0)
    space.points = len(points)
    # A point whose model archlint cannot follow counts as built, its figures unknown.
    built = [p for p in points if not p.refusals]
    space.built = len(built)
    space.returns_no_model = any(p.no_model and not p.refusals for p in points)
    space.metrics = [_metric_range(name, built) for name in MODEL_FIGURES]
    space.refusals = _refusals(points, space.exhaustive or space.from_formulas)
    space.unlisted = [hp.name for hp in space.hyperparameters if hp.values is None]


def _summarise_structures(space: SearchSpace, structures: list[Point],
                          ranges: list[MetricRange]) -> None:
    """A space bounded from the formulas: each structure counts for every value of its
    sizes (a refusal there holds for all of them)."""
    space.from_formulas, space.structures = True, len(structures)
    _summarise(space, structures)
    sizes: dict[str, HyperParameter] = {}
    for point in structures:
        sizes.update(point.hp.symbolic)
    space.sizes = [hp.name for hp in space.hyperparameters if hp.name in sizes]
    space.points = sum(box_size(p) for p in structures)
    space.built = sum(box_size(p) for p in structures if not p.refusals)
    space.metrics = ranges
    for refusal in space.refusals:
        refusal.points = sum(box_size(p) for p in structures
                             if any((d.code, d.span.line) == (refusal.code, refusal.line)
                                    for d in p.refusals))


def _metric_range(name: str, points: list[Point]) -> MetricRange:
    found = MetricRange(name)
    for point in points:
        value = point.metrics.get(name)
        if value is None:
            found.unknown_points += 1
            continue
        if found.minimum is None or value < found.minimum:
            found.minimum, found.minimum_at = value, dict(point.used)
        if found.maximum is None or value > found.maximum:
            found.maximum, found.maximum_at = value, dict(point.used)
    return found


def _refusals(points: list[Point], exhaustive: bool) -> list[Refusal]:
    groups: dict[tuple[str, int], list[tuple[Point, Diagnostic]]] = {}
    for point in points:
        for diagnostic in point.refusals:
            key = (diagnostic.code, diagnostic.span.line)
            if not any(p is point for p, _ in groups.get(key, [])):
                groups.setdefault(key, []).append((point, diagnostic))
    refusals = []
    for (code, line), refused in groups.items():
        first_point, first = refused[0]
        whenever = _values_always_refused(points, [p for p, _ in refused]) \
            if exhaustive else {}
        covered = [p for p in points if any(
            any(same(p.used.get(name), v) for v in values) for name, values in whenever.items()
            if name in p.used)]
        refusals.append(Refusal(code, line, first.message, len(refused),
                                dict(first_point.used), whenever,
                                exactly=bool(whenever) and len(covered) == len(refused)))
    return refusals


def same(left: Any, right: Any) -> bool:
    return type(left) is type(right) and left == right


def _values_always_refused(points: list[Point], refused: list[Point]) -> dict[str, list[Any]]:
    """name -> the values of that hyperparameter with which every point is refused."""
    refused_ids = {id(p) for p in refused}
    found: dict[str, list[Any]] = {}
    checked: set[tuple[str, str]] = set()
    for point in refused:
        for name, value in point.used.items():
            if point.defined[name].values is None or (name, repr(value)) in checked:
                continue
            checked.add((name, repr(value)))
            having = [p for p in points if name in p.used and same(p.used[name], value)]
            if all(id(p) in refused_ids for p in having):
                found.setdefault(name, []).append(value)
    return found
