"""Basic indexing: ``x[i]``, ``x[a:b:c]``, ``x[:, None]``, ``x[..., :3]``.

An index is a tuple of items, each an int (drops its axis), a ``slice`` of ints or None,
None (a new axis of size 1) or ``Ellipsis`` (every axis not named otherwise). The length of
a slice of a symbolic axis is an expression (``x[:, 1:]`` of ``T`` is ``T-1``); where it
depends on how the bounds clamp, a ``min``/``max`` expression.
"""

from __future__ import annotations

from typing import Any

from archlint.dims import Dim, Expr, ceil_div, dim_max, dim_min, format_dim
from archlint.layers.base import INVALID_CONFIG, NDIM_MISMATCH, Shape, ShapeError, Unresolved
from archlint.ops.common import RUN_TIME, is_int, lower_bound, shape_text, size_bound
from archlint.unknown import Unknown


def _cap(k: int, high: Dim, high_bound: int | None) -> Dim:
    """``min(k, high)``, simplified where ``high`` is known to be at least ``k``."""
    return k if high_bound is not None and high_bound >= k else dim_min(high, k)


def slice_length(size: Dim, start: Any, stop: Any, step: Any) -> Dim:
    """The length of ``x[start:stop:step]`` along an axis of ``size``, as Python slices.

    >>> from archlint.dims import Sym
    >>> T = Sym("T")
    >>> slice_length(10, 2, None, 3), slice_length(T, 1, None, None), slice_length(T, None, -1, 1)
    (3, T-1, T-1)
    >>> slice_length(T, -3, None, None), slice_length(T, None, None, -1), slice_length(T, 0, 4, 1)
    (min(T, 3), T, min(T, 4))
    >>> slice_length(T, 1, -1, None)
    max(T-2, 0)
    """
    for bound in (start, stop, step):
        if isinstance(bound, Unknown):
            return bound
        if bound is RUN_TIME:  # TensorFlow declares what a run-time bound decides as None
            return size if isinstance(size, Unknown) else None
        if bound is not None and not is_int(bound) and not isinstance(bound, Expr):
            raise ShapeError(INVALID_CONFIG, f"slice bounds must be integers or None, got "
                             f"{bound!r}")
    if any(isinstance(b, Expr) for b in (start, stop, step)):
        return _symbolic_slice(size, start, stop, step)
    step = 1 if step is None else step
    if step == 0:
        raise ShapeError(INVALID_CONFIG, "slice step cannot be zero")
    if size is None or isinstance(size, Unknown):
        return size
    if isinstance(size, int):
        return len(range(size)[slice(start, stop, step)])
    low = size_bound(size)
    # Each bound as a position from the beginning, or a distance from the end: two
    # distances from the end then cancel the size (x[-3:-1] holds 2 whenever T >= 3).
    if step > 0:
        first = 0 if start is None else (size - _cap(-start, size, low) if start < 0
                                          else _cap(start, size, low))
        last = size if stop is None else (size - _cap(-stop, size, low) if stop < 0
                                          else _cap(stop, size, low))
        span = last - first  # type: ignore[operator]
    else:
        below = None if low is None else low + 1
        above = None if low is None else low - 1
        first = size - 1 if start is None else (
            size - _cap(-start, size + 1, below) if start < 0 else _cap(start, size - 1, above))
        last = -1 if stop is None else (
            size - _cap(-stop, size + 1, below) if stop < 0 else _cap(stop, size - 1, above))
        span = first - last  # type: ignore[operator]
    length = ceil_div(span, abs(step))
    bound = lower_bound(length)
    return length if bound is not None and bound >= 0 else dim_max(length, 0)


