"""The values of the Keras object model: tensors, layers and models as a script holds
them. Each wraps a node of the layer graph (graph.py) that the script is building."""

from __future__ import annotations

from typing import Any

from archlint.graph import Layer, Model, TensorRef
from archlint.records import field, record


@record(frozen=True, eq=False)
class Tensor:
    """A symbolic Keras tensor: one output of one layer call."""

    ref: TensorRef


@record(eq=False)
class LayerObject:
    """A layer constructed by the script, callable on tensors."""

    layer: Layer


@record(frozen=True, eq=False)
class WeightValue:
    """A weight a user-defined layer makes with ``self.add_weight(shape=...)``: a tensor of
    known shape (no batch axis) that its ``call()`` computes with."""

    shape: tuple[Any, ...]
    trainable: bool
    name: str


@record(frozen=True, eq=False)
class ArrayValue:
    """A NumPy array (or a constant tensor made from one) known by its shape alone: a
    table the script computes (a sinusoidal encoding) whose values no shape depends on."""

    shape: tuple[Any, ...]


@record(eq=False)
class ModelObject:
    """A functional model (``keras.Model(inputs, outputs)``)."""

    model: Model


@record(eq=False)
class SequentialObject:
    """A Sequential model under construction: its items are layers (the first one may be
    an InputLayer) or unknown values, as in Keras's ``Sequential._layers``."""

    model: Model
    items: list[Any] = field(default_factory=list)
    # With no input shape, the first call builds it: (its input, its output).
    built_by: tuple[TensorRef, TensorRef] | None = None
    # The items its chain of calls was made from (the script used its graph before the
    # end: ``seq.output``, ``seq.get_layer('x').output``); None while not made.
    chained: list[Any] | None = None
