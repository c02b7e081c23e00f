"""Vocabulary layers: StringLookup, IntegerLookup and TextVectorization.

Each maps tokens to indices in a vocabulary, given (``vocabulary=``) or filled by
``adapt()``. The encoded modes (``multi_hot``, ``count``, ``tf_idf``, and ``one_hot`` for the
lookups) have one column per index: ``max_tokens`` of them with ``pad_to_max_tokens=True``,
else the vocabulary's size, which ``adapt`` decides when no vocabulary is given: archlint
then keeps that width unknown (never a guess) and every other axis known.

The vocabulary's indices start after the OOV indices (``num_oov_indices``, one for
TextVectorization) and, in ``int`` mode only, the mask token's index 0. Keras 3 counts no
weights; tf-keras counts one non-trainable parameter in a ``tf_idf`` layer that ``adapt``
fills (its document count), which archlint leaves unknown for tf-keras scripts.
"""

from __future__ import annotations

from typing import Any

from archlint.dims import Dim, Expr, format_shape
from archlint.layers import register
from archlint.layers.base import (
    INVALID_CONFIG,
    InputSpec,
    LayerInstance,
    LayerSpec,
    Shape,
    ShapeError,
    Unresolved,
    is_named,
)
from archlint.layers.categorical import check_mode, encoded_shape, is_int, rank_refusal
from archlint.unknown import Unknown

# "binary" is the older name of multi_hot, still accepted.
LOOKUP_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf", "binary")
# one_hot is Keras 3's only (keras2_refusal).
TEXT_MODES = LOOKUP_MODES
STANDARDIZE = (None, "lower_and_strip_punctuation", "lower", "strip_punctuation")
SPLITS = (None, "whitespace", "character")


def _serialized_values(value: Any) -> Any:
    # How a saved .keras config holds a NumPy array given as an option.
    if isinstance(value, dict) and isinstance(value.get("config"), dict):
        return value["config"].get("value", value)
    return value


def vocabulary_length(value: Any, layer: str) -> int | Unknown | None:
    """How many tokens a ``vocabulary=`` option lists: None when there is none (``adapt``
    fills it), unknown when the script reads it (a file path, a variable loaded at run time).

    >>> vocabulary_length(["a", "b"], "StringLookup"), vocabulary_length(None, "L")
    (2, None)
    >>> vocabulary_length("vocab.txt", "StringLookup").reason
    "StringLookup's vocabulary is read from the file 'vocab.txt'"
    """
    value = _serialized_values(value)
    if value is None or isinstance(value, Unknown):
        return value
    if isinstance(value, str):
        return Unknown(f"{layer}'s vocabulary is read from the file {value!r}")
    if isinstance(value, (list, tuple)):
        return len(value)
    return Unknown(f"{layer}'s vocabulary={value!r} is not a list archlint can count")


class _IndexLookup(LayerSpec):
    """What StringLookup, IntegerLookup and TextVectorization share: the vocabulary and
    its width, and the checks Keras makes when the layer is constructed."""

    modes: tuple[str, ...] = LOOKUP_MODES
    mask_default: Any = None

    def num_oov(self, config: dict[str, Any]) -> int:
        return int(config["num_oov_indices"])

    def has_mask(self, config: dict[str, Any]) -> bool:
        return config.get("mask_token", self.mask_default) is not None

    def first_token_index(self, config: dict[str, Any]) -> int:
        """The index of the vocabulary's first token (after the mask and OOV indices)."""
        mask = 1 if self.has_mask(config) and config["output_mode"] == "int" else 0
        return mask + self.num_oov(config)

    def check_vocabulary(self, config: dict[str, Any]) -> None:
        # Not in defaults: a vocabulary the script loads leaves the other axes known.
        config.setdefault("vocabulary", None)
        config.setdefault("idf_weights", None)
        name, mode = self.class_name, config["output_mode"]
        check_mode(mode, self.modes, name)
        if mode == "binary":
            config["output_mode"] = mode = "multi_hot"
        max_tokens = config["max_tokens"]
        if max_tokens is not None and not is_named(max_tokens) and (
                not is_int(max_tokens) or max_tokens <= 1):
            raise ShapeError(INVALID_CONFIG, f"{name} max_tokens={max_tokens!r} must be None or "
                             "an integer greater than 1")
        if config["pad_to_max_tokens"] and max_tokens is None:
            raise ShapeError(INVALID_CONFIG, f"{name} pad_to_max_tokens=True needs max_tokens")
        idf_weights = config["idf_weights"]
        if idf_weights is not None and not isinstance(idf_weights, Unknown) and mode != "tf_idf":
            raise ShapeError(INVALID_CONFIG, f"{name} idf_weights are only for "
                             f"output_mode='tf_idf', not {mode!r}")
        if config["invert"] and mode != "int":
            raise ShapeError(INVALID_CONFIG, f"{name} output_mode={mode!r} with invert=True: "
                             "inverting needs output_mode='int'")
        length = vocabulary_length(config["vocabulary"], name)
        if mode == "tf_idf" and isinstance(length, int) and config["idf_weights"] is None:
            raise ShapeError(INVALID_CONFIG, f"{name} output_mode='tf_idf' with a vocabulary "
                             "needs idf_weights too")
        if isinstance(length, int) and is_int(max_tokens):
            size = self.first_token_index(config) + length
            if size > max_tokens:
                raise ShapeError(INVALID_CONFIG, f"{name} vocabulary of {length} tokens makes "
                                 f"{size} indices with the OOV (and int mode's mask) ones, "
                                 f"more than max_tokens={max_tokens}")

    def width(self, config: dict[str, Any]) -> Dim:
        """The number of columns of an encoded output."""
        if config["pad_to_max_tokens"] and config["max_tokens"] is not None:
            return config["max_tokens"]
        length = vocabulary_length(config["vocabulary"], self.class_name)
        if length is None:
            hint = ("give max_tokens= with pad_to_max_tokens=True" if config["max_tokens"] is None
                    else f"at most max_tokens={config['max_tokens']}; pad_to_max_tokens=True "
                    "fixes it")
            return Unknown(f"{self.class_name}'s vocabulary size is set by adapt() ({hint}, "
                           "or give vocabulary=)")
        return self.first_token_index(config) + length

    def needs_adapt(self, config: dict[str, Any]) -> str | None:
        """Why a rebuild without the script's data cannot run the layer (crosscheck)."""
        if config.get("vocabulary") is None:
            return (f"({self.class_name}) takes its vocabulary from adapt(), which a rebuild "
                    "without the script's data cannot run")
        return None

    def keras2_unmodelled(self, instance: LayerInstance, inputs: list[Shape]) -> str | None:
        config = instance.config
        if config["output_mode"] == "tf_idf" and config["vocabulary"] is None:
            return ("counts one non-trainable parameter (its document count) in a tf_idf "
                    "layer that adapt() fills")
        return None


