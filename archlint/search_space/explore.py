"""Walking a search space whose hyperparameters appear only as the hypermodel calls them.

A run calls the hypermodel with an assignment (name -> value) and reports the active
hyperparameters it met, with the values it used (the assignment's, else the defaults). A
conditional hyperparameter exists only in the branches that call it, so the space is a
tree: each run reveals the next hyperparameter to branch on.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from archlint.search_space.hyperparameters import HyperParameter


class Visited(Protocol):
    """What a run tells the walk: the active values used and every definition met."""

    @property
    def used(self) -> dict[str, Any]: ...

    @property
    def defined(self) -> dict[str, HyperParameter]: ...

    @property
    def problem(self) -> str | None: ...


V = TypeVar("V", bound=Visited)


class NotListable(Exception):
    """The space cannot be walked whole: too many points, or a range with no step."""


def same_value(left: Any, right: Any) -> bool:
    return type(left) is type(right) and left == right


def every_point(run: Callable[[dict[str, Any]], V], first: V,
                            limit: int) -> list[V]:
    """Every point, depth first in the order of KerasTuner's values (the defaults' point
    first); one run per point, since the run that revealed a hyperparameter is the point
    where it keeps the value it used. Raises NotListable beyond ``limit`` points."""
    points: list[V] = []

    def visit(assignment: dict[str, Any], outcome: V) -> None:
        pending = next((n for n in outcome.used if n not in assignment), None)
        if pending is None or outcome.problem is not None:
            points.append(outcome)
            if len(points) > limit:
                raise NotListable(f"more than {limit} points")
            return
        for value in outcome.defined[pending].walked():
            child = {**assignment, pending: value}
            visit(child, outcome if same_value(value, outcome.used[pending]) else run(child))

    visit({}, first)
    return points


def space_size(outcome: Visited) -> int:
    """The number of points if the active hyperparameters of this run are all there is
    (conditional ones may add more)."""
    size = 1
    for name in outcome.used:
        size *= len(outcome.defined[name].walked())
    return size


def sampled_points(run: Callable[[dict[str, Any]], V], first: V,
                               count: int, seed: int = 0) -> list[V]:
    """Up to ``count`` distinct points: the defaults', every hyperparameter at its lowest
    value, at its highest, then random ones (seeded: the same points every time)."""
    rng = random.Random(seed)
    known: dict[str, HyperParameter] = dict(first.defined)
    points, seen = [first], {_key(first.used)}
    pickers: list[Callable[[HyperParameter], Any]] = [_lowest, _highest]
    for attempt in range(count * 4):
        if len(points) >= count:
            break
        pick = pickers[attempt] if attempt < len(pickers) else \
            (lambda hp: _random(hp, rng))
        assignment = {name: pick(hp) for name, hp in known.items()}
        outcome = run(assignment)
        # Hyperparameters met for the first time (conditional ones) get a value too.
        while outcome.problem is None and (
                fresh := [n for n in outcome.used if n not in assignment]):
            known.update(outcome.defined)
            assignment.update({name: pick(known[name]) for name in fresh})
            outcome = run(assignment)
        known.update(outcome.defined)
        key = _key(outcome.used)
        if key not in seen:
            seen.add(key)
            points.append(outcome)
    return points


def _key(used: dict[str, Any]) -> tuple[str, ...]:
    return tuple(f"{name}={value!r}" for name, value in sorted(used.items()))


def _numeric(values: tuple[Any, ...]) -> bool:
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


def _lowest(hp: HyperParameter) -> Any:
    values = hp.candidates()
    return min(values) if _numeric(values) else values[0]


def _highest(hp: HyperParameter) -> Any:
    values = hp.candidates()
    return max(values) if _numeric(values) else values[-1]


def _random(hp: HyperParameter, rng: random.Random) -> Any:
    if hp.values is not None:
        return rng.choice(hp.values)
    if hp.kind == "Int":
        return rng.randint(hp.low, hp.high)
    return rng.uniform(hp.low, hp.high)
