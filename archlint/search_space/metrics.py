"""The model figures a search space is ranged over: name -> the figure of one point's
model analysis (an int, or None when archlint cannot compute it). A new figure (FLOPs, peak
memory) is one more entry; ranges, reports and JSON follow the table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from archlint.engine import ModelAnalysis

ModelMetric = Callable[[ModelAnalysis], "int | None"]


def _number(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parameters(analysis: ModelAnalysis) -> int | None:
    """The model's total parameter count, when it is a number (not an expression)."""
    return _number(analysis.total_params)


def flops(analysis: ModelAnalysis) -> int | None:
    """FLOPs of one forward pass per sample, as TensorFlow's profiler counts them."""
    return _number(analysis.cost.flops)


def weight_bytes(analysis: ModelAnalysis) -> int | None:
    """The bytes of the model's weights in their stored dtypes (archlint.cost.memory)."""
    from archlint.cost.memory import model_memory
    from archlint.cost.model_costs import batch_size_of, keras_target

    model = analysis.model
    weights = model_memory(model, batch_size_of(model, None), keras_target(model)).weights
    return _number(getattr(weights, "total", None))


def activation_bytes(analysis: ModelAnalysis) -> int | None:
    """The bytes of every layer call's output for one sample (archlint.cost.memory)."""
    from archlint.cost.memory import model_memory
    from archlint.cost.model_costs import batch_size_of, keras_target

    model = analysis.model
    return _number(model_memory(model, batch_size_of(model, None),
                                keras_target(model)).activations)


# Parameters first: the text report leads with it.
MODEL_METRICS: dict[str, ModelMetric] = {
    "parameters": parameters,
    "FLOPs": flops,
    "weight bytes": weight_bytes,
    "activation bytes per sample": activation_bytes,
}