def _symbolic_slice(size: Dim, start: Any, stop: Any, step: Any) -> Dim:
    """``x[a:b]`` with a bound that is a size (``x[:, :n - 1]`` where ``n`` is
    ``tf.shape(x)[1]``): followed for a step of 1 and bounds never below 0.

    >>> from archlint.dims import Sym
    >>> T = Sym("T")
    >>> _symbolic_slice(T, None, T - 1, None), _symbolic_slice(50, None, T, None)
    (T-1, min(T, 50))
    """
    if step not in (None, 1) or any(b is not None and not _never_negative(b)
                                    for b in (start, stop)):
        raise Unresolved(Unknown("a slice whose bounds are sizes is followed only with a step "
                                 "of 1 and bounds that cannot be negative"))
    if size is None or isinstance(size, Unknown):
        return size
    first = 0 if start is None else _smaller(start, size)
    last = size if stop is None else _smaller(stop, size)
    span = last - first  # type: ignore[operator]
    bound = lower_bound(span)
    return span if bound is not None and bound >= 0 else dim_max(span, 0)


def _never_negative(dim: Dim) -> bool:
    bound = lower_bound(dim)
    return bound is not None and bound >= 0


def _smaller(a: Dim, b: Dim) -> Dim:
    """``min(a, b)``, one of them where their difference says which."""
    if _never_negative(b - a):  # type: ignore[operator]
        return a
    if _never_negative(a - b):  # type: ignore[operator]
        return b
    return dim_min(a, b)


def _index_axis(size: Dim, index: int, axis: int, shape: Shape) -> None:
    """An integer index must fall inside the axis (TensorFlow refuses it otherwise)."""
    what = f"index {index} is out of range for axis {axis} of size {format_dim(size)} " \
           f"in {shape_text(shape)}"
    if isinstance(size, int):
        if not -size <= index < size:
            raise ShapeError(INVALID_CONFIG, what)
    elif isinstance(size, Expr):
        needed = index + 1 if index >= 0 else -index
        bound = size_bound(size)
        if bound is None or bound < needed:
            raise ShapeError(INVALID_CONFIG, what, condition=f"{size} < {needed}")


def getitem(x: Shape, index: Any) -> Shape:
    """The shape of ``x[index]`` for basic indexing.

    >>> from archlint.dims import Sym
    >>> T = Sym("T")
    >>> getitem((None, T, 8), (slice(None), -1)), getitem((None, T, 8), (Ellipsis, slice(None, 3)))
    ((None, 8), (None, T, 3))
    >>> getitem((None, T), (slice(None), None)), getitem((4, 5), 0), getitem((None, T, 8), ())
    ((None, 1, T), (5,), (None, T, 8))
    >>> getitem((4, 5), (0, 0, 0))
    Traceback (most recent call last):
    archlint.layers.base.ShapeError: x[0, 0, 0] indexes 3 axes of a tensor of rank 2 (4, 5)
    """
    items = tuple(index) if isinstance(index, tuple) else (index,)
    for item in items:
        if isinstance(item, Unknown):
            raise Unresolved(item)
        if not (item is None or item is Ellipsis or is_int(item) or item is RUN_TIME
                or isinstance(item, slice)):
            raise Unresolved(Unknown(f"an index {item!r} is beyond basic indexing"))
    if sum(item is Ellipsis for item in items) > 1:
        raise ShapeError(INVALID_CONFIG, "an index can only have a single ellipsis ('...')")
    consumed = sum(1 for item in items if item is not None and item is not Ellipsis)
    if consumed > len(x):
        text = ", ".join(_item_text(item) for item in items)
        raise ShapeError(NDIM_MISMATCH, f"x[{text}] indexes {consumed} axes of a tensor of "
                         f"rank {len(x)} {shape_text(x)}")
    if Ellipsis not in items:
        items = (*items, Ellipsis)
    out: list[Dim] = []
    axis = 0
    for item in items:
        if item is None:
            out.append(1)
        elif item is Ellipsis:
            rest = len(x) - consumed
            out.extend(x[axis:axis + rest])
            axis += rest
        elif isinstance(item, slice):
            out.append(slice_length(x[axis], item.start, item.stop, item.step))
            axis += 1
        else:
            if item is not RUN_TIME:  # an index only the data decides is not checked
                _index_axis(x[axis], item, axis, x)
            axis += 1
    return tuple(out)


def _item_text(item: Any) -> str:
    if item is Ellipsis:
        return "..."
    if isinstance(item, slice):
        parts = ["" if v is None else str(v) for v in (item.start, item.stop, item.step)]
        return ":".join(parts[:2] if item.step is None else parts)
    return str(item)
