"""Activation layers: Activation, ReLU, LeakyReLU, PReLU, ELU, Softmax and (tf-keras only)
ThresholdedReLU. All keep the input's shape, except ``Activation('glu')``, which halves the
last axis; only PReLU has parameters.
"""

from __future__ import annotations

from math import prod
from typing import Any

from archlint.dims import Dim, Expr, Lin, floor_div, format_dim, format_shape
from archlint.layers import register
from archlint.layers.base import (
    INVALID_CONFIG,
    InputSpec,
    LayerSpec,
    Params,
    Shape,
    ShapeError,
    keras3_only,
    require_known,
)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_non_negative(config: dict[str, Any], option: str, layer: str, *,
                        allow_none: bool) -> None:
    """Refuse a negative (or, unless allowed, None) value; unresolved values pass."""
    if option not in config:
        return
    value = config[option]
    if value is None and not allow_none:
        raise ShapeError(INVALID_CONFIG, f"{layer} {option}=None must be a number")
    if _number(value) and value < 0:
        raise ShapeError(INVALID_CONFIG, f"{layer} {option}={value} must not be negative")


class _Elementwise(LayerSpec):
    """An activation applied to each element: the output has the input's shape."""

    input_spec = InputSpec(min_ndim=1)

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        return inputs[0]


def _halve(size: Dim, shape: Shape) -> Dim:
    """GLU splits the last axis into two equal halves.

    >>> from archlint.dims import Sym
    >>> _halve(6, (None, 6)), _halve(2 * Sym("T"), (None, 2 * Sym("T")))
    (3, T)
    """
    what = (f"Activation('glu') splits the last axis of {format_shape(shape)} into two "
            f"halves, but it has {format_dim(size)} entries")
    if isinstance(size, int):
        if size % 2:
            raise ShapeError(INVALID_CONFIG, what)
        return size // 2
    if isinstance(size, Expr):
        terms = size.terms if isinstance(size, Lin) else ((size, 1),)
        const = size.const if isinstance(size, Lin) else 0
        if const % 2 or any(c % 2 for _, c in terms):
            raise ShapeError(INVALID_CONFIG, what, condition=f"({size}) % 2 != 0")
        return floor_div(size, 2)
    return size


@register
class Activation(_Elementwise):
    """``Activation(name)``: every name keeps the shape except Keras 3's ``'glu'``, which
    halves the last axis (Keras 3 declares the input's shape there, a bug: its forward pass
    returns half; tf-keras has no 'glu').

    >>> spec = Activation()
    >>> spec.output_shape(spec.normalize({"activation": "glu"}), [(None, 4, 6)])
    (None, 4, 3)
    """

    class_name = "Activation"
    time_order = "preserves"
    positional = ("activation",)

    # An activation name Keras does not know is refused by layer_eval.instantiate, as for
    # every layer's activation option.

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        shape = inputs[0]
        if config.get("activation") == "glu":
            return (*shape[:-1], _halve(shape[-1], shape))
        return shape


@register
class ReLU(_Elementwise):
    """``max(x, 0)`` with ``max_value``, ``negative_slope`` and ``threshold``, none of which
    may be negative (both versions refuse it when the layer is created).

    >>> ReLU().normalize({"max_value": -1.0})
    Traceback (most recent call last):
    archlint.layers.base.ShapeError: ReLU max_value=-1.0 must not be negative
    """

    class_name = "ReLU"
    time_order = "preserves"
    positional = ("max_value", "negative_slope", "threshold")

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        _check_non_negative(config, "max_value", "ReLU", allow_none=True)
        _check_non_negative(config, "negative_slope", "ReLU", allow_none=False)
        _check_non_negative(config, "threshold", "ReLU", allow_none=False)
        return config


@register
class LeakyReLU(_Elementwise):
    """``x`` or ``negative_slope * x``. Keras 3 names the slope ``negative_slope`` (``alpha``
    still accepted, deprecated) and refuses a negative slope; tf-keras only knows ``alpha``
    and accepts any number but None.

    >>> LeakyReLU().normalize({"negative_slope": -0.5})
    Traceback (most recent call last):
    archlint.layers.base.ShapeError: LeakyReLU negative_slope=-0.5 must not be negative
    """

    class_name = "LeakyReLU"
    time_order = "preserves"
    positional = ("negative_slope",)

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        with keras3_only():  # tf-keras takes any slope but None
            _check_non_negative(config, "negative_slope", "LeakyReLU", allow_none=False)
            _check_non_negative(config, "alpha", "LeakyReLU", allow_none=False)
        return config


