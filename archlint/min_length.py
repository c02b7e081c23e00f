"""The shortest input length that keeps a symbolic size >= 1, computed exactly.

Every step a conv or pooling layer applies to a length is ``floor``, ``ceil`` (a floor in
disguise), ``+ c``, ``* k``, ``min`` or ``max``, and each has a closed-form inverse over the
integers: ``x // d >= m`` exactly when ``x >= m*d``; ``k*x + c >= m`` exactly when
``x >= ceil((m-c)/k)``. Composing the inverses backwards through a chain gives the smallest
length at any depth, where a search over lengths would have to give up somewhere. Only a sum
of several sizes of one length (``T + T//2`` after joining a sequence with its pooled self)
has no such inverse; it is searched, and an answer the search cannot reach is unknown, with a
reason, never a guess.

>>> T = Sym("T")
>>> min_symbol_value(floor_div(T - 9, 2), "T")
11
>>> min_symbol_value(floor_div(T, 2**60), "T") == 2**60
True
>>> min_symbol_value(dim_min(T, 3), "T", at_least=4) is None
True
>>> min_common_value(T + Sym("U") - 2)
2
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from archlint.dims import (
    Dim,
    Expr,
    FloorDiv,
    Lin,
    MinMax,
    Sym,
    dim_max,
    dim_min,
    floor_div,
    is_monotone,
)
from archlint.unknown import Unknown

# A searched length above this is reported as unknown (no real input is this long).
MAX_SEARCH = 1 << 16384

# The smallest length, None when no length works, or Unknown when it cannot be worked out.
Minimum = int | None | Unknown


def min_symbol_value(dim: Dim, symbol: str, at_least: int = 1) -> Minimum:
    """The smallest value of ``symbol`` (>= 1) for which ``dim >= at_least``.

    For expressions of that one symbol; None when no value works, Unknown (with the reason)
    when the expression does not grow with the symbol or the value cannot be found.

    >>> min_symbol_value(3 * Sym("T") + 1, "T", at_least=20)
    7
    >>> min_symbol_value(Sym("T") - 2 * floor_div(Sym("T"), 2), "T").reason
    'the size does not grow with T, so the lengths it accepts may not be all those above one'
    """
    if isinstance(dim, Expr) and not dim.symbols() <= {symbol}:
        return Unknown(f"the size depends on more than {symbol}")
    if isinstance(dim, Expr) and not is_monotone(dim):
        return Unknown(f"the size does not grow with {symbol}, so the lengths it accepts may "
                       "not be all those above one")
    return _least(dim, at_least)


def min_common_value(dim: Dim, at_least: int = 1) -> Minimum:
    """The smallest ``n >= 1`` for which ``dim >= at_least`` when every symbol is ``n``.

    >>> min_common_value(floor_div(Sym("T") + Sym("U"), 4), at_least=3)
    6
    """
    try:
        shared = _one_symbol(dim, "n")
    except OverflowError as error:
        return Unknown(str(error))
    return min_symbol_value(shared, "n", at_least)


def _one_symbol(dim: Dim, name: str) -> Dim:
    """``dim`` with every symbol renamed ``name``, rebuilt so its terms combine
    (``T+U-2`` becomes ``2*n-2``)."""
    if not isinstance(dim, Expr):
        return dim
    if isinstance(dim, Sym):
        return Sym(name)
    if isinstance(dim, Lin):
        total: Dim = dim.const
        for atom, coef in dim.terms:
            total = total + coef * _one_symbol(atom, name)  # type: ignore[operator]
        return total
    if isinstance(dim, FloorDiv):
        return floor_div(_one_symbol(dim.num, name), dim.den)
    if isinstance(dim, MinMax):
        combine = dim_min if dim.op == "min" else dim_max
        return combine(*(_one_symbol(arg, name) for arg in dim.args))
    return dim


def _least(dim: Dim, target: int) -> Minimum:
    """The smallest ``n >= 1`` with ``dim(n) >= target``, ``dim`` non-decreasing in its
    one symbol: each step inverted in closed form, from the outside in."""
    if isinstance(dim, int):
        return 1 if dim >= target else None
    if isinstance(dim, Sym):
        return max(target, 1)
    if isinstance(dim, FloorDiv):
        return _least(dim.num, target * dim.den)  # x // d >= m  <=>  x >= m*d
    if isinstance(dim, MinMax):
        found = [_least(arg, target) for arg in dim.args]
        if dim.op == "min":  # every argument must reach the target
            if None in found:
                return None
            return _first_unknown(found) or max(found)  # type: ignore[type-var]
        reached = [f for f in found if f is not None]  # max: the first one to reach it
        return _first_unknown(reached) or min(reached, default=None)  # type: ignore[type-var]
    if isinstance(dim, Lin) and len(dim.terms) == 1:
        atom, coef = dim.terms[0]
        return _least(atom, -((dim.const - target) // coef))  # ceil((m - c) / k)
    if isinstance(dim, Lin):
        return _search(dim, target)
    return Unknown("archlint has no inverse for this kind of size")


def _first_unknown(values: Sequence[Minimum]) -> Unknown | None:
    return next((v for v in values if isinstance(v, Unknown)), None)


def _search(dim: Lin, target: int) -> Minimum:
    """A sum of several sizes of one length has no closed-form inverse: doubling, then
    bisection, once its supremum shows that some length reaches the target."""
    top = _supremum(dim)
    if top is not None and top < target:
        return None
    symbol = next(iter(dim.symbols()))
    found = _smallest_argument(lambda n: dim.evaluate({symbol: n}), target)
    if found is None:
        return Unknown(f"the search for it stops at 2**{MAX_SEARCH.bit_length() - 1}")
    return found


def _supremum(dim: Dim) -> int | None:
    """The largest value a non-decreasing expression takes; None when it grows without
    bound."""
    if isinstance(dim, int):
        return dim
    if isinstance(dim, Sym):
        return None
    if isinstance(dim, FloorDiv):
        top = _supremum(dim.num)
        return None if top is None else top // dim.den
    if isinstance(dim, MinMax):
        tops = [_supremum(arg) for arg in dim.args]
        bounded = [t for t in tops if t is not None]
        if dim.op == "min":
            return min(bounded, default=None)
        return None if None in tops else max(bounded)
    if isinstance(dim, Lin):
        total = dim.const
        for atom, coef in dim.terms:
            top = _supremum(atom)
            if top is None:
                return None
            total += coef * top
        return total
    return None


def _smallest_argument(value_at: Callable[[int], int], at_least: int) -> int | None:
    """Doubling, then bisection, over a non-decreasing function of ``n >= 1``; None above
    ``MAX_SEARCH``."""
    if value_at(1) >= at_least:
        return 1
    hi = 2
    while value_at(hi) < at_least:
        hi *= 2
        if hi > MAX_SEARCH:
            return None
    lo = hi // 2  # value_at(lo) < at_least <= value_at(hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if value_at(mid) >= at_least:
            hi = mid
        else:
            lo = mid
    return hi
