"""Costs summed over a model's calls: per call, per summary row and for the whole model.

A shared layer costs once per call; a total with one unknown call is unknown and names the
layers whose cost is missing.
"""

from __future__ import annotations

from archlint.cost.base import ZERO, CallCost, unknown_cost
from archlint.cost.flops import layer_cost
from archlint.cost.poly import Cost, cost_add
from archlint.graph import Call, Model
from archlint.layer_types import Shape
from archlint.records import field, record
from archlint.unknown import Unknown


@record(eq=False)
class ModelCost:
    """A model's cost: each call's, and the totals (unknown when any call's is)."""

    # By call: the objects themselves, which survive pickling to a worker process and back.
    calls: dict[Call, CallCost] = field(default_factory=dict)
    flops: Cost = 0
    macs: Cost = 0
    # Layers whose cost is unknown, by name, in the model's order.
    unknown_in: list[str] = field(default_factory=list)
    # The calls of each layer (by id), built on first use: a summary of thousands of rows
    # must not scan every call for each.
    by_layer: dict[int, list[Call]] | None = None

    def of_calls(self, calls: list[Call]) -> CallCost:
        """The summed cost of some of the model's calls (one row of its summary)."""
        found = [self.calls.get(call) for call in calls]
        if not found:
            return unknown_cost("never called on a tensor in this model")
        if any(cost is None for cost in found):
            return unknown_cost("not one of the model's calls")
        return CallCost(cost_add(*(c.flops for c in found if c is not None)),
                        cost_add(*(c.macs for c in found if c is not None)))


def call_cost(call: Call) -> CallCost:
    """The cost of one analysed call (its output and its inputs' shapes computed)."""
    instance = call.layer.instance
    if call.error is not None:
        return unknown_cost(f"Keras refuses the call ({call.error.code})")
    if isinstance(call.output, Unknown):
        return unknown_cost(call.output.reason, call.output.line)
    if instance is None or call.output is None:
        return unknown_cost(f"the cost of {call.layer.class_name} is not modelled")
    if call.within is not None or instance.spec.class_name == "UserLayer":
        return unknown_cost("the cost of a user-defined layer is not modelled")
    inputs: list[Shape] = []
    for ref in call.inbound:
        shape = ref.call.output_at(ref.index)
        if not isinstance(shape, tuple):
            return unknown_cost(f"the shape of `{ref.call.layer.name}`'s output is unknown")
        inputs.append(shape)
    if call.side_inputs:
        return unknown_cost("the cost of a call with other tensor arguments "
                            "(initial_state=, a mask) is not modelled")
    return layer_cost(instance, inputs, call.output, call.options)


def model_cost(model: Model, calls: list[Call]) -> ModelCost:
    """Each call's cost and the model's totals."""
    result = ModelCost()
    for call in calls:
        cost = ZERO if call.layer.class_name == "InputLayer" else call_cost(call)
        result.calls[call] = cost
        if isinstance(cost.flops, Unknown) and call.layer.name not in result.unknown_in:
            result.unknown_in.append(call.layer.name)
    all_costs = list(result.calls.values())
    result.flops = cost_add(*(c.flops for c in all_costs))
    result.macs = cost_add(*(c.macs for c in all_costs))
    if model.unresolved:  # calls the graph does not hold would count too: no total is right
        missing = Unknown(f"the model's graph is incomplete: {model.unresolved[0].reason}",
                          model.unresolved[0].line)
        result.flops = result.macs = missing
    return result


def row_cost(cost: ModelCost, calls: list[Call], layer: object = None,
             nested: Model | None = None) -> CallCost:
    """The cost of one row of a summary: a layer's calls, or the calls made through a
    model called as a layer (``nested``)."""
    if nested is not None:
        return cost.of_calls([c for c in calls if nested in c.nested_in])
    if cost.by_layer is None:
        cost.by_layer = {}
        for call in calls:
            cost.by_layer.setdefault(id(call.layer), []).append(call)
    return cost.of_calls(cost.by_layer.get(id(layer), []))
