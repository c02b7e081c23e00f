from collections.abc import Iterator

from archlint import codes
from archlint.diagnostics import Severity
from archlint.rule import Finding, Invalid, Rule, RuleContext
from archlint.rule_helpers import describe, label
from archlint.time_order import Misalignment, time_order


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
        Invalid(
            "from keras import layers, Input, Model\nx = Input(shape=(10, 3))\n"
            "f = layers.LSTM(16, return_sequences=True)(x)\n"
            "b = layers.GRU(16, return_sequences=True, go_backwards=True)(x)\n"
            "model = Model(x, layers.Concatenate()([f, b]))\n",
            line=5, message="Concatenate 'concatenate' pairs the reversed-time output of"),
        Invalid(
            "from keras import layers, Input, Model\nx = Input(shape=(10, 3))\n"
            "b = layers.GRU(3, return_sequences=True, go_backwards=True)(x)\n"
            "model = Model(x, layers.add([x, layers.Dropout(0.1)(b)]))\n",
            line=4, message="Add 'add' pairs the reversed-time output of Dropout"),
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
        reported: set[int] = set()  # a merge in two models (one nested in the other)
        for analysis in ctx.models:
            for problem in time_order(analysis.model.calls).misaligned:
                merge = problem.merge
                if id(merge) in reported:
                    continue
                reported.add(id(merge))
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
        return (f"{label(merge.layer)} pairs the reversed-time output "
                f"of {'; '.join(backward)} with the forward-time output of {forward}: with "
                "go_backwards=True and return_sequences=True, step t of a recurrent layer's "
                "output is input step T-1-t, so the timesteps do not line up. Use "
                "Bidirectional, which flips the backward output back, or flip it yourself "
                "(keras.ops.flip(y, axis=1)) before merging")
