"""What rules share: naming layers in messages, reading a layer's options safely, the
activation a layer ends in, and parameter counts.

A rule imports from here (and from archlint.losses, archlint.time_order), never from
another rule. Layer traits (recurrent, gates, time order, default activation) are
attributes of the layer specs (archlint/layers/base.py), read through ``spec_of``.
"""

from __future__ import annotations

from typing import Any, TypeGuard

from archlint.graph import Call, KerasName, Layer, line_note
from archlint.layer_types import LayerInstance
from archlint.layer_types import label as label
from archlint.layers.base import LayerSpec

# Layers that are an activation: the activation they apply, by class.
ACTIVATION_LAYERS = {"ReLU": "relu", "LeakyReLU": "leaky_relu", "ELU": "elu", "PReLU": "prelu",
                     "Softmax": "softmax", "ThresholdedReLU": "thresholded_relu"}


def describe(call: Call) -> str:
    """A call's layer as a message names it, with its line.

    >>> from archlint.graph import Span
    >>> describe(Call(Layer("lstm", "LSTM", Span(4)), [], Span(4), 0))
    "LSTM 'lstm' (line 4)"
    """
    return f"{label(call.layer)}{line_note(call.span)}"


def usable(instance: object) -> TypeGuard[LayerInstance]:
    """A layer instance whose options are all resolved and accepted by Keras."""
    return isinstance(instance, LayerInstance) and instance.unresolved is None and \
        instance.config_error is None


def spec_of(layer: Layer | LayerInstance | None) -> LayerSpec | None:
    """The spec (with its traits) of a layer archlint has formulas for."""
    instance = layer.instance if isinstance(layer, Layer) else layer
    return instance.spec if instance is not None else None


def is_int(value: object) -> TypeGuard[int]:
    """A plain integer size (not a bool, not an expression over named sizes).

    >>> is_int(3), is_int(True), is_int(None)
    (True, False, False)
    """
    return isinstance(value, int) and not isinstance(value, bool)


def layer_params(layer: Layer) -> int | None:
    """A layer's parameters (trainable and not), as ``model.summary()`` counts them; None
    when unknown or when they depend on a named size (an expression)."""
    params = next((c.params for c in layer.calls if c.params is not None), None)
    total = params.total if params is not None else None
    return total if isinstance(total, int) else None


def activation_name(value: Any) -> str | None:
    """An activation option as one lower-case name; None when it cannot be known.

    >>> from archlint.frontend.values import ModuleRef
    >>> activation_name(None), activation_name("Softmax"), activation_name(ModuleRef("tf.nn.relu"))
    ('linear', 'softmax', 'relu')
    """
    if value is None:
        return "linear"
    if isinstance(value, str):
        return value.lower()
    if isinstance(value, KerasName):  # a function or object of keras or tf
        return value.path.rsplit(".", 1)[-1].lower()
    if isinstance(value, LayerInstance) and value.unresolved is None:
        if value.class_name == "Activation":
            return activation_name(value.config.get("activation"))
        return ACTIVATION_LAYERS.get(value.class_name)
    return None


def head_activation(instance: LayerInstance | None) -> str | None:
    """The activation a layer applies last, as a name; None when unknown or not applicable
    (a recurrent layer, or a layer that applies none of its own, like Flatten)."""
    if not usable(instance):
        return None
    name, config = instance.class_name, instance.config
    if name == "TimeDistributed":
        inner = config.get("layer")
        return head_activation(inner) if isinstance(inner, LayerInstance) else None
    if instance.spec.recurrent or name == "Bidirectional":
        return None  # its activation is inside the recurrence
    if name == "Activation":
        return activation_name(config.get("activation"))
    if name == "Softmax":
        return "softmax" if config.get("axis", -1) == -1 else None
    if name == "ReLU":
        plain = config.get("max_value") is None and not config.get("negative_slope") and \
            not config.get("threshold")
        return "relu" if plain else None
    if name in ACTIVATION_LAYERS:
        return ACTIVATION_LAYERS[name]
    if "activation" in config:
        return activation_name(config["activation"])
    return instance.spec.default_activation
