"""The model figures a search space is ranged over: name -> the figure of one point's
model analysis (an int, or None when archlint cannot compute it). A new figure (FLOPs, peak
memory) is one more entry; ranges, reports and JSON follow the table."""

from __future__ import annotations

from collections.abc import Callable

from archlint.engine import ModelAnalysis

ModelMetric = Callable[[ModelAnalysis], "int | None"]


def parameters(analysis: ModelAnalysis) -> int | None:
    """The model's total parameter count, when it is a number (not an expression)."""
    total = analysis.total_params
    return total if isinstance(total, int) and not isinstance(total, bool) else None


# Parameters first: the text report leads with it.
MODEL_METRICS: dict[str, ModelMetric] = {
    "parameters": parameters,
}
