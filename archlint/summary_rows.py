"""The rows of a model's summary as Keras's ``model.summary()`` lists them: each layer
once, and a model called as a layer (``encoder(x)``) as ONE row, with the model's own rows
under it (what ``summary(expand_nested=True)`` prints).

The graph holds the calls a nested model makes as calls of its layers (``Call.nested_in``
names the models they go through); the rows regroup them. Totals do not change: a layer
counts once, however many models it is called through.
"""

from __future__ import annotations

from archlint.call_inference import infer_call, model_calls
from archlint.engine import frozen, layer_params
from archlint.graph import Call, Layer, Model
from archlint.layer_types import OutputShape, Params
from archlint.records import field, record
from archlint.unknown import Unknown


@record(eq=False)
class NestedRow:
    """A model called as a layer of another model."""

    model: Model
    rows: list[Row]
    # Its parameters, as the outer model counts them (None when some are unknown).
    params: Params | None
    # The output of the model's own graph, as Keras's summary shows it.
    output: OutputShape | Unknown | None
    # Where the outer model first calls it.
    line: int = 0
    # What its calls take from outside it (layer or nested model names), as Keras's
    # "Connected to".
    inbound: list[str] = field(default_factory=list)
    # A layer the script defines, whose call() made the rows: the row is the layer's
    # (``model`` is then the model it is a row of).
    layer: Layer | None = None

    @property
    def name(self) -> str:
        return self.layer.name if self.layer is not None else self.model.name

    @property
    def class_name(self) -> str:
        if self.layer is not None:
            return self.layer.class_name
        return "Sequential" if self.model.kind == "sequential" else "Functional"


Row = Layer | NestedRow


def summary_rows(model: Model) -> list[Row]:
    """The model's rows: its layers and, once each, the models it calls as layers."""
    return _rows(model, model, depth=0)


def has_nested(model: Model) -> bool:
    return any(call.nested_in for call in model.calls)


def _rows(model: Model, outer: Model, depth: int, calls: list[Call] | None = None,
          block: Call | None = None) -> list[Row]:
    """The rows of the model's calls (of those a user-defined layer's call made, for
    ``block``)."""
    calls = calls if calls is not None else (model.calls or model_calls(model))
    rows: dict[int, Row] = {}  # by id of the layer or nested model, in order
    for call in calls:
        if call.within is not block:
            continue  # inside a user-defined layer: under its row
        if call.nested_in:
            inner = call.nested_in[0]
            if id(inner) not in rows and depth < _MAX_DEPTH:
                rows[id(inner)] = _nested_row(inner, outer, depth, call.span.line)
        elif _is_block(call):
            if id(call.layer) not in rows and depth < _MAX_DEPTH:
                rows[id(call.layer)] = _block_row(call, model, outer, depth, calls)
        elif not (model.kind == "sequential" and call.layer.class_name == "InputLayer"):
            rows.setdefault(id(call.layer), call.layer)
    if block is None:
        for layer in model.layers:  # layers no call reaches (an unbuilt Sequential)
            if not any(c.nested_in or c.within for c in layer.calls):
                rows.setdefault(id(layer), layer)
    _connect(calls, rows)
    return list(rows.values())


def _is_block(call: Call) -> bool:
    instance = call.layer.instance
    return instance is not None and instance.spec.class_name == "UserLayer"


def _block_row(call: Call, model: Model, outer: Model, depth: int,
               calls: list[Call]) -> NestedRow:
    """A user-defined layer: one row with its weights and those of the layers its call()
    calls, as Keras's summary counts them; those layers' rows under it."""
    rows = _rows(model, outer, depth + 1, calls, block=call)
    total: Params | None = layer_params(call.layer, outer)
    for layer in _all_layers(rows):
        params = layer_params(layer, outer)
        total = total + params if total is not None and params is not None else None
    infer_call(call)
    return NestedRow(model, rows, total, call.output, call.span.line, layer=call.layer)


def _connect(calls: list[Call], rows: dict[int, Row]) -> None:
    """Each nested row's inbound: the tensors its calls take from outside it."""
    for call in calls:
        row = rows.get(id(call.nested_in[0])) if call.nested_in else None
        if not isinstance(row, NestedRow):
            continue
        for ref in (*call.inbound, *call.side_inputs):
            source = ref.call.nested_in[0] if ref.call.nested_in else None
            if source is row.model:
                continue
            name = source.name if source is not None else ref.call.layer.name
            if name not in row.inbound:
                row.inbound.append(name)


# A model cannot contain itself; the limit only guards against a malformed graph.
_MAX_DEPTH = 50


def _nested_row(inner: Model, outer: Model, depth: int, line: int) -> NestedRow:
    rows = _rows(inner, outer, depth + 1)
    total: Params | None = Params(0, 0)
    for layer in _all_layers(rows):
        params = layer_params(layer, outer)
        if params is not None and frozen(layer, inner) is True:
            params = Params(0, params.total)
        total = total + params if total is not None and params is not None else None
    outputs = []
    for ref in inner.outputs:
        infer_call(ref.call)
        outputs.append(ref.call.output_at(ref.index))
    output: OutputShape | Unknown | None
    if inner.unresolved or not outputs:
        output = None
    elif len(outputs) == 1:
        output = outputs[0]
    else:
        output = [o if isinstance(o, tuple) else None for o in outputs]  # type: ignore[misc]
    return NestedRow(inner, rows, total if not inner.unresolved else None, output, line)


def _all_layers(rows: list[Row]) -> list[Layer]:
    """Every layer under the rows, once (a layer shared by two nested models counts once)."""
    found: dict[int, Layer] = {}
    stack = list(reversed(rows))
    while stack:
        row = stack.pop()
        if isinstance(row, NestedRow):
            if row.layer is not None:  # a user-defined layer's own weights
                found.setdefault(id(row.layer), row.layer)
            stack.extend(reversed(row.rows))
        else:
            found.setdefault(id(row), row)
    return list(found.values())
