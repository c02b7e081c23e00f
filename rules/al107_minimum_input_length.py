from collections.abc import Iterator

from archlint import codes
from archlint.diagnostics import Severity
from archlint.dims import Expr, Sym, format_shape
from archlint.engine import JointBound, LengthBound, ModelAnalysis
from archlint.graph import Call, Span, line_note
from archlint.rule import Finding, Invalid, Rule, RuleContext


def _input_call(analysis: ModelAnalysis, symbol: str) -> Call | None:
    """The input whose variable axis is ``symbol``."""
    for call in analysis.model.calls:
        if call.layer.class_name == "InputLayer" and isinstance(call.output, tuple) and \
                any(isinstance(d, Sym) and d.name == symbol for d in call.output):
            return call
    return None


def _limiting_dim(analysis: ModelAnalysis, bound: LengthBound) -> tuple[Call, Expr] | None:
    """The call of the limiting layer and the size that sets the bound."""
    for call in analysis.model.calls:
        if call.layer.name != bound.limiting_layer:
            continue
        shapes = call.output if isinstance(call.output, list) else [call.output]
        for shape in shapes:
            if not isinstance(shape, tuple):
                continue
            for dim in shape:
                if isinstance(dim, Expr) and str(dim) == bound.expression:
                    return call, dim
    return None


class MinimumInputLength(Rule):
    """What it does: for an input axis declared ``None`` (a variable number of timesteps),
    reports the shortest length the model accepts, the layer that sets it, and the size that
    layer outputs below it: ``Conv1D(32, 10)`` then ``MaxPool1D(2)`` need ``T >= 11``,
    because the pool outputs ``(T-9)//2`` steps.

    Why it matters: Keras builds the model without complaint, since the length is unknown
    then. A shorter batch at run time fails in the middle of the forward pass, or, where
    an empty sequence is averaged, silently produces NaN.

    Example: ``Input(shape=(None, 6))`` into ``Conv1D(32, 10)`` and ``MaxPool1D(2)``.

    Use instead: pad or filter the data to the minimum length, or use ``padding="same"``
    (and ``causal`` for Conv1D) where short sequences must pass.
    """

    code = codes.MINIMUM_INPUT_LENGTH
    name = "minimum-input-length"
    severity = Severity.INFO
    summary = "A variable-length input must be at least this long"
    INVALID = (
        Invalid(
            "from keras import layers, Input, Model\nx = Input(shape=(None, 6))\n"
            "h = layers.Conv1D(32, 10)(x)\nh = layers.MaxPool1D(2)(h)\n"
            "model = Model(x, layers.GlobalAveragePooling1D()(h))\n",
            line=2, message="Model 'functional' accepts inputs with T >= 11 timesteps"),
    )
    VALID = (
        "from keras import layers, Input, Model\nx = Input(shape=(None, 6))\n"
        "h = layers.Conv1D(32, 10, padding='same')(x)\n"
        "model = Model(x, layers.GlobalAveragePooling1D()(h))\n",
        "from keras import layers, Input, Model\nx = Input(shape=(20, 6))\n"
        "h = layers.Conv1D(32, 10)(x)\nmodel = Model(x, layers.MaxPool1D(2)(h))\n",
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for analysis in ctx.models:
            for bound in analysis.bounds:
                if bound.named:
                    continue  # Keras checks a named size when it builds: AL110 says it
                if bound.unknown_reason is not None:
                    unknown = self._unknown_finding(analysis, bound)
                    if unknown is not None:
                        yield unknown
                if bound.minimum is None or bound.minimum <= 1 or bound.limiting_layer is None:
                    continue
                yield self._finding(analysis, bound)
            for joint in analysis.joint_bounds:
                yield self._joint_finding(analysis, joint)

    def _joint_finding(self, analysis: ModelAnalysis, joint: JointBound) -> Finding:
        call = next(c for c in analysis.model.calls if c.layer.name == joint.limiting_layer)
        return Finding(
            f"Model '{analysis.model.name}' accepts inputs only with {joint.requirement}: "
            f"{call.layer.class_name} '{call.layer.name}'{line_note(call.span)} outputs "
            f"{joint.expression} steps, which depends on several input lengths at once. "
            "Keras cannot check this when it builds the model: shorter inputs fail at run "
            "time. Pad or filter the inputs to meet it, or use padding='same' where shorter "
            "inputs must pass",
            call.span, analysis.model.name, call.layer.name)

    def _unknown_finding(self, analysis: ModelAnalysis, bound: LengthBound) -> Finding | None:
        call = next(c for c in analysis.model.calls if c.layer.name == bound.limiting_layer)
        model = f"Model '{analysis.model.name}'"
        at_least = bound.at_least or 1
        if bound.expression is None:  # a layer's output is unknown
            if at_least <= 1:
                return None  # nothing is known to be needed: the unknown output says enough
            what = (f"{model} needs {bound.symbol} >= {at_least} at least, and maybe "
                    f"more: {bound.unknown_reason}")
        else:
            what = (f"{model} accepts inputs only where {call.layer.class_name} "
                    f"'{call.layer.name}'{line_note(call.span)} outputs {bound.expression} "
                    f">= 1 steps, and archlint cannot work out the shortest {bound.symbol} "
                    f"that gives it: {bound.unknown_reason}")
            if at_least > 1:
                what += f" (the other layers need {bound.symbol} >= {at_least})"
        return Finding(
            f"{what}. Keras cannot check this when it builds the model: shorter inputs fail at "
            "run time. Check the lengths of your data against it, or use padding='same' where "
            "shorter inputs must pass",
            call.span, analysis.model.name, call.layer.name)

    def _finding(self, analysis: ModelAnalysis, bound: LengthBound) -> Finding:
        symbol, minimum = bound.symbol, bound.minimum
        assert minimum is not None
        source = _input_call(analysis, symbol)
        where = ""
        span: Span = analysis.model.span
        if source is not None and isinstance(source.output, tuple):
            where = f" (input '{source.layer.name}' {format_shape(source.output)})"
            span = source.span
        limit = _limiting_dim(analysis, bound)
        below = ""
        layer_text = f"'{bound.limiting_layer}'"
        if limit is not None:
            call, dim = limit
            layer_text = f"{call.layer.class_name} '{call.layer.name}'{line_note(call.span)}"
            below = f", which is {dim.evaluate({symbol: minimum - 1})} at {symbol} = {minimum - 1}"
        time = symbol.startswith("T")
        unit, steps = (" timesteps", "steps") if time else ("", "positions")
        fix = f"Pad or filter inputs to {minimum} steps" if time else \
            f"Resize or pad inputs to {symbol} >= {minimum}"
        return Finding(
            f"Model '{analysis.model.name}' accepts inputs with {symbol} >= {minimum}{unit}"
            f"{where}: "
            f"{layer_text} outputs {bound.expression} {steps}{below}. Keras cannot check this "
            "when it builds the model: a smaller input fails at run time, or silently gives "
            f"NaN where an empty axis is averaged. {fix}, or use padding='same' where "
            "smaller inputs must pass",
            span, analysis.model.name, bound.limiting_layer)
