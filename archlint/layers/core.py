"""InputLayer, Dense and Identity."""

from __future__ import annotations

from typing import Any

from archlint.dims import Expr, Sym
from archlint.layers import register
from archlint.layers.base import (
    INVALID_CONFIG,
    InputSpec,
    LayerSpec,
    Params,
    Shape,
    ShapeError,
    is_named,
    require_known,
)
from archlint.unknown import Unknown


@register
class InputLayer(LayerSpec):
    """``keras.Input(shape=...)`` / ``InputLayer``: the batch axis is prepended.

    The engine replaces each ``None`` axis of ``shape`` with a symbol before calling this.
    """

    class_name = "InputLayer"
    positional = ("shape", "batch_size", "name", "dtype")
    defaults = {"shape": None, "batch_size": None, "dtype": None, "sparse": False}
    aliases = ("batch_input_shape", "input_shape", "batch_shape")
    input_spec = InputSpec(min_inputs=0, max_inputs=0)

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        # Keras 2 spelled it input_shape / batch_input_shape.
        if config.get("shape") is None and config.get("batch_input_shape") is not None:
            batch_shape = tuple(config.pop("batch_input_shape"))
            config["batch_size"], config["shape"] = batch_shape[0], batch_shape[1:]
        if config.get("shape") is None and config.get("input_shape") is not None:
            config["shape"] = config.pop("input_shape")
        if config.get("shape") is None and config.get("batch_shape") is not None:
            batch_shape = tuple(config.pop("batch_shape"))
            config["batch_size"], config["shape"] = batch_shape[0], batch_shape[1:]
        shape = config.get("shape")
        if isinstance(shape, int) and not isinstance(shape, bool):
            shape = (shape,)
        if not isinstance(shape, (tuple, list)):
            raise ShapeError(INVALID_CONFIG, f"Input shape={shape!r} must be a tuple")
        for size in shape:
            # Both Keras versions refuse anything else (a float, a string, a negative size).
            if size is not None and not isinstance(size, Expr) and (
                    not isinstance(size, int) or size < 0):
                raise ShapeError(INVALID_CONFIG, f"Input shape={tuple(shape)!r} holds {size!r}, "
                                 "which is not a size (an integer >= 0, or None)")
        # Keras 3 reads True as 1; a bool is an int to every formula here.
        config["shape"] = tuple(int(s) if isinstance(s, bool) else s for s in shape)
        return config

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        symbols = config.get("symbols") or (None,) * len(config["shape"])
        dims = tuple(Sym(s) if d is None and s else d for d, s in zip(config["shape"], symbols))
        return (config["batch_size"], *dims)


@register
class Dense(LayerSpec):
    """Dense on any rank: acts on the last axis, ``units * (in + 1)`` parameters with a bias.

    >>> Dense().param_count(Dense().normalize({"units": 256}), [(None, 240)])
    Params(trainable=61696, non_trainable=0)
    """

    class_name = "Dense"
    time_order = "preserves"
    default_activation = "linear"
    positional = ("units", "activation", "use_bias")
    defaults = {"units": None, "activation": None, "use_bias": True}
    input_spec = InputSpec(min_ndim=2)
    sized_options = ("units",)

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        units = config["units"]
        if is_named(units):
            return config
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise ShapeError(INVALID_CONFIG, f"Dense units={units!r} must be a positive integer")
        return config

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        if not isinstance(inputs[0][-1], Unknown):  # an unknown width changes only the weights
            require_known(inputs[0][-1], "The last axis of a Dense layer's input")
        return (*inputs[0][:-1], config["units"])

    def param_count(self, config: dict[str, Any], inputs: list[Shape]) -> Params:
        width = require_known(inputs[0][-1], "The last axis of a Dense layer's input")
        units = config["units"]
        return Params(units * width + (units if config["use_bias"] else 0))


@register
class Identity(LayerSpec):
    """Returns its input: any shape, no weights (tf-keras's Identity too).

    >>> Identity().output_shape({}, [(None, 3, 4)])
    (None, 3, 4)
    """

    class_name = "Identity"
    time_order = "preserves"
    input_spec = InputSpec(min_ndim=0)

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        return inputs[0]
