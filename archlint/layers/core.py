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
from archlint.layers.quantization import (
    FLOAT8_STATE,
    check_lora_rank,
    lora_weights,
    policy_quantization,
    quantized_weights,
)
from archlint.unknown import Unknown


@register
class InputLayer(LayerSpec):
    """``keras.Input(shape=...)`` / ``InputLayer``: the batch axis is prepended.

    The engine replaces each ``None`` axis of ``shape`` with a symbol before calling this.
    With ``ragged=True`` the first axis after the batch and every ``None`` axis are ragged
    symbols (archlint/layers/ragged.py), a declared size there included: both Keras
    versions declare ``(None, 3)`` for ``shape=(3,)``, but rows of other lengths go through
    and come out with a ragged axis (a forward pass gives ``(2, None, ...)``).
    """

    class_name = "InputLayer"
    positional = ("shape", "batch_size", "name", "dtype")
    defaults = {"shape": None, "batch_size": None, "dtype": None, "sparse": False,
                "ragged": False}
    aliases = ("batch_input_shape", "input_shape", "batch_shape")
    # An input given as a tensor (keras.Input(tensor=t)), optional or from a TypeSpec
    # (tf-keras).
    unmodelled = {"input_tensor": None, "tensor": None, "optional": False, "type_spec": None}
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
        # With shape=() both Keras versions accept it; no axis is left to be ragged.
        config["ragged"] = bool(config["ragged"])
        return config

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        symbols = config.get("symbols") or (None,) * len(config["shape"])
        ragged = config["ragged"]
        dims = tuple(Sym(s, ragged=ragged) if s and (d is None or ragged) else d
                     for d, s in zip(config["shape"], symbols))
        return (config["batch_size"], *dims)


@register
class Dense(LayerSpec):
    """Dense on any rank: acts on the last axis, ``units * (in + 1)`` parameters with a bias.

    Keras 3's ``lora_rank=r`` freezes the kernel and adds ``r * (in + units)`` trainable
    parameters; a quantized ``dtype=`` policy (or ``model.quantize``) stores the kernel as
    integers with non-trainable scales, or adds float8 scaling state (see
    archlint/layers/quantization.py).

    >>> Dense().param_count(Dense().normalize({"units": 256}), [(None, 240)])
    Params(trainable=61696, non_trainable=0)
    >>> Dense().param_count(Dense().normalize({"units": 5, "lora_rank": 2}), [(None, 4)])
    Params(trainable=23, non_trainable=20)
    """

    class_name = "Dense"
    time_order = "preserves"
    default_activation = "linear"
    positional = ("units", "activation", "use_bias")
    defaults = {"units": None, "activation": None, "use_bias": True, "lora_rank": None,
                "lora_alpha": None, "dtype": None}
    # model.quantize(mode) sets it (a Quantization); a dtype policy gives it too.
    reads = ("quantized",)
    unmodelled = {"quantization_config": None}
    input_spec = InputSpec(min_ndim=2)
    sized_options = ("units",)

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        config["lora_rank"] = check_lora_rank("Dense", config["lora_rank"])
        if config["lora_rank"] and config.get("kernel_constraint") is not None:
            raise ShapeError(INVALID_CONFIG, "Dense lora_rank with a kernel_constraint: Keras "
                             "refuses LoRA on a constrained kernel")
        policy = policy_quantization("Dense", config["dtype"])
        if policy is not None and policy.mode == "float8" and config["lora_rank"]:
            raise ShapeError(INVALID_CONFIG, f"Dense lora_rank with dtype={config['dtype']!r}: "
                             "Keras's float8 Dense refuses LoRA when it is called")
        config["quantized"] = config.get("quantized") or policy
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
        bias = units if config["use_bias"] else 0
        rank = config["lora_rank"]
        lora = lora_weights(width, units, rank) if rank else 0
        kernel = units * width
        quantized = config["quantized"]
        if quantized is not None and quantized.mode != "float8":
            return Params(bias + lora, quantized_weights(quantized, units, width,
                                                         pack_kept=True))
        state = FLOAT8_STATE if quantized is not None else 0
        if rank:  # LoRA freezes the kernel
            return Params(bias + lora + state, kernel)
        return Params(kernel + bias + state)


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
