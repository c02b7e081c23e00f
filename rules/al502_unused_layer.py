from collections.abc import Iterator

from archlint import codes
from archlint.diagnostics import Severity
from archlint.dims import format_shape
from archlint.graph import Call, Layer
from archlint.layers.base import LayerInstance
from archlint.rule import Finding, Invalid, Rule, RuleContext
from archlint.rule_helpers import describe, label


def _nested_instances(layers: list[Layer]) -> set[int]:
    """Ids of the layer instances wrapped by another layer (Bidirectional, TimeDistributed)."""
    found: set[int] = set()
    stack = [layer.instance for layer in layers if layer.instance is not None]
    while stack:
        instance = stack.pop()
        for value in instance.config.values():
            if isinstance(value, LayerInstance) and id(value) not in found:
                found.add(id(value))
                stack.append(value)
    return found


class UnusedLayer(Rule):
    """What it does: reports a model input that reaches none of the model's outputs, and
    layer calls whose output reaches no model output (a dead branch): a shared layer's
    unused call by name, other unused calls by the two layer calls the script made around
    them (archlint's graph only links each call to its inputs). Layers wrapped by
    Bidirectional or TimeDistributed are used through their wrapper. Files with a model
    archlint cannot follow completely are left alone.

    Why it matters: Keras builds such a model without complaint. An unused input still has
    to be fed to ``fit`` and ``predict``; an unused layer is usually a wiring mistake, such
    as a later layer reading an older variable (``out = Dense(1)(h)`` where ``h2`` was
    meant), so the model silently skips the layers in between.

    Example: ``h2 = Dropout(0.5)(h)`` followed by ``out = Dense(1)(h)``.

    Use instead: connect the layer (read the right variable) or delete it; remove the input
    from ``Model(inputs=...)`` if the model does not need it.
    """

    code = codes.UNUSED_LAYER
    name = "unused-layer"
    severity = Severity.WARNING
    summary = "A layer or input does not reach any model output"
    INVALID = (
        Invalid(
            "from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
            "h = layers.Dense(16)(x)\nh2 = layers.Dropout(0.5)(h)\n"
            "model = Model(x, layers.Dense(1)(h))\n",
            line=4, message="Dropout 'dropout' reaches no model output"),
        Invalid(
            "from keras import layers, Input, Model\na = Input(shape=(8,))\n"
            "b = Input(shape=(3,))\nmodel = Model([a, b], layers.Dense(1)(a))\n",
            line=3, message="Input 'input_layer_1' (None, 3) of model 'functional'"),
    )
    VALID = (
        "from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
        "h = layers.Dense(16)(x)\nh2 = layers.Dropout(0.5)(h)\n"
        "model = Model(x, layers.Dense(1)(h2))\n",
        "from keras import layers, Input, Model\nx = Input(shape=(10, 3))\n"
        "forward = layers.LSTM(8)\n"
        "model = Model(x, layers.Bidirectional(forward)(x))\n",
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        models = [analysis.model for analysis in ctx.models]
        if not models or any(model.unresolved for model in models):
            return  # an incomplete graph: which layers are used is not known
        used = {id(call) for model in models for call in model.calls}
        owner = {id(call): model.name for model in models for call in model.calls}
        inputs: set[int] = set()
        for analysis in ctx.models:
            model = analysis.model
            for ref in model.inputs:
                inputs.add(id(ref.call))
                if model.kind == "functional" and id(ref.call) not in used:
                    yield self._unused_input(ref.call, model.name)
        layers = ctx.layers  # every layer the file builds, in a model or not
        nested = _nested_instances(layers)
        in_models = {id(layer) for model in models for layer in model.layers}
        # Inside a user-defined layer's call(), what reaches no output is its own business
        # (a loss it adds, a value it ignores).
        dead = {id(call): call for layer in layers for call in layer.calls
                if id(call) not in used and call.within is None}
        fed: set[int] = {id(ref.call) for call in dead.values() for ref in call.inbound
                         if id(ref.call) in dead}
        for key, call in sorted(dead.items(), key=lambda item: item[1].order):
            if key in fed or key in inputs or call.passed_on:
                continue  # reported with the layer it feeds, or as an unused input; or
                # handed to a function (a loss added to the model)
            yield self._dead_branch(call, dead, owner)
        if self._incomplete(ctx):
            return
        for layer in layers:
            if layer.calls or layer.referenced or id(layer) in in_models or (
                    layer.instance is not None and id(layer.instance) in nested):
                continue
            yield Finding(
                f"{label(layer)} is built but never called on a tensor, "
                "wrapped by another layer or added to a model: it is in no model. Call it "
                "where it was meant to go, or delete it",
                layer.span, None, layer.name)

    @staticmethod
    def _incomplete(ctx: RuleContext) -> bool:
        """Whether the front end lost track of some values (a layer may be called on them)."""
        return any(e.code == codes.UNRESOLVED_VALUE or
                   (e.code == codes.UNSUPPORTED_CONSTRUCT and e.layer is None)
                   for e in ctx.events)

    @staticmethod
    def _unused_input(call: Call, model: str) -> Finding:
        shape = f" {format_shape(call.output)}" if isinstance(call.output, tuple) else ""
        return Finding(
            f"Input '{call.layer.name}'{shape} of model '{model}' reaches none of its "
            "outputs: Keras builds the model anyway, and fit/predict still need data for "
            "it. Connect it, or remove it from the model's inputs",
            call.span, model, call.layer.name)

    @staticmethod
    def _dead_branch(sink: Call, dead: dict[int, Call], owner: dict[int, str]) -> Finding:
        if sink.layer.class_name == "InputLayer":
            return Finding(
                f"Input '{sink.layer.name}' is created, but no layer is called on it and no "
                "model takes it as an input. Use it, or delete it",
                sink.span, None, sink.layer.name)
        upstream: list[Call] = []
        stack = [ref.call for ref in sink.inbound]
        seen: set[int] = set()
        while stack:
            call = stack.pop()
            if id(call) in seen or id(call) not in dead:
                continue
            seen.add(id(call))
            if call.layer.class_name != "InputLayer":
                upstream.append(call)
            stack.extend(ref.call for ref in call.inbound)
        upstream.sort(key=lambda c: c.order)
        also = ""
        if upstream:
            names = ", ".join(describe(c) for c in upstream[:3])
            more = f" and {len(upstream) - 3} more" if len(upstream) > 3 else ""
            also = f" (nor do the layers that only feed it: {names}{more})"
        shared = len(sink.layer.calls) > 1 and any(id(c) not in dead for c in sink.layer.calls)
        what = f"this call of {label(sink.layer)}" if shared else label(sink.layer)
        source = next((owner[id(ref.call)] for ref in sink.inbound if id(ref.call) in owner),
                      None)
        return Finding(
            f"{what[0].upper()}{what[1:]} reaches no model output{also}: the model skips it. "
            "A later layer probably reads an older variable; connect it, or delete it",
            sink.span, source, sink.layer.name)
