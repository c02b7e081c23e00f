from collections.abc import Iterator

from archlint import codes
from archlint.diagnostics import Severity
from archlint.dims import format_shape
from archlint.graph import Layer, line_note
from archlint.rule import Finding, Invalid, Rule, RuleContext
from archlint.rule_helpers import label, layer_params


def _flatten_note(layer: Layer) -> str:
    """Why the layer is big, when its input comes from a Flatten."""
    call = next((c for c in layer.calls if c.params is not None), None)
    if call is None or len(call.inbound) != 1:
        return ""
    source = call.inbound[0].call
    if source.layer.class_name != "Flatten" or len(source.inbound) != 1:
        return ""
    before = source.inbound[0].call.output_at(source.inbound[0].index)
    after = source.output_at(0)
    if not isinstance(before, tuple) or not isinstance(after, tuple):
        return ""
    pooling = "GlobalAveragePooling1D" if len(before) == 3 else "global pooling"
    return (f": its input is Flatten '{source.layer.name}'{line_note(source.span)}, which "
            f"turns {format_shape(before)} into {_count(after[-1])} features, each with its own "
            f"weights. {pooling} keeps {before[-1]} features (and any input length); or "
            "shrink the feature map first")


def _count(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


class ParameterHotspot(Rule):
    """What it does: reports a layer that holds more than ``hotspot-share`` (default half)
    of all the model's parameters, with its count and share. Models with a single layer
    with weights, or fewer than ``min-params`` parameters in all, are left alone.

    Why it matters: one oversized layer, most often a Dense after a Flatten of a long
    sequence or a large feature map, dominates memory, training time and overfitting, and
    fixes the input size. It is usually an accident of Flatten, not a design choice.

    Example: ``Flatten()`` of ``(None, 5, 48)`` into ``Dense(256)``: 61,696 of the model's
    82,769 parameters (74.5%).

    Use instead: global pooling (``GlobalAveragePooling1D``) instead of Flatten, fewer
    units, or more downsampling before the dense head.
    """

    code = codes.PARAMETER_HOTSPOT
    name = "parameter-hotspot"
    severity = Severity.INFO
    summary = "One layer holds most of the model's parameters"
    options = {"hotspot-share": 0.5, "min-params": 10_000}
    INVALID = (
        Invalid(
            "from keras import layers, Input, Model\nx = Input(shape=(50, 16))\n"
            "h = layers.Conv1D(16, 3)(x)\nh = layers.Flatten()(h)\n"
            "model = Model(x, layers.Dense(64)(h))\n",
            line=5, message="Dense 'dense' holds 49,216 of the model's 50,000 parameters"),
    )
    VALID = (
        "from keras import layers, Input, Model\nx = Input(shape=(50, 16))\n"
        "h = layers.Conv1D(16, 3)(x)\nh = layers.Conv1D(16, 3)(h)\n"
        "h = layers.GlobalAveragePooling1D()(h)\nmodel = Model(x, layers.Dense(16)(h))\n",
        "from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
        "model = Model(x, layers.Dense(4)(x))\n",
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        share_limit = self.settings["hotspot-share"]
        for analysis in ctx.models:
            total = analysis.total
            if not isinstance(total, int) or not total or total < self.settings["min-params"]:
                continue
            counts = [(layer, layer_params(layer)) for layer in analysis.model.layers]
            weighted = [(layer, n) for layer, n in counts if n]
            if len(weighted) < 2:
                continue
            for layer, params in weighted:
                share = params / total
                if share <= share_limit:
                    continue
                note = _flatten_note(layer) or \
                    ": consider fewer units or filters, or a smaller input to it"
                yield Finding(
                    f"{label(layer)} holds {params:,} of the model's "
                    f"{total:,} parameters ({share:.1%}){note}",
                    layer.span, analysis.model.name, layer.name)
