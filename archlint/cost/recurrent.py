"""FLOPs and MACs of the recurrent layers: the cost of one step times the number of steps
(``T*...`` where the length is symbolic).

The profiler cannot give these from an ordinary graph: Keras runs the steps in a
``while_loop`` it does not look into (it sees the one step Keras 3 computes outside the
loop). The per-step figures are checked on graphs unrolled by ``unroll=True`` instead.
Per step, with ``F`` input features and ``u`` units, Keras 3's cells make:

* SimpleRNN: two matrix products, a BiasAdd and an AddV2: ``2u(F+u) + 2u``;
* LSTM: ``8u(F+u)`` in matrix products, ``4u`` BiasAdd, ``4u`` AddV2 of the two products,
  three Mul and one AddV2 on ``u`` values: ``8u(F+u) + 12u``;
* GRU: ``6u(F+u)`` in matrix products, then ``14u`` with ``reset_after=True`` (the
  default) and ``11u`` without.

Sigmoid and Tanh count 0 (no entry in the profiler's table).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from archlint.cost.base import CallCost, NotCosted, elements
from archlint.cost.poly import cost_add, cost_mul
from archlint.layer_types import LayerInstance, OutputShape, Shape
from archlint.rule_helpers import activation_name

# Matrix products per step (gates), and the other FLOPs per unit per step with a bias and
# without one (the BiasAdd, and GRU's recurrent bias, go).
_STEP = {"SimpleRNN": (1, 2, 1), "LSTM": (4, 12, 8), ("GRU", True): (3, 14, 8),
         ("GRU", False): (3, 11, 8)}
# What a Bidirectional's merge costs per element of its output: an AddV2 or a Mul, and for
# the average an AddV2 and a Mul by 0.5; a concatenation or two outputs cost nothing.
MERGE_PER_ELEMENT = {"concat": 0, None: 0, "sum": 1, "mul": 1, "ave": 2}


def rnn_cost(kind: str) -> Callable[[dict[str, Any], list[Shape], Shape], CallCost]:
    """The formula of SimpleRNN, LSTM or GRU with their default activations and a bias.

    >>> rnn_cost("LSTM")({"units": 4}, [(None, 5, 3)], ())
    CallCost(flops=1360, macs=560)
    """
    return lambda config, inputs, output: _cell_cost(config, kind, inputs[0])


def _cell_cost(config: dict[str, Any], kind: str, source: Shape) -> CallCost:
    activation = activation_name(config.get("activation", "tanh"))
    recurrent = activation_name(config.get("recurrent_activation", "sigmoid"))
    if activation != "tanh" or (kind != "SimpleRNN" and recurrent != "sigmoid"):
        raise NotCosted(f"the cost of a {kind} with other activations than tanh and sigmoid "
                        "is not checked against TensorFlow's profiler")
    key: Any = (kind, bool(config.get("reset_after", True))) if kind == "GRU" else kind
    gates, with_bias, without_bias = _STEP[key]
    per_unit = with_bias if config.get("use_bias", True) else without_bias
    units, features, steps = config["units"], source[-1], source[1]
    macs = cost_mul(gates, units, cost_add(features, units))
    flops = cost_add(cost_mul(2, macs), cost_mul(per_unit, units))
    return CallCost(cost_mul(steps, flops), cost_mul(steps, macs))


def bidirectional_cost(config: dict[str, Any], inputs: list[Shape], output: Shape,
                       layer_cost: Callable[..., CallCost]) -> CallCost:
    """Both directions, and the merge of their outputs."""
    mode = config.get("merge_mode", "concat")
    if mode not in MERGE_PER_ELEMENT:
        raise NotCosted(f"the cost of merge_mode={mode!r} is not checked against "
                        "TensorFlow's profiler")
    forward: LayerInstance = config["layer"]
    backward: LayerInstance = config["backward_layer"]
    dummy: OutputShape = ()
    costs = [layer_cost(layer, inputs, dummy) for layer in (forward, backward)]
    merge = cost_mul(MERGE_PER_ELEMENT[mode], elements(output)) if MERGE_PER_ELEMENT[mode] else 0
    return CallCost(cost_add(*(c.flops for c in costs), merge),
                    cost_add(*(c.macs for c in costs)))
