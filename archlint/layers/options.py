"""Which constructor options a layer formula covers, and which provably change nothing.

An option archlint does not model is never ignored: a layer given one (with a value other
than None, Keras's default for such options) gets an unknown output and parameter count,
reported with AL002 naming the option. ``tests/test_option_audit.py`` compares each spec
against the real constructors of Keras 3 and tf-keras, so that a new Keras option must be
modelled, declared harmless here, or declared unmodelled on its spec.
"""

from __future__ import annotations

from typing import Any

from archlint.layers.base import LayerSpec
from archlint.layers.quantization import is_quantized_name, modelled_dtype

# Options that change neither a layer's output shape nor its parameter counts: how weights
# are initialized, penalized or clipped, how values are computed (activations, seeds),
# names, trainability and the base Layer's bookkeeping.
HARMLESS_OPTIONS = frozenset({
    "name", "trainable", "dtype", "autocast", "activation", "activity_regularizer",
    "seed", "weights", "use_cudnn", "implementation",
    # Recurrent dropout: masks on values, the weights stay the same.
    "dropout", "recurrent_dropout",
    # BatchNormalization: synchronized statistics across devices; renorm's clipping and
    # momentum (renorm itself is modelled: it adds weights).
    "synchronized", "renorm_clipping", "renorm_momentum",
    # Embedding: a mask computed beside the output.
    "mask_zero",
    # Lookups and text: how strings are decoded and hashed, not how many outputs.
    "encoding", "salt", "oov_method",
    # Image resizing and contrast: how pixels are filled or clipped, not the output size.
    "value_range", "fill_mode", "fill_value", "antialias",
    # Softmax: how masked positions are handled; tf-keras's alias of LeakyReLU's slope.
    "robust_masking", "alpha",
    # Image preprocessing: the format of bounding boxes passed beside the images, and the
    # strength option its base class takes (a shape-keeping augmentation reads it).
    "bounding_box_format", "factor",
    # Recurrent layers: values at masked steps; how the loop is compiled.
    "zero_output_for_mask", "unroll",
    # tf-keras's base Layer and random layers: eager-only layers, random generators.
    "dynamic", "force_generator", "rng_type",
    # tf-keras's BatchNormalization: the fused kernel, a function adjusting the statistics.
    "fused", "adjustment",
    # tf-keras's SpatialDropout: its noise shape is always per channel.
    "noise_shape",
    # LSTMCell: how the forget gate's bias starts; MultiHeadAttention (tf-keras): how
    # masked scores are handled.
    "unit_forget_bias", "softmax_robust_masking",
    # MelSpectrogram: the frequency range and scaling of the values, not the bin count.
    "min_freq", "max_freq", "power_to_db", "top_db", "mag_exp", "min_power", "ref_power",
    # ReversibleEmbedding: the dtype and soft cap of the reverse logits' values.
    "reverse_dtype", "logit_soft_cap",
})
# Whole families by suffix: initializers, regularizers and constraints of any weight.
HARMLESS_SUFFIXES = ("_initializer", "_regularizer", "_constraint")


def is_harmless(option: str) -> bool:
    """Whether an option provably changes neither shape nor parameter count.

    >>> is_harmless("kernel_initializer"), is_harmless("lora_rank")
    (True, False)
    """
    return option in HARMLESS_OPTIONS or option.endswith(HARMLESS_SUFFIXES)


def modelled_options(spec: LayerSpec) -> frozenset[str]:
    """The options a spec's formulas read: its defaults, positional parameters, nested
    layers, other spellings, and options its normalize() reads besides its defaults."""
    return frozenset({*spec.defaults, *spec.positional, *spec.nested, *spec.aliases,
                      *spec.reads})


def unmodelled_option(spec: LayerSpec, config: dict[str, Any]) -> str | None:
    """The first option given with a value that the spec's formulas do not cover and that
    may change its shape or parameters, or None.

    >>> from archlint.layers import lookup
    >>> unmodelled_option(lookup("Dense"), {"units": 4, "quantization_config": object()})
    'quantization_config'
    >>> unmodelled_option(lookup("Dense"), {"units": 4, "kernel_initializer": "zeros"})
    """
    modelled = modelled_options(spec)
    for option, value in config.items():
        if option == "dtype" and "dtype" in spec.defaults and not modelled_dtype(value):
            return option  # a layer Keras quantizes, with a policy archlint does not read
        if option == "dtype" and "dtype" not in spec.defaults and isinstance(value, str) \
                and is_quantized_name(value):
            return option  # a quantized policy on a layer whose quantization is not modelled
        if option in modelled or is_harmless(option) or value is None:
            continue
        if option in spec.unmodelled and _same(value, spec.unmodelled[option]):
            continue  # Keras's default: it changes nothing
        return option
    return None


def _same(value: Any, default: Any) -> bool:
    return type(value) is type(default) and value == default


def unmodelled_reason(spec: LayerSpec, option: str, value: Any) -> str:
    """The message of an unmodelled option: the option, and what follows from it."""
    shown = value if isinstance(value, (str, int, float, bool)) else "..."
    return (f"{spec.class_name} option {option}={shown!r} is not modelled by archlint (it "
            "may change the layer's weights or shape)")
