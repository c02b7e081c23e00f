"""Merge layers: Concatenate, Add, Subtract, Multiply, Average, Maximum, Minimum and Dot.

Elementwise merges broadcast their inputs the way NumPy does, aligned on the right and
ignoring the batch axis: an input of lower rank gets new axes after the batch axis (Keras
calls ``expand_dims(x, 1)``), and an axis of size 1 takes the other input's size. Both
Keras versions compute the same shapes; they differ in what they *declare* for an undefined
axis against a number (Keras 3 declares None, tf-keras the number), which is why a size
that is undefined (None) or unresolved here takes the other input's number: that is the
only size with which the forward pass succeeds. Concatenate does not broadcast: every axis
but the concatenation axis must be equal.

Symbolic sizes (an input axis declared ``None`` becomes an expression such as ``T`` or
``T-9``): where two sizes must match and only agree for some input lengths, Keras builds
the model and fails at the first forward pass with other lengths, so archlint raises
``ShapeError(AL105)`` with ``condition`` set to the lengths that fail (``T != 7 and
T != 1``); sizes that differ by a constant fail for every length (Concatenate) or
wherever the smaller is not 1 (broadcasting). Two expressions over *different* symbols (two
inputs with their own variable length) cannot be compared statically, by Keras either:
they are assumed to be fed equal, and an elementwise merge gives ``max(a, b)``, the size of
the result whenever the forward pass succeeds.
"""

from __future__ import annotations

from typing import Any

from archlint.dims import Dim, Expr, MinMax, dim_max, format_dim, format_shape, symbols_of
from archlint.layers import register
from archlint.layers.base import (
    INCOMPATIBLE_MERGE,
    INVALID_CONFIG,
    InputSpec,
    LayerSpec,
    Shape,
    ShapeError,
)
from archlint.unknown import Unknown


def _shapes_text(inputs: list[Shape]) -> str:
    return ", ".join(format_shape(s) for s in inputs)


def _mismatch(a: Dim, b: Dim, what: str, *, broadcast: bool) -> ShapeError:
    """The error for two different sizes, at least one of them symbolic (same symbols).

    ``condition`` holds the lengths for which Keras fails; None when it always fails.
    """
    fa, fb = format_dim(a), format_dim(b)
    diff = a - b  # type: ignore[operator]
    if isinstance(diff, int):
        if not broadcast:
            return ShapeError(INCOMPATIBLE_MERGE,
                              f"{what}: {fa} and {fb} always differ (by {abs(diff)})")
        # Two sizes that differ by a constant only broadcast where the smaller one is 1.
        smaller = fb if diff > 0 else fa
        return ShapeError(INCOMPATIBLE_MERGE, f"{what}: {fa} and {fb} always differ "
                          f"(by {abs(diff)}), so they only broadcast where {smaller} == 1",
                          condition=f"{smaller} != 1")
    if not broadcast:
        return ShapeError(INCOMPATIBLE_MERGE, f"{what}: {fa} and {fb} differ unless "
                          f"{fa} == {fb}", condition=f"{fa} != {fb}")
    ones = [f"{d} != 1" for d in (fa, fb) if not d.lstrip("-").isdigit()]
    return ShapeError(INCOMPATIBLE_MERGE, f"{what}: {fa} and {fb} differ unless {fa} == {fb} "
                      "(or one of them is 1)", condition=" and ".join([f"{fa} != {fb}", *ones]))