class _Lookup(_IndexLookup):
    """StringLookup and IntegerLookup: tokens of any shape to indices of that shape, or
    encoded (``one_hot`` adds the vocabulary axis, the other modes fold each sample)."""

    input_spec = InputSpec(min_ndim=1)

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        oov = config["num_oov_indices"]
        if not is_int(oov) or oov < 0:
            raise ShapeError(INVALID_CONFIG, f"{self.class_name} num_oov_indices={oov!r} must "
                             "be an integer >= 0")
        self.check_vocabulary(config)
        return config

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        return encoded_shape(inputs[0], config["output_mode"], self.width(config),
                             self.class_name)

    def keras2_refusal(self, instance: LayerInstance, inputs: list[Shape]) -> str | None:
        return rank_refusal(self.class_name, instance.config["output_mode"], inputs[0])


_LOOKUP_DEFAULTS = {"max_tokens": None, "num_oov_indices": 1, "invert": False,
                    "output_mode": "int", "pad_to_max_tokens": False, "sparse": False}


@register
class StringLookup(_Lookup):
    """Strings to vocabulary indices.

    >>> spec = StringLookup()
    >>> config = spec.normalize({"vocabulary": ["a", "b", "c"], "output_mode": "one_hot"})
    >>> spec.output_shape(config, [(None, 1)]), spec.output_shape(config, [(None, 5)])
    ((None, 4), (None, 5, 4))
    >>> spec.output_shape(spec.normalize({"output_mode": "count"}), [(None, 5)])[1].reason
    "StringLookup's vocabulary size is set by adapt() (give max_tokens= with \
pad_to_max_tokens=True, or give vocabulary=)"
    """

    class_name = "StringLookup"
    sized_options = ("max_tokens",)
    # The order both versions share (they part after idf_weights).
    positional = ("max_tokens", "num_oov_indices", "mask_token", "oov_token", "vocabulary",
                  "idf_weights")
    defaults = _LOOKUP_DEFAULTS


@register
class IntegerLookup(_Lookup):
    """Integers to vocabulary indices.

    >>> spec = IntegerLookup()
    >>> config = spec.normalize({"vocabulary": [3, 7], "mask_token": 0})
    >>> spec.output_shape(config, [(None, 5)]), spec.width(config)
    ((None, 5), 4)
    """

    class_name = "IntegerLookup"
    sized_options = ("max_tokens",)
    positional = ("max_tokens", "num_oov_indices", "mask_token", "oov_token", "vocabulary",
                  "vocabulary_dtype", "idf_weights", "invert", "output_mode", "sparse",
                  "pad_to_max_tokens")
    defaults = _LOOKUP_DEFAULTS


