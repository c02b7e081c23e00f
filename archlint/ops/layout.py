"""Operations that rearrange axes: reshape, expand_dims, squeeze, transpose, ravel, one_hot,
and ``tf.shape``."""

from __future__ import annotations

from typing import Any

from archlint.dims import Dim, Expr, floor_div, format_dim
from archlint.layers.base import INVALID_CONFIG, Shape, ShapeError, Unresolved
from archlint.layers.reshaping import _divide_exactly, product
from archlint.ops.common import is_int, resolve_axes, resolve_axis, shape_text, size_bound
from archlint.unknown import Unknown


def _cancel(size: list[Dim], known: list[Dim]) -> tuple[list[Dim], list[Dim]]:
    """Drop the symbolic sizes that appear on both sides of a reshape (``(T, 4)`` to
    ``(T, -1)``): their product then need not be written as an expression."""
    left = list(size)
    rest = []
    for d in known:
        if isinstance(d, Expr) and d in left:
            left.remove(d)
        else:
            rest.append(d)
    return left, rest


def reshape(x: Shape, shape: Any) -> Shape:
    """``reshape(x, shape)``: ``shape`` holds sizes (ints, or symbolic sizes read from the
    tensors) and at most one -1, inferred so that the number of elements is kept.

    >>> from archlint.dims import Sym
    >>> T = Sym("T")
    >>> reshape((None, T, 4), (-1, 2)), reshape((2, T, 4), (2, -1)), reshape((6,), (-1, 3))
    ((None, 2), (2, 4*T), (2, 3))
    >>> reshape((2, T, 4), (2, T, -1)), reshape((2, 0, 4), (0, -1))
    ((2, T, 4), (0, 8))
    >>> reshape((2, 6), [3, 5])
    Traceback (most recent call last):
    archlint.layers.base.ShapeError: reshape(shape=(3, 5)) holds 15 elements, but (2, 6) holds 12
    """
    if isinstance(shape, Unknown):
        raise Unresolved(shape)
    target = (shape,) if is_int(shape) else tuple(shape)
    for d in target:
        if isinstance(d, bool) or not (d is None or isinstance(d, (int, Expr, Unknown))):
            raise ShapeError(INVALID_CONFIG, f"reshape(shape={target!r}) must hold sizes")
    ints = [d for d in target if is_int(d)]
    if any(d < -1 for d in ints) or ints.count(-1) > 1:
        raise ShapeError(INVALID_CONFIG, f"reshape(shape={target}) must hold sizes >= 0 and "
                         "at most one -1")
    head = f"reshape(shape={shape_text(target)})"
    given = [d for d in target if d != -1]
    left, right = _cancel(list(x), given)
    size, known = product(tuple(left)), product(tuple(right))
    where = f"{shape_text(x)} holds {format_dim(size)}"
    if -1 not in target:
        if isinstance(size, int) and isinstance(known, int) and size != known:
            raise ShapeError(INVALID_CONFIG, f"{head} holds {known} elements, but {where}")
        if isinstance(size, Expr) and isinstance(known, int):
            raise ShapeError(INVALID_CONFIG, f"{head} holds {known} elements, but {where}",
                             condition=f"{size} != {known}")
        return target
    inferred: Dim
    if not isinstance(known, int) or size is None or isinstance(size, Unknown):
        inferred = size if isinstance(size, Unknown) else None
    elif known == 0:
        inferred = _infer_empty(x, right, head, where)
    else:
        inferred = _divide_exactly(size, known)
        if inferred is None:
            condition = f"({size}) % {known} != 0" if isinstance(size, Expr) else None
            raise ShapeError(INVALID_CONFIG, f"{head} cannot infer its -1 entry: {where} "
                             f"elements, not a multiple of {known}", condition=condition)
    return tuple(inferred if d == -1 else d for d in target)


def _infer_empty(x: Shape, given: list[Dim], head: str, where: str) -> Dim:
    """The -1 entry next to a 0 entry, as TensorFlow infers it: an empty input gives the
    product of its other sizes over that of the other entries (``(2, 0, 4)`` to ``(0, -1)``
    gives ``(0, 8)``); a non-empty one cannot become empty.

    >>> _infer_empty((2, 0, 4), [0], "reshape", "")
    8
    """
    if 0 not in x:
        raise ShapeError(INVALID_CONFIG, f"{head} holds 0 elements, but {where}")
    size = product(tuple(d for d in x if d != 0))
    known = product(tuple(d for d in given if d != 0))
    if size is None or isinstance(size, Unknown) or not isinstance(known, int):
        return size if isinstance(size, Unknown) else None
    return floor_div(size, known)


def ravel(x: Shape) -> Shape:
    """Flatten to one axis (``keras.ops.ravel``, ``reshape(x, [-1])``).

    >>> ravel((2, 3, 4))
    (24,)
    """
    return (product(tuple(x)),)


def expand_dims(x: Shape, axis: Any) -> Shape:
    """Insert axes of size 1; ``axis`` counts in the result (``-1`` appends).

    >>> expand_dims((None, 3), -1), expand_dims((None, 3), 1), expand_dims((4,), (0, 2))
    ((None, 3, 1), (None, 1, 3), (1, 4, 1))
    """
    items = tuple(axis) if isinstance(axis, (list, tuple)) else (axis,)
    rank = len(x) + len(items)
    where = set()
    for a in items:
        index = resolve_axis(a, rank, "expand_dims", x)
        if index in where:
            raise ShapeError(INVALID_CONFIG, f"expand_dims(axis={axis!r}) repeats axis {a}")
        where.add(index)
    rest = iter(x)
    return tuple(1 if i in where else next(rest) for i in range(rank))


