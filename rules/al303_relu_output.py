from collections.abc import Iterator

from archlint import codes
from archlint.diagnostics import Severity
from archlint.losses import output_losses
from archlint.rule import Finding, Invalid, Rule, RuleContext
from archlint.rule_helpers import describe, head_activation


class ReluOutput(Rule):
    """What it does: reports a model output whose last activation is relu (``Dense(1,
    activation="relu")``, or a ``ReLU``/``Activation("relu")`` layer) when the model is
    compiled with a regression loss (mse, mae, huber, log_cosh, msle, mape, poisson).

    Why it matters: wherever the pre-activation is negative the prediction is exactly 0 and
    its gradient is 0. A bad initialisation or a large update can push the output there for
    every sample: the unit is dead, the model predicts 0 forever, and the loss stops moving.
    Non-negative targets do not need relu to stay non-negative in practice.

    Example: ``Dense(1, activation="relu", name="output")`` with ``loss="mae"``.

    Use instead: a linear output (``activation=None``), or ``softplus`` for targets that
    must stay positive (smooth, never stuck at 0); clip predictions afterwards if needed.
    """

    code = codes.RELU_OUTPUT
    name = "relu-output"
    severity = Severity.INFO
    summary = "A relu regression output can die at zero"
    INVALID = (
        Invalid(
            "from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
            "model = Model(x, layers.Dense(1, activation='relu')(x))\n"
            "model.compile(loss='mae', optimizer='adam')\n",
            line=3, message="The output Dense 'dense' (line 3) ends in relu under the"),
    )
    VALID = (
        "from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
        "model = Model(x, layers.Dense(1, activation='softplus')(x))\n"
        "model.compile(loss='mae', optimizer='adam')\n",
        "from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
        "encoder = Model(x, layers.Dense(4, activation='relu')(x))\n",
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for analysis in ctx.models:
            model = analysis.model
            if model.compile is None:
                continue  # a feature extractor may end in relu; only a trained head is checked
            for ref, loss in zip(model.outputs, output_losses(model)):
                if loss is None or loss.family != "regression" or ref.call.num_outputs != 1:
                    continue
                if head_activation(ref.call.layer.instance) != "relu":
                    continue
                call = ref.call
                yield Finding(
                    f"The output {describe(call)} ends in relu under the regression loss "
                    f"{loss.label}: wherever its pre-activation is negative it predicts "
                    "exactly 0 with zero gradient, and if that happens for every sample the "
                    "unit is dead and the model predicts 0 forever. Use a linear output "
                    "(activation=None), or softplus for targets that must stay positive",
                    call.span, model.name, call.layer.name)
