from collections.abc import Iterator

from archlint import codes
from archlint.diagnostics import Severity
from archlint.dims import format_shape
from archlint.graph import Call, Layer, TensorRef, line_note
from archlint.layers.base import LayerInstance
from archlint.records import record
from archlint.rule import Finding, Invalid, Rule, RuleContext
from archlint.rule_helpers import is_int, label, usable

ATTENTION = frozenset({"Attention", "AdditiveAttention", "MultiHeadAttention",
                       "GroupedQueryAttention", "GroupQueryAttention"})


@record(frozen=True)
class Shortening:
    """A layer upstream that shortened the time axis."""

    layer: Layer
    before: int
    after: int


def _recurrent_halves(instance: LayerInstance) -> list[LayerInstance] | None:
    """The recurrent layers a layer runs over its time axis (two for Bidirectional)."""
    if instance.spec.recurrent:
        return [instance]
    if instance.class_name == "Bidirectional":
        halves = [instance.config.get("layer"), instance.config.get("backward_layer")]
        recurrent = [h for h in halves if isinstance(h, LayerInstance) and h.spec.recurrent]
        if len(recurrent) == len(halves):
            return recurrent
    return None


def trace_time_axis(ref: TensorRef, axis: int) -> tuple[list[Shortening], Call]:
    """The layers upstream of ``ref`` that shortened ``axis``, first one first, and the call
    where the trace ended (the input, or a layer that changed the rank)."""
    found: list[Shortening] = []
    current = ref
    seen: set[int] = set()
    while id(current.call) not in seen:
        call = current.call
        seen.add(id(call))
        out = call.output_at(current.index)
        if not call.inbound or not isinstance(out, tuple) or len(out) <= axis:
            break
        source = call.inbound[0]
        before = source.call.output_at(source.index)
        if not isinstance(before, tuple) or len(before) != len(out):
            break
        length_before, length_after = before[axis], out[axis]
        if is_int(length_before) and is_int(length_after) and length_after < length_before:
            found.append(Shortening(call.layer, length_before, length_after))
        current = source
    return found[::-1], current.call