def equal_dims(a: Dim, b: Dim, what: str) -> Dim:
    """Two sizes that must be equal; returns the common size.

    None (undefined in Keras) defers to the other size, since that is the size the forward
    pass produces whenever it succeeds; so do two sizes over different symbols (two inputs
    with their own variable length: Keras cannot check them either).

    >>> from archlint.dims import Sym
    >>> equal_dims(Sym("T") - 1, Sym("T") - 1, "axis 1"), equal_dims(None, 4, "axis 1")
    (T-1, 4)
    >>> equal_dims(Sym("T"), 7, "axis 1")
    Traceback (most recent call last):
    archlint.layers.base.ShapeError: axis 1: T and 7 differ unless T == 7
    >>> equal_dims(Sym("T"), Sym("T") - 9, "axis 1")
    Traceback (most recent call last):
    archlint.layers.base.ShapeError: axis 1: T and T-9 always differ (by 9)
    """
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        # Unresolved against a number: the forward pass only succeeds with that number.
        known = b if isinstance(a, Unknown) else a
        return known if isinstance(known, int) else (a if isinstance(a, Unknown) else b)
    if a is None or b is None:
        return b if a is None else a
    if a == b:
        return a
    if isinstance(a, int) and isinstance(b, int):
        raise ShapeError(INCOMPATIBLE_MERGE, f"{what}: sizes {a} and {b} differ")
    if isinstance(a, Expr) and isinstance(b, Expr) and symbols_of(a) != symbols_of(b) and \
            not (a.fixed() and b.fixed()):  # Keras compares named sizes when it builds
        return a
    raise _mismatch(a, b, what, broadcast=False)


def broadcast_dims(a: Dim, b: Dim, what: str) -> Dim:
    """One axis of an elementwise merge: equal sizes, or a 1 that takes the other size.

    >>> from archlint.dims import Sym
    >>> T = Sym("T")
    >>> broadcast_dims(1, 5, "axis 1"), broadcast_dims(T, 1, "axis 1")
    (5, T)
    >>> broadcast_dims(None, 5, "axis 1"), broadcast_dims(None, 1, "axis 1")
    (5, None)
    >>> broadcast_dims(T, Sym("U"), "axis 1")
    max(T, U)
    >>> broadcast_dims(3, 4, "axis 1")
    Traceback (most recent call last):
    archlint.layers.base.ShapeError: axis 1: sizes 3 and 4 differ (and neither is 1)
    >>> for other in (7, T - 9, 3 * T):
    ...     try:
    ...         broadcast_dims(T, other, "axis 1")
    ...     except ShapeError as error:
    ...         print(error.condition)
    T != 7 and T != 1
    T-9 != 1
    T != 3*T and T != 1 and 3*T != 1
    """
    if a == 1:
        return b
    if b == 1:
        return a
    if a is None or b is None or isinstance(a, Unknown) or isinstance(b, Unknown):
        # Undefined or unresolved against k > 1: the forward pass only succeeds with k.
        other = b if a is None or isinstance(a, Unknown) else a
        if isinstance(other, int):
            return other
        return next((d for d in (a, b) if isinstance(d, Unknown)), None)
    if a == b:
        return a
    if isinstance(a, int) and isinstance(b, int):
        raise ShapeError(INCOMPATIBLE_MERGE, f"{what}: sizes {a} and {b} differ "
                         "(and neither is 1)")
    if isinstance(a, Expr) and isinstance(b, Expr) and symbols_of(a) != symbols_of(b) and \
            not (a.fixed() and b.fixed()):  # Keras compares named sizes when it builds
        # Whenever the forward pass succeeds (equal, or one of them 1), this is the size.
        return dim_max(a, b)
    for size, capped in ((a, b), (b, a)):
        if isinstance(capped, MinMax) and capped.op == "min" and size in capped.args:
            # min(T, 50) against T (a table cut to the input's length): equal, or the run
            # fails, so T whenever it succeeds.
            return size
    raise _mismatch(a, b, what, broadcast=True)


def _merge_batch(inputs: list[Shape], name: str) -> Dim:
    """The batch axis: inputs with a fixed batch size must agree (Keras checks it at build)."""
    sizes = {s[0] for s in inputs if isinstance(s[0], int)}
    if len(sizes) > 1:
        raise ShapeError(INCOMPATIBLE_MERGE, f"{name} cannot merge inputs with different "
                         f"batch sizes: {_shapes_text(inputs)}")
    return sizes.pop() if sizes else inputs[0][0]


