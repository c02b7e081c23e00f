"""Symbolic dimensions: integer expressions over the unknown axes of a model's inputs.

A dimension is one of

* ``int``: a size known statically;
* ``None``: a size Keras itself leaves undefined (the batch axis, or an axis Keras cannot
  compute at build time, such as Flatten over a variable time axis);
* ``Expr``: a size that depends on an input axis declared ``None``, kept as an expression
  over a symbol (``T``) so that a report can say ``(T-9)//2`` and "needs T >= 11"; or on a
  *named size*, a symbol named after the script's source text (``args.window``) for a size
  the data decides: Keras sees a number there when the layer is built, never None;
* ``Unknown``: a size the front end could not resolve (see ``archlint.unknown``).

Expressions are kept in a normal form: a linear combination of *atoms* (symbols, floor
divisions, minima and maxima) plus an integer constant, so ``T - 10 + 1`` is ``T-9``.

>>> T = Sym("T")
>>> (T - 10 + 1) // 1
T-9
>>> ((T - 9) // 2 - 3 + 1) // 1 + 1
(T-9)//2-1
>>> ((T - 9) // 2).evaluate({"T": 20})
5
>>> ceil_div(T, 2)
(T+1)//2
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from archlint.records import record
from archlint.unknown import Unknown

# Guards against pathological expressions built by loops in a script.
MAX_ATOMS = 16
# Named sizes in one product (``units*filters``); more is no real layer's.
MAX_FACTORS = 4
# Sizes past this are no real model's; Python also refuses to print integers over 4,300 digits.
MAX_INT_BITS = 8192


class Expr:
    """A symbolic, integer-valued expression. Immutable and hashable."""

    def evaluate(self, env: Mapping[str, int]) -> int:
        raise NotImplementedError

    def symbols(self) -> frozenset[str]:
        raise NotImplementedError

    def fixed(self) -> bool:
        """True when every symbol is a named size: Keras then knows the number at build time."""
        raise NotImplementedError

    # Arithmetic is defined on the linear normal form.
    def __add__(self, other: object) -> int | Expr:
        return _binary(self, other, _lin_add)

    def __radd__(self, other: object) -> int | Expr:
        return _binary(self, other, _lin_add)

    def __sub__(self, other: object) -> int | Expr:
        return _binary(self, other, lambda a, b: _lin_add(a, _lin_scale(b, -1)))

    def __rsub__(self, other: object) -> int | Expr:
        return _binary(self, other, lambda a, b: _lin_add(b, _lin_scale(a, -1)))

    def __neg__(self) -> int | Expr:
        return _simplify(_lin_scale(_as_lin(self), -1))

    def __mul__(self, other: object) -> int | Expr:
        if isinstance(other, Expr):
            return product(self, other)
        if isinstance(other, bool) or not isinstance(other, int):
            return NotImplemented
        return _simplify(_lin_scale(_as_lin(self), other))

    __rmul__ = __mul__

    def __floordiv__(self, other: object) -> Dim:
        if isinstance(other, bool) or not isinstance(other, int) or other <= 0:
            return NotImplemented
        return floor_div(self, other)

    def __repr__(self) -> str:
        return str(self)


class NonLinear(ArithmeticError):
    """A product the normal form does not hold: one with an axis Keras leaves undefined
    (``T*T``), or of more than ``MAX_FACTORS`` named sizes."""

    def __init__(self, a: Expr, b: Expr):
        super().__init__(f"the product of {a} and {b} is beyond archlint's expressions")


@record(frozen=True, repr=False)
class Sym(Expr):
    """A named input axis whose size is only known at run time.

    ``named`` marks a *named size* (``args.window``): a number the data decides, which
    Keras knows when the layer is built; otherwise the axis is None to Keras (``T``).
    ``ragged`` marks an axis of a ragged tensor (``keras.Input(..., ragged=True)``): each
    row has its own length, so only layers known to act row by row may keep it.
    """

    name: str
    named: bool = False
    ragged: bool = False

    def evaluate(self, env: Mapping[str, int]) -> int:
        return env[self.name]

    def symbols(self) -> frozenset[str]:
        return frozenset({self.name})

    def fixed(self) -> bool:
        return self.named

    def __str__(self) -> str:
        return self.name


@record(frozen=True, repr=False)
class Lin(Expr):
    """``const + sum(coef * atom)``, the normal form of every compound expression."""

    terms: tuple[tuple[Expr, int], ...]
    const: int = 0

    def evaluate(self, env: Mapping[str, int]) -> int:
        return self.const + sum(c * a.evaluate(env) for a, c in self.terms)

    def symbols(self) -> frozenset[str]:
        return frozenset().union(*(a.symbols() for a, _ in self.terms))

    def fixed(self) -> bool:
        return all(a.fixed() for a, _ in self.terms)

    def __str__(self) -> str:
        out = ""
        for atom, coef in self.terms:
            sign = "-" if coef < 0 else ("+" if out else "")
            mag = abs(coef)
            text = str(atom)
            floor = mag != 1 and isinstance(atom, FloorDiv)
            if floor or ((mag != 1 or coef < 0) and _compound(atom)):
                text = f"({text})"  # 2*(T//2) is not 2*T//2, nor -(n - 1) -n - 1
            out += sign + (f"{mag}*{text}" if mag != 1 else text)
        if self.const:
            out += f"{self.const:+d}"
        return out


@record(frozen=True, repr=False)
class FloorDiv(Expr):
    """``num // den`` with a positive integer denominator."""

    num: Expr
    den: int

    def evaluate(self, env: Mapping[str, int]) -> int:
        return self.num.evaluate(env) // self.den

    def symbols(self) -> frozenset[str]:
        return self.num.symbols()

    def fixed(self) -> bool:
        return self.num.fixed()

    def __str__(self) -> str:
        inner = str(self.num)
        if not isinstance(self.num, Sym) or _compound(self.num):
            inner = f"({inner})"
        return f"{inner}//{self.den}"


