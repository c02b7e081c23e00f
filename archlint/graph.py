"""The layer graph the front end rebuilds from a script: layers, their calls, and models.

Data only: the front end creates these objects, the engine fills in shapes and parameters,
rules and renderers read them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from archlint.layer_types import LayerInstance, OutputShape, Params, Shape
from archlint.records import field, record
from archlint.unknown import Unknown

if TYPE_CHECKING:
    from archlint.layers.base import ShapeError


@record(frozen=True)
class Span:
    """Where something is in the source: 1-based lines, 0-based columns (like ``ast``)."""

    line: int
    column: int = 0
    end_line: int = 0
    end_column: int = 0


def line_note(span: Span) -> str:
    """`` (line 7)`` after a layer's name; nothing for a saved model, which has no lines.

    >>> line_note(Span(7)), line_note(Span(0))
    (' (line 7)', '')
    """
    return f" (line {span.line})" if span.line else ""


@runtime_checkable
class KerasName(Protocol):
    """A Keras function or object the script names (``keras.losses.mse``, ``tf.nn.relu``)."""

    path: str


@runtime_checkable
class KerasConstruct(Protocol):
    """A Keras object the script constructs (``keras.losses.Huber(delta=2.0)``)."""

    path: str
    args: tuple[Any, ...]
    kwargs: tuple[tuple[str, Any], ...]


@record(eq=False)
class Layer:
    """One layer object of the script. ``instance`` is None for a class archlint has no
    formulas for (its calls have unknown outputs)."""

    name: str
    class_name: str
    span: Span
    instance: LayerInstance | None = None
    # Keras 2 style shape hints given on the first layer of a Sequential (input_shape=...).
    input_hint: dict[str, Any] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    # trainable=False (in the call or set later): Keras counts all its weights non-trainable.
    trainable: bool | Unknown = True
    # Read again after it was made (adapted, called on data, captured by a function, passed
    # on): it may be used in ways that are not graph building.
    referenced: bool = False
    # The global dtype policy (or floatx) in force when it was made, which Keras gives a
    # layer without ``dtype=``: None for the default, float32; a value archlint cannot read
    # is kept as it is (the memory estimate is then unknown).
    global_policy: Any = None


@record(eq=False)
class Call:
    """One call of a layer on tensors (a shared layer has several)."""

    layer: Layer
    inbound: list[TensorRef]
    span: Span
    order: int
    # Tensors given as other arguments (initial_state=, a second positional): part of the
    # model's graph, not of the layer's shape formula.
    side_inputs: list[TensorRef] = field(default_factory=list)
    # The call of the user-defined layer whose call() made this one (None at top level).
    within: Call | None = None
    # Its output was handed to a function (``model.add_loss(t)``): used, if by no layer.
    passed_on: bool = False
    # Call arguments the layer's formulas read (its spec's ``call_options``), as given.
    options: dict[str, Any] = field(default_factory=dict)
    # Filled by the engine.
    output: OutputShape | Unknown | None = None
    params: Params | None = None
    error: ShapeError | None = None
    # Why ``params`` is None although the output is known (weights built from unknown values).
    params_unknown: Unknown | None = None
    # The models this call was made through, outermost first: a model called as a layer
    # calls its layers again, and a summary shows it as one row (``encoder(x)``).
    nested_in: tuple[Model, ...] = ()
    # What TensorFlow computes of its output while it builds the graph (``tf.shape(x)``;
    # see archlint.ops.values); Ellipsis when nothing.
    value: Any = Ellipsis

    def __repr__(self) -> str:
        # Not the layer's whole record: a layer lists its calls, which would recurse.
        return f"Call({self.layer.name!r}, order={self.order}, output={self.output!r})"

    @property
    def num_outputs(self) -> int:
        return len(self.output) if isinstance(self.output, list) else 1

    def value_at(self, index: int) -> Any:
        return self.value if index == 0 and not isinstance(self.output, list) else Ellipsis

    def output_at(self, index: int) -> Shape | Unknown | None:
        if isinstance(self.output, list):
            return self.output[index] if 0 <= index < len(self.output) else None
        return self.output


@record(frozen=True, eq=False)
class TensorRef:
    """The ``index``-th output of a call."""

    call: Call
    index: int = 0


@record(frozen=True)
class CompileArgs:
    """What ``model.compile(...)`` was given, as resolved values with their source text."""

    span: Span
    # A loss name, a Keras function or object (KerasName, KerasConstruct), a list or dict of
    # them (one per output), or a value the front end could not make sense of.
    loss: object = None
    loss_source: str | None = None
    optimizer: Any = None
    metrics: Any = None


@record(eq=False)
class Model:
    """A model the script builds: functional (inputs/outputs) or Sequential (a layer list)."""

    name: str
    kind: str  # "functional" or "sequential"
    span: Span
    inputs: list[TensorRef] = field(default_factory=list)
    outputs: list[TensorRef] = field(default_factory=list)
    # Why the graph is incomplete (inputs/outputs unresolved), if it is.
    unresolved: list[Unknown] = field(default_factory=list)
    compile: CompileArgs | None = None
    # ``fit(batch_size=...)`` as given (an int, or what the front end could not resolve).
    fit_batch_size: Any = None
    # model.trainable = False makes every weight of the model non-trainable; Unknown when a
    # `.trainable` assignment could not be followed (which layers it touches is unknown).
    trainable: bool | Unknown = True
    # Filled by the engine: the calls and layers that make up the model, in order.
    calls: list[Call] = field(default_factory=list)
    layers: list[Layer] = field(default_factory=list)
