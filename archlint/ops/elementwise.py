"""Elementwise operations and matrix products: NumPy broadcasting, ``@`` and ``matmul``.

Broadcasting aligns shapes on the right; a missing leading axis or a size 1 takes the other
size (``archlint.layers.merging.broadcast_dims`` decides each axis, symbolic sizes included).
"""

from __future__ import annotations

from archlint.dims import Dim
from archlint.layers.base import (
    INCOMPATIBLE_MERGE,
    INVALID_CONFIG,
    NDIM_MISMATCH,
    Shape,
    ShapeError,
)
from archlint.layers.merging import broadcast_dims, equal_dims
from archlint.ops.common import resolve_axes, resolve_axis, shape_text


def identity(x: Shape) -> Shape:
    """Elementwise functions of one tensor (``sqrt``, ``cast``, ``relu``, ``softmax``) keep
    its shape.

    >>> identity((None, 3))
    (None, 3)
    """
    return tuple(x)


def broadcast(*shapes: Shape, op: str = "broadcast") -> Shape:
    """The shape of an elementwise operation on tensors of ``shapes`` (NumPy broadcasting).

    >>> from archlint.dims import Sym
    >>> broadcast((4, 1, 3), (5, 1)), broadcast((None, Sym("T"), 8), (8,))
    ((4, 5, 3), (None, T, 8))
    >>> broadcast((2, 3), (4, 3), op="add")
    Traceback (most recent call last):
    archlint.layers.base.ShapeError: add cannot broadcast (2, 3) with (4, 3) on axis -2: \
sizes 2 and 4 differ (and neither is 1)
    """
    out: tuple[Dim, ...] = ()
    for index, shape in enumerate(shapes):
        shape = tuple(shape)
        if index == 0:
            out = shape
            continue
        rank = max(len(out), len(shape))
        left = (1,) * (rank - len(out)) + out
        right = (1,) * (rank - len(shape)) + shape
        what = f"{op} cannot broadcast {shape_text(out)} with {shape_text(shape)}"
        out = tuple(broadcast_dims(a, b, f"{what} on axis {i - rank}")
                    for i, (a, b) in enumerate(zip(left, right)))
    return out


def where(condition: Shape, x: Shape, y: Shape) -> Shape:
    """``where(condition, x, y)``: the three shapes broadcast together.

    >>> where((3, 1), (1, 4), ())
    (3, 4)
    """
    return broadcast(condition, x, y, op="where")


def _contract(a: Dim, b: Dim, op: str, x1: Shape, x2: Shape) -> None:
    equal_dims(a, b, f"{op} contracts {shape_text(x1)} with {shape_text(x2)}: the inner "
               "sizes")


def matmul(x1: Shape, x2: Shape) -> Shape:
    """``keras.ops.matmul`` (NumPy's): batch axes broadcast, a rank-1 operand is a vector
    whose axis is dropped from the result; scalars are refused.

    >>> matmul((None, 3, 4), (4, 5)), matmul((3, 4), (4,)), matmul((4,), (2, 4, 5))
    ((None, 3, 5), (3,), (2, 5))
    >>> matmul((3, 4), (5, 6))
    Traceback (most recent call last):
    archlint.layers.base.ShapeError: matmul contracts (3, 4) with (5, 6): the inner sizes: \
sizes 4 and 5 differ
    """
    if len(x1) == 0 or len(x2) == 0:
        raise ShapeError(NDIM_MISMATCH, f"matmul cannot multiply a scalar: "
                         f"{shape_text(x1)} @ {shape_text(x2)}")
    a = tuple(x1) if len(x1) > 1 else (1, *x1)
    b = tuple(x2) if len(x2) > 1 else (*x2, 1)
    _contract(a[-1], b[-2], "matmul", x1, x2)
    batch = broadcast(a[:-2], b[:-2], op="matmul")
    out = (*batch, *((a[-2],) if len(x1) > 1 else ()), *((b[-1],) if len(x2) > 1 else ()))
    return out


def tf_matmul(a: Shape, b: Shape, transpose_a: bool = False, transpose_b: bool = False,
              adjoint_a: bool = False, adjoint_b: bool = False) -> Shape:
    """``tf.matmul`` and ``@`` on TensorFlow tensors: both operands of rank >= 2, batch axes
    broadcast.

    >>> tf_matmul((2, 3, 4), (5, 4), transpose_b=True)
    (2, 3, 5)
    >>> tf_matmul((3, 4), (4,))
    Traceback (most recent call last):
    archlint.layers.base.ShapeError: tf.matmul needs operands of rank >= 2, got (3, 4) and (4,)
    """
    if len(a) < 2 or len(b) < 2:
        raise ShapeError(NDIM_MISMATCH, "tf.matmul needs operands of rank >= 2, got "
                         f"{shape_text(a)} and {shape_text(b)}")
    rows, inner_a = (a[-1], a[-2]) if transpose_a or adjoint_a else (a[-2], a[-1])
    inner_b, cols = (b[-1], b[-2]) if transpose_b or adjoint_b else (b[-2], b[-1])
    _contract(inner_a, inner_b, "tf.matmul", a, b)
    return (*broadcast(a[:-2], b[:-2], op="tf.matmul"), rows, cols)


