"""FLOPs of activation functions, as TensorFlow's profiler counts the ops Keras 3 makes
of them (per element). Relu, Sigmoid, Tanh, Elu, Selu, Softplus, Softsign, Exp and
LogSoftmax have no entry in the profiler's table: they count 0.
"""

from __future__ import annotations

from typing import Any

from archlint.cost.base import NotCosted
from archlint.rule_helpers import activation_name

# FLOPs per element of the activation's output, measured on Keras 3's graph.
PER_ELEMENT = {
    "linear": 0, "relu": 0, "sigmoid": 0, "tanh": 0, "elu": 0, "selu": 0, "softplus": 0,
    "softsign": 0, "relu6": 0, "exponential": 0, "log_softmax": 0,
    "softmax": 5,  # the profiler's Softmax entry: 5 per element
    "swish": 2, "silu": 2,  # x * sigmoid(x) as two Mul
    "gelu": 4,  # Keras 3's exact gelu: three Mul and a Neg (Erfc counts 0)
    "hard_sigmoid": 2,  # AddV2 and RealDiv around a Relu6
    "hard_swish": 3, "hard_silu": 3,
    "mish": 1,  # x * tanh(softplus(x)): one Mul
}


def activation_flops_per_element(value: Any) -> int:
    """FLOPs per output element of an ``activation=`` option.

    >>> activation_flops_per_element("softmax"), activation_flops_per_element(None)
    (5, 0)
    """
    name = activation_name(value)
    if name is None or name not in PER_ELEMENT:
        raise NotCosted(f"the cost of activation {name or value!r} is not checked against "
                        "TensorFlow's profiler")
    return PER_ELEMENT[name]
