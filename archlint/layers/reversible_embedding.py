"""ReversibleEmbedding (Keras 3 only): an Embedding whose table can also project vectors back
to logits over the vocabulary, ``layer(x, reverse=True)``.

Its forward call is Embedding's: ``(*input, output_dim)``. With ``tie_weights=False`` it
holds a second table of ``output_dim * input_dim`` for the reverse direction, built with the
first. LoRA and quantization are Embedding's, on the first table; quantized (int8, int4),
the reverse table is stored as integers too, with one scale per vocabulary entry (int4:
packed two per byte along ``output_dim``, or per block of it with a zero point). A reverse
call (a call option, which the graph does not carry) is left unknown by the front end.
"""

from __future__ import annotations

from typing import Any

from archlint.layers import register
from archlint.layers.base import INVALID_CONFIG, Params, Shape, ShapeError
from archlint.layers.embedding import Embedding
from archlint.layers.quantization import (
    Quantization,
    policy_quantization,
    quantized_weights,
)


def reverse_table_weights(quantization: Quantization, input_dim: int, output_dim: int) -> int:
    """Frozen weights of an untied reverse table stored as integers: Embedding's layout for
    an ``input_dim x output_dim`` table, without the group index (Keras keeps one per layer).

    >>> reverse_table_weights(Quantization("int4", 16), 100, 32)
    2000
    """
    stored = quantized_weights(quantization, input_dim, output_dim, pack_kept=False)
    return stored - output_dim if quantization.block_size is not None else stored


@register
class ReversibleEmbedding(Embedding):
    """An Embedding with a reverse projection; ``tie_weights=False`` doubles the weights.

    >>> spec = ReversibleEmbedding()
    >>> config = spec.normalize({"input_dim": 100, "output_dim": 8, "tie_weights": False})
    >>> spec.output_shape(config, [(None, 5)]), spec.param_count(config, [(None, 5)])
    ((None, 5, 8), Params(trainable=1600, non_trainable=0))
    >>> config = spec.normalize({"input_dim": 100, "output_dim": 8, "tie_weights": False,
    ...                          "dtype": "int8_from_float32"})
    >>> spec.param_count(config, [(None, 5)])
    Params(trainable=0, non_trainable=1800)
    """

    class_name = "ReversibleEmbedding"
    positional = ("input_dim", "output_dim", "tie_weights", "embeddings_initializer")
    defaults = {**Embedding.defaults, "tie_weights": True}
    unmodelled = {"quantization_config": None}  # Embedding's sparse is tf-keras's only
    keras3_class = True

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        config["tie_weights"] = bool(config["tie_weights"])
        if not config["tie_weights"] and config["lora_rank"] and \
                policy_quantization(self.class_name, config["dtype"]) is None:
            # A float layer adds its reverse table after LoRA has locked its weights.
            raise ShapeError(INVALID_CONFIG, "ReversibleEmbedding lora_rank with "
                             "tie_weights=False: Keras fails to build it (its reverse table "
                             "is added after LoRA locks the layer's weights)")
        return config

    def param_count(self, config: dict[str, Any], inputs: list[Shape]) -> Params:
        table = super().param_count(config, inputs)
        if config["tie_weights"]:
            return table
        rows, width = config["input_dim"], config["output_dim"]
        quantized = config["quantized"]
        if quantized is not None:
            return table + Params(0, reverse_table_weights(quantized, rows, width))
        return table + Params(rows * width)