@record(frozen=True, repr=False)
class MinMax(Expr):
    """``min(...)`` or ``max(...)`` of expressions and at most one integer."""

    op: str  # "min" or "max"
    args: tuple[int | Expr, ...]  # unknown or undefined arguments make the result so

    def evaluate(self, env: Mapping[str, int]) -> int:
        values = [a if isinstance(a, int) else a.evaluate(env) for a in self.args]
        return min(values) if self.op == "min" else max(values)

    def symbols(self) -> frozenset[str]:
        return frozenset().union(*(a.symbols() for a in self.args if isinstance(a, Expr)))

    def fixed(self) -> bool:
        return all(a.fixed() for a in self.args if isinstance(a, Expr))

    def __str__(self) -> str:
        return f"{self.op}({', '.join(str(a) for a in self.args)})"


@record(frozen=True, repr=False)
class Product(Expr):
    """A product of named sizes (``units*filters``, ``units^2``): a number Keras knows when
    the layer is built, kept exact. Its factors are atoms (never sums), sorted by their
    text; a repeated factor is a power."""

    factors: tuple[Expr, ...]

    def evaluate(self, env: Mapping[str, int]) -> int:
        value = 1
        for factor in self.factors:
            value *= factor.evaluate(env)
        return value

    def symbols(self) -> frozenset[str]:
        return frozenset().union(*(f.symbols() for f in self.factors))

    def fixed(self) -> bool:
        return True

    def __str__(self) -> str:
        texts = []
        for factor in dict.fromkeys(self.factors):
            text = str(factor)
            if isinstance(factor, FloorDiv) or _compound(factor):
                text = f"({text})"
            power = self.factors.count(factor)
            texts.append(f"{text}^{power}" if power > 1 else text)
        return "*".join(texts)


Dim = int | Expr | None | Unknown


def _factors(atom: Expr) -> tuple[Expr, ...]:
    return atom.factors if isinstance(atom, Product) else (atom,)


def product(a: Expr, b: Expr) -> int | Expr:
    """The product of two expressions over named sizes, distributed into a sum of
    products; a product with an undefined axis (``T``) raises NonLinear.

    >>> units, width = Sym("units", named=True), Sym("width", named=True)
    >>> 4 * units * (width + units + 1)
    4*units*width+4*units^2+4*units
    >>> (units * width).evaluate({"units": 3, "width": 5})
    15
    """
    if not (a.fixed() and b.fixed()):
        raise NonLinear(a, b)
    left, right = _as_lin(a), _as_lin(b)
    total = _lin_add(_lin_scale(left, right.const), Lin(tuple(
        (atom, coef * left.const) for atom, coef in right.terms), 0))
    for atom_a, coef_a in left.terms:
        for atom_b, coef_b in right.terms:
            factors = tuple(sorted((*_factors(atom_a), *_factors(atom_b)), key=str))
            if len(factors) > MAX_FACTORS:
                raise NonLinear(a, b)
            total = _lin_add(total, Lin(((Product(factors), coef_a * coef_b),), 0))
    return _simplify(total)