class TooFewTimesteps(Rule):
    """What it does: flags a recurrent layer (LSTM, GRU, SimpleRNN, ConvLSTM, also inside
    Bidirectional or TimeDistributed) or an attention layer that receives fewer timesteps
    than ``min-timesteps`` (default 2), and names the convolution and pooling layers
    upstream that shortened the time axis, with their lengths. Only concrete lengths are
    checked; stateful layers and layers that return their states (step-by-step inference)
    are left alone.

    Why it matters: over a single step a recurrent layer never uses its recurrent kernel:
    it is a Dense layer with extra weights, and the model has no memory of time. Attention
    over a single key gives it weight 1.0 for every query, so the layer only copies the
    value. The usual causes are strided convolutions and pools that consume the sequence,
    or data reshaped to ``(samples, 1, features)``.

    Example: ``Conv1D(32, 10)`` then ``MaxPool1D(10)`` on 20 steps leave the LSTM 1 step.

    Use instead: keep more timesteps (``padding="same"``, smaller kernels, pools or
    strides, a longer input), feed the series as ``(steps, features)``, or drop the
    recurrent layer.
    """

    code = codes.TOO_FEW_TIMESTEPS
    name = "too-few-timesteps"
    severity = Severity.WARNING
    summary = "A recurrent or attention layer gets fewer timesteps than it needs"
    options = {"min-timesteps": 2}
    INVALID = (
        Invalid(
            "from keras import layers, Input, Model\nx = Input(shape=(20, 6))\n"
            "h = layers.Conv1D(32, 10)(x)\nh = layers.MaxPool1D(10)(h)\n"
            "model = Model(x, layers.LSTM(16)(h))\n",
            line=5, message="LSTM 'lstm' runs over a single timestep (input (None, 1"),
        Invalid(
            "from keras import layers, Input, Model\nx = Input(shape=(1, 12))\n"
            "model = Model(x, layers.Bidirectional(layers.GRU(8))(x))\n",
            line=3, message="Bidirectional 'bidirectional' runs over a single timestep"),
        Invalid(
            "from keras import layers, Input, Model\nq = Input(shape=(8, 16))\n"
            "k = Input(shape=(8, 16))\nv = layers.MaxPool1D(8)(k)\n"
            "model = Model([q, k], layers.Attention()([q, v]))\n",
            line=5, message="Attention 'attention' attends over a single timestep (keys"),
        Invalid(
            "from keras import layers, Input, Model\nq = Input(shape=(8, 16))\n"
            "k = Input(shape=(8, 16))\nv = layers.MaxPool1D(8)(k)\n"
            "model = Model([q, k], layers.MultiHeadAttention(2, 8)(q, v))\n",
            line=5, message="MultiHeadAttention 'multi_head_attention' attends over a single "
            "timestep (keys"),
    )
    VALID = (
        "from keras import layers, Input, Model\nx = Input(shape=(20, 6))\n"
        "h = layers.Conv1D(32, 10, padding='same')(x)\nh = layers.MaxPool1D(2)(h)\n"
        "model = Model(x, layers.LSTM(16)(h))\n",
        "from keras import layers, Input, Model\nx = Input(shape=(None, 12))\n"
        "model = Model(x, layers.LSTM(8)(x))\n",
        "from keras import layers, Input, Model\n"
        "x = Input(shape=(1, 12), batch_size=1)\n"
        "model = Model(x, layers.LSTM(8, stateful=True)(x))\n",
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        minimum = self.settings["min-timesteps"]
        for analysis, call in ctx.layer_calls():
            message = self._message(call, minimum)
            if message is not None:
                yield Finding(message, call.span, analysis.model.name, call.layer.name)

    def _message(self, call: Call, minimum: int) -> str | None:
        layer = call.layer
        if call.error is not None or not call.inbound:
            return None
        instance = layer.instance
        axis = 1
        halves = None
        if layer.class_name in ATTENTION:
            # Attention([query, value, key]) and mha(query, value, key) normalise over the
            # key (the value by default).
            if len(call.inbound) < 2:
                return None
            ref = call.inbound[2] if len(call.inbound) > 2 else call.inbound[1]
        else:
            if not usable(instance):
                return None
            if instance.class_name == "TimeDistributed":
                inner = instance.config.get("layer")
                if not usable(inner):
                    return None
                instance, axis = inner, 2
            halves = _recurrent_halves(instance)
            if halves is None:
                return None
            if any(h.config.get("stateful") is not False or
                   h.config.get("return_state") is not False for h in halves):
                return None  # step-by-step inference feeds one step on purpose
            ref = call.inbound[0]
        shape = ref.call.output_at(ref.index)
        if not isinstance(shape, tuple) or len(shape) <= axis:
            return None
        steps = shape[axis]
        if not is_int(steps) or steps < 1 or steps >= minimum:
            return None
        shortenings, origin = trace_time_axis(ref, axis)
        what = "1 timestep" if steps == 1 else f"{steps} timesteps"
        measured = "keys" if halves is None else "input"
        amount = f"{'a single timestep' if steps == 1 else what} ({measured} {format_shape(shape)})"
        if minimum > 2:
            amount += f", fewer than min-timesteps={minimum}"
        name = label(layer)
        if axis == 2 and halves is not None:
            name += f" (its {halves[0].class_name}, per step of axis 1)"
        if halves is None:
            effect = (f"{name} attends over {amount}: softmax over so few keys leaves the "
                      "scores little to choose, so the layer mostly copies the value")
            if steps == 1:
                effect = (f"{name} attends over {amount}: softmax over a single key gives "
                          "it weight 1.0 for every query, so the layer only copies the value")
        else:
            kernel = sum(h.spec.gates * h.config["units"] ** 2 for h in halves
                         if h.spec.gates is not None and is_int(h.config.get("units")))
            kernels = "kernels" if len(halves) > 1 else "kernel"
            weights = f" ({kernel:,} weights)" if kernel else ""
            plural = len(halves) > 1
            history = (f"never {'see' if plural else 'sees'} a previous step" if steps == 1
                       else f"{'see' if plural else 'sees'} almost no history")
            effect = (f"{name} runs over {amount}: its recurrent {kernels}{weights} "
                      f"{history}, so the layer is little more than a Dense layer")
        if shortenings:
            steps_text = ", ".join(
                f"{label(s.layer)} ("
                f"{f'line {s.layer.span.line}: ' if s.layer.span.line else ''}"
                f"{s.before} -> {s.after})" for s in shortenings)
            cause = (f". The time axis was shortened by {steps_text}. Keep more steps: "
                     "padding='same', smaller kernels, pools or strides, or a longer input")
        elif origin.layer.class_name == "InputLayer":
            cause = (f". The input '{origin.layer.name}'{line_note(origin.layer.span)} "
                     f"has {what}: if the features are a series, feed them as "
                     "(steps, features), e.g. reshape the data to (samples, steps, 1)")
        else:
            cause = ". Give it more timesteps, or drop the layer"
        return effect + cause
