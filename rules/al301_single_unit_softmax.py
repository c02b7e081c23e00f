from collections.abc import Iterator

from archlint import codes
from archlint.diagnostics import Severity
from archlint.dims import format_shape
from archlint.graph import Call
from archlint.rule import Finding, Invalid, Rule, RuleContext
from archlint.rule_helpers import head_activation, label, usable


def softmax_axes(call: Call) -> tuple[int, ...] | None:
    """The axes a call applies softmax over (as written), or None when it applies none."""
    instance = call.layer.instance
    if not usable(instance):
        return None
    if instance.class_name == "Softmax":
        axis = instance.config.get("axis", -1)
        return (axis,) if isinstance(axis, int) else tuple(axis)
    return (-1,) if head_activation(instance) == "softmax" else None


class SingleUnitSoftmax(Rule):
    """What it does: flags a softmax over an axis of size 1: ``activation="softmax"`` on a
    layer with 1 unit (or 1 filter), or a ``Softmax`` or ``Activation("softmax")`` layer
    whose softmax axis has size 1.

    Why it matters: softmax normalises across its axis, so over a single entry it always
    outputs 1.0, whatever the input, and passes no gradient back. The model trains without
    error and predicts the same value for every sample. Keras 3 only warns when the layer
    runs; tf-keras says nothing.

    Example: ``Dense(1, activation="softmax")`` as the output of a binary classifier.

    Use instead: ``Dense(1, activation="sigmoid")`` with ``binary_crossentropy`` for a
    yes/no output, or ``Dense(n_classes, activation="softmax")``.
    """

    code = codes.SINGLE_UNIT_SOFTMAX
    name = "single-unit-softmax"
    severity = Severity.WARNING
    summary = "Softmax over an axis of size 1 always outputs 1.0"
    INVALID = (
        Invalid(
            "from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
            "model = Model(x, layers.Dense(1, activation='softmax')(x))\n",
            line=3, message="Dense 'dense' applies softmax over its last axis, which has"),
        Invalid(
            "from keras import layers, Input, Model\nx = Input(shape=(10, 4))\n"
            "h = layers.TimeDistributed(layers.Dense(1))(x)\n"
            "model = Model(x, layers.Softmax()(h))\n",
            line=4, message="Softmax 'softmax' applies softmax over its last axis, which"),
    )
    VALID = (
        "from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
        "model = Model(x, layers.Dense(1, activation='sigmoid')(x))\n",
        "from keras import layers, Input, Model\nx = Input(shape=(10, 1))\n"
        "model = Model(x, layers.Softmax(axis=1)(x))\n",
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        reported: set[int] = set()  # a shared layer: its first call with the problem
        for analysis, call in ctx.layer_calls():
            if id(call.layer) in reported or call.error is not None:
                continue
            axes = softmax_axes(call)
            shape = call.output
            if axes is None or not isinstance(shape, tuple):
                continue
            if not all(-len(shape) < a < len(shape) and shape[a] == 1 for a in axes):
                continue
            reported.add(id(call.layer))
            where = "its last axis" if axes == (-1,) else \
                f"axis {axes[0] if len(axes) == 1 else axes}"
            advice = ("For a yes/no output use activation='sigmoid' (with "
                      "binary_crossentropy); for N classes give the layer N units")
            if len(shape) >= 3 and shape[1] != 1 and axes == (-1,):
                advice += ("; to weight the timesteps against each other (attention "
                           "scores), use Softmax(axis=1)")
            yield Finding(
                f"{label(call.layer)} applies softmax over "
                f"{where}, which has size 1 (output {format_shape(shape)}): softmax "
                "normalises across it, so it outputs 1.0 for every input and passes no "
                f"gradient back. {advice}",
                call.span, analysis.model.name, call.layer.name)
