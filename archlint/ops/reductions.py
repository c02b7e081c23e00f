"""Reductions over axes (``mean``, ``sum``, ``max``, ``argmax``, ...) and ``einsum``."""

from __future__ import annotations

from typing import Any

from archlint.dims import Dim
from archlint.layers.base import INVALID_CONFIG, Shape, ShapeError, Unresolved
from archlint.layers.merging import broadcast_dims, equal_dims
from archlint.ops.common import resolve_axes, resolve_axis, shape_text
from archlint.ops.layout import ravel
from archlint.unknown import Unknown


def reduce(x: Shape, axis: Any = None, keepdims: bool = False) -> Shape:
    """Reduce ``axis`` (an int, a sequence, or None for every axis); ``keepdims`` keeps
    each reduced axis with size 1.

    >>> reduce((None, 5, 3), axis=1), reduce((None, 5, 3), axis=(1, -1), keepdims=True)
    ((None, 3), (None, 1, 1))
    >>> reduce((None, 5, 3)), reduce((None, 5, 3), keepdims=True), reduce((2, 3), axis=())
    ((), (1, 1, 1), (2, 3))
    """
    if isinstance(keepdims, Unknown):
        raise Unresolved(keepdims)
    axes = range(len(x)) if axis is None else resolve_axes(axis, len(x), "reduce", x)
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(x))
    return tuple(d for i, d in enumerate(x) if i not in axes)


def arg_reduce(x: Shape, axis: Any = None, keepdims: bool = False) -> Shape:
    """``keras.ops.argmax``/``argmin``: one axis, or every axis when None.

    >>> arg_reduce((None, 5, 3), axis=-1), arg_reduce((2, 3))
    ((None, 5), ())
    """
    if axis is None:
        return (1,) * len(x) if keepdims else ()
    index = resolve_axis(axis, len(x), "argmax", x)
    return reduce(x, index, keepdims)


def tf_arg_reduce(input: Shape, axis: Any = None) -> Shape:
    """``tf.argmax``/``tf.argmin``: one axis, the first when None.

    >>> tf_arg_reduce((4, 5, 3)), tf_arg_reduce((4, 5, 3), axis=-1)
    ((5, 3), (4, 5))
    """
    index = resolve_axis(0 if axis is None else axis, len(input), "argmax", input)
    return reduce(input, index)


def _parse_operand(term: str, equation: str) -> list[str]:
    """The labels of one einsum operand, ``"..."`` kept as one label."""
    labels: list[str] = []
    rest = term
    while rest:
        if rest.startswith("..."):
            labels.append("...")
            rest = rest[3:]
        elif rest[0].isalpha():
            labels.append(rest[0])
            rest = rest[1:]
        else:
            raise ShapeError(INVALID_CONFIG, f"einsum equation {equation!r} holds "
                             f"{rest[0]!r}, which is not a label")
    if labels.count("...") > 1:
        raise ShapeError(INVALID_CONFIG, f"einsum equation {equation!r} has two ellipses in "
                         "one operand")
    return labels


def einsum(equation: Any, *operands: Shape) -> Shape:
    """``einsum(equation, *operands)``: each label's size must agree across operands; the
    axes under ``...`` broadcast. Without ``->`` the output holds the labels used once, in
    alphabetical order, after the ellipsis axes.

    >>> einsum("bij,bjk->bik", (None, 3, 4), (None, 4, 5)), einsum("ij->ji", (2, 3))
    ((None, 3, 5), (3, 2))
    >>> einsum("...ij,...jk->...ik", (7, 2, 3), (3, 4)), einsum("ij,jk", (2, 3), (3, 4))
    ((7, 2, 4), (2, 4))
    >>> einsum("bi,bi->b", (4, 3), (4, 5))
    Traceback (most recent call last):
    archlint.layers.base.ShapeError: einsum('bi,bi->b') gives label i two sizes in \
(4, 3), (4, 5): sizes 3 and 5 differ
    """
    if isinstance(equation, Unknown):
        raise Unresolved(equation)
    if not isinstance(equation, str):
        raise ShapeError(INVALID_CONFIG, f"einsum equation {equation!r} must be a string")
    text = equation.replace(" ", "")
    inputs, arrow, output = text.partition("->")
    terms = inputs.split(",")
    op = f"einsum({equation!r})"
    shapes_text = ", ".join(shape_text(s) for s in operands)
    if len(terms) != len(operands):
        raise ShapeError(INVALID_CONFIG, f"{op} names {len(terms)} operands, but it is given "
                         f"{len(operands)}")
    sizes: dict[str, Dim] = {}
    ellipsis: tuple[Dim, ...] = ()
    counts: dict[str, int] = {}
    for term, shape in zip(terms, operands):
        labels = _parse_operand(term, equation)
        named = [label for label in labels if label != "..."]
        if len(named) > len(shape) or ("..." not in labels and len(named) != len(shape)):
            raise ShapeError(INVALID_CONFIG, f"{op} gives operand {term!r} {len(named)} axes, "
                             f"but its shape is {shape_text(shape)}")
        spread = len(shape) - len(named)
        axis = 0
        for label in labels:
            if label == "...":
                part = tuple(shape[axis:axis + spread])
                rank = max(len(part), len(ellipsis))
                left = (1,) * (rank - len(ellipsis)) + ellipsis
                right = (1,) * (rank - len(part)) + part
                ellipsis = tuple(broadcast_dims(a, b, f"{op} cannot broadcast the ellipsis "
                                                f"axes of {shapes_text}")
                                 for a, b in zip(left, right))
                axis += spread
                continue
            counts[label] = counts.get(label, 0) + 1
            size = shape[axis]
            if label in sizes:
                sizes[label] = equal_dims(sizes[label], size, f"{op} gives label {label} two "
                                          f"sizes in {shapes_text}")
            else:
                sizes[label] = size
            axis += 1
    if not arrow:
        letters = sorted(label for label, n in counts.items() if n == 1)
        return (*ellipsis, *(sizes[label] for label in letters))
    out_labels = _parse_operand(output, equation)
    out: list[Dim] = []
    for label in out_labels:
        if label == "...":
            out.extend(ellipsis)
        elif label not in sizes:
            raise ShapeError(INVALID_CONFIG, f"{op} outputs label {label}, which no operand has")
        elif out_labels.count(label) > 1:
            raise ShapeError(INVALID_CONFIG, f"{op} outputs label {label} twice")
        else:
            out.append(sizes[label])
    return tuple(out)


def numpy_cumulative(x: Shape, axis: Any = None) -> Shape:
    """``keras.ops.cumsum``/``cumprod``: along ``axis``, or over the flattened tensor.

    >>> numpy_cumulative((2, 3)), numpy_cumulative((2, 3), axis=1)
    ((6,), (2, 3))
    """
    if axis is None:
        return ravel(x)
    resolve_axis(axis, len(x), "cumsum", x)
    return tuple(x)