def dot(x1: Shape, x2: Shape) -> Shape:
    """``keras.ops.dot`` (NumPy's): matmul for ranks 1 and 2, the last axis of ``x1`` with
    the second-to-last of ``x2`` otherwise (no broadcasting); a scalar multiplies.

    >>> dot((2, 3, 4), (5, 4, 6)), dot((3,), (3,)), dot((), (2, 2))
    ((2, 3, 5, 6), (), (2, 2))
    """
    if len(x1) == 0 or len(x2) == 0:
        return broadcast(x1, x2, op="dot")
    if len(x2) == 1:
        _contract(x1[-1], x2[0], "dot", x1, x2)
        return tuple(x1[:-1])
    _contract(x1[-1], x2[-2], "dot", x1, x2)
    return (*x1[:-1], *x2[:-2], x2[-1])


def tensordot(x1: Shape, x2: Shape, axes: int | tuple = 2) -> Shape:
    """``tensordot``: contract the last ``axes`` axes of ``x1`` with the first of ``x2``,
    or the listed pairs of axes.

    >>> tensordot((2, 3, 4), (3, 4, 5)), tensordot((2, 3), (3, 5), axes=((1,), (0,)))
    ((2, 5), (2, 5))
    """
    if isinstance(axes, int) and not isinstance(axes, bool):
        if not 0 <= axes <= min(len(x1), len(x2)):
            raise ShapeError(INVALID_CONFIG, f"tensordot(axes={axes}) needs that many "
                             f"axes in {shape_text(x1)} and {shape_text(x2)}")
        first = tuple(range(len(x1) - axes, len(x1)))
        second = tuple(range(axes))
    else:
        if not isinstance(axes, (list, tuple)) or len(axes) != 2:
            raise ShapeError(INVALID_CONFIG, f"tensordot(axes={axes!r}) must be an int "
                             "or a pair of axis lists")
        left, right = axes
        left = left if isinstance(left, (list, tuple)) else (left,)
        right = right if isinstance(right, (list, tuple)) else (right,)
        first = resolve_axes(left, len(x1), "tensordot", x1)
        second = resolve_axes(right, len(x2), "tensordot", x2)
        if len(first) != len(second):
            raise ShapeError(INVALID_CONFIG, f"tensordot(axes={axes!r}) pairs "
                             f"{len(first)} axes with {len(second)}")
    for i, j in zip(first, second):
        _contract(x1[i], x2[j], "tensordot", x1, x2)
    return (*(d for i, d in enumerate(x1) if i not in first),
            *(d for j, d in enumerate(x2) if j not in second))


def along_axis(x: Shape, axis: int | None = -1) -> Shape:
    """An elementwise function computed along ``axis`` (``softmax``, ``l2_normalize``,
    ``cumsum``): the shape is kept, the axis must exist.

    >>> along_axis((None, 3), axis=1)
    (None, 3)
    """
    if axis is not None:
        resolve_axis(axis, len(x), "", x)
    return tuple(x)


def same_shape(inputs: list[Shape]) -> Shape:
    """``tf.add_n``: tensors of one shape, without broadcasting.

    >>> same_shape([(None, 3), (2, 3)])
    (2, 3)
    """
    out = list(inputs[0])
    for shape in inputs[1:]:
        if len(shape) != len(out):
            raise ShapeError(INCOMPATIBLE_MERGE, "add_n needs tensors of one shape, got "
                             f"{', '.join(shape_text(s) for s in inputs)}")
        out = [equal_dims(a, b, "add_n needs tensors of one shape, got "
                          f"{', '.join(shape_text(s) for s in inputs)}")
               for a, b in zip(out, shape)]
    return tuple(out)


def broadcast_to(x: Shape, shape: Shape) -> Shape:
    """``broadcast_to(x, shape)``: ``x`` must broadcast to ``shape`` exactly.

    >>> broadcast_to((3, 1), (2, 3, 4))
    (2, 3, 4)
    >>> broadcast_to((3, 2), (3, 4))
    Traceback (most recent call last):
    archlint.layers.base.ShapeError: broadcast_to((3, 4)) cannot broadcast (3, 2) with (3, 4) \
on axis -1: sizes 2 and 4 differ (and neither is 1)
    """
    target = tuple(shape)
    if len(x) > len(target):
        raise ShapeError(INCOMPATIBLE_MERGE, f"broadcast_to({shape_text(target)}) cannot "
                         f"drop axes of {shape_text(x)}")
    out = broadcast(x, target, op=f"broadcast_to({shape_text(target)})")
    for d, t in zip(out, target):
        if isinstance(t, int) and d != t:
            raise ShapeError(INCOMPATIBLE_MERGE, f"broadcast_to({shape_text(target)}) cannot "
                             f"grow {shape_text(x)} to it")
    return target