class _Elementwise(LayerSpec):
    """Add, Subtract, Multiply, Average, Maximum, Minimum: NumPy broadcasting of the inputs
    (without their batch axis), aligned on the right. No parameters."""

    input_spec = InputSpec(min_inputs=2, max_inputs=None)

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        name = self.class_name
        batch = _merge_batch(inputs, name)
        out: tuple[Dim, ...] = tuple(inputs[0][1:])
        for shape in inputs[1:]:
            other = tuple(shape[1:])
            rank = max(len(out), len(other))
            left = (1,) * (rank - len(out)) + out
            right = (1,) * (rank - len(other)) + other
            merged = []
            for i, (a, b) in enumerate(zip(left, right)):
                # Axis numbers counted from the end, so they mean the same for every input.
                what = (f"{name} cannot broadcast inputs {_shapes_text(inputs)} on axis "
                        f"{i - rank}")
                merged.append(broadcast_dims(a, b, what))
            out = tuple(merged)
        return (batch, *out)


@register
class Add(_Elementwise):
    """Elementwise sum of two or more inputs.

    >>> Add().output_shape({}, [(None, 1, 3), (None, 4, 1)])
    (None, 4, 3)
    >>> Add().output_shape({}, [(None, 3), (None, 4, 3)])
    (None, 4, 3)
    """

    class_name = "Add"
    time_order = "pairs"


@register
class Subtract(_Elementwise):
    """``inputs[0] - inputs[1]``: exactly two inputs.

    >>> Subtract().output_shape({}, [(None, 5), (None, 5)])
    (None, 5)
    """

    class_name = "Subtract"
    time_order = "pairs"
    input_spec = InputSpec(min_inputs=2, max_inputs=2)


@register
class Multiply(_Elementwise):
    """Elementwise product of two or more inputs.

    >>> Multiply().output_shape({}, [(None, 2, 1), (None, 1, 7)])
    (None, 2, 7)
    """

    class_name = "Multiply"
    time_order = "pairs"


@register
class Average(_Elementwise):
    """Elementwise mean of two or more inputs.

    >>> Average().output_shape({}, [(None, 8), (None, 8), (None, 1)])
    (None, 8)
    """

    class_name = "Average"
    time_order = "pairs"


@register
class Maximum(_Elementwise):
    """Elementwise maximum of two or more inputs.

    >>> Maximum().output_shape({}, [(None, 4), (None, 4)])
    (None, 4)
    """

    class_name = "Maximum"
    time_order = "pairs"


@register
class Minimum(_Elementwise):
    """Elementwise minimum of two or more inputs.

    >>> Minimum().output_shape({}, [(None, 4), (None, 4)])
    (None, 4)
    """

    class_name = "Minimum"
    time_order = "pairs"


