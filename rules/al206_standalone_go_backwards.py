from collections.abc import Iterator

from archlint import codes
from archlint.diagnostics import Severity
from archlint.graph import Call, Model
from archlint.rule import Finding, Invalid, Rule, RuleContext
from archlint.rule_helpers import describe, label, spec_of
from archlint.time_order import TimeOrder, reverses_time, time_order


def _sensitive_readers(order: TimeOrder, source: Call) -> list[Call]:
    """Layers that read the reversed sequence of ``source`` and depend on its order
    (layers that only pass it on, and readers that ignore order, are left out)."""
    readers = []
    for reader in order.readers.get(id(source), []):
        spec = spec_of(reader.layer)
        trait = spec.time_order if spec is not None else None
        if trait == "ignores" or reverses_time(reader.layer.instance):
            continue  # order-free, or reversed back to forward time
        if trait in ("preserves", "pairs") and (id(reader), 0) in order.orders:
            continue  # passes the reversed order on: its readers are listed instead
        if reader not in readers:
            readers.append(reader)
    return readers


def _reversed_outputs(order: TimeOrder, model: Model, source: Call) -> list[Call]:
    outputs = []
    for ref in model.outputs:
        found = order.of(ref)
        if found is not None and found.reversed and found.by is source:
            outputs.append(ref.call)
    return outputs


class StandaloneGoBackwards(Rule):
    """What it does: reports a recurrent layer with ``go_backwards=True`` and
    ``return_sequences=True`` outside a Bidirectional whose sequence goes on to further
    layers (or out of the model) in reversed time order. Merges with forward sequences are
    AL205; readers that ignore the order (global pooling) are not reported.

    Why it matters: ``go_backwards=True`` reads the input from the last step to the first,
    and returns its outputs in that reversed order: step t is input step T-1-t. Inside
    ``Bidirectional`` Keras flips them back; on its own nothing does, so every later layer,
    and any per-step target, sees the sequence backwards. That is right for a stack meant
    to read backwards, and a surprise otherwise.

    Example: ``GRU(16, return_sequences=True, go_backwards=True)`` followed by
    ``LSTM(8)``.

    Use instead: ``Bidirectional(...)`` for both directions; or flip the output back
    (``keras.ops.flip(y, axis=1)`` in a Lambda); or keep it, knowingly, for a
    backward-reading stack (suppress with ``# archlint: noqa: AL206``).
    """

    code = codes.STANDALONE_GO_BACKWARDS
    name = "standalone-go-backwards"
    severity = Severity.INFO
    summary = "A go_backwards sequence goes on in reversed time order"
    INVALID = (
        Invalid(
            "from keras import layers, Input, Model\nx = Input(shape=(10, 3))\n"
            "b = layers.GRU(16, return_sequences=True, go_backwards=True)(x)\n"
            "model = Model(x, layers.LSTM(8)(b))\n",
            line=3, message="GRU 'gru' has go_backwards=True and return_sequences=True"),
        Invalid(
            "from keras import layers, Input, Model\nx = Input(shape=(10, 3))\n"
            "b = layers.GRU(16, return_sequences=True, go_backwards=True)(x)\n"
            "model = Model(x, layers.Dense(1)(b))\n",
            line=3, message="GRU 'gru' has go_backwards=True and return_sequences=True"),
    )
    VALID = (
        "from keras import layers, Input, Model\nx = Input(shape=(10, 3))\n"
        "b = layers.GRU(16, return_sequences=True, go_backwards=True)(x)\n"
        "model = Model(x, layers.GlobalAveragePooling1D()(b))\n",
        "from keras import layers, Input, Model\nx = Input(shape=(10, 3))\n"
        "model = Model(x, layers.Dense(1)(layers.GRU(16, go_backwards=True)(x)))\n",
        "from keras import layers, Input, Model\nx = Input(shape=(10, 3))\n"
        "b = layers.Bidirectional(layers.GRU(16, return_sequences=True))(x)\n"
        "model = Model(x, layers.LSTM(8)(b))\n",
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        reported: set[int] = set()  # a call in two models (one nested in the other)
        for analysis in ctx.models:
            model = analysis.model
            order = time_order(model.calls)
            merged = {id(o.by) for problem in order.misaligned for _, o in problem.backward}
            for call in model.calls:
                if id(call) in reported or not reverses_time(call.layer.instance):
                    continue
                if id(call) in merged:
                    continue  # AL205 reports the misaligned merge
                readers = _sensitive_readers(order, call)
                outputs = _reversed_outputs(order, model, call)
                if not readers and not outputs:
                    continue
                reported.add(id(call))
                yield Finding(self._message(call, readers, outputs), call.span, model.name,
                              call.layer.name)

    @staticmethod
    def _message(call: Call, readers: list[Call], outputs: list[Call]) -> str:
        parts = []
        if readers:
            names = ", ".join(describe(r) for r in readers[:3])
            more = f" and {len(readers) - 3} more" if len(readers) > 3 else ""
            verb = "reads" if len(readers) == 1 else "read"
            parts.append(f"{names}{more} {verb} it in that reversed order")
        if outputs:
            names = ", ".join(f"'{c.layer.name}'" for c in outputs)
            parts.append(f"the model returns it reversed (output {names}), so per-step "
                         "targets must be reversed too")
        return (f"{label(call.layer)} has go_backwards=True and "
                "return_sequences=True outside a Bidirectional: its output step t is input "
                f"step T-1-t, and {'; '.join(parts)}. Fine for a stack meant to read "
                "backwards; otherwise flip it back (keras.ops.flip(y, axis=1)) or use "
                "Bidirectional, which does")
