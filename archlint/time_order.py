"""The time order of sequences through a model: forward, or reversed by a recurrent layer
with ``go_backwards=True``. Read by the rules on reversed sequences (AL205, AL206).

Layers declare what they do to the order with their spec's ``time_order`` trait.
"""

from __future__ import annotations

from archlint.graph import Call, TensorRef
from archlint.layer_types import LayerInstance
from archlint.records import field, record
from archlint.rule_helpers import usable


@record(frozen=True)
class Order:
    """The time order of a sequence tensor: reversed by ``by`` (a go_backwards call), or
    forward."""

    reversed: bool
    by: Call | None = None


@record
class Misalignment:
    """A merge that pairs reversed sequences with forward ones."""

    merge: Call
    backward: list[tuple[TensorRef, Order]]
    forward: list[TensorRef]


@record
class TimeOrder:
    orders: dict[tuple[int, int], Order] = field(default_factory=dict)
    misaligned: list[Misalignment] = field(default_factory=list)
    # Calls that read a sequence reversed by a go_backwards call, by id of that call.
    readers: dict[int, list[Call]] = field(default_factory=dict)

    def of(self, ref: TensorRef) -> Order | None:
        return self.orders.get((id(ref.call), ref.index))


def reverses_time(instance: object) -> bool:
    """A recurrent layer that returns its sequence in reversed time order."""
    return usable(instance) and instance.spec.recurrent and \
        instance.config.get("go_backwards") is True and \
        instance.config.get("return_sequences") is True


def _rank(call: Call, index: int = 0) -> int:
    shape = call.output_at(index)
    return len(shape) if isinstance(shape, tuple) else 0


def time_order(calls: list[Call]) -> TimeOrder:
    """Follow the time order of every sequence (rank >= 3) through the calls, inputs first.

    A sequence is unknown (no entry) wherever a layer does something archlint does not
    model (Lambda, Reshape, Permute...), so that nothing is guessed beyond it.
    """
    result = TimeOrder()
    for call in calls:
        instance = call.layer.instance
        if call.layer.class_name == "InputLayer":
            if _rank(call) >= 3:
                result.orders[(id(call), 0)] = Order(False)
            continue
        inputs = [result.of(ref) for ref in call.inbound]
        for order in inputs:
            if order is not None and order.reversed and order.by is not None:
                result.readers.setdefault(id(order.by), []).append(call)
        if not usable(instance) or call.error is not None or not inputs:
            continue
        name, config, first = instance.class_name, instance.config, inputs[0]
        trait = instance.spec.time_order
        if instance.spec.recurrent:
            if config.get("return_sequences") is True and first is not None:
                if config.get("go_backwards") is True:
                    first = Order(True, call) if not first.reversed else Order(False)
                result.orders[(id(call), 0)] = first
        elif name == "Bidirectional":
            # Keras flips the backward half back before merging: the output is in input order.
            inner = config.get("layer")
            if first is not None and isinstance(inner, LayerInstance) and \
                    inner.config.get("return_sequences") is True:
                outputs = 2 if config.get("merge_mode") is None else 1
                for index in range(outputs):
                    result.orders[(id(call), index)] = first
        elif trait == "preserves":
            if first is not None and _rank(call) >= 3:
                result.orders[(id(call), 0)] = first
        elif trait == "pairs" and _rank(call) >= 3:
            if name == "Concatenate" and config.get("axis", -1) % _rank(call) == 1:
                continue  # joined along time: not paired step by step
            backward = [(ref, o) for ref, o in zip(call.inbound, inputs)
                        if o is not None and o.reversed]
            forward = [ref for ref, o in zip(call.inbound, inputs)
                       if o is not None and not o.reversed]
            if backward and forward:
                result.misaligned.append(Misalignment(call, backward, forward))
            elif first is not None and all(o is not None for o in inputs) and \
                    len({o.reversed for o in inputs if o is not None}) == 1:
                result.orders[(id(call), 0)] = first
    return result
