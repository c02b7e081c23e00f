"""Keras 3's Equalization in a model's graph: a Keras bug.

``Equalization.compute_output_spec`` returns the very tensor it is given, so a symbolic
call outputs its input tensor, now recorded as Equalization's output. In a functional
model built on it, Keras 3 then either refuses the graph ("... is part of a cycle": the
Equalization's output is a model output, or its input is not a model input) or, where it is
called on a model input, builds the model without it: the model never equalizes. A
Sequential model that starts with it runs it. Checked in tests/test_keras3_equalization.py.
"""

from __future__ import annotations

from archlint.codes import KERAS3_DROPPED_LAYER, NDIM_MISMATCH
from archlint.diagnostics import Event
from archlint.graph import Call, Model
from archlint.layer_types import label
from archlint.layers.base import BOTH_VERSIONS, KERAS2_ONLY, KERAS3_ONLY, ShapeError


def check_equalization(model: Model, calls: list[Call]) -> list[Event]:
    """Marks each Equalization call Keras 3 refuses with its error (reported with the
    call's other events); returns the warnings for those it leaves out of the model."""
    if model.kind not in ("functional", "sequential"):
        return []
    outputs = {id(ref.call) for ref in model.outputs}
    events = []
    for call in calls:
        instance = call.layer.instance
        # A script for both versions has tf-keras's refusal (it has no Equalization) already.
        keras2_refusal = call.error is not None and call.error.refused_by == KERAS2_ONLY
        if call.layer.class_name != "Equalization" or instance is None or \
                instance.target == "2" or (call.error is not None and not keras2_refusal):
            continue
        on_inputs = all(ref.call.layer.class_name == "InputLayer" for ref in call.inbound)
        if id(call) in outputs or not on_inputs:
            also = "; tf-keras has no Equalization layer" if keras2_refusal else ""
            call.error = ShapeError(
                NDIM_MISMATCH, f"{label(call.layer)}: Keras 3 cannot build this model: "
                "Equalization returns the tensor it is given when the model is built, so the "
                f"graph loops through it ('is part of a cycle'){also}",
                refused_by=BOTH_VERSIONS if keras2_refusal else KERAS3_ONLY)
        elif model.kind == "functional":
            events.append(Event(
                KERAS3_DROPPED_LAYER, f"{label(call.layer)}: Keras 3 builds this model without "
                "it: called on the model's input when the model is built, Equalization "
                "returns that input tensor, so the model never equalizes", call.span,
                model=model.name, layer=call.layer.name))
    return events
