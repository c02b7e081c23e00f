"""The types the layer graph and the layer formulas share: shapes, parameter counts, and a
layer as the script constructs it.

``archlint.graph`` and ``archlint.layers`` both build on these, so that the graph does not
import the formulas (their refusal, ShapeError, is only named in its annotations).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from archlint.dims import Dim
from archlint.records import field, record
from archlint.unknown import Unknown

if TYPE_CHECKING:
    from archlint.layers.base import LayerSpec, ShapeError

Shape = tuple[Dim, ...]
OutputShape = Shape | list[Shape]


class Named(Protocol):
    """A layer, as the graph or the script has it: its Keras class and its name."""

    @property
    def class_name(self) -> str: ...

    @property
    def name(self) -> str: ...


def label(layer: Named) -> str:
    """How a message names a layer: its class, then its name in quotes.

    >>> from archlint.graph import Layer, Span
    >>> label(Layer("dense_1", "Dense", Span(3)))
    "Dense 'dense_1'"
    """
    return f"{layer.class_name} '{layer.name}'"


@record(frozen=True)
class Params:
    """Parameter counts of one layer, as ``model.summary()`` counts them."""

    trainable: int
    non_trainable: int = 0

    @property
    def total(self) -> int:
        return self.trainable + self.non_trainable

    def __add__(self, other: Params) -> Params:
        return Params(self.trainable + other.trainable, self.non_trainable + other.non_trainable)


NO_PARAMS = Params(0, 0)


@record
class LayerInstance:
    """A layer object as constructed in the script: its kind, resolved config and name.

    Nested layers (``Bidirectional(layer=LSTM(...))``, ``TimeDistributed(Dense(...))``)
    appear as LayerInstance values inside the wrapper's config.
    """

    spec: LayerSpec
    config: dict[str, Any]
    name: str
    line: int = 0
    column: int = 0
    end_line: int = 0
    # Options given explicitly in the script (the rest are Keras defaults).
    explicit: frozenset[str] = field(default_factory=frozenset)
    # Set when an option the formulas read could not be resolved, or Keras rejects it.
    unresolved: Unknown | None = None
    config_error: ShapeError | None = None
    # An option the formulas do not model (then ``unresolved`` says so): reported as AL002.
    unmodelled: str | None = None
    # The Keras the script runs under ("3", "2" or "both"): decides version-specific refusals.
    target: str = "3"

    @property
    def class_name(self) -> str:
        return self.spec.class_name
