"""Preprocessing layers that work inside a model: Rescaling and Normalization.

Both compute ``inputs * a + b`` with constants: the output takes the input's shape, unless
a constant broadcasts it to a larger one. Normalization's statistics are weights only when
they are not given (to be filled by ``adapt``): non-trainable ``mean``, ``variance`` and an
integer ``count``.
"""

from __future__ import annotations

from math import prod
from typing import Any

from archlint.dims import Dim, Expr, format_shape
from archlint.layers import register
from archlint.layers.base import (
    INVALID_CONFIG,
    NO_PARAMS,
    LayerSpec,
    Params,
    Shape,
    ShapeError,
    Unresolved,
    keras3_only,
    require_known,
)
from archlint.layers.normalization import resolve_axes
from archlint.unknown import Unknown, first_unknown


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float))


def _is_serialized_array(value: Any) -> bool:
    # How a saved .keras config holds a NumPy array or a tensor given as an option.
    return (isinstance(value, dict) and value.get("class_name") in ("__numpy__", "__tensor__")
            and isinstance(value.get("config"), dict) and "value" in value["config"])


def array_shape(value: Any, option: str, layer: str) -> tuple[int, ...]:
    """The shape of a number (``()``) or of nested lists of numbers, as ``np.shape`` reads it.

    >>> array_shape(0.5, "scale", "Rescaling"), array_shape([[1, 2, 3]], "scale", "Rescaling")
    ((), (1, 3))
    >>> array_shape({"class_name": "__numpy__", "config": {"value": [1, 2]}}, "scale", "L")
    (2,)
    >>> array_shape([[1, 2], [3]], "mean", "Normalization")
    Traceback (most recent call last):
    archlint.layers.base.ShapeError: Normalization mean=[[1, 2], [3]] must be a number or \
nested lists of numbers with the same length at each depth
    """
    if _is_number(value):
        return ()
    if _is_serialized_array(value):
        return array_shape(value["config"]["value"], option, layer)
    if isinstance(value, (list, tuple)):
        inner = {array_shape(v, option, layer) for v in value} if value else {()}
        if len(inner) == 1:
            return (len(value), *inner.pop())
    raise ShapeError(INVALID_CONFIG, f"{layer} {option}={value!r} must be a number or nested "
                     "lists of numbers with the same length at each depth")


def broadcast(shape: Shape, other: tuple[int, ...], what: str) -> Shape:
    """The shape of ``x op c`` for an input of shape ``shape`` and a constant of shape
    ``other`` (NumPy's broadcasting: trailing axes aligned, size 1 stretched).

    An undefined input axis takes the constant's size (the only one that can run); a
    symbolic one must be 1 or that size, which only some lengths satisfy.

    >>> from archlint.dims import Sym
    >>> broadcast((None, 5, 1), (3,), "Rescaling scale"), broadcast((None, 4), (), "offset")
    ((None, 5, 3), (None, 4))
    >>> broadcast((None, Sym("T")), (3,), "Rescaling scale")
    Traceback (most recent call last):
    archlint.layers.base.ShapeError: Rescaling scale of shape (3,) does not broadcast against \
axis 1 of size T of the input (None, T)
    """
    rank = max(len(shape), len(other))
    padded: tuple[Dim, ...] = (1,) * (rank - len(shape)) + tuple(shape)
    sizes = (1,) * (rank - len(other)) + other
    out: list[Dim] = []
    for axis, (dim, size) in enumerate(zip(padded, sizes)):
        if size == 1 or dim == size:
            out.append(dim)
        elif dim == 1 or dim is None or isinstance(dim, Unknown):
            out.append(size)
        else:
            message = (f"{what} of shape {format_shape(other)} does not broadcast against "
                       f"axis {axis} of size {dim} of the input {format_shape(shape)}")
            condition = f"{dim} != {size}" if isinstance(dim, Expr) else None
            raise ShapeError(INVALID_CONFIG, message, condition=condition)
    return tuple(out)


@register
class Rescaling(LayerSpec):
    """``inputs * scale + offset``, no weights, any rank. ``scale`` and ``offset`` are
    numbers, or nested lists that broadcast against the input (per-channel constants).

    Keras 3 declares the input's shape even where a constant broadcasts the output to a
    larger one (keras-team/keras#21319); archlint gives what the forward pass produces, as
    tf-keras declares it.

    >>> from archlint.dims import Sym
    >>> spec = Rescaling()
    >>> spec.output_shape(spec.normalize({"scale": 1 / 255}), [(None, Sym("T") - 2, 3)])
    (None, T-2, 3)
    >>> spec.output_shape(spec.normalize({"scale": [1.0, 2.0]}), [(None, Sym("T"), 1)])
    (None, T, 2)
    """

    class_name = "Rescaling"
    positional = ("scale", "offset")
    defaults = {"scale": None, "offset": 0.0}

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        if config["scale"] is None:
            raise ShapeError(INVALID_CONFIG, "Rescaling needs a scale (a number or nested lists "
                             "of numbers), not None")
        for option in ("scale", "offset"):
            array_shape(config[option], option, "Rescaling")
        return config

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        shape = inputs[0]
        for option in ("scale", "offset"):
            constant = array_shape(config[option], option, "Rescaling")
            shape = broadcast(shape, constant, f"Rescaling {option}")
        return shape


