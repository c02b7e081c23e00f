"""The model figures a search space is ranged over: name -> the figure of one point's
model analysis, as archlint computes it: an int, an expression over the named sizes
(hyperparameters kept as symbols give polynomials in them), or unknown. A new figure (peak
memory) is one more entry; ranges, reports and JSON follow the table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from archlint.engine import ModelAnalysis

# An int, a dims.Expr, a cost.poly.Poly, None or an Unknown.
Figure = Any
ModelFigure = Callable[[ModelAnalysis], Figure]


def number(value: Figure) -> int | None:
    """The figure when it is a number (not an expression, not unknown)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parameters(analysis: ModelAnalysis) -> Figure:
    """The model's total parameter count."""
    return analysis.total_params


def flops(analysis: ModelAnalysis) -> Figure:
    """FLOPs of one forward pass per sample, as TensorFlow's profiler counts them."""
    return analysis.cost.flops


def weight_bytes(analysis: ModelAnalysis) -> Figure:
    """The bytes of the model's weights in their stored dtypes (archlint.cost.memory)."""
    from archlint.cost.memory import model_memory
    from archlint.cost.model_costs import batch_size_of, keras_target

    model = analysis.model
    weights = model_memory(model, batch_size_of(model, None), keras_target(model)).weights
    return getattr(weights, "total", None)


def activation_bytes(analysis: ModelAnalysis) -> Figure:
    """The bytes of every layer call's output for one sample (archlint.cost.memory)."""
    from archlint.cost.memory import model_memory
    from archlint.cost.model_costs import batch_size_of, keras_target

    model = analysis.model
    return model_memory(model, batch_size_of(model, None), keras_target(model)).activations


# Parameters first: the text report leads with it.
MODEL_FIGURES: dict[str, ModelFigure] = {
    "parameters": parameters,
    "FLOPs": flops,
    "weight bytes": weight_bytes,
    "activation bytes per sample": activation_bytes,
}
