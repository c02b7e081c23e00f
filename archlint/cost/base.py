"""What every cost formula shares: the cost of one call, and the helpers that count
elements of shapes.

FLOPs follow TensorFlow's profiler (``tf.compat.v1.profiler`` with
``ProfileOptionBuilder.float_operation()``) on the graph Keras 3 builds for one sample:
a multiply-add is 2 FLOPs, and every other operation counts what the profiler's table
(``tensorflow/python/profiler/internal/flops_registry.py``) gives it. An operation the
profiler has no entry for counts 0 there (Relu, Sigmoid, Tanh, Max, MaxPool3D...), and so
here. MACs are the multiply-accumulates of the layer's contractions (matrix products,
convolutions), whatever the profiler counts.
"""

from __future__ import annotations

from math import prod

from archlint.cost.poly import Cost, cost_mul
from archlint.layer_types import Shape
from archlint.records import record
from archlint.unknown import Unknown


@record(frozen=True)
class CallCost:
    """FLOPs and MACs of one call, for one sample."""

    flops: Cost
    macs: Cost


ZERO = CallCost(0, 0)


class NotCosted(Exception):
    """A layer or option whose cost has not been checked against the profiler."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def unknown_cost(reason: str, line: int | None = None) -> CallCost:
    unknown = Unknown(reason, line)
    return CallCost(unknown, unknown)


def elements(shape: Shape, skip_batch: bool = True) -> Cost:
    """The number of elements of one sample of a tensor (the batch axis left out).

    >>> from archlint.dims import Sym
    >>> elements((None, 3, 4)), elements((None, Sym("T"), 4))
    (12, 4*T)
    """
    return cost_mul(*shape[1:]) if skip_batch else cost_mul(*shape)


def size(dim: object) -> int:
    """An option's integer (kernel sizes, strides): always known once the layer is built."""
    if isinstance(dim, int) and not isinstance(dim, bool):
        return dim
    raise NotCosted(f"a size of {dim} the cost formulas cannot take")


def area(sizes: tuple[int, ...]) -> int:
    return prod(sizes)
