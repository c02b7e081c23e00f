"""Operations that pick, pad or make tensors: gather/take, pad, top_k, sequence_mask, range,
and tensors made from a shape (``zeros``, ``ones``, ``fill``)."""

from __future__ import annotations

from typing import Any

from archlint.dims import Dim, Expr, ceil_div
from archlint.layers.base import INVALID_CONFIG, NDIM_MISMATCH, Shape, ShapeError, Unresolved
from archlint.ops.common import (
    RUN_TIME,
    is_int,
    lower_bound,
    resolve_axis,
    shape_text,
    static_ints,
)
from archlint.unknown import Unknown


def gather(params: Shape, indices: Shape, axis: Any = None, batch_dims: int = 0) -> Shape:
    """``tf.gather``: the ``axis`` of ``params`` (0 when None) becomes the axes of
    ``indices``, whose first ``batch_dims`` axes are shared with ``params``.

    >>> gather((100, 16), (None, 7)), gather((None, 5, 3), (None, 2), axis=1, batch_dims=1)
    ((None, 7, 16), (None, 2, 3))
    """
    if not is_int(batch_dims) or not 0 <= batch_dims <= len(indices):
        raise ShapeError(INVALID_CONFIG, f"gather(batch_dims={batch_dims!r}) must be between "
                         f"0 and the rank of the indices {shape_text(indices)}")
    if len(params) == 0:
        raise ShapeError(NDIM_MISMATCH, "gather cannot pick from a scalar")
    index = resolve_axis(batch_dims if axis is None else axis, len(params), "gather", params)
    if index < batch_dims:
        # TensorFlow documents this as invalid, yet runs it; what it builds is not modelled.
        raise Unresolved(Unknown(f"gather(axis={axis}) before batch_dims={batch_dims}"))
    return (*params[:index], *indices[batch_dims:], *params[index + 1:])


def take(x: Shape, indices: Shape, axis: Any = None) -> Shape:
    """``keras.ops.take`` (NumPy's): ``axis=None`` picks from the flattened tensor.

    >>> take((100, 16), (None, 7), axis=0), take((4, 5), (3,))
    ((None, 7, 16), (3,))
    """
    if axis is None:
        return tuple(indices)
    return gather(x, indices, axis)


def _pad_pairs(paddings: Any, ndim: int, op: str) -> list[tuple[int, int]]:
    """One ``(before, after)`` pair of widths per axis."""
    if isinstance(paddings, Unknown):
        raise Unresolved(paddings)
    if not isinstance(paddings, (list, tuple)) or len(paddings) != ndim or not all(
            isinstance(p, (list, tuple)) for p in paddings):
        raise ShapeError(INVALID_CONFIG, f"{op}({paddings!r}) needs one pair of widths per "
                         f"axis ({ndim})")
    pairs = []
    for item in paddings:
        pair = static_ints(item, op, "paddings")
        if len(pair) != 2:
            raise ShapeError(INVALID_CONFIG, f"{op}({paddings!r}) needs pairs of widths")
        pairs.append((pair[0], pair[1]))
    return pairs


def _padded(x: Shape, pairs: list[tuple[int, int]], op: str) -> Shape:
    if any(a < 0 or b < 0 for a, b in pairs):
        raise ShapeError(INVALID_CONFIG, f"{op} widths {pairs} must not be negative")
    return tuple(d if d is None or isinstance(d, Unknown) else d + a + b
                 for d, (a, b) in zip(x, pairs))


def pad(x: Shape, paddings: Any) -> Shape:
    """``tf.pad`` and ``keras.ops.pad``: one ``(before, after)`` pair per axis. (Keras 3
    builds NumPy's shorthands, one int or one pair for every axis, but its TensorFlow
    backend refuses them when it runs.)

    >>> from archlint.dims import Sym
    >>> pad((None, Sym("T"), 3), [[0, 0], [2, 1], [0, 0]])
    (None, T+3, 3)
    """
    return _padded(x, _pad_pairs(paddings, len(x), "pad"), "pad")