def _axis_option(value: Any) -> tuple[int, ...]:
    """``axis``: None (normalize every element alike), an int, or a list or tuple of ints."""
    if value is None:
        return ()
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,)
    if isinstance(value, (list, tuple)) and all(
            isinstance(a, int) and not isinstance(a, bool) for a in value):
        return tuple(value)
    raise ShapeError(INVALID_CONFIG, f"Normalization axis={value!r} must be None, an int or a "
                     "list of ints")


def _unresolved(*values: Any) -> bool:
    return first_unknown(list(values)) is not None


@register
class Normalization(LayerSpec):
    """``(inputs - mean) / sqrt(variance)`` (or the inverse with ``invert=True``) with one
    statistic per element of the kept ``axis`` (default -1; None keeps none), whose sizes
    must be known when the layer is built. The shape never changes.

    Without ``mean`` and ``variance`` the layer holds them as non-trainable weights (filled
    by ``adapt``) plus an integer ``count``: ``2*n + 1`` non-trainable parameters for ``n``
    elements of the kept axes, in both versions. Given constants, it holds no weights; they
    must have the same shape, of rank at most the number of kept axes, and broadcast against
    them (Keras 3 refuses the first two at construction; tf-keras lets NumPy broadcast them).
    Statistics the front end cannot resolve (``np.load(...)``) leave the shape known but the
    parameter count unknown (they may still be None when the script runs).

    >>> from archlint.dims import Sym
    >>> spec = Normalization()
    >>> config = spec.normalize({"axis": (1, -1)})
    >>> spec.output_shape(config, [(None, 4, Sym("T"), 3)]), spec.param_count(config, [
    ...     (None, 4, Sym("T"), 3)])
    ((None, 4, T, 3), Params(trainable=0, non_trainable=25))
    """

    class_name = "Normalization"
    positional = ("axis", "mean", "variance", "invert")
    # mean and variance are left out of the options that make an unresolved value spoil
    # the output: computed statistics are the common case, and the shape never uses them.
    defaults = {"axis": -1}

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = {"mean": None, "variance": None, **super().normalize(config)}
        config["axis"] = _axis_option(config["axis"])
        mean, variance = config["mean"], config["variance"]
        if (mean is None) != (variance is None):
            raise ShapeError(INVALID_CONFIG, f"Normalization mean={mean!r} and "
                             f"variance={variance!r}: give both or neither")
        if mean is None or _unresolved(mean, variance):
            return config
        shape = array_shape(mean, "mean", "Normalization")
        # tf-keras lets NumPy broadcast such constants.
        with keras3_only():
            if array_shape(variance, "variance", "Normalization") != shape:
                raise ShapeError(INVALID_CONFIG, f"Normalization mean={mean!r} and "
                                 f"variance={variance!r} must have the same shape")
            if len(shape) > len(config["axis"]):
                raise ShapeError(INVALID_CONFIG, f"Normalization mean={mean!r} has rank "
                                 f"{len(shape)}, more than the {len(config['axis'])} axes of "
                                 f"axis={config['axis']}")
        return config

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        _kept_sizes(config, inputs[0])  # Keras needs them when it builds
        if not _unresolved(config["mean"], config["variance"]):
            self.param_count(config, inputs)  # given statistics must fit the kept axes
        return inputs[0]

    def param_count(self, config: dict[str, Any], inputs: list[Shape]) -> Params:
        shape = inputs[0]
        kept, sizes = _kept_sizes(config, shape)
        if config["mean"] is None:
            return Params(0, 2 * prod(sizes) + 1)
        unknown = first_unknown([config["mean"], config["variance"]])
        if unknown is not None:
            raise Unresolved(unknown)  # 0 for arrays, 2*n + 1 if they turn out None
        given_shape = array_shape(config["mean"], "mean", "Normalization")
        # The constants' trailing axes line up with the last kept axes.
        for given, size in zip(reversed(given_shape), reversed(sizes)):
            if given not in (1, size):
                raise ShapeError(INVALID_CONFIG, f"Normalization mean and variance of shape "
                                 f"{format_shape(given_shape)} do not broadcast "
                                 f"against the kept axes {kept} of sizes {sizes} of the input "
                                 f"{format_shape(shape)}")
        return NO_PARAMS


def _kept_sizes(config: dict[str, Any], shape: Shape) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The kept axes of a Normalization input and their sizes, which must be known."""
    axis = config["axis"]
    kept = resolve_axes(axis, shape, "Normalization")
    sizes = tuple(require_known(shape[a], f"Axis {a} of a Normalization input (axis={axis})")
                  for a in kept)
    return kept, sizes
