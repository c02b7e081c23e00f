"""Costs as numbers or polynomials over a model's symbolic sizes.

A cost multiplies sizes (``2*T*units``), which archlint's dimensions, linear by design
(``archlint.dims``), do not hold. A cost is an ``int``, a ``Poly`` (a sum of products of
dimension atoms: input axes, named sizes, their floor divisions) or an ``Unknown`` with
its reason; arithmetic on them stays exact or becomes unknown, never approximate.

>>> from archlint.dims import Sym
>>> T, units = Sym("T"), Sym("units", named=True)
>>> cost_mul(2, T, units)
2*T*units
>>> cost_add(cost_mul(2, T - 2, 12), 5)
24*T-43
>>> cost_to_str(cost_mul(T, T))
'T^2'
"""

from __future__ import annotations

from collections.abc import Mapping

from archlint.dims import Dim, Expr, FloorDiv, Lin, Product, floor_div
from archlint.records import record
from archlint.unknown import Unknown

# A cost with more terms than this is no real layer's; it guards against loops in a script.
MAX_TERMS = 64

Monomial = tuple[Expr, ...]  # atoms sorted by their text; a repeated atom is a power


@record(frozen=True, repr=False)
class Poly:
    """``const + sum(coef * product(atoms))`` with at least one non-constant term."""

    terms: tuple[tuple[Monomial, int], ...]
    const: int = 0

    def evaluate(self, env: Mapping[str, int]) -> int:
        total = self.const
        for atoms, coef in self.terms:
            value = coef
            for atom in atoms:
                value *= atom.evaluate(env)
            total += value
        return total

    def degree(self) -> int:
        return max(len(atoms) for atoms, _ in self.terms)

    def __str__(self) -> str:
        out = ""
        for atoms, coef in self.terms:
            sign = "-" if coef < 0 else ("+" if out else "")
            factors = [] if abs(coef) == 1 else [str(abs(coef))]
            factors += _powers(atoms, len(atoms) > 1 or abs(coef) != 1)
            out += sign + "*".join(factors)
        if self.const:
            out += f"{self.const:+d}"
        return out

    def __repr__(self) -> str:
        return str(self)


Cost = int | Poly | Unknown


def _powers(atoms: Monomial, in_product: bool) -> list[str]:
    texts: list[str] = []
    for atom in dict.fromkeys(atoms):
        text = str(atom)
        if isinstance(atom, (FloorDiv, Lin)) or (in_product and any(c in text for c in "+- ")):
            text = f"({text})"  # (T-9)//2*4 would read as T-9 then //2*4
        power = atoms.count(atom)
        texts.append(f"{text}^{power}" if power > 1 else text)
    return texts


def _terms(cost: int | Poly) -> dict[Monomial, int]:
    if isinstance(cost, int):
        return {(): cost} if cost else {}
    found = dict(cost.terms)
    if cost.const:
        found[()] = cost.const
    return found


def _make(terms: dict[Monomial, int]) -> int | Poly | Unknown:
    const = terms.pop((), 0)
    kept = sorted(((m, c) for m, c in terms.items() if c),
                  key=lambda term: (-len(term[0]), [str(a) for a in term[0]]))
    if not kept:
        return const
    if len(kept) > MAX_TERMS:
        return Unknown(f"a cost expression of over {MAX_TERMS} terms")
    return Poly(tuple(kept), const)


def as_cost(dim: Dim) -> Cost:
    """A dimension as a cost factor; an axis Keras leaves undefined makes it unknown."""
    if isinstance(dim, (int, Unknown)):
        return dim
    if dim is None:
        return Unknown("it depends on an axis Keras leaves undefined (None)")
    lin = dim if isinstance(dim, Lin) else Lin(((dim, 1),), 0)
    terms: dict[Monomial, int] = {
        atom.factors if isinstance(atom, Product) else (atom,): coef
        for atom, coef in lin.terms}
    terms[()] = lin.const
    return _make(terms)


def cost_add(*costs: Cost | Dim) -> Cost:
    """The sum of costs (dimensions are taken as costs)."""
    total: dict[Monomial, int] = {}
    for item in costs:
        cost = as_cost(item) if not isinstance(item, Poly) else item
        if isinstance(cost, Unknown):
            return cost
        for monomial, coef in _terms(cost).items():
            total[monomial] = total.get(monomial, 0) + coef
    return _make(total)


def cost_mul(*costs: Cost | Dim) -> Cost:
    """The product of costs (dimensions are taken as costs)."""
    product: dict[Monomial, int] = {(): 1}
    for item in costs:
        cost = as_cost(item) if not isinstance(item, Poly) else item
        if isinstance(cost, Unknown):
            return cost
        step: dict[Monomial, int] = {}
        for left, a in product.items():
            for right, b in _terms(cost).items():
                key = tuple(sorted((*left, *right), key=str))
                step[key] = step.get(key, 0) + a * b
        product = step
        if len(product) > MAX_TERMS:
            return Unknown(f"a cost expression of over {MAX_TERMS} terms")
    return _make(product)


def cost_floor_div(cost: Cost, den: int) -> Cost:
    """``cost // den``: exact for numbers and linear expressions, else unknown.

    >>> from archlint.dims import Sym
    >>> cost_floor_div(7, 2), cost_floor_div(cost_mul(4, Sym("T")), 2)
    (3, 2*T)
    """
    if isinstance(cost, (int, Unknown)):
        return cost // den
    if cost.degree() > 1:
        return Unknown("a division of a product of symbolic sizes")
    lin: Dim = cost.const
    for (atom,), coef in cost.terms:
        lin = lin + coef * atom  # type: ignore[operator]
    return as_cost(floor_div(lin, den))


def cost_to_str(cost: Cost) -> str:
    """``12,345``, ``2*T*units+64`` or ``?``."""
    return f"{cost:,}" if isinstance(cost, int) else str(cost)


def cost_to_json(cost: Cost) -> int | str | None:
    if isinstance(cost, int):
        return cost
    return str(cost) if isinstance(cost, Poly) else None


def evaluate_cost(cost: Cost, env: Mapping[str, int]) -> int | None:
    if isinstance(cost, int):
        return cost
    return cost.evaluate(env) if isinstance(cost, Poly) else None