def _compound(atom: Expr) -> bool:
    """A named size whose name is an expression (``args.n - 1``): printed in parentheses
    where an operator next to it would change how it reads.

    >>> n = Sym("args.n - 1", named=True)
    >>> 4 * n + 4, -n, floor_div(n, 2), n + 1
    (4*(args.n - 1)+4, -(args.n - 1), (args.n - 1)//2, args.n - 1+1)
    """
    return isinstance(atom, Sym) and any(c in atom.name for c in "+-*/% ")


def _as_lin(value: Expr | int) -> Lin:
    if isinstance(value, Lin):
        return value
    if isinstance(value, int):
        return Lin((), value)
    return Lin(((value, 1),), 0)


def _lin_add(a: Lin, b: Lin) -> Lin:
    coefs: dict[Expr, int] = dict(a.terms)
    for atom, coef in b.terms:
        coefs[atom] = coefs.get(atom, 0) + coef
    # Sorted, so that T+U and U+T are the same expression; products first, as polynomials
    # are written.
    terms = tuple(sorted(((atom, coef) for atom, coef in coefs.items() if coef),
                         key=lambda term: (-len(_factors(term[0])), str(term[0]))))
    if len(terms) > MAX_ATOMS:
        raise OverflowError("symbolic expression too large")
    return Lin(terms, a.const + b.const)


def _lin_scale(a: Lin, k: int) -> Lin:
    if k == 0:
        return Lin((), 0)
    return Lin(tuple((atom, coef * k) for atom, coef in a.terms), a.const * k)


def _check_size(*numbers: int) -> None:
    if any(abs(n).bit_length() > MAX_INT_BITS for n in numbers):
        raise OverflowError(f"symbolic size too large (a number over {MAX_INT_BITS} bits)")


def _simplify(lin: Lin) -> int | Expr:
    _check_size(lin.const, *(coef for _, coef in lin.terms))
    if not lin.terms:
        return lin.const
    if lin.const == 0 and len(lin.terms) == 1 and lin.terms[0][1] == 1:
        return lin.terms[0][0]
    return lin


def _binary(left: Expr, other: object, op: Callable[[Lin, Lin], Lin]) -> int | Expr:
    if isinstance(other, bool) or not isinstance(other, (int, Expr)):
        return NotImplemented
    return _simplify(op(_as_lin(left), _as_lin(other)))


