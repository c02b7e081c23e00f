"""Operations that join, split or repeat tensors: concatenate, stack, split, tile, repeat."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from archlint.dims import Dim, Expr, dim_mul, format_dim
from archlint.layers.base import (
    INCOMPATIBLE_MERGE,
    INVALID_CONFIG,
    NDIM_MISMATCH,
    Shape,
    ShapeError,
    Unresolved,
)
from archlint.layers.merging import equal_dims
from archlint.layers.reshaping import _divide_exactly, product
from archlint.ops.common import is_int, resolve_axis, shape_text, size_bound, static_ints
from archlint.unknown import Unknown


def _texts(shapes: list[Shape]) -> str:
    return ", ".join(shape_text(s) for s in shapes)


def sum_dims(dims: list[Dim]) -> Dim:
    """The sum of sizes: undefined or unknown if any is.

    >>> from archlint.dims import Sym
    >>> sum_dims([Sym("T"), 3, Sym("T")]), sum_dims([2, None])
    (2*T+3, None)
    """
    total: Dim = 0
    for d in dims:
        if d is None or isinstance(d, Unknown):
            return d
        total = total + d  # type: ignore[operator]
    return total


def _same_rank(shapes: list[Shape], op: str) -> int:
    if not shapes:
        raise ShapeError(INVALID_CONFIG, f"{op} needs at least one tensor")
    ranks = {len(s) for s in shapes}
    if len(ranks) > 1:
        raise ShapeError(NDIM_MISMATCH, f"{op} needs tensors of the same rank, got "
                         f"{_texts(shapes)}")
    return ranks.pop()


def concatenate(xs: list[Shape], axis: int = 0) -> Shape:
    """Join tensors along ``axis``; every other axis must be equal (no broadcasting).

    >>> from archlint.dims import Sym
    >>> concatenate([(None, Sym("T"), 3), (None, 1, 3)], axis=1)
    (None, T+1, 3)
    >>> concatenate([(2, 3), (2, 4)], axis=0)
    Traceback (most recent call last):
    archlint.layers.base.ShapeError: concatenate(axis=0) needs tensors equal on every other \
axis; (2, 3), (2, 4) differ on axis 1: sizes 3 and 4 differ
    """
    op = f"concatenate(axis={axis})"
    ndim = _same_rank(xs, op)
    if ndim == 0:
        raise ShapeError(NDIM_MISMATCH, f"{op} cannot join scalars")
    index = resolve_axis(axis, ndim, "concatenate", xs[0])
    out: list[Dim] = list(xs[0])
    for i in range(ndim):
        if i != index:
            what = f"{op} needs tensors equal on every other axis; {_texts(xs)} differ on " \
                   f"axis {i}"
            for shape in xs[1:]:
                out[i] = equal_dims(out[i], shape[i], what)
    out[index] = sum_dims([s[index] for s in xs])
    return tuple(out)


def stack(xs: list[Shape], axis: int = 0) -> Shape:
    """Stack tensors of one shape along a new ``axis``.

    >>> stack([(None, 3), (None, 3)], axis=-1)
    (None, 3, 2)
    """
    op = f"stack(axis={axis})"
    ndim = _same_rank(xs, op)
    index = resolve_axis(axis, ndim + 1, "stack", xs[0])
    out: list[Dim] = list(xs[0])
    for i in range(ndim):
        what = f"{op} needs tensors of one shape; {_texts(xs)} differ on axis {i}"
        for shape in xs[1:]:
            out[i] = equal_dims(out[i], shape[i], what)
    out.insert(index, len(xs))
    return tuple(out)


def _even_split(size: Dim, num: int, op: str, x: Shape, axis: int) -> Dim:
    if not is_int(num) or num <= 0:
        raise ShapeError(INVALID_CONFIG, f"{op} needs a positive number of parts, got {num!r}")
    if size is None or isinstance(size, Unknown):
        return size
    part = _divide_exactly(size, num)
    if part is None:
        condition = f"({size}) % {num} != 0" if isinstance(size, Expr) else None
        raise ShapeError(INVALID_CONFIG, f"{op} cannot split axis {axis} of size "
                         f"{format_dim(size)} in {shape_text(x)} into {num} equal parts",
                         condition=condition)
    return part


def _replace(x: Shape, axis: int, size: Dim) -> Shape:
    return (*x[:axis], size, *x[axis + 1:])


def split(value: Shape, num_or_size_splits: Any, axis: int = 0) -> list[Shape]:
    """``tf.split``: ``num`` equal parts, or parts of the listed sizes (one may be -1).

    >>> from archlint.dims import Sym
    >>> split((None, 6), 3, axis=1), split((None, Sym("T") + 2), [2, -1], axis=1)
    ([(None, 2), (None, 2), (None, 2)], [(None, 2), (None, T)])
    >>> split((4, 6), [2, 3], axis=1)
    Traceback (most recent call last):
    archlint.layers.base.ShapeError: split sizes [2, 3] add up to 5, not to the size 6 of axis 1 \
