"""The memory and receptive-field figures of one analysed model, computed once for the
renderers and rules (keyed by the ids of its layers and calls)."""

from __future__ import annotations

from typing import Any

from archlint.cost.memory import (
    MemoryEstimate,
    WeightBytes,
    activation_bytes,
    layer_weight_bytes,
    model_memory,
)
from archlint.cost.receptive_field import Field, receptive_fields
from archlint.dims import Dim
from archlint.graph import Model
from archlint.records import record
from archlint.unknown import Unknown


@record
class ModelCosts:
    memory: MemoryEstimate
    weights: dict[int, WeightBytes | Unknown]  # by layer id
    activations: dict[int, Dim]  # by call id, inputs left out
    fields: dict[int, Field | Unknown]  # by call id


def keras_target(model: Model) -> str:
    """The Keras the model's script runs under ("3", "2" or "both"), from its layers."""
    for layer in model.layers:
        if layer.instance is not None:
            return layer.instance.target
    return "3"


def batch_size_of(model: Model, configured: int | None) -> int | None:
    """``--batch-size`` (or the config's) first, else the script's ``fit(batch_size=...)``
    when it is a number; None: symbolic."""
    if configured is not None:
        return configured
    given: Any = model.fit_batch_size
    if isinstance(given, int) and not isinstance(given, bool) and given > 0:
        return given
    return None


def model_costs(model: Model, batch_size: int | None = None) -> ModelCosts:
    keras = keras_target(model)
    return ModelCosts(
        memory=model_memory(model, batch_size_of(model, batch_size), keras),
        weights={id(layer): layer_weight_bytes(layer, model) for layer in model.layers},
        activations=activation_bytes(model),
        fields=receptive_fields(model),
    )
