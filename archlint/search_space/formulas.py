"""Exact bounds of a search space too large to analyse point by point, from the formulas.

The hyperparameters that are only layer sizes (``search_space.size_uses``) are kept as
symbols; the others decide the model's structure and are walked value by value, as a
small space is. One analysis per structure then stands for every combination of the
sizes: its figures are polynomials in them, whose least and greatest values over the
sizes' values come from ``box_bounds``. The bounds are exact when every structure is
followed, and Keras's refusals are per structure (a refusal archlint reports with sizes
kept as symbols holds for all their values).

A structure is given up, and the space sampled instead, where the proof does not hold: a
refusal that depends on the sizes' values (AL110), a figure archlint computes only for
given sizes, a figure with too many combinations to bound. The values reaching each
bound are analysed again as a plain point, and must give the same figure.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from archlint.search_space.box_bounds import NotBounded, box_bounds
from archlint.search_space.explore import NotListable, every_point, space_size
from archlint.search_space.hyperparameters import symbol_name
from archlint.search_space.metrics import MODEL_FIGURES, number

if TYPE_CHECKING:
    from archlint.search_space.space import MetricRange, Point

Run = Callable[[dict[str, Any]], "Point"]


class NoProof(Exception):
    """Why the formulas do not bound this space: it is sampled instead."""


def box_size(point: Point) -> int:
    """The points of the space one structure stands for."""
    values = [hp.values for hp in point.hp.symbolic.values()]
    return math.prod(len(v) for v in values if v is not None)


def walk_structures(run_symbolic: Run, run_plain: Run, limit: int) -> list[Point]:
    """One point per structure, with the sizes kept as symbols; raises NoProof."""
    first = run_symbolic({})
    if first.problem is not None:
        raise NoProof(first.problem)
    if space_size(first) > limit:  # known before the walk: no run spent on it
        raise NoProof(f"more than {limit} structures")
    try:
        structures = every_point(run_symbolic, first, limit)
    except NotListable:
        raise NoProof(f"more than {limit} structures") from None
    for point in structures:
        if point.hp.needs_value is not None:
            raise NoProof(point.hp.needs_value)
        if point.refusals and point.hp.symbolic:
            _check_refused(point, run_plain)
        if point.conditional:
            finding = point.conditional[0]
            raise NoProof(f"Keras refuses some sizes only ({finding.code}, line "
                          f"{finding.span.line})")
    return structures


def _check_refused(point: Point, run: Run) -> None:
    """A refusal with the sizes as symbols holds for all their values: so at their lowest
    values too, as a plain point, for the same reason."""
    plain = run({**point.used, **{n: min(hp.values or (1,))
                                  for n, hp in point.hp.symbolic.items()}})
    if [(d.code, d.span.line) for d in plain.refusals][:1] != \
            [(d.code, d.span.line) for d in point.refusals][:1]:
        raise NoProof(f"Keras refuses {point.used} for a reason the sizes' values change")


def bound_figures(structures: list[Point], run: Run) -> list[MetricRange]:
    """Each figure's range over every structure and every value of its sizes; raises
    NoProof."""
    from archlint.search_space.space import MetricRange

    ranges = [MetricRange(name) for name in MODEL_FIGURES]
    for point in structures:
        if point.refusals or point.analysis is None:
            continue
        values = {symbol_name(name): hp.values for name, hp in point.hp.symbolic.items()}
        for found in ranges:
            figure = MODEL_FIGURES[found.name](point.analysis)
            try:
                (low, low_at), (high, high_at) = box_bounds(figure, values)  # type: ignore[arg-type]
            except NotBounded as why:
                _unknown_or_no_proof(found, point, why, run)
                continue
            _widen(found, point, low, low_at, high, high_at)
    _check_at_the_bounds(ranges, run)
    return ranges


def _unknown_or_no_proof(found: MetricRange, point: Point, why: NotBounded, run: Run) -> None:
    """A figure unknown with the sizes as symbols: unknown at the structure's points when
    it is so at its lowest and highest sizes too, as plain points Keras builds; a number
    or a refusal there means the sizes matter in a way only a walk of their values tells
    (a size used where it can be 0)."""
    for pick in (min, max):
        plain = run({**point.used, **{n: pick(hp.values or (1,))
                                      for n, hp in point.hp.symbolic.items()}})
        if plain.refusals or number(plain.figures.get(found.name)) is not None:
            raise NoProof(f"{found.name}: {why}")
    found.unknown_points += box_size(point)


def _widen(found: MetricRange, point: Point, low: int, low_at: dict[str, int], high: int,
           high_at: dict[str, int]) -> None:
    names = {symbol_name(n): n for n in point.hp.symbolic}
    if found.minimum is None or low < found.minimum:
        found.minimum = low
        found.minimum_at = _assignment(point, names, low_at)
    if found.maximum is None or high > found.maximum:
        found.maximum = high
        found.maximum_at = _assignment(point, names, high_at)


def _assignment(point: Point, names: dict[str, str], at: dict[str, int]) -> dict[str, Any]:
    """The structure's values and the sizes' values, in the order they are defined."""
    sizes = {names[symbol]: value for symbol, value in at.items()}
    for name, hp in point.hp.symbolic.items():  # a size the figure does not depend on
        sizes.setdefault(name, hp.default)
    merged = {**point.used, **sizes}
    order = list(point.hp.defined)
    return dict(sorted(merged.items(), key=lambda item: order.index(item[0])
                       if item[0] in order else len(order)))


def _check_at_the_bounds(ranges: list[MetricRange], run: Run) -> None:
    """Each bound's values analysed as a plain point give the bound."""
    for found in ranges:
        for bound, at in ((found.minimum, found.minimum_at), (found.maximum, found.maximum_at)):
            if bound is None:
                continue
            plain = run(at)
            value = number(plain.figures.get(found.name))
            if plain.refusals or value != bound:
                raise NoProof(f"{found.name}: the point {at} gives {value}, not {bound}")
