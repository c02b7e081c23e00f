"""The Keras half of the front end, third layer: models called as layers.

Calling a model on tensors calls its layers again on them, as Keras does: the layers are
the same objects (their weights are shared), each gets one more call. A Sequential with no
input shape is built by its first call, on that call's input, as Keras builds it.
"""

from __future__ import annotations

import ast
from typing import Any

from archlint.frontend.keras_values import LayerObject, ModelObject, SequentialObject, Tensor
from archlint.frontend.scope import span_of
from archlint.frontend.sequential import SequentialModels, is_input_item
from archlint.graph import Call, Model, TensorRef
from archlint.unknown import Unknown


class NestedModels(SequentialModels):
    """Models (functional or Sequential) called on tensors."""

    def call_model(self, obj: ModelObject | SequentialObject, args: list[Any],
                   kwargs: dict[str, Any], node: ast.Call, as_block: bool = True) -> Any:
        """The model's layers called again on the tensors; ``as_block`` marks the calls as
        made through the model, which a summary shows as one row (not so for a backbone
        Keras builds on a given input tensor, whose layers are the outer model's own)."""
        inputs = args[0] if args else kwargs.get("inputs")
        tensors = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        unknown = next((t for t in tensors if isinstance(t, Unknown)), None)
        if unknown is not None:
            return unknown
        given = [t for t in tensors if isinstance(t, Tensor)]
        if len(given) != len(tensors):
            return Unknown(f"`{obj.model.name}` is called on something that is not a Keras "
                           "tensor", node.lineno)
        first = len(self.calls)
        if isinstance(obj, SequentialObject):
            output = self._call_sequential(obj, given, node)
        else:
            output = self._call_functional(obj.model, given, node)
        if as_block:
            for call in self.calls[first:]:
                call.nested_in = (obj.model, *call.nested_in)
        return output

    def _call_sequential(self, obj: SequentialObject, tensors: list[Tensor],
                         node: ast.Call) -> Any:
        if len(tensors) != 1:
            return Unknown(f"the Sequential `{obj.model.name}` is called on {len(tensors)} "
                           "tensors; it takes one", node.lineno)
        items = obj.items[1:] if obj.items and is_input_item(obj.items[0]) else obj.items
        current: Any = tensors[0]
        for item in items:
            if not isinstance(item, LayerObject):
                return item if isinstance(item, Unknown) else Unknown(
                    f"an item of the Sequential `{obj.model.name}` is not a layer known "
                    "statically", node.lineno)
            current = self.call_layer(item, [current], {}, node)
            if not isinstance(current, Tensor):
                return current if isinstance(current, Unknown) else Unknown(
                    f"a layer of the Sequential `{obj.model.name}` returns several tensors",
                    node.lineno)
        if obj.built_by is None and not (obj.items and is_input_item(obj.items[0])):
            # Keras builds a Sequential with no input shape on its first call.
            obj.built_by = (tensors[0].ref, current.ref)
        return current

    def _call_functional(self, model: Model, tensors: list[Tensor], node: ast.Call) -> Any:
        if model.unresolved or not model.inputs or not model.outputs:
            return Unknown(f"the graph of the model `{model.name}` is incomplete, so its "
                           "output is unknown", node.lineno)
        if len(tensors) != len(model.inputs):
            return Unknown(f"the model `{model.name}` takes {len(model.inputs)} inputs but is "
                           f"called on {len(tensors)}", node.lineno)
        given = {id(ref.call): t.ref for ref, t in zip(model.inputs, tensors)}
        inner = _calls_between(model, given)
        if inner is None:
            return Unknown(f"the outputs of the model `{model.name}` depend on tensors it "
                           "does not take as inputs", node.lineno)
        made: dict[int, Call] = {}

        def moved(ref: TensorRef) -> TensorRef:
            if id(ref.call) in given:
                return given[id(ref.call)]
            return TensorRef(made[id(ref.call)], ref.index)

        for call in inner:
            again = Call(layer=call.layer, inbound=[moved(r) for r in call.inbound],
                         span=span_of(node), order=len(self.calls),
                         side_inputs=[moved(r) for r in call.side_inputs],
                         nested_in=call.nested_in, options=dict(call.options))
            call.layer.calls.append(again)
            self.calls.append(again)
            made[id(call)] = again
        for call in inner:  # a user-defined layer's calls stay inside its call again
            if call.within is not None and id(call.within) in made:
                made[id(call)].within = made[id(call.within)]
        outputs = [Tensor(moved(ref)) for ref in model.outputs]
        return outputs[0] if len(outputs) == 1 else outputs


def _calls_between(model: Model, given: dict[int, TensorRef]) -> list[Call] | None:
    """The calls from the model's inputs to its outputs, in the order they were made;
    None when an output depends on a tensor that is not one of its inputs."""
    found: dict[int, Call] = {}
    stack = [ref.call for ref in model.outputs]
    while stack:
        call = stack.pop()
        if id(call) in given or id(call) in found:
            continue
        if not call.inbound and not call.side_inputs:
            return None  # an input layer the model does not take
        found[id(call)] = call
        stack.extend(ref.call for ref in [*call.inbound, *call.side_inputs])
    return sorted(found.values(), key=lambda c: c.order)
