from collections.abc import Iterator

from archlint import codes
from archlint.diagnostics import Severity
from archlint.dims import format_shape
from archlint.graph import Call
from archlint.layers.base import LayerInstance
from archlint.rule import Finding, Invalid, Rule, RuleContext
from archlint.rule_helpers import describe, label

ATTENTION = frozenset({"Attention", "AdditiveAttention"})


def _hint(source: Call) -> str:
    """Why the input is 2-D, when an RNN that drops the time axis made it."""
    instance = source.layer.instance
    if instance is not None and (instance.spec.recurrent or
                                 instance.class_name == "Bidirectional"):
        inner = instance.config.get("layer")  # a Bidirectional's forward layer
        config = inner.config if isinstance(inner, LayerInstance) else instance.config
        if not config.get("return_sequences", True):
            return ", which returns its last step only (return_sequences=True keeps the time axis)"
    return ""


class AttentionOverBatch(Rule):
    """What it does: flags an ``Attention`` or ``AdditiveAttention`` layer whose query or
    value is 2-D, ``(batch, features)``: there is no time axis to attend over.

    Why it matters: Keras 3 and tf-keras both accept it without a word and take the batch
    axis for the sequence: every sample attends to the other samples of its batch. The
    predictions then depend on which samples share a batch, leak information between
    them, and change with the batch size between ``fit`` and ``predict``. The usual cause
    is an RNN before it that returns its last step only.

    Example: ``LSTM(32)`` (no ``return_sequences``) then ``Attention()([h, h])``.

    Use instead: feed ``(batch, steps, features)`` tensors, e.g. ``LSTM(32,
    return_sequences=True)``; to weight features rather than steps, use a ``Dense`` with
    a softmax activation.
    """

    code = codes.ATTENTION_OVER_BATCH
    name = "attention-over-batch"
    severity = Severity.WARNING
    summary = "An attention layer gets 2-D inputs and attends across the batch"
    INVALID = (
        Invalid(
            "from keras import layers, Input, Model\nx = Input(shape=(10, 4))\n"
            "h = layers.LSTM(8)(x)\n"
            "model = Model(x, layers.Attention()([h, h]))\n",
            line=4, message="Attention 'attention' gets the 2-D input (None, 8) from"),
    )
    VALID = (
        "from keras import layers, Input, Model\nx = Input(shape=(10, 4))\n"
        "h = layers.LSTM(8, return_sequences=True)(x)\n"
        "model = Model(x, layers.Attention()([h, h]))\n",
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for analysis, call in ctx.layer_calls():
            if call.layer.class_name not in ATTENTION:
                continue
            flat = [(ref.call, shape) for ref in call.inbound
                    if isinstance(shape := ref.call.output_at(ref.index), tuple)
                    and len(shape) == 2]
            if not flat:
                continue
            source, shape = flat[0]
            yield Finding(
                f"{label(call.layer)} gets the 2-D input {format_shape(shape)} from "
                f"{describe(source)}{_hint(source)}. With no time axis, Keras "
                "attends across the batch: each sample's output mixes the other "
                "samples of its batch. Feed (batch, steps, features) tensors",
                call.span, analysis.model.name, call.layer.name)