in (4, 6)
    """
    op = "split"
    if len(value) == 0:
        raise ShapeError(NDIM_MISMATCH, "split cannot split a scalar")
    index = resolve_axis(axis, len(value), op, value)
    size = value[index]
    if not isinstance(num_or_size_splits, (list, tuple)):
        if isinstance(num_or_size_splits, Unknown):
            raise Unresolved(num_or_size_splits)
        part = _even_split(size, num_or_size_splits, op, value, index)
        return [_replace(value, index, part)] * num_or_size_splits
    sizes = list(static_ints(num_or_size_splits, op, "num_or_size_splits"))
    if any(s < -1 for s in sizes) or sizes.count(-1) > 1:
        raise ShapeError(INVALID_CONFIG, f"split sizes {sizes} must be sizes >= 0 and at most "
                         "one -1")
    known = sum(s for s in sizes if s != -1)
    where = f"the size {format_dim(size)} of axis {index} in {shape_text(value)}"
    if -1 in sizes:
        rest = size if size is None or isinstance(size, Unknown) else size - known
        if isinstance(rest, int) and rest < 0:
            raise ShapeError(INVALID_CONFIG, f"split sizes {sizes} add up to {known}, more "
                             f"than {where}")
        if isinstance(rest, Expr):
            bound = size_bound(size)
            if bound is None or bound < known:
                raise ShapeError(INVALID_CONFIG, f"split sizes {sizes} add up to {known}, "
                                 f"more than {where} unless {size} >= {known}",
                                 condition=f"{size} < {known}")
        sizes_out: list[Dim] = [rest if s == -1 else s for s in sizes]
    else:
        if isinstance(size, int) and size != known:
            raise ShapeError(INVALID_CONFIG, f"split sizes {sizes} add up to {known}, not to "
                             f"{where}")
        if isinstance(size, Expr):
            raise ShapeError(INVALID_CONFIG, f"split sizes {sizes} add up to {known}, not to "
                             f"{where} unless {size} == {known}",
                             condition=f"{size} != {known}")
        sizes_out = list(sizes)
    return [_replace(value, index, s) for s in sizes_out]


def array_split(x: Shape, indices_or_sections: Any, axis: int = 0) -> list[Shape]:
    """``keras.ops.split``: ``n`` equal sections, or the pieces between the listed indices
    (``[2, 5]`` gives ``x[:2]``, ``x[2:5]``, ``x[5:]``). Unlike NumPy, Keras refuses indices
    that decrease or pass the end of the axis (it calls ``tf.split`` with their differences).

    >>> from archlint.dims import Sym
    >>> array_split((None, Sym("T") + 2), [2], axis=1), array_split((6,), 2)
    ([(None, 2), (None, T)], [(3,), (3,)])
    >>> array_split((6,), [4, 2])
    Traceback (most recent call last):
    archlint.layers.base.ShapeError: split(indices_or_sections=[4, 2]) needs increasing \
