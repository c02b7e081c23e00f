from collections.abc import Iterator
from typing import Any

from archlint import codes
from archlint.diagnostics import Severity
from archlint.frontend.values import KerasObject, ModuleRef
from archlint.graph import Call, Model, TensorRef, line_note
from archlint.layers.base import LayerInstance
from archlint.records import record
from archlint.rule import Finding, Rule, RuleContext

# Layers whose activation is None (linear) unless one is given.
LINEAR_BY_DEFAULT = frozenset({
    "Dense", "Conv1D", "Conv2D", "Conv3D", "SeparableConv1D", "SeparableConv2D",
    "DepthwiseConv1D", "DepthwiseConv2D", "Conv1DTranspose", "Conv2DTranspose",
    "Conv3DTranspose",
})
NO_OUTPUT_ACTIVATION = frozenset({"SimpleRNN", "GRU", "LSTM", "ConvLSTM1D", "ConvLSTM2D",
                                  "ConvLSTM3D", "Bidirectional"})
# Activations whose outputs are not probabilities.
NOT_PROBABILITIES = frozenset({
    "linear", "relu", "relu6", "leaky_relu", "prelu", "elu", "selu", "celu", "gelu", "tanh",
    "swish", "silu", "mish", "softplus", "softsign", "exponential", "hard_swish", "hard_silu",
    "log_softmax", "log_sigmoid",
})
# Loss names (lower case, without underscores) by family.
LOSS_FAMILIES = {
    "categoricalcrossentropy": "categorical", "categoricalfocalcrossentropy": "categorical",
    "binarycrossentropy": "binary", "bce": "binary", "binaryfocalcrossentropy": "binary",
    "sparsecategoricalcrossentropy": "sparse",
    "meansquarederror": "regression", "mse": "regression", "meanabsoluteerror": "regression",
    "mae": "regression", "meanabsolutepercentageerror": "regression", "mape": "regression",
    "meansquaredlogarithmicerror": "regression", "msle": "regression",
    "huber": "regression", "logcosh": "regression", "poisson": "regression",
}
# Loss classes whose first positional argument is from_logits.
FROM_LOGITS_FIRST = frozenset({"binarycrossentropy", "categoricalcrossentropy",
                               "sparsecategoricalcrossentropy"})
ACTIVATION_LAYERS = {"ReLU": "relu", "LeakyReLU": "leaky_relu", "ELU": "elu", "PReLU": "prelu",
                     "Softmax": "softmax", "ThresholdedReLU": "thresholded_relu"}


def activation_name(value: Any) -> str | None:
    """An activation option as one lower-case name; None when it cannot be known.

    >>> activation_name(None), activation_name("Softmax"), activation_name(ModuleRef("tf.nn.relu"))
    ('linear', 'softmax', 'relu')
    """
    if value is None:
        return "linear"
    if isinstance(value, str):
        return value.lower()
    if isinstance(value, (ModuleRef, KerasObject)):
        return value.path.rsplit(".", 1)[-1].lower()
    if isinstance(value, LayerInstance) and value.unresolved is None:
        if value.class_name == "Activation":
            return activation_name(value.config.get("activation"))
        return ACTIVATION_LAYERS.get(value.class_name)
    return None


def head_activation(instance: LayerInstance | None) -> str | None:
    """The activation a layer applies last, as a name; None when unknown or not applicable
    (a recurrent layer, or a layer that applies none of its own, like Flatten)."""
    if instance is None or instance.unresolved is not None or \
            instance.config_error is not None:
        return None
    name, config = instance.class_name, instance.config
    if name == "TimeDistributed":
        inner = config.get("layer")
        return head_activation(inner) if isinstance(inner, LayerInstance) else None
    if name in NO_OUTPUT_ACTIVATION:
        return None
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
    return "linear" if name in LINEAR_BY_DEFAULT else None


@record(frozen=True)
class Loss:
    label: str  # as the script names it
    family: str | None  # categorical, sparse, binary, regression, or None
    from_logits: bool | None  # None: unknown