@register
class ELU(_Elementwise):
    """``x`` or ``alpha * (exp(x) - 1)``.

    >>> ELU().output_shape(ELU().normalize({"alpha": 0.5}), [(None, 3)])
    (None, 3)
    """

    class_name = "ELU"
    time_order = "preserves"
    positional = ("alpha",)


@register
class ThresholdedReLU(_Elementwise):
    """tf-keras only (Keras 3 removed it): ``x if x > theta else 0``, ``theta >= 0``.

    >>> ThresholdedReLU().normalize({"theta": -1})
    Traceback (most recent call last):
    archlint.layers.base.ShapeError: ThresholdedReLU theta=-1 must not be negative
    """

    class_name = "ThresholdedReLU"
    time_order = "preserves"
    positional = ("theta",)

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        _check_non_negative(config, "theta", "ThresholdedReLU", allow_none=False)
        return config


@register
class Softmax(_Elementwise):
    """Softmax over ``axis`` (an int or a tuple of axes), which must exist in the input.

    >>> spec = Softmax()
    >>> spec.output_shape(spec.normalize({"axis": 3}), [(None, 4, 5)])
    Traceback (most recent call last):
    archlint.layers.base.ShapeError: Softmax axis=3 is out of range for an input of rank 3 \
(None, 4, 5)
    """

    class_name = "Softmax"
    time_order = "preserves"
    positional = ("axis",)
    defaults = {"axis": -1}

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        axis = config["axis"]
        valid = (isinstance(axis, int) and not isinstance(axis, bool)) or (
            isinstance(axis, (list, tuple)) and axis
            and all(isinstance(a, int) and not isinstance(a, bool) for a in axis))
        if not valid:
            raise ShapeError(INVALID_CONFIG, f"Softmax axis={axis!r} must be an int or a "
                             "tuple of ints")
        config["axis"] = tuple(axis) if isinstance(axis, (list, tuple)) else axis
        return config

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        shape = inputs[0]
        axis = config["axis"]
        ndim = len(shape)
        for a in (axis,) if isinstance(axis, int) else axis:
            if not -ndim <= a < ndim:
                raise ShapeError(INVALID_CONFIG, f"Softmax axis={axis} is out of range for an "
                                 f"input of rank {ndim} {format_shape(shape)}")
        return shape


@register
class PReLU(_Elementwise):
    """ReLU with a learned slope per element of the input (batch axis excluded); each axis
    in ``shared_axes`` (1-based, as Keras counts them with the batch axis 0) shares one
    slope, so only the other axes need a known size.

    >>> from archlint.dims import Sym
    >>> spec = PReLU()
    >>> spec.param_count(spec.normalize({}), [(None, 10, 4)])
    Params(trainable=40, non_trainable=0)
    >>> spec.param_count(spec.normalize({"shared_axes": 1}), [(None, Sym("T"), 4)])
    Params(trainable=4, non_trainable=0)
    """

    class_name = "PReLU"
    time_order = "preserves"
    positional = ("alpha_initializer", "alpha_regularizer", "alpha_constraint", "shared_axes")
    defaults = {"shared_axes": None}
    input_spec = InputSpec(min_ndim=2)

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        shared = config["shared_axes"]
        if isinstance(shared, int) and not isinstance(shared, bool):
            shared = (shared,)
        if shared is not None:
            if not isinstance(shared, (list, tuple)) or not all(
                    isinstance(a, int) and not isinstance(a, bool) for a in shared):
                raise ShapeError(INVALID_CONFIG, f"PReLU shared_axes={config['shared_axes']!r} "
                                 "must be an int or a list of ints")
            shared = tuple(shared)
        config["shared_axes"] = shared
        return config

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        self.param_count(config, inputs)
        return inputs[0]

    def param_count(self, config: dict[str, Any], inputs: list[Shape]) -> Params:
        shape = inputs[0]
        alpha: list[Dim] = list(shape[1:])
        for axis in config["shared_axes"] or ():
            # Keras writes param_shape[axis - 1] = 1, Python indexing included (0 is the last).
            if not -len(alpha) <= axis - 1 < len(alpha):
                raise ShapeError(INVALID_CONFIG, f"PReLU shared_axes={config['shared_axes']} "
                                 f"names an axis the input {format_shape(shape)} does not have")
            alpha[axis - 1] = 1
        sizes = []
        for i, d in enumerate(alpha):
            sizes.append(require_known(d, f"Axis {i + 1} of a PReLU input (not in shared_axes)"))
        return Params(prod(sizes))