def squeeze(x: Shape, axis: Any = None) -> Shape:
    """Remove axes of size 1: the listed ones, or every one when ``axis`` is None.

    Squeezing an axis that is not 1 is refused; without ``axis``, an axis whose size is
    only known at run time may or may not be removed, so the result is unknown.

    >>> from archlint.dims import Sym
    >>> squeeze((None, 1, 5), 1), squeeze((2, 1, 5, 1)), squeeze((2, Sym("T") + 1, 1))
    ((None, 5), (2, 5), (2, T+1))
    >>> squeeze((None, 3), -1)
    Traceback (most recent call last):
    archlint.layers.base.ShapeError: squeeze(axis=-1) cannot remove axis 1 of size 3 from \
(None, 3): only an axis of size 1 can be squeezed
    """
    if axis is None:
        for i, d in enumerate(x):
            bound = size_bound(d)
            if d != 1 and (bound is None or bound < 2):
                reason = (f"squeeze() of {shape_text(x)}: whether axis {i} (size "
                          f"{format_dim(d)}) is 1 is only known at run time")
                raise Unresolved(d if isinstance(d, Unknown) else Unknown(reason))
        return tuple(d for d in x if d != 1)
    axes = resolve_axes(axis, len(x), "squeeze", x)
    for i in axes:
        d = x[i]
        what = (f"squeeze(axis={axis!r}) cannot remove axis {i} of size {format_dim(d)} from "
                f"{shape_text(x)}: only an axis of size 1 can be squeezed")
        if isinstance(d, int) and d != 1:
            raise ShapeError(INVALID_CONFIG, what)
        if isinstance(d, Expr):
            bound = size_bound(d)
            raise ShapeError(INVALID_CONFIG, what,
                             condition=None if bound is not None and bound >= 2 else f"{d} != 1")
    return tuple(d for i, d in enumerate(x) if i not in axes)


def transpose(x: Shape, perm: Any = None) -> Shape:
    """Permute the axes: ``perm`` lists the input axis of each output axis; None reverses.

    >>> transpose((None, 3, 4), (0, 2, 1)), transpose((2, 3, 4))
    ((None, 4, 3), (4, 3, 2))
    """
    if perm is None:
        return tuple(reversed(x))
    axes = resolve_axes(perm, len(x), "transpose", x) if isinstance(perm, (list, tuple)) \
        else resolve_axes((perm,), len(x), "transpose", x)
    if len(axes) != len(x) or len(axes) != len(perm):
        raise ShapeError(INVALID_CONFIG, f"transpose(perm={perm!r}) must be a permutation of "
                         f"the {len(x)} axes of {shape_text(x)}")
    return tuple(x[i] for i in axes)


def swapaxes(x: Shape, axis1: int, axis2: int) -> Shape:
    """Exchange two axes.

    >>> swapaxes((2, 3, 4), 0, -1)
    (4, 3, 2)
    """
    a = resolve_axis(axis1, len(x), "swapaxes", x, "axis1")
    b = resolve_axis(axis2, len(x), "swapaxes", x, "axis2")
    out = list(x)
    out[a], out[b] = out[b], out[a]
    return tuple(out)


def moveaxis(x: Shape, source: Any, destination: Any) -> Shape:
    """Move axes ``source`` to positions ``destination``, the others keeping their order.

    >>> moveaxis((2, 3, 4), 0, -1), moveaxis((2, 3, 4), (0, 1), (2, 0))
    ((3, 4, 2), (3, 4, 2))
    """
    src = resolve_axes(source, len(x), "moveaxis", x)
    dst = resolve_axes(destination, len(x), "moveaxis", x)
    if len(src) != len(dst):
        raise ShapeError(INVALID_CONFIG, f"moveaxis(source={source!r}, destination="
                         f"{destination!r}) must list as many axes on each side")
    order = [i for i in range(len(x)) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return tuple(x[i] for i in order)


def one_hot(indices: Shape, depth: Any, axis: Any = -1) -> Shape:
    """A new axis of ``depth`` at ``axis`` (-1 appends it).

    >>> one_hot((None, 5), 10), one_hot((None, 5), 10, axis=1)
    ((None, 5, 10), (None, 10, 5))
    """
    if isinstance(depth, Unknown):
        raise Unresolved(depth)
    if not (is_int(depth) or isinstance(depth, Expr)):
        raise ShapeError(INVALID_CONFIG, f"one_hot(depth={depth!r}) must be an integer")
    if is_int(depth) and depth < 0:
        raise ShapeError(INVALID_CONFIG, f"one_hot(depth={depth}) must not be negative")
    axis = -1 if axis is None else axis
    if is_int(axis) and axis < -1:
        raise ShapeError(INVALID_CONFIG, f"one_hot(axis={axis}) must be -1 or an axis of "
                         "the result")
    index = resolve_axis(axis, len(indices) + 1, "one_hot", indices)
    return (*indices[:index], depth, *indices[index:])


def shape_of(input: Shape) -> Shape:
    """``tf.shape(x)``: a vector holding one size per axis.

    >>> shape_of((None, 3, 4))
    (3,)
    """
    return (len(input),)


def scalar(input: Shape) -> Shape:
    """``tf.size``, ``tf.rank``: a scalar."""
    return ()
