"""The least and greatest value of a figure over every value of the hyperparameters kept
as symbols: exact, from the figure's formula, without analysing each point.

A figure is a polynomial in the symbols (``u1*u2 + u2``: parameters of two Dense layers).
Every symbol is a positive size, so a polynomial whose coefficients are all positive
never decreases as a symbol grows: its least value is at every symbol's lowest value and
its greatest at the highest. Any other polynomial is evaluated at every combination of
values, up to ``MAX_COMBINATIONS``; past that the bounds are not proven (None).

>>> from archlint.dims import Sym
>>> u, v = Sym("u", named=True), Sym("v", named=True)
>>> box_bounds(u * v + v, {"u": (8, 16, 24), "v": (4, 2)})
((18, {'u': 8, 'v': 2}), (100, {'u': 24, 'v': 4}))
>>> box_bounds(100 - u, {"u": (8, 16, 24)})
((76, {'u': 24}), (92, {'u': 8}))
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping

from archlint.cost.poly import Poly
from archlint.dims import Expr, FloorDiv, Lin, Product, Sym
from archlint.search_space.metrics import Figure

MAX_COMBINATIONS = 200_000

Reached = tuple[int, dict[str, int]]  # a value and the symbols' values reaching it


class NotBounded(Exception):
    """The figure's bounds cannot be proven: it depends on something else than the
    symbols, or it has too many combinations to evaluate."""


def box_bounds(figure: Figure, values: Mapping[str, tuple[int, ...]],
               ) -> tuple[Reached, Reached]:
    """(least, greatest) of the figure over every combination of the symbols' values
    (symbol name -> its values); raises NotBounded."""
    if isinstance(figure, int) and not isinstance(figure, bool):
        return (figure, {}), (figure, {})
    if not isinstance(figure, (Expr, Poly)):
        raise NotBounded("the figure is unknown")
    names = _symbols(figure)
    if not names <= set(values):
        raise NotBounded(f"the figure depends on {', '.join(sorted(names - set(values)))}")
    used = {name: values[name] for name in values if name in names}
    if _never_decreasing(figure):
        lowest = {name: min(options) for name, options in used.items()}
        highest = {name: max(options) for name, options in used.items()}
        return (figure.evaluate(lowest), lowest), (figure.evaluate(highest), highest)
    if math.prod(len(options) for options in used.values()) > MAX_COMBINATIONS:
        raise NotBounded(f"more than {MAX_COMBINATIONS:,} combinations of values")
    least: Reached | None = None
    greatest: Reached | None = None
    for combination in itertools.product(*used.values()):
        env = dict(zip(used, combination))
        value = figure.evaluate(env)
        if least is None or value < least[0]:
            least = (value, env)
        if greatest is None or value > greatest[0]:
            greatest = (value, env)
    assert least is not None and greatest is not None
    return least, greatest


def _symbols(figure: Expr | Poly) -> set[str]:
    if isinstance(figure, Expr):
        return set(figure.symbols())
    return {name for atoms, _ in figure.terms for atom in atoms for name in atom.symbols()}


def _never_decreasing(figure: Expr | Poly) -> bool:
    """Positive coefficients on products of symbols (which are positive sizes)."""
    if isinstance(figure, Poly):
        return all(coef > 0 and all(_symbol_product(atom) for atom in atoms)
                   for atoms, coef in figure.terms)
    if isinstance(figure, Lin):
        return all(coef > 0 and _symbol_product(atom) for atom, coef in figure.terms)
    return _symbol_product(figure)


def _symbol_product(atom: Expr) -> bool:
    """A symbol, a floor division of a positive sum of such, or a product of them: never
    negative, never decreasing as the symbols grow."""
    if isinstance(atom, Product):
        return all(_symbol_product(factor) for factor in atom.factors)
    if isinstance(atom, FloorDiv):
        num = atom.num
        if isinstance(num, Lin):
            return num.const >= 0 and all(c > 0 and _symbol_product(a) for a, c in num.terms)
        return _symbol_product(num)
    return isinstance(atom, Sym)
