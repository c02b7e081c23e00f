from collections.abc import Iterator

from archlint import codes
from archlint.diagnostics import Severity
from archlint.graph import Call, TensorRef, line_note
from archlint.layers.base import LayerInstance
from archlint.records import field, record
from archlint.rule import Finding, Rule, RuleContext

RECURRENT = frozenset({"SimpleRNN", "GRU", "LSTM", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"})
# Layers whose output step t is computed from input steps at or near t: time order passes.
ORDER_PRESERVING = frozenset({
    "Dense", "TimeDistributed", "Dropout", "SpatialDropout1D", "GaussianNoise",
    "GaussianDropout", "AlphaDropout", "ActivityRegularization", "BatchNormalization",
    "LayerNormalization", "RMSNormalization", "GroupNormalization", "UnitNormalization",
    "Activation", "ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax", "ThresholdedReLU", "Masking",
    "Conv1D", "SeparableConv1D", "DepthwiseConv1D", "MaxPooling1D", "AveragePooling1D",
    "ZeroPadding1D", "Cropping1D", "UpSampling1D",
})
# Merges that pair step t of one input with step t of the others.
STEPWISE_MERGES = frozenset({"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum",
                             "Concatenate"})


@record(frozen=True)
class Order:
    """The time order of a sequence tensor: reversed by ``by`` (a go_backwards call), or
    forward."""

    reversed: bool
    by: Call | None = None


@record
class Misalignment:
    """A merge that pairs reversed sequences with forward ones."""

    merge: Call
    backward: list[tuple[TensorRef, Order]]
    forward: list[TensorRef]


@record
class TimeOrder:
    orders: dict[tuple[int, int], Order] = field(default_factory=dict)
    misaligned: list[Misalignment] = field(default_factory=list)
    # Calls that read a sequence reversed by a go_backwards call, by id of that call.
    readers: dict[int, list[Call]] = field(default_factory=dict)

    def of(self, ref: TensorRef) -> Order | None:
        return self.orders.get((id(ref.call), ref.index))


def usable(instance: object) -> bool:
    return isinstance(instance, LayerInstance) and instance.unresolved is None and \
        instance.config_error is None


def reverses_time(instance: object) -> bool:
    """A recurrent layer that returns its sequence in reversed time order."""
    return usable(instance) and instance.class_name in RECURRENT and \
        instance.config.get("go_backwards") is True and \
        instance.config.get("return_sequences") is True  # type: ignore[union-attr]


def _rank(call: Call, index: int = 0) -> int:
    shape = call.output_at(index)
    return len(shape) if isinstance(shape, tuple) else 0


def time_order(calls: list[Call]) -> TimeOrder:
    """Follow the time order of every sequence (rank >= 3) through the calls, inputs first.

    A sequence is unknown (no entry) wherever a layer does something archlint does not
    model (Lambda, Reshape, Permute...), so that nothing is guessed beyond it.
    """
    result = TimeOrder()
    for call in calls:
        instance = call.layer.instance
        if call.layer.class_name == "InputLayer":
            if _rank(call) >= 3:
                result.orders[(id(call), 0)] = Order(False)
            continue
        inputs = [result.of(ref) for ref in call.inbound]
        for order in inputs:
            if order is not None and order.reversed and order.by is not None:
                result.readers.setdefault(id(order.by), []).append(call)
        if not usable(instance) or call.error is not None or not inputs:
            continue
        assert isinstance(instance, LayerInstance)
        name, config, first = instance.class_name, instance.config, inputs[0]
        if name in RECURRENT:
            if config.get("return_sequences") is True and first is not None:
                if config.get("go_backwards") is True:
                    first = Order(True, call) if not first.reversed else Order(False)
                result.orders[(id(call), 0)] = first
        elif name == "Bidirectional":
            # Keras flips the backward half back before merging: the output is in input order.
            inner = config.get("layer")
            if first is not None and isinstance(inner, LayerInstance) and \
                    inner.config.get("return_sequences") is True:
                outputs = 2 if config.get("merge_mode") is None else 1
                for index in range(outputs):
                    result.orders[(id(call), index)] = first
        elif name in ORDER_PRESERVING:
            if first is not None and _rank(call) >= 3:
                result.orders[(id(call), 0)] = first
        elif name in STEPWISE_MERGES and _rank(call) >= 3:
            if name == "Concatenate" and config.get("axis", -1) % _rank(call) == 1:
                continue  # joined along time: not paired step by step
            backward = [(ref, o) for ref, o in zip(call.inbound, inputs)
                        if o is not None and o.reversed]
            forward = [ref for ref, o in zip(call.inbound, inputs)
                       if o is not None and not o.reversed]
            if backward and forward:
                result.misaligned.append(Misalignment(call, backward, forward))
            elif all(o is not None for o in inputs) and len({o.reversed for o in inputs
                                                              if o is not None}) == 1:
                result.orders[(id(call), 0)] = first  # type: ignore[assignment]
    return result


def describe(call: Call) -> str:
    return f"{call.layer.class_name} '{call.layer.name}'{line_note(call.span)}"


class ReversedSequenceMerge(Rule):
    """What it does: flags a merge (Concatenate, Add, Average, Multiply...) that pairs the
    sequence of a recurrent layer with ``go_backwards=True, return_sequences=True`` with a
    sequence in forward time, without reversing it back first.

    Why it matters: with ``go_backwards=True`` the output's step t belongs to input step
    T-1-t. ``Bidirectional`` flips the backward output back before it merges; a hand-made
    pair of layers does not, so step t of the forward layer is joined with step T-1-t of the
    backward one. Nothing fails: the model trains on misaligned features.

    Example: ``Concatenate()([LSTM(16, return_sequences=True)(x),
    GRU(16, return_sequences=True, go_backwards=True)(x)])``.

    Use instead: ``Bidirectional(LSTM(16, return_sequences=True),
    backward_layer=GRU(16, return_sequences=True, go_backwards=True))``, or flip the backward
    output back (``keras.ops.flip(y, axis=1)`` in a Lambda) before the merge.
    """

    code = codes.REVERSED_SEQUENCE_MERGE
    name = "reversed-sequence-merge"
    severity = Severity.WARNING
    summary = "A go_backwards sequence is merged with a forward one, misaligned in time"
    INVALID = (
        "from keras import layers, Input, Model\nx = Input(shape=(10, 3))\n"
        "f = layers.LSTM(16, return_sequences=True)(x)\n"
        "b = layers.GRU(16, return_sequences=True, go_backwards=True)(x)\n"
        "model = Model(x, layers.Concatenate()([f, b]))\n",
        "from keras import layers, Input, Model\nx = Input(shape=(10, 3))\n"
        "b = layers.GRU(3, return_sequences=True, go_backwards=True)(x)\n"
        "model = Model(x, layers.add([x, layers.Dropout(0.1)(b)]))\n",
    )
    VALID = (
        "from keras import layers, Input, Model\nx = Input(shape=(10, 3))\n"
        "b = layers.Bidirectional(layers.LSTM(16, return_sequences=True),\n"
        "    backward_layer=layers.GRU(16, return_sequences=True, go_backwards=True))(x)\n"
        "model = Model(x, b)\n",
        "from keras import layers, Input, Model\nx = Input(shape=(10, 3))\n"
        "f = layers.LSTM(16)(x)\nb = layers.GRU(16, go_backwards=True)(x)\n"
        "model = Model(x, layers.Concatenate()([f, b]))\n",
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        seen: set[int] = set()
        for analysis in ctx.models:
            for problem in time_order(analysis.model.calls).misaligned:
                merge = problem.merge
                if id(merge) in seen:
                    continue
                seen.add(id(merge))
                yield Finding(self._message(problem), merge.span, analysis.model.name,
                              merge.layer.name)

    @staticmethod
    def _message(problem: Misalignment) -> str:
        merge = problem.merge
        backward = []
        for ref, order in problem.backward:
            text = describe(ref.call)
            if order.by is not None and order.by is not ref.call:
                text += f", reversed upstream by {describe(order.by)}"
            backward.append(text)
        forward = ", ".join(describe(ref.call) for ref in problem.forward)
        return (f"{merge.layer.class_name} '{merge.layer.name}' pairs the reversed-time output "
                f"of {'; '.join(backward)} with the forward-time output of {forward}: with "
                "go_backwards=True and return_sequences=True, step t of a recurrent layer's "
                "output is input step T-1-t, so the timesteps do not line up. Use "
                "Bidirectional, which flips the backward output back, or flip it yourself "
                "(keras.ops.flip(y, axis=1)) before merging")