def _int_option(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _resolve_axis(axis: int, ndim: int, option: str, layer: str, shape_text: str) -> int:
    """A Keras axis (negative counts from the end; the batch axis is 0) as an index."""
    if not -ndim <= axis < ndim:
        raise ShapeError(INVALID_CONFIG, f"{layer} {option}={axis} is out of range for inputs "
                         f"of rank {ndim} {shape_text}")
    return axis % ndim


@register
class Concatenate(LayerSpec):
    """Concatenation along ``axis``; every other axis must match exactly (no broadcasting).

    The concatenation axis is the sum of the inputs' sizes, undefined (None) if any is.
    ``axis=0`` concatenates along the batch axis, which both versions accept.

    >>> from archlint.dims import Sym
    >>> spec = Concatenate()
    >>> spec.output_shape(spec.normalize({}), [(None, Sym("T"), 3), (None, Sym("T"), 4)])
    (None, T, 7)
    >>> spec.output_shape(spec.normalize({"axis": 1}), [(None, Sym("T"), 3), (None, 5, 3)])
    (None, T+5, 3)
    >>> spec.output_shape(spec.normalize({}), [(None, 2, 3), (None, 4, 3)])
    Traceback (most recent call last):
    archlint.layers.base.ShapeError: Concatenate(axis=-1) needs inputs that match on every \
axis but axis 2; (None, 2, 3), (None, 4, 3) differ on axis 1: sizes 2 and 4 differ
    """

    class_name = "Concatenate"
    time_order = "pairs"
    positional = ("axis",)
    defaults = {"axis": -1}
    input_spec = InputSpec(min_inputs=2, max_inputs=None)

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        if not _int_option(config["axis"]):
            raise ShapeError(INVALID_CONFIG,
                             f"Concatenate axis={config['axis']!r} must be an integer")
        return config

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        text = _shapes_text(inputs)
        ranks = {len(s) for s in inputs}
        if len(ranks) > 1:
            raise ShapeError(INCOMPATIBLE_MERGE, f"Concatenate(axis={config['axis']}) needs "
                             f"inputs of the same rank, got {text}")
        ndim = ranks.pop()
        axis = _resolve_axis(config["axis"], ndim, "axis", "Concatenate", text)
        out: list[Dim] = list(inputs[0])
        if axis != 0:
            out[0] = _merge_batch(inputs, "Concatenate")
        for i in range(ndim):
            if i == axis:
                continue
            what = (f"Concatenate(axis={config['axis']}) needs inputs that match on every "
                    f"axis but axis {axis}; {text} differ on axis {i}")
            for shape in inputs[1:]:
                out[i] = equal_dims(out[i], shape[i], what)
        out[axis] = _sum_dims([s[axis] for s in inputs])
        return tuple(out)


def _sum_dims(dims: list[Dim]) -> Dim:
    for d in dims:
        if d is None or isinstance(d, Unknown):
            return d
    total: Dim = 0
    for d in dims:
        total = total + d  # type: ignore[operator]
    return total


@register
class Dot(LayerSpec):
    """Batchwise dot product of two inputs along ``axes`` (one axis of each input).

    The output is the first input without its ``axes[0]`` axis, followed by the second
    without its batch and ``axes[1]`` axes; a result of rank 1 gets a trailing axis of 1.
    The two contracted sizes must be equal, and Keras compares them at build time, so a
    symbolic size against a number is refused there (Keras sees ``None != 3``).

    >>> spec = Dot()
    >>> spec.output_shape(spec.normalize({"axes": (1, 2)}), [(None, 3, 5), (None, 7, 3)])
    (None, 5, 7)
    >>> spec.output_shape(spec.normalize({"axes": 1}), [(None, 4), (None, 4)])
    (None, 1)
    """

    class_name = "Dot"
    positional = ("axes", "normalize")
    defaults = {"axes": None}
    input_spec = InputSpec(min_inputs=2, max_inputs=2)

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        axes = config["axes"]
        if _int_option(axes):
            config["axes"] = (axes, axes)
        elif (isinstance(axes, (list, tuple)) and len(axes) == 2
              and all(_int_option(a) for a in axes)):
            config["axes"] = tuple(axes)
        else:
            raise ShapeError(INVALID_CONFIG,
                             f"Dot axes={axes!r} must be an int or a pair of ints")
        return config

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        first, second = inputs
        text = _shapes_text(inputs)
        for shape in inputs:
            if len(shape) < 2:
                raise ShapeError(INCOMPATIBLE_MERGE, f"Dot needs inputs of rank >= 2 "
                                 f"(batch axis included), got {text}")
        option = config["axes"]
        a0 = _resolve_axis(option[0], len(first), "axes", "Dot", text)
        a1 = _resolve_axis(option[1], len(second), "axes", "Dot", text)
        if a0 == 0 or a1 == 0:
            raise ShapeError(INVALID_CONFIG, f"Dot axes={option} cannot include the batch "
                             "axis 0")
        d0, d1 = first[a0], second[a1]
        what = (f"Dot(axes={option}) contracts axis {a0} of {format_shape(first)} with "
                f"axis {a1} of {format_shape(second)}")
        known = [isinstance(d, int) for d in (d0, d1)]
        if any(known) and not all(known) and not any(isinstance(d, Unknown) for d in (d0, d1)):
            # Keras compares the declared sizes at build time, and None != 3 is a refusal.
            raise ShapeError(INCOMPATIBLE_MERGE, f"{what}: {format_dim(d0)} and "
                             f"{format_dim(d1)} must both be known and equal")
        equal_dims(d0, d1, what)
        batch = _merge_batch(inputs, "Dot")
        out = [d for i, d in enumerate(first) if i != a0]
        out[0] = batch
        out += [d for i, d in enumerate(second) if i not in (0, a1)]
        if len(out) == 1:
            out.append(1)
        return tuple(out)