@register
class TextVectorization(_IndexLookup):
    """Strings standardized, split into tokens (``split``; None keeps each string a token),
    joined into ``ngrams``, then looked up in a vocabulary with one OOV index and, in
    ``int`` mode, the mask index 0.

    With a ``split``, the input is ``(batch,)`` or ``(..., 1)``: ``int`` gives one index
    per token, a data-decided count (None) unless ``output_sequence_length`` pads or cuts
    to it; the other modes fold each string into one row of the vocabulary's width.

    >>> spec = TextVectorization()
    >>> config = spec.normalize({"max_tokens": 100, "output_sequence_length": 8})
    >>> spec.output_shape(config, [(None,)]), spec.output_shape(config, [(None, 1)])
    ((None, 8), (None, 8))
    >>> spec.output_shape(spec.normalize({}), [(None, 1)])
    (None, None)
    >>> config = spec.normalize({"max_tokens": 100, "output_mode": "multi_hot",
    ...                          "pad_to_max_tokens": True})
    >>> spec.output_shape(config, [(None, 1)])
    (None, 100)
    """

    class_name = "TextVectorization"
    positional = ("max_tokens", "standardize", "split", "ngrams", "output_mode",
                  "output_sequence_length", "pad_to_max_tokens", "vocabulary", "idf_weights",
                  "sparse", "ragged")
    defaults = {"max_tokens": None, "split": "whitespace", "ngrams": None,
                "output_mode": "int", "output_sequence_length": None,
                "pad_to_max_tokens": False, "sparse": False, "ragged": False}
    sized_options = ("max_tokens", "output_sequence_length")
    modes = TEXT_MODES
    mask_default = ""
    input_spec = InputSpec(min_ndim=1)

    def num_oov(self, config: dict[str, Any]) -> int:
        return 1

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = {"invert": False, **super().normalize(config)}
        name = self.class_name
        standardize = config.get("standardize")
        if isinstance(standardize, str) and standardize not in STANDARDIZE:
            raise ShapeError(INVALID_CONFIG, f"{name} standardize={standardize!r} must be None, "
                             "a callable or one of 'lower_and_strip_punctuation', 'lower', "
                             "'strip_punctuation'")
        split = config["split"]
        if isinstance(split, str) and split not in SPLITS:
            raise ShapeError(INVALID_CONFIG, f"{name} split={split!r} must be None, a callable, "
                             "'whitespace' or 'character'")
        ngrams = config["ngrams"]
        if not (ngrams is None or is_int(ngrams)
                or (isinstance(ngrams, tuple) and all(map(is_int, ngrams)))):
            raise ShapeError(INVALID_CONFIG, f"{name} ngrams={ngrams!r} must be None, an integer "
                             "or a tuple of integers")
        length = config["output_sequence_length"]
        if length is not None and config["output_mode"] != "int":
            raise ShapeError(INVALID_CONFIG, f"{name} output_sequence_length={length!r} is only "
                             f"for output_mode='int', not {config['output_mode']!r}")
        if length is not None and not is_named(length) and (not is_int(length) or length < 0):
            raise ShapeError(INVALID_CONFIG, f"{name} output_sequence_length={length!r} must be "
                             "a non-negative integer")
        self.check_vocabulary(config)
        return config

    def tokens_shape(self, config: dict[str, Any], shape: Shape) -> Shape:
        """The shape of the tokens of an input: a token axis replaces a last axis of 1."""
        if config["split"] is None:
            return shape
        last = shape[-1]
        if len(shape) >= 2 and last != 1:
            message = (f"TextVectorization splits strings of shape (batch,) or (..., 1), not "
                       f"{format_shape(shape)} (give split=None for tokens already split)")
            if last is None or isinstance(last, Unknown):
                raise Unresolved(Unknown(f"whether the last axis of the input is 1: {message}"))
            # Keras 3 builds it and fails at the first forward pass; tf-keras at once.
            condition = f"{last} != 1" if isinstance(last, Expr) else None
            raise ShapeError(INVALID_CONFIG, message, condition=condition,
                             build_accepts=("3",))
        return (*(shape if len(shape) == 1 else shape[:-1]), None)

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        if config["ragged"]:
            raise Unresolved(Unknown("TextVectorization ragged=True gives ragged tensors, which "
                                     "archlint does not model"))
        tokens = self.tokens_shape(config, inputs[0])
        mode = config["output_mode"]
        if mode == "int":
            length = config["output_sequence_length"]
            # Pads or cuts the last axis, even a (batch,) input's batch axis (split=None).
            return tokens if length is None else (*tokens[:-1], length)
        return encoded_shape(tokens, mode, self.width(config), self.class_name)

    def keras2_refusal(self, instance: LayerInstance, inputs: list[Shape]) -> str | None:
        if instance.config["output_mode"] == "one_hot":
            return "tf-keras's TextVectorization has no output_mode='one_hot' (Keras 3 has)"
        try:
            tokens = self.tokens_shape(instance.config, inputs[0])
        except (ShapeError, Unresolved):
            return None
        return rank_refusal(self.class_name, instance.config["output_mode"], tokens)
