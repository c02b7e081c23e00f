"""What every tensor-operation formula shares: shapes, axis options, bounds on sizes.

A shape is a tuple of dimensions (``archlint.dims.Dim``): an int, None (undefined until run
time), a symbolic expression (``T-1``) or an ``Unknown``. Every symbolic size of an input is
taken to be at least 1, as the engine reports any axis that could be shorter.
"""

from __future__ import annotations

from typing import Any

from archlint.dims import Dim, Expr, FloorDiv, Lin, MinMax, Sym, format_shape
from archlint.layers.base import INVALID_CONFIG, NDIM_MISMATCH, Shape, ShapeError, Unresolved
from archlint.unknown import Unknown


class RunTimeScalar:
    """A scalar tensor given where an operation takes a number (``x[:, :tf.shape(y)[1]]``,
    ``tf.range(n)``): its value exists only when the model runs, so TensorFlow declares the
    size it decides as undefined (None), whatever the tensor holds then."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<run-time scalar>"


RUN_TIME = RunTimeScalar()


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def shape_text(shape: Shape) -> str:
    return format_shape(tuple(shape))


def resolve_axis(axis: Any, ndim: int, op: str, shape: Shape, option: str = "axis") -> int:
    """An axis option (negative counts from the end) as an index into a shape of rank
    ``ndim``; out of range is refused, as TensorFlow and Keras refuse it.

    >>> resolve_axis(-1, 3, "mean", (2, 3, 4))
    2
    >>> resolve_axis(3, 3, "mean", (2, 3, 4))
    Traceback (most recent call last):
    archlint.layers.base.ShapeError: mean(axis=3) is out of range for a tensor of rank 3 \
(2, 3, 4)
    """
    if isinstance(axis, Unknown):
        raise Unresolved(axis)
    call = f"{op}({option}={axis!r})" if op else f"{option}={axis!r}"
    if not is_int(axis):
        raise ShapeError(INVALID_CONFIG, f"{call} must be an integer")
    if not -ndim <= axis < ndim:
        raise ShapeError(INVALID_CONFIG, f"{call} is out of range for a tensor of rank {ndim} "
                         f"{shape_text(shape)}")
    return axis % ndim


def resolve_axes(axis: Any, ndim: int, op: str, shape: Shape) -> tuple[int, ...]:
    """An int or a sequence of ints, each resolved; an axis named twice is refused."""
    items = axis if isinstance(axis, (list, tuple)) else (axis,)
    axes = tuple(resolve_axis(a, ndim, op, shape) for a in items)
    if len(set(axes)) < len(axes):
        raise ShapeError(INVALID_CONFIG, f"{op}(axis={axis!r}) names an axis twice")
    return axes


def require_rank(shape: Shape, op: str, *, at_least: int = 0, exactly: int | None = None,
                 what: str = "input") -> None:
    """The rank an op needs, refused otherwise (AL104)."""
    rank = len(shape)
    if exactly is not None and rank != exactly:
        raise ShapeError(NDIM_MISMATCH, f"{op} needs a {what} of rank {exactly}, got rank "
                         f"{rank} {shape_text(shape)}")
    if rank < at_least:
        raise ShapeError(NDIM_MISMATCH, f"{op} needs a {what} of rank >= {at_least}, got "
                         f"rank {rank} {shape_text(shape)}")


def static_ints(value: Any, op: str, option: str) -> tuple[int, ...]:
    """An option that must be a sequence of integers (``perm=[0, 2, 1]``)."""
    if isinstance(value, Unknown):
        raise Unresolved(value)
    found = next((v for v in value if isinstance(v, Unknown)), None) \
        if isinstance(value, (list, tuple)) else None
    if found is not None:
        raise Unresolved(found)
    if not isinstance(value, (list, tuple)) or not all(is_int(v) for v in value):
        raise ShapeError(INVALID_CONFIG, f"{op}({option}={value!r}) must be a sequence of "
                         "integers")
    return tuple(value)


def lower_bound(dim: Dim) -> int | None:
    """A number the size is never below, taking every symbol to be at least 1; None when
    there is none to be found this simply.

    >>> T = Sym("T")
    >>> lower_bound(2 * T + 1), lower_bound(T - 3), lower_bound(Sym("U") - T), lower_bound(None)
    (3, -2, None, None)
    """
    if isinstance(dim, int):
        return dim
    if isinstance(dim, Sym):
        return 1
    if isinstance(dim, Lin):
        total = dim.const
        for atom, coef in dim.terms:
            bound = lower_bound(atom)
            if coef < 0 or bound is None:
                return None
            total += coef * bound
        return total
    if isinstance(dim, FloorDiv):
        bound = lower_bound(dim.num)
        return None if bound is None else bound // dim.den
    if isinstance(dim, MinMax):
        bounds = [lower_bound(a) for a in dim.args]
        if dim.op == "max":
            return max((b for b in bounds if b is not None), default=None)
        return None if None in bounds else min(b for b in bounds if b is not None)
    return None


def size_bound(dim: Dim) -> int | None:
    """The lower bound of an input's size: symbolic sizes are at least 1."""
    bound = lower_bound(dim)
    if isinstance(dim, Expr):
        return max(1, bound if bound is not None else 1)
    return bound


def known_at_least(dim: Dim, k: int) -> bool:
    bound = lower_bound(dim)
    return bound is not None and bound >= k


def is_undefined(dim: Dim) -> bool:
    """None or Unknown: no formula can say anything about this size."""
    return dim is None or isinstance(dim, Unknown)
