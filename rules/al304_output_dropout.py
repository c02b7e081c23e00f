from collections.abc import Iterator

from archlint import codes
from archlint.diagnostics import Severity
from archlint.graph import Call
from archlint.rule import Finding, Invalid, Rule, RuleContext
from archlint.rule_helpers import describe, label

# Layers that change values only while training.
TRAINING_NOISE = frozenset({"Dropout", "SpatialDropout1D", "SpatialDropout2D",
                            "SpatialDropout3D", "GaussianDropout", "GaussianNoise",
                            "AlphaDropout"})


def _producer(call: Call) -> str:
    if len(call.inbound) != 1:
        return "the previous layer"
    return describe(call.inbound[0].call)


class OutputDropout(Rule):
    """What it does: flags an output of a compiled model produced by Dropout or another
    training-only noise layer (SpatialDropout, GaussianDropout, GaussianNoise,
    AlphaDropout). A model that is not compiled (a feature extractor used inside another
    model) may end in Dropout.

    Why it matters: during training the noise is applied to the predictions themselves,
    which the loss then scores: Dropout zeroes some and scales the rest by 1/(1-rate), so a
    sigmoid output of 0.8 becomes 1.6 (clipped by a cross-entropy loss) or 0, and a
    regression target is matched by randomly rescaled values. At inference the layer does
    nothing, so training and prediction see different models.

    Example: ``Dense(1, activation="sigmoid")`` followed by ``Dropout(0.5)`` as the output.

    Use instead: put the Dropout before the output layer (``Dropout(0.5)`` then
    ``Dense(1, activation="sigmoid")``).
    """

    code = codes.OUTPUT_DROPOUT
    name = "output-dropout"
    severity = Severity.WARNING
    summary = "Dropout or training noise is applied to the model's output"
    INVALID = (
        Invalid(
            "from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
            "h = layers.Dense(1, activation='sigmoid')(x)\n"
            "model = Model(x, layers.Dropout(0.5)(h))\n"
            "model.compile(loss='binary_crossentropy', optimizer='adam')\n",
            line=4, message="The model's output comes from Dropout 'dropout'"),
    )
    VALID = (
        "from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
        "h = layers.Dropout(0.5)(x)\n"
        "model = Model(x, layers.Dense(1, activation='sigmoid')(h))\n"
        "model.compile(loss='binary_crossentropy', optimizer='adam')\n",
        "from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
        "encoder = Model(x, layers.Dropout(0.2)(layers.Dense(4)(x)))\n",
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        reported: set[int] = set()  # an output of two compiled models
        for analysis in ctx.models:
            if analysis.model.compile is None:
                continue
            for ref in analysis.model.outputs:
                call = ref.call
                if call.layer.class_name not in TRAINING_NOISE or id(call) in reported:
                    continue
                reported.add(id(call))
                yield Finding(
                    f"The model's output comes from {label(call.layer)}: during training it "
                    "perturbs the predictions of "
                    f"{_producer(call)} that the loss scores (Dropout zeroes some and scales "
                    "the rest by 1/(1-rate)), and at inference it does nothing. Move it "
                    "before the output layer",
                    call.span, analysis.model.name, call.layer.name)
