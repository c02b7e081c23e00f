"""Embedding: integer indices of any shape to vectors of ``output_dim``."""

from __future__ import annotations

from typing import Any, ClassVar

from archlint.layers import register
from archlint.layers.base import (
    INVALID_CONFIG,
    InputSpec,
    LayerSpec,
    Params,
    Shape,
    ShapeError,
    is_named,
)
from archlint.layers.quantization import (
    check_lora_rank,
    lora_weights,
    policy_quantization,
    quantized_weights,
)


def _positive(value: Any, option: str) -> int:
    if is_named(value):
        return value  # a named size: Keras checks it at build
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ShapeError(INVALID_CONFIG, f"Embedding {option}={value!r} must be a positive "
                         "integer")
    return value


@register
class Embedding(LayerSpec):
    """A lookup table of ``input_dim`` rows of ``output_dim`` values: the output is the
    input's shape followed by ``output_dim``; ``input_dim * output_dim`` parameters.

    ``input_length`` is ignored: Keras 3 drops it with a deprecation warning, and tf-keras
    only uses it as the input shape of a Sequential model's first layer (a functional call
    on another length does not check it). Keras 3's ``lora_rank=r`` freezes the table and
    adds ``r * (input_dim + output_dim)`` trainable parameters; an int8 or int4 ``dtype=``
    policy (or ``model.quantize``) stores it as integers with one scale per row, or per
    block of a row (see archlint/layers/quantization.py).

    >>> from archlint.dims import Sym
    >>> spec = Embedding()
    >>> config = spec.normalize({"input_dim": 1000, "output_dim": 64})
    >>> spec.output_shape(config, [(None, Sym("T"))]), spec.param_count(config, [(None, 10)])
    ((None, T, 64), Params(trainable=64000, non_trainable=0))
    """

    class_name = "Embedding"
    positional: ClassVar[tuple[str, ...]] = ("input_dim", "output_dim",
                                             "embeddings_initializer")
    defaults = {"input_dim": None, "output_dim": None, "lora_rank": None, "lora_alpha": None,
                "dtype": None}
    reads = ("input_length", "quantized")
    # tf-keras's sparse=True returns a SparseTensor.
    unmodelled = {"quantization_config": None, "sparse": False}
    input_spec = InputSpec(min_ndim=1)
    sized_options = ("input_dim", "output_dim")

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        config["input_dim"] = _positive(config["input_dim"], "input_dim")
        config["output_dim"] = _positive(config["output_dim"], "output_dim")
        config["lora_rank"] = check_lora_rank(self.class_name, config["lora_rank"])
        if config["lora_rank"] and config.get("embeddings_constraint") is not None:
            raise ShapeError(INVALID_CONFIG, f"{self.class_name} lora_rank with an "
                             "embeddings_constraint: Keras refuses LoRA on a constrained table")
        quantized = config.get("quantized") or policy_quantization(self.class_name,
                                                                   config["dtype"])
        if quantized is not None and quantized.mode == "float8":
            raise ShapeError(INVALID_CONFIG, f"{self.class_name} dtype={config['dtype']!r}: "
                             "Keras quantizes an Embedding to int8 or int4 only")
        config["quantized"] = quantized
        return config

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        return (*inputs[0], config["output_dim"])

    def param_count(self, config: dict[str, Any], inputs: list[Shape]) -> Params:
        rows, width = config["input_dim"], config["output_dim"]
        rank = config["lora_rank"]
        lora = lora_weights(rows, width, rank) if rank else 0
        quantized = config["quantized"]
        if quantized is not None:
            return Params(lora, quantized_weights(quantized, rows, width, pack_kept=False))
        if rank:  # LoRA freezes the table
            return Params(lora, rows * width)
        return Params(rows * width)
