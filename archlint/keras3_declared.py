"""What Keras 3 *declares* for a model, its known bugs included.

archlint's engine computes the tensors Keras really produces. Keras 3's symbolic build can
declare something else: ``Bidirectional.compute_output_shape`` derives the output from the
forward layer alone (keras-team/keras#23688), so an asymmetric Bidirectional is declared
with twice the forward width, and every layer built after it is built against that width.
This module replays a model's calls with that behaviour, so a rule can say exactly which
numbers ``model.summary()`` will get wrong.
"""

from __future__ import annotations

from typing import Any

from archlint.graph import Call, Layer, Model
from archlint.layer_eval import infer_layer
from archlint.layers.base import LayerInstance, OutputShape, Params, ShapeError, Unresolved
from archlint.records import record
from archlint.unknown import Unknown

ISSUE = "keras-team/keras#23688"


@record(frozen=True)
class Declared:
    shape: OutputShape | None
    params: Params | None
    error: ShapeError | None = None


def bidirectional_declared_shape(instance: LayerInstance, inputs: list[Any]) -> OutputShape:
    """Keras 3's ``Bidirectional.compute_output_shape``: the forward layer's shape, its
    last axis doubled for concat, duplicated for merge_mode=None, forward states twice."""
    forward = instance.config["layer"]
    out = forward.spec.output_shape(forward.config, inputs)
    # return_state is an option of the wrapped layer: its output is then a list.
    return_state = isinstance(out, list)
    states: list[Any] = []
    if return_state:
        out, states = out[0], list(out[1:])
    merge_mode = instance.config.get("merge_mode")
    if merge_mode == "concat":
        out = (*out[:-1], out[-1] * 2)
    if return_state:
        head = list(out) if merge_mode is None and isinstance(out, list) else [out]
        if merge_mode is None:
            head = [out, out]
        return [*head, *states, *states]
    return [out, out] if merge_mode is None else out


def declared_view(model: Model) -> dict[int, Declared]:
    """Keras 3's declared output and parameters for each call of an analysed model."""
    declared: dict[int, Declared] = {}
    for call in model.calls:
        declared[id(call)] = _declare(call, declared)
    return declared


def _declare(call: Call, declared: dict[int, Declared]) -> Declared:
    inputs = []
    for ref in call.inbound:
        source = declared.get(id(ref.call))
        if source is None or source.shape is None:
            return Declared(None, None)
        if not isinstance(source.shape, list):
            inputs.append(source.shape)
        elif ref.index < len(source.shape):
            inputs.append(source.shape[ref.index])
        else:  # Keras 3 declares fewer outputs than the layer has: it fails here itself
            return Declared(None, None)
    instance = call.layer.instance
    if instance is None:
        return Declared(None, None)
    if not call.inbound:
        return Declared(call.output if not isinstance(call.output, Unknown) else None,
                        call.params)
    try:
        result = infer_layer(instance, inputs, call.options)
    except ShapeError as error:
        if call.layer.class_name == "Bidirectional" and not error.refused_when_built("3"):
            # Keras 3 builds it (the halves clash only in a forward pass) and declares the
            # forward layer's shape, which is what the next layers are built on.
            try:
                return Declared(bidirectional_declared_shape(instance, inputs), None)
            except (ArithmeticError, TypeError, ValueError, KeyError, IndexError):
                return Declared(None, None, error)
        return Declared(None, None, error)
    except (Unresolved, ArithmeticError, TypeError, ValueError, KeyError, IndexError):
        return Declared(None, None)
    shape = result.shape
    if call.layer.class_name == "Bidirectional" and isinstance(
            instance.config.get("layer"), LayerInstance):
        try:
            shape = bidirectional_declared_shape(instance, inputs)
        except (ArithmeticError, TypeError, ValueError, KeyError, IndexError):
            return Declared(None, result.params)
    return Declared(shape, result.params)


def keras3_output_count(instance: LayerInstance) -> int | None:
    """How many tensors Keras 3 declares for a Bidirectional call: the merged output(s),
    then the forward layer's states twice (the backward layer's own are never counted)."""
    forward = instance.config.get("layer")
    if not isinstance(forward, LayerInstance):
        return None
    count = forward.spec.output_count(forward.config)
    if count is None:
        return None
    merged = 2 if instance.config.get("merge_mode") is None else 1
    return merged + 2 * (count - 1)


@record(frozen=True)
class UndeclaredRead:
    """A call reading an output of a Bidirectional that Keras 3 does not declare."""

    bidirectional: Call
    reader: Call
    index: int
    declared: int
    real: int


def undeclared_reads(layers: list[Layer]) -> list[UndeclaredRead]:
    """Reads of Bidirectional outputs past what Keras 3 declares (a backward layer with more
    states than the forward one): in Keras 3 the script fails there with an IndexError."""
    found = []
    for layer in layers:
        for call in layer.calls:
            for ref in (*call.inbound, *call.side_inputs):
                source = ref.call.layer
                instance = source.instance
                if source.class_name != "Bidirectional" or instance is None or \
                        instance.unresolved is not None or instance.config_error is not None:
                    continue
                declared = keras3_output_count(instance)
                real = instance.spec.output_count(instance.config)
                if declared is not None and real is not None and ref.index >= declared:
                    found.append(UndeclaredRead(ref.call, call, ref.index, declared, real))
    return found


@record(frozen=True)
class DeclaredRefusal:
    """A call outside every model that Keras 3 refuses when the script makes it, because it
    is built on what Keras 3 misdeclares for ``bidirectional``."""

    call: Call
    bidirectional: Call
    error: ShapeError


def refusals_outside_models(layers: list[Layer], in_models: set[int]) -> list[DeclaredRefusal]:
    """Calls no model reaches that archlint finds fine (or cannot compute, after a
    Bidirectional whose halves clash) but that Keras 3 refuses when the script runs them:
    built on a Bidirectional's declared shape, they fail at the script's own line."""
    calls = sorted((c for layer in layers for c in layer.calls if id(c) not in in_models),
                   key=lambda c: c.order)
    if not any(c.layer.class_name == "Bidirectional" for c in calls):
        return []
    declared: dict[int, Declared] = {}
    source: dict[int, Call] = {}  # the misdeclared Bidirectional a call is built on
    found = []
    for call in calls:
        for ref in call.inbound:
            if id(ref.call) not in declared and ref.call.output is not None:
                declared[id(ref.call)] = Declared(
                    ref.call.output if not isinstance(ref.call.output, Unknown) else None,
                    ref.call.params)
        view = declared[id(call)] = _declare(call, declared)
        upstream = next((source[id(r.call)] for r in call.inbound if id(r.call) in source),
                        None)
        if call.layer.class_name == "Bidirectional" and view.shape is not None and \
                view.shape != call.output:
            source[id(call)] = call
        elif upstream is not None:
            source[id(call)] = upstream
            error = view.error
            if error is not None and error.refused_when_built("3") and call.error is None:
                found.append(DeclaredRefusal(call, upstream, error))
    return found
