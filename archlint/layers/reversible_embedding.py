"""ReversibleEmbedding (Keras 3 only): an Embedding whose table can also project vectors back
to logits over the vocabulary, ``layer(x, reverse=True)``.

Its forward call is Embedding's: ``(*input, output_dim)``. With ``tie_weights=False`` it
holds a second table of ``output_dim * input_dim`` for the reverse direction, built with the
first. A reverse call (a call option, which the graph does not carry) is left unknown by
the front end.
"""

from __future__ import annotations

from typing import Any

from archlint.layers import register
from archlint.layers.base import Params, Shape
from archlint.layers.embedding import Embedding


@register
class ReversibleEmbedding(Embedding):
    """An Embedding with a reverse projection; ``tie_weights=False`` doubles the weights.

    >>> spec = ReversibleEmbedding()
    >>> config = spec.normalize({"input_dim": 100, "output_dim": 8, "tie_weights": False})
    >>> spec.output_shape(config, [(None, 5)]), spec.param_count(config, [(None, 5)])
    ((None, 5, 8), Params(trainable=1600, non_trainable=0))
    """

    class_name = "ReversibleEmbedding"
    positional = ("input_dim", "output_dim", "tie_weights", "embeddings_initializer")
    # Its LoRA and quantized weights (a reverse table too) are not modelled: unknown if given.
    defaults = {**{k: v for k, v in Embedding.defaults.items()
                   if k not in ("lora_rank", "lora_alpha", "dtype")}, "tie_weights": True}
    reads = ("input_length", "quantized")
    unmodelled = {"quantization_config": None, "lora_rank": None, "lora_alpha": None}
    keras3_class = True

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        # Embedding's reading of LoRA and quantization sees neither (never modelled here).
        config = super().normalize({"lora_rank": None, "dtype": None, **config})
        config["tie_weights"] = bool(config["tie_weights"])
        return config

    def param_count(self, config: dict[str, Any], inputs: list[Shape]) -> Params:
        table = super().param_count(config, inputs)
        if config["tie_weights"]:
            return table
        return table + Params(config["input_dim"] * config["output_dim"])