def parse_loss(value: Any) -> Loss | None:
    """A loss given to compile(): a string, a function, or a Loss object.

    >>> parse_loss("binary_crossentropy")
    Loss(label="'binary_crossentropy'", family='binary', from_logits=False)
    >>> parse_loss(KerasObject("keras.losses.CategoricalCrossentropy", (True,)))
    Loss(label='CategoricalCrossentropy(from_logits=True)', family='categorical', \
from_logits=True)
    """
    if isinstance(value, str):
        key = value.lower().replace("_", "")
        return Loss(repr(value), LOSS_FAMILIES.get(key), False)
    if isinstance(value, ModuleRef):
        leaf = value.path.rsplit(".", 1)[-1]
        return Loss(leaf, LOSS_FAMILIES.get(leaf.lower().replace("_", "")), False)
    if isinstance(value, KerasObject):
        leaf = value.path.rsplit(".", 1)[-1]
        key = leaf.lower().replace("_", "")
        kwargs = dict(value.kwargs)
        logits: Any = kwargs.get("from_logits", False)
        if "from_logits" not in kwargs and key in FROM_LOGITS_FIRST and value.args:
            logits = value.args[0]
        from_logits = logits if isinstance(logits, bool) else None
        label = f"{leaf}(from_logits={logits})" if from_logits else f"{leaf}()"
        return Loss(label, LOSS_FAMILIES.get(key), from_logits)
    return None


def output_losses(model: Model) -> list[Loss | None]:
    """The loss of each model output (a single loss applies to every output)."""
    count = len(model.outputs)
    loss = model.compile.loss if model.compile is not None else None
    if isinstance(loss, dict):
        return [parse_loss(loss.get(ref.call.layer.name)) for ref in model.outputs]
    if isinstance(loss, (list, tuple)):
        return [parse_loss(v) for v in loss] if len(loss) == count else [None] * count
    return [parse_loss(loss)] * count


def output_width(ref: TensorRef) -> int | None:
    shape = ref.call.output_at(ref.index)
    if isinstance(shape, tuple) and shape:
        last = shape[-1]
        if isinstance(last, int) and not isinstance(last, bool):
            return last
    return None


def describe(call: Call) -> str:
    return f"{call.layer.class_name} '{call.layer.name}'{line_note(call.span)}"


def mismatch(loss: Loss, activation: str, units: int, layer: str) -> str | None:
    """What is wrong with this loss on this output, or None."""
    family = loss.family
    if family not in ("categorical", "sparse", "binary") or loss.from_logits is None:
        return None
    if loss.from_logits:
        if activation not in ("softmax", "sigmoid"):
            return None
        again = "sigmoid" if family == "binary" else "softmax"
        return (f"the loss {loss.label} expects logits, but the output {layer} already "
                f"applies {activation}: the loss applies {again} on top of it, which "
                "squashes the outputs and stalls training. Remove the output "
                "activation (it then outputs logits), or set from_logits=False")
    if family == "categorical" and units == 1:
        return (f"the loss {loss.label} on the output {layer} with 1 unit: cross-entropy over "
                "a single class is 0 for every sample (Keras rescales the outputs to sum to "
                "1), so the model learns nothing. For two classes use Dense(1, "
                "activation='sigmoid') with binary_crossentropy, or Dense(2, "
                "activation='softmax')")
    if family == "sparse" and units == 1:
        return (f"the loss {loss.label} on the output {layer} with 1 unit: the only valid "
                "label is 0, any other label is out of range (an error on CPU, NaN on GPU). "
                "For two classes use Dense(1, activation='sigmoid') with "
                "binary_crossentropy, or Dense(2, activation='softmax')")
    if family in ("categorical", "sparse"):
        if activation == "sigmoid":
            return (f"the loss {loss.label} expects a softmax distribution, but the output "
                    f"{layer} applies sigmoid to each of its {units} units independently "
                    "(Keras then rescales them to sum to 1). For one class per sample use "
                    "activation='softmax'; for several labels per sample use "
                    "binary_crossentropy")
        if activation in NOT_PROBABILITIES:
            return (f"the loss {loss.label} expects probabilities, but the output {layer} "
                    f"has activation '{activation}': outputs outside (0, 1] are clipped, "
                    "so their gradient is 0 (or NaN where they sum to 0 or less). Add "
                    "activation='softmax', or compute the loss from logits "
                    "(from_logits=True)")
        return None
    if activation == "softmax" and units > 1:
        return (f"the loss {loss.label} scores each of the {units} units of the output "
                f"{layer} as an independent yes/no, but softmax makes them compete (they "
                "sum to 1). For one class per sample use categorical_crossentropy (one-hot "
                "labels) or sparse_categorical_crossentropy (integer labels); for several "
                "labels per sample use activation='sigmoid'")
    if activation in NOT_PROBABILITIES:
        return (f"the loss {loss.label} expects probabilities in [0, 1], but the output "
                f"{layer} has activation '{activation}': Keras clips the outputs to "
                "[1e-7, 1 - 1e-7], and outside that range their gradient is 0. Add "
                "activation='sigmoid', or use BinaryCrossentropy(from_logits=True)")
    return None