indices within the axis of size 6 in (6,)
    """
    if len(x) == 0:
        raise ShapeError(NDIM_MISMATCH, "split cannot split a scalar")
    index = resolve_axis(axis, len(x), "split", x)
    if not isinstance(indices_or_sections, (list, tuple)):
        if isinstance(indices_or_sections, Unknown):
            raise Unresolved(indices_or_sections)
        part = _even_split(x[index], indices_or_sections, "split", x, index)
        return [_replace(x, index, part)] * indices_or_sections
    cuts = static_ints(indices_or_sections, "split", "indices_or_sections")
    size = x[index]
    what = (f"split(indices_or_sections={list(cuts)}) needs increasing indices within the "
            f"axis of size {format_dim(size)} in {shape_text(x)}")
    if not cuts:
        raise ShapeError(INVALID_CONFIG, "split(indices_or_sections=[]) needs an index")
    pieces: list[Dim] = [cuts[0], *(b - a for a, b in pairwise(cuts))]
    if any(p < 0 for p in pieces):  # type: ignore[operator]
        raise ShapeError(INVALID_CONFIG, what)
    last = size if size is None or isinstance(size, Unknown) else size - cuts[-1]
    if isinstance(last, int) and last < 0:
        raise ShapeError(INVALID_CONFIG, what)
    if isinstance(last, Expr):
        bound = size_bound(size)
        if bound is None or bound < cuts[-1]:
            raise ShapeError(INVALID_CONFIG, what, condition=f"{size} < {cuts[-1]}")
    return [_replace(x, index, piece) for piece in (*pieces, last)]


def tile(input: Shape, multiples: Any) -> Shape:
    """``tf.tile``: one multiple per axis.

    >>> tile((None, 3), [1, 4])
    (None, 12)
    """
    reps = static_ints(multiples, "tile", "multiples")
    if len(reps) != len(input):
        raise ShapeError(INVALID_CONFIG, f"tile(multiples={list(reps)}) needs one multiple "
                         f"per axis of {shape_text(input)}")
    if any(r < 0 for r in reps):
        raise ShapeError(INVALID_CONFIG, f"tile(multiples={list(reps)}) must not be negative")
    return tuple(dim_mul(d, r) for d, r in zip(input, reps))


def numpy_tile(x: Shape, repeats: Any) -> Shape:
    """``keras.ops.tile`` (NumPy's): the shorter of the shape and ``repeats`` is padded with
    leading ones.

    >>> numpy_tile((2, 3), [2]), numpy_tile((3,), [2, 2])
    ((2, 6), (2, 6))
    """
    reps = (repeats,) if is_int(repeats) else static_ints(repeats, "tile", "repeats")
    if any(r < 0 for r in reps):
        raise ShapeError(INVALID_CONFIG, f"tile(repeats={list(reps)}) must not be negative")
    rank = max(len(x), len(reps))
    shape = (1,) * (rank - len(x)) + tuple(x)
    reps = (1,) * (rank - len(reps)) + tuple(reps)
    return tuple(dim_mul(d, r) for d, r in zip(shape, reps))


def repeat(x: Shape, repeats: Any, axis: Any = None) -> Shape:
    """Repeat each element ``repeats`` times along ``axis``; ``axis=None`` flattens first.

    >>> from archlint.dims import Sym
    >>> repeat((None, Sym("T")), 2, axis=1), repeat((2, 3), 2), repeat((3,), [1, 2, 3], axis=0)
    ((None, 2*T), (12,), (6,))
    """
    if isinstance(repeats, Unknown):
        raise Unresolved(repeats)
    if axis is None:
        x, index = (product(tuple(x)),), 0
    else:
        index = resolve_axis(axis, len(x), "repeat", x)
    size = x[index]
    if is_int(repeats):
        if repeats < 0:
            raise ShapeError(INVALID_CONFIG, f"repeat(repeats={repeats}) must not be negative")
        return _replace(x, index, dim_mul(size, repeats))
    counts = static_ints(repeats, "repeat", "repeats")
    if len(counts) == 1:
        return _replace(x, index, dim_mul(size, counts[0]))
    if isinstance(size, int) and size != len(counts):
        raise ShapeError(INCOMPATIBLE_MERGE, f"repeat(repeats={list(counts)}) needs one count "
                         f"per element of axis {index} of size {size}")
    if isinstance(size, Expr):
        raise ShapeError(INCOMPATIBLE_MERGE, f"repeat(repeats={list(counts)}) needs one count "
                         f"per element of axis {index} of size {size}",
                         condition=f"{size} != {len(counts)}")
    return _replace(x, index, sum(counts))


def unstack(value: Shape, num: Any = None, axis: int = 0) -> list[Shape]:
    """Split along ``axis`` into tensors without it; the axis size must be known.

    >>> unstack((None, 3, 4), axis=1)
    [(None, 4), (None, 4), (None, 4)]
    """
    if len(value) == 0:
        raise ShapeError(NDIM_MISMATCH, "unstack cannot split a scalar")
    index = resolve_axis(axis, len(value), "unstack", value)
    size = value[index]
    count = num if num is not None else size
    if isinstance(count, Unknown):
        raise Unresolved(count)
    if not isinstance(count, int) or isinstance(count, bool):
        raise ShapeError(INVALID_CONFIG, f"unstack needs the size of axis {index} of "
                         f"{shape_text(value)}, or num=")
    if is_int(size) and size != count:
        raise ShapeError(INVALID_CONFIG, f"unstack(num={num}) does not match the size {size} "
                         f"of axis {index}")
    rest = (*value[:index], *value[index + 1:])
    return [rest] * count
