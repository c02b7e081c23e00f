from collections.abc import Iterator
from typing import Any

from archlint import codes
from archlint.diagnostics import Severity
from archlint.dims import format_shape
from archlint.engine import ModelAnalysis
from archlint.graph import Layer, line_note
from archlint.keras3_declared import (
    declared_view,
    refusals_outside_models,
    undeclared_reads,
)
from archlint.layers.base import LayerInstance
from archlint.rule import Finding, Invalid, Rule, RuleContext
from archlint.rule_helpers import describe, label, usable


def _width(instance: LayerInstance) -> object:
    return instance.config.get("units")


class Keras3AsymmetricBidirectional(Rule):
    """What it does: flags a Bidirectional with ``merge_mode="concat"`` whose forward and
    backward layers have different widths (say LSTM(24) forward, GRU(16) backward).

    Why it matters: Keras 3 (keras-team/keras issue 23688) computes the output width as
    twice the forward width. It reports the wrong shape in ``summary()``, builds the next
    layers against it (wrong parameter counts) and then fails at ``fit``/``predict`` with a
    dimension error. tf-keras (Keras 2) is right; the forward pass produces
    forward + backward units, which is what archlint reports.

    Example: ``Bidirectional(LSTM(24, return_sequences=True),
    backward_layer=GRU(16, return_sequences=True, go_backwards=True))``.

    Use instead: equal units on both halves; or tf-keras (``TF_USE_LEGACY_KERAS=1``); or two
    explicit RNNs merged with ``Concatenate`` (reversing the backward output in time).
    """

    code = codes.KERAS3_ASYMMETRIC_BIDIRECTIONAL
    name = "keras3-asymmetric-bidirectional"
    severity = Severity.WARNING
    summary = "Keras 3 misreports the width of an asymmetric Bidirectional layer"
    INVALID = (
        Invalid(
            "from keras import layers, Input, Model\nx = Input(shape=(10, 3))\n"
            "b = layers.Bidirectional(layers.LSTM(24, return_sequences=True),\n"
            "    backward_layer=layers.GRU(16, return_sequences=True, go_backwards=True))\n"
            "model = Model(x, b(x))\n",
            line=3, message="Bidirectional 'bidirectional' concatenates LSTM(24) and"),
    )
    VALID = (
        "from keras import layers, Input, Model\nx = Input(shape=(10, 3))\n"
        "b = layers.Bidirectional(layers.LSTM(16, return_sequences=True),\n"
        "    backward_layer=layers.GRU(16, return_sequences=True, go_backwards=True))\n"
        "model = Model(x, b(x))\n",
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for analysis in ctx.models:
            yield from self._asymmetric_layers(analysis)
            yield from self._built_on_wrong_width(analysis)
        yield from self._undeclared_states(ctx)

    def _undeclared_states(self, ctx: RuleContext) -> Iterator[Finding]:
        """Outside the models (whose declared shapes are checked above): a script reading
        a state Keras 3 does not declare fails there when it runs under Keras 3."""
        in_models = {id(call) for analysis in ctx.models for call in analysis.model.calls}
        for refusal in refusals_outside_models(ctx.layers, in_models):
            call, wrapper = refusal.call, refusal.bidirectional.layer
            yield Finding(
                f"{label(call.layer)} is built by Keras 3 on the shape "
                f"it misdeclares for Bidirectional '{wrapper.name}'"
                f"{line_note(wrapper.span)} (keras-team/keras#23688), and Keras 3 "
                f"refuses it when the script runs this line: {refusal.error.message}. "
                "Use equal units on both halves, or tf-keras",
                call.span, None, call.layer.name)
        reported: set[int] = set()
        for read in undeclared_reads(ctx.layers):
            bidirectional = read.bidirectional
            if id(bidirectional) in in_models or id(bidirectional) in reported:
                continue
            reported.add(id(bidirectional))
            yield Finding(
                f"Bidirectional '{bidirectional.layer.name}' returns {read.real} tensors, "
                f"but Keras 3 declares {read.declared}: it counts the forward layer's states "
                "twice, not the backward layer's (keras-team/keras#23688). "
                f"{describe(read.reader)} reads "
                f"output {read.index}, which Keras 3 does not have: the script fails there "
                "with an IndexError under Keras 3 (tf-keras runs it). Use the same RNN "
                "class on both halves, or tf-keras",
                bidirectional.layer.span, None, bidirectional.layer.name)

    def _built_on_wrong_width(self, analysis: ModelAnalysis) -> Iterator[Finding]:
        """Layers Keras 3 builds after a misreported width get wrong parameter counts."""
        if not any(layer.class_name == "Bidirectional" for layer in analysis.model.layers):
            return
        declared = declared_view(analysis.model)
        concat_reported = {layer.name for layer in self._asymmetric_candidates(analysis)}
        for call in analysis.model.calls:
            view = declared.get(id(call))
            if view is None or call.params is None or call is not call.layer.calls[0]:
                continue
            if call.layer.class_name == "Bidirectional" and view.shape is not None and \
                    view.shape != call.output and call.layer.name not in concat_reported:
                yield Finding(
                    f"Bidirectional '{call.layer.name}': Keras 3 declares "
                    f"{_shapes(view.shape)} from the forward layer alone "
                    f"(keras-team/keras#23688), but the forward pass produces "
                    f"{_shapes(call.output)}; layers built on it in Keras 3 see the wrong "
                    "shape. tf-keras is right. Use equal units on both halves, or tf-keras",
                    call.layer.span, analysis.model.name, call.layer.name)
                continue
            if view.params is not None and view.params.total != call.params.total:
                source = ", ".join(f"'{r.call.layer.name}'" for r in call.inbound)
                yield Finding(
                    f"{label(call.layer)} is built by Keras 3 on the "
                    f"misreported output of {source} (keras-team/keras#23688): its summary "
                    f"shows {view.params.total:,} parameters instead of "
                    f"{call.params.total:,}, and fit/predict fails with a dimension error. "
                    "tf-keras builds it correctly",
                    call.layer.span, analysis.model.name, call.layer.name)

    def _asymmetric_candidates(self, analysis: ModelAnalysis) -> list[Layer]:
        return [layer for layer, *_ in self._asymmetric_concats(analysis)]

    def _asymmetric_layers(self, analysis: ModelAnalysis) -> Iterator[Finding]:
        for layer, forward, backward, f_units, b_units in self._asymmetric_concats(analysis):
            yield Finding(
                f"Bidirectional '{layer.name}' concatenates {forward.class_name}"
                f"({f_units}) and {backward.class_name}({b_units}): the real output width "
                f"is {f_units + b_units}, but Keras 3 reports {2 * f_units} "
                "(keras-team/keras#23688), builds the following layers against it and "
                "fails at fit/predict; tf-keras is right. Use equal units, tf-keras, or "
                "two RNNs merged with Concatenate",
                layer.span, analysis.model.name, layer.name)

    def _asymmetric_concats(self, analysis: ModelAnalysis) -> Iterator[tuple[Any, ...]]:
        for layer in analysis.model.layers:
            instance = layer.instance
            if layer.class_name != "Bidirectional" or not usable(instance):
                continue
            if instance.config.get("merge_mode") != "concat":
                continue
            forward = instance.config.get("layer")
            backward = instance.config.get("backward_layer")
            if not isinstance(forward, LayerInstance) or not isinstance(
                    backward, LayerInstance):
                continue
            f_units, b_units = _width(forward), _width(backward)
            if not isinstance(f_units, int) or not isinstance(b_units, int) or \
                    f_units == b_units:
                continue
            yield layer, forward, backward, f_units, b_units


def _shapes(shape: Any) -> str:
    if isinstance(shape, list):
        return "[" + ", ".join(_shapes(s) for s in shape) + "]"
    return format_shape(shape) if isinstance(shape, tuple) else "?"