class LossActivationMismatch(Rule):
    """What it does: compares the loss given to ``compile()`` with the activation and width
    of each model output: categorical cross-entropy on a sigmoid output or on 1 unit, binary
    cross-entropy on a multi-unit softmax, sparse categorical cross-entropy on 1 unit, a
    probability loss on a linear or relu output, and ``from_logits=True`` after softmax or
    sigmoid. The loss may be a string (``"categorical_crossentropy"``, ``"bce"``), a
    function (``keras.losses.binary_crossentropy``) or a class
    (``keras.losses.CategoricalCrossentropy(from_logits=True)``); a list or dict of losses
    is matched to the outputs.

    Why it matters: none of these fail. The model trains, and learns nothing (the loss of
    one class is always 0), learns the wrong thing (independent yes/no scores for exclusive
    classes), or learns slowly (activations applied twice, clipped outputs with no
    gradient).

    Example: ``Dense(1, activation="softmax")`` or ``Dense(1, activation="sigmoid")`` with
    ``loss="categorical_crossentropy"``.

    Use instead: softmax with categorical or sparse categorical cross-entropy (N units),
    sigmoid with binary cross-entropy (1 unit, or N independent labels), or no activation
    with ``from_logits=True``.
    """

    code = codes.LOSS_ACTIVATION_MISMATCH
    name = "loss-activation-mismatch"
    severity = Severity.WARNING
    summary = "The compile() loss does not fit the output layer's activation or width"
    INVALID = (
        "from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
        "model = Model(x, layers.Dense(1, activation='sigmoid')(x))\n"
        "model.compile(loss='categorical_crossentropy', optimizer='adam')\n",
        "from keras import layers, Input, Model, losses\nx = Input(shape=(8,))\n"
        "model = Model(x, layers.Dense(5, activation='softmax')(x))\n"
        "model.compile(loss=losses.CategoricalCrossentropy(from_logits=True))\n",
        "from keras import layers, Input, Model, losses\nx = Input(shape=(8,))\n"
        "model = Model(x, layers.Dense(5, activation='softmax')(x))\n"
        "model.compile(loss=losses.binary_crossentropy, optimizer='adam')\n",
        "from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
        "model = Model(x, layers.Dense(1)(x))\n"
        "model.compile(loss='sparse_categorical_crossentropy', optimizer='adam')\n",
        "from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
        "model = Model(x, layers.Dense(4, activation='sigmoid')(x))\n"
        "model.compile(loss='CategoricalCrossentropy', optimizer='adam')\n",
    )
    VALID = (
        "from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
        "model = Model(x, layers.Dense(5, activation='softmax')(x))\n"
        "model.compile(loss='categorical_crossentropy', optimizer='adam')\n",
        "from keras import layers, Input, Model, losses\nx = Input(shape=(8,))\n"
        "model = Model(x, layers.Dense(5)(x))\n"
        "model.compile(loss=losses.SparseCategoricalCrossentropy(from_logits=True))\n",
        "from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
        "model = Model(x, layers.Dense(1, activation='sigmoid')(x))\n"
        "model.compile(loss='binary_crossentropy', optimizer='adam')\n",
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for analysis in ctx.models:
            model = analysis.model
            if model.compile is None:
                continue
            for ref, loss in zip(model.outputs, output_losses(model)):
                if loss is None or ref.call.num_outputs != 1:
                    continue
                activation = head_activation(ref.call.layer.instance)
                units = output_width(ref)
                if activation is None or units is None:
                    continue
                message = mismatch(loss, activation, units, describe(ref.call))
                if message is not None:
                    yield Finding(message[0].upper() + message[1:], model.compile.span,
                                  model.name, ref.call.layer.name)
