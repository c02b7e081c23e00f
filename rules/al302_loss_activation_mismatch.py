from collections.abc import Iterator

from archlint import codes
from archlint.diagnostics import Severity
from archlint.graph import TensorRef
from archlint.losses import Loss, output_losses
from archlint.rule import Finding, Invalid, Rule, RuleContext
from archlint.rule_helpers import describe, head_activation, is_int

# Activations whose outputs are not probabilities.
NOT_PROBABILITIES = frozenset({
    "linear", "relu", "relu6", "leaky_relu", "prelu", "elu", "selu", "celu", "gelu", "tanh",
    "swish", "silu", "mish", "softplus", "softsign", "exponential", "hard_swish", "hard_silu",
    "log_softmax", "log_sigmoid",
})
def output_width(ref: TensorRef) -> int | None:
    shape = ref.call.output_at(ref.index)
    if isinstance(shape, tuple) and shape:
        last = shape[-1]
        if is_int(last):
            assert isinstance(last, int)
            return last
    return None


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
        Invalid(
            "from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
            "model = Model(x, layers.Dense(1, activation='sigmoid')(x))\n"
            "model.compile(loss='categorical_crossentropy', optimizer='adam')\n",
            line=4, message="The loss 'categorical_crossentropy' on the output Dense"),
        Invalid(
            "from keras import layers, Input, Model, losses\nx = Input(shape=(8,))\n"
            "model = Model(x, layers.Dense(5, activation='softmax')(x))\n"
            "model.compile(loss=losses.CategoricalCrossentropy(from_logits=True))\n",
            line=4, message="The loss CategoricalCrossentropy(from_logits=True) expects"),
        Invalid(
            "from keras import layers, Input, Model, losses\nx = Input(shape=(8,))\n"
            "model = Model(x, layers.Dense(5, activation='softmax')(x))\n"
            "model.compile(loss=losses.binary_crossentropy, optimizer='adam')\n",
            line=4, message="The loss binary_crossentropy scores each of the 5 units of"),
        Invalid(
            "from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
            "model = Model(x, layers.Dense(1)(x))\n"
            "model.compile(loss='sparse_categorical_crossentropy', optimizer='adam')\n",
            line=4, message="The loss 'sparse_categorical_crossentropy' on the output"),
        Invalid(
            "from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
            "model = Model(x, layers.Dense(4, activation='sigmoid')(x))\n"
            "model.compile(loss='CategoricalCrossentropy', optimizer='adam')\n",
            line=4, message="The loss 'CategoricalCrossentropy' expects a softmax"),
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
