"""Sizes read from a vocabulary layer: ``vectorize.vocabulary_size()``,
``lookup.get_vocabulary()`` (and its ``len``), which scripts give to ``Embedding(input_dim=)``
or a ``Dense`` head.

With ``vocabulary=`` a list, Keras's answer is exact: the mask token (``int`` mode only), the
OOV tokens, then the list (as Keras 3 and tf-keras give them). Otherwise ``adapt()`` decides
it from the data: the value is a named size (``vectorize.vocabulary_size()``) that flows
into parameter counts as a symbol; ``max_tokens=`` only bounds it.
"""

from __future__ import annotations

from typing import Any

from archlint.graph import Layer
from archlint.layers.vocabulary import _IndexLookup, vocabulary_length
from archlint.unknown import Unknown

VOCABULARY_METHODS = frozenset({"vocabulary_size", "get_vocabulary"})

# The OOV token each layer puts in its vocabulary when none is given.
_OOV_DEFAULT = {"StringLookup": "[UNK]", "TextVectorization": "[UNK]", "IntegerLookup": -1}


def is_vocabulary_layer(layer: Layer) -> bool:
    instance = layer.instance
    return instance is not None and isinstance(instance.spec, _IndexLookup)


def vocabulary_call(layer: Layer, method: str, kwargs: dict[str, Any]) -> Any:
    """What ``layer.<method>()`` returns, or an Unknown saying why it is not known (the
    caller names it after the call's text)."""
    instance = layer.instance
    assert instance is not None and isinstance(instance.spec, _IndexLookup)
    config = instance.config
    if instance.config_error is not None or instance.unresolved:
        return Unknown(f"the options of {layer.class_name} '{layer.name}' are not all known")
    length = vocabulary_length(config.get("vocabulary"), layer.class_name)
    if isinstance(length, Unknown):
        return length
    if length is None:
        bound = config.get("max_tokens")
        limit = f" (at most max_tokens={bound})" if bound is not None else ""
        return Unknown(f"the size of the vocabulary adapt() finds in the data{limit}")
    if method == "vocabulary_size":
        return instance.spec.first_token_index(config) + length
    tokens = list(config["vocabulary"])
    oov = config.get("oov_token", _OOV_DEFAULT[layer.class_name])
    specials = [oov] * instance.spec.num_oov(config)
    if kwargs.get("include_special_tokens", True) is False:
        return tokens
    if instance.spec.has_mask(config) and config["output_mode"] == "int":
        specials.insert(0, config.get("mask_token", instance.spec.mask_default))
    return specials + tokens