def top_k(x: Shape, k: Any = 1) -> list[Shape]:
    """``top_k``: the values and their indices, the last axis cut to ``k``.

    >>> top_k((None, 10), 3)
    [(None, 3), (None, 3)]
    """
    if isinstance(k, Unknown):
        raise Unresolved(k)
    if len(x) == 0:
        raise ShapeError(NDIM_MISMATCH, "top_k needs a tensor of rank >= 1")
    if not is_int(k) or k < 0:
        raise ShapeError(INVALID_CONFIG, f"top_k(k={k!r}) must be an integer >= 0")
    last = x[-1]
    if isinstance(last, int) and last < k:
        raise ShapeError(INVALID_CONFIG, f"top_k(k={k}) needs at least {k} entries on the last "
                         f"axis of {shape_text(x)}")
    if isinstance(last, Expr) and not (lower_bound(last) or 0) >= k:
        raise ShapeError(INVALID_CONFIG, f"top_k(k={k}) needs at least {k} entries on the last "
                         f"axis of {shape_text(x)}", condition=f"{last} < {k}")
    out = (*x[:-1], k)
    return [out, out]


def sequence_mask(lengths: Shape, maxlen: Any = None) -> Shape:
    """``tf.sequence_mask``: a mask of ``maxlen`` (its largest length when None, a number
    only known at run time) per length.

    >>> sequence_mask((None,), 20), sequence_mask((4,))
    ((None, 20), (4, None))
    """
    if maxlen is None or isinstance(maxlen, Unknown):
        return (*lengths, maxlen)
    if not (is_int(maxlen) or isinstance(maxlen, Expr)):
        raise ShapeError(INVALID_CONFIG, f"sequence_mask(maxlen={maxlen!r}) must be a size")
    return (*lengths, maxlen)


def arange(start: Any, stop: Any = None, step: Any = 1) -> Shape:
    """``range``/``arange``: ``arange(n)`` holds n numbers; symbolic bounds give an
    expression (``range(T)`` holds T).

    >>> from archlint.dims import Sym
    >>> arange(5), arange(2, 11, 3), arange(Sym("T")), arange(0, Sym("T"), 2), arange(5, 5)
    ((5,), (3,), (T,), ((T+1)//2,), (0,))
    """
    if stop is None:
        start, stop = 0, start
    for value in (start, stop, step):
        if isinstance(value, Unknown):
            return (value,)
        if value is None or value is RUN_TIME:
            return (None,)
    if not is_int(step) or step == 0:
        raise ShapeError(INVALID_CONFIG, f"range(step={step!r}) must be a non-zero integer")
    if not all(is_int(v) or isinstance(v, Expr) for v in (start, stop)):
        raise ShapeError(INVALID_CONFIG, "range bounds must be integers")
    span: Dim = stop - start if step > 0 else start - stop
    what = (f"range({start}, {stop}, {step}) runs away from its limit (TensorFlow refuses an "
            "empty range in the wrong direction)")
    if isinstance(span, int) and span < 0:
        raise ShapeError(INVALID_CONFIG, what)
    bound = lower_bound(span)
    if isinstance(span, Expr) and (bound is None or bound < 0):
        raise ShapeError(INVALID_CONFIG, what, condition=f"{span} < 0")
    return (ceil_div(span, abs(step)),)


def from_shape(shape: Any) -> Shape:
    """``zeros(shape)``, ``ones(shape)``, ``fill(dims, value)``: a tensor of that shape.

    >>> from_shape([2, 3]), from_shape(4)
    ((2, 3), (4,))
    """
    if isinstance(shape, Unknown):
        raise Unresolved(shape)
    dims = (shape,) if is_int(shape) or isinstance(shape, Expr) or shape is RUN_TIME \
        else tuple(shape)
    dims = tuple(None if d is RUN_TIME else d for d in dims)  # a size only the data decides
    for d in dims:
        if is_int(d) and d < 0:
            raise ShapeError(INVALID_CONFIG, f"a shape {list(dims)} cannot hold a negative size")
    return dims