def floor_div(num: Dim, den: int) -> Dim:
    """Floor division of a dimension by a positive integer, simplified.

    ``(x//m + c)//n`` becomes ``(x + c*m)//(m*n)``, an identity for integers.

    >>> T = Sym("T")
    >>> floor_div(floor_div(T - 1, 2) + 1, 3)
    (T+1)//6
    >>> floor_div(2 * T + 4, 2)
    T+2
    >>> 2 * floor_div(T, 2)
    2*(T//2)
    >>> Sym("U") + T == T + Sym("U")
    True
    """
    if num is None or isinstance(num, Unknown):
        return num
    if isinstance(num, int):
        return num // den
    if den == 1:
        return num
    lin = _as_lin(num)
    if all(coef % den == 0 for _, coef in lin.terms):
        # Exact on the symbolic part: only the constant is floored.
        return _simplify(Lin(tuple((a, c // den) for a, c in lin.terms), lin.const // den))
    if len(lin.terms) == 1 and lin.terms[0][1] == 1 and isinstance(lin.terms[0][0], FloorDiv):
        inner = lin.terms[0][0]
        return floor_div(inner.num + lin.const * inner.den, inner.den * den)
    _check_size(den)
    return FloorDiv(_simplify(lin), den)  # type: ignore[arg-type]


def ceil_div(num: Dim, den: int) -> Dim:
    """Ceiling division, expressed as ``(num + den - 1) // den``.

    >>> ceil_div(11, 2), ceil_div(Sym("T") - 2, 3)
    (6, T//3)
    """
    if num is None or isinstance(num, Unknown):
        return num
    return floor_div(num + (den - 1), den)


def dim_min(*args: Dim) -> Dim:
    return _min_max("min", args)


def dim_max(*args: Dim) -> Dim:
    return _min_max("max", args)


def _min_max(op: str, args: Iterable[Dim]) -> Dim:
    values = list(args)
    for v in values:
        if v is None or isinstance(v, Unknown):
            return v
    ints = [v for v in values if isinstance(v, int)]
    exprs = list(dict.fromkeys(v for v in values if isinstance(v, Expr)))
    pick = min if op == "min" else max
    if not exprs:
        return pick(ints)
    if len(exprs) == 1 and not ints:
        return exprs[0]
    return MinMax(op, (*exprs, *([pick(ints)] if ints else [])))


def dim_mul(a: Dim, b: Dim) -> Dim:
    """Product of two dimensions; a product with an axis Keras leaves undefined is left
    undefined (None); one of named sizes is their product (a number to Keras).

    >>> dim_mul(3, Sym("T")), dim_mul(Sym("T"), Sym("T")), dim_mul(None, 2)
    (3*T, None, None)
    >>> dim_mul(Sym("F", named=True), Sym("G", named=True))
    F*G
    """
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        return a if isinstance(a, Unknown) else b
    if a is None or b is None:
        return None
    if isinstance(a, int) or isinstance(b, int):
        return a * b
    if is_fixed(a) and is_fixed(b):
        try:
            return product(a, b)
        except NonLinear as error:
            return Unknown(str(error))
    return None


def is_fixed(dim: Dim) -> bool:
    """Whether Keras knows the size when the layer is built: a number, or an expression
    over named sizes only.

    >>> is_fixed(3), is_fixed(Sym("F", named=True) * 2), is_fixed(Sym("T") + 1), is_fixed(None)
    (True, True, False, False)
    """
    if isinstance(dim, int):
        return True
    return isinstance(dim, Expr) and dim.fixed()


def holds_ragged(dim: Dim) -> bool:
    """Whether a size depends on a ragged axis (one whose length differs row by row).

    >>> R = Sym("T", ragged=True)
    >>> holds_ragged(R), holds_ragged(R - 2), holds_ragged(Sym("T")), holds_ragged(3)
    (True, True, False, False)
    """
    if isinstance(dim, Sym):
        return dim.ragged
    if isinstance(dim, Lin):
        return any(holds_ragged(atom) for atom, _ in dim.terms)
    if isinstance(dim, FloorDiv):
        return holds_ragged(dim.num)
    if isinstance(dim, MinMax):
        return any(holds_ragged(a) for a in dim.args)
    if isinstance(dim, Product):
        return any(holds_ragged(f) for f in dim.factors)
    return False


def named_size(name: str) -> Sym:
    """The symbol of a size the data decides, named after its source text."""
    return Sym(name, named=True)


def evaluate(dim: Dim, env: Mapping[str, int]) -> int | None:
    """The integer value of a dimension once its symbols are bound."""
    if isinstance(dim, int):
        return dim
    if isinstance(dim, Expr):
        return dim.evaluate(env)
    return None


def symbols_of(dim: Dim) -> frozenset[str]:
    return dim.symbols() if isinstance(dim, Expr) else frozenset()


def is_monotone(dim: Dim) -> bool:
    """True when the expression never decreases as its symbols grow."""
    if not isinstance(dim, Expr):
        return True
    if isinstance(dim, Sym):
        return True
    if isinstance(dim, Lin):
        return all(c > 0 and is_monotone(a) for a, c in dim.terms)
    if isinstance(dim, FloorDiv):
        return is_monotone(dim.num)
    if isinstance(dim, MinMax):
        return all(is_monotone(a) for a in dim.args)
    if isinstance(dim, Product):  # of sizes, which are positive
        return all(is_monotone(f) for f in dim.factors)
    return False


def requirement(dim: Expr) -> str:
    """``dim >= 1`` said of the input lengths: ``T+U-2`` gives ``T+U >= 3``."""
    if isinstance(dim, Lin) and all(isinstance(atom, Sym) for atom, _ in dim.terms):
        return f"{Lin(dim.terms)} >= {1 - dim.const}"
    return f"{dim} >= 1"


def format_dim(dim: Dim) -> str:
    """How a dimension is printed in reports: ``None``, ``?``, ``11`` or ``(T-9)//2``."""
    if dim is None:
        return "None"
    return str(dim)


def format_shape(shape: tuple[Dim, ...]) -> str:
    """A shape printed the way Keras prints it.

    >>> format_shape((None, Sym("T") - 9, 32))
    '(None, T-9, 32)'
    >>> format_shape((None, 5))
    '(None, 5)'
    """
    inner = ", ".join(format_dim(d) for d in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def count_to_str(count: int | Expr) -> str:
    """A parameter count as reports print it: ``61,696`` or ``32*F+32``."""
    return f"{count:,}" if isinstance(count, int) else str(count)


def dim_to_json(dim: Dim) -> int | str | None:
    if isinstance(dim, int):
        return dim
    if isinstance(dim, Expr):
        return str(dim)
    return None
