"""The Keras half of the front end, second layer: Sequential models.

``Sequential([...])``, ``.add``, ``.pop`` and ``.build`` as Keras does them, automatic
names included; at the end of the script each Sequential's layers are chained into calls
from its input layer (an ``Input``, a first layer's ``input_shape=``, or ``build()``).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from typing import Any

from archlint.dims import Expr, named_size
from archlint.frontend.keras_layers import LayerFactory
from archlint.frontend.keras_values import LayerObject, ModelObject, SequentialObject, Tensor
from archlint.frontend.scope import span_of
from archlint.frontend.symbols import bound_value
from archlint.frontend.values import RuntimeValue
from archlint.graph import Call, Layer, Model, Span, TensorRef
from archlint.layers import lookup
from archlint.rank_free import UnknownRank
from archlint.unknown import Unknown


class SequentialModels(LayerFactory):
    """Layers, calls and Sequential models."""

    def make_sequential(self, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        items = args[0] if args else kwargs.get("layers")
        name = kwargs.get("name", args[2] if len(args) > 2 else None)
        model = Model(name=name if isinstance(name, str) else self.names.sequential_model(),
                      kind="sequential", span=span_of(node))
        sequential = SequentialObject(model)
        self.sequentials.append(sequential)
        self.models.append(model)
        if isinstance(items, (list, tuple)):
            for item in items:
                self.sequential_add(sequential, item, rebuild=False)
            self._sequential_rebuilt(sequential)
        elif items is not None:
            sequential.items.append(items if isinstance(items, Unknown) else Unknown(
                "the layers of this Sequential are not a list known statically",
                node.lineno))
        return sequential

    def sequential_add(self, obj: SequentialObject, item: Any, rebuild: bool = True) -> None:
        """``Sequential.add`` as Keras does it, names included: the input layer of a first
        layer's ``input_shape=`` is made here, and each rebuild takes a model name."""
        if isinstance(item, Tensor) and item.ref.call.layer.class_name == "InputLayer":
            item = LayerObject(item.ref.call.layer)  # keras.Input() as the first item
        if not obj.items and isinstance(item, LayerObject):
            config = _input_config(item.layer.input_hint)
            if config is None and self.keras == "2":
                config = _keras2_implicit_input(item.layer)
            if config is not None:
                obj.items.append(self._implicit_input(item.layer.name, config,
                                                      item.layer.span))
        obj.items.append(item)
        if rebuild:
            self._sequential_rebuilt(obj)

    def sequential_build(self, obj: SequentialObject, shape: Any, node: ast.Call) -> None:
        if shape is None or not obj.items:
            return  # Keras does not build without a shape or layers
        if not is_input_item(obj.items[0]):
            first = obj.items[0]
            first_name = first.layer.name if isinstance(first, LayerObject) else "sequential"
            obj.items.insert(0, self._implicit_input(first_name, {"batch_input_shape": shape},
                                                     span_of(node)))
        self.names.sequential_built()

    def _sequential_rebuilt(self, obj: SequentialObject) -> None:
        if len(obj.items) > 1 and is_input_item(obj.items[0]):
            self.names.sequential_built()

    def _implicit_input(self, first_layer_name: str, config: dict[str, Any],
                        span: Span) -> LayerObject:
        layer = Layer(name=self.names.sequential_input_layer(first_layer_name),
                      class_name="InputLayer", span=span)
        self.instantiate_layer(layer, config)
        self.name_symbols_of(layer)
        self.layers.append(layer)
        return LayerObject(layer)

    def _symbolic_input(self, first: Layer) -> LayerObject:
        """The input of a Sequential with none: Keras 3 builds it on the data it first
        sees, so its sizes are named sizes the data decides (``--set F=...`` binds them)."""
        reason = ("the Sequential model has no input shape (no Input, input_shape= or "
                  "build()): Keras 3 builds it on the first data it sees (fit, predict or a "
                  "call), so archlint names its input sizes")
        implicit = _keras2_implicit_input(first)
        if self.keras == "both" and implicit is not None:
            reason += (f"; tf-keras (Keras 2) builds it at once, its first layer "
                       f"({first.class_name}) taking an input of shape {implicit['shape']}")
        shape = _symbolic_shape(first, self.values, first.span.line, reason)
        layer = Layer(name=self.names.sequential_input_layer(first.name),
                      class_name="InputLayer", span=first.span)
        self.instantiate_layer(layer, {"shape": shape})
        self.name_symbols_of(layer)
        self.layers.append(layer)
        return LayerObject(layer)

    def _first_call_shape(self, obj: SequentialObject) -> tuple[Any, ...] | None:
        """The input shape of the call that built a Sequential with no input shape (its
        variable axes stay variable), or None."""
        if obj.built_by is None or not any(isinstance(i, LayerObject) for i in obj.items):
            return None
        ref = obj.built_by[0]
        self.shapes.infer(ref.call)
        shape = ref.call.output_at(ref.index)
        if not isinstance(shape, tuple):
            return None
        return tuple(d if isinstance(d, int) or (isinstance(d, Expr) and d.fixed())
                     else None for d in shape)

    def chain_call(self, item: LayerObject, current: TensorRef) -> TensorRef | Unknown:
        """A Sequential's layer called on the previous one's output."""
        call = Call(layer=item.layer, inbound=[current], span=item.layer.span,
                    order=len(self.calls))
        item.layer.calls.append(call)
        self.calls.append(call)
        return TensorRef(call, 0)

    def call_model(self, obj: ModelObject | SequentialObject, args: list[Any],
                   kwargs: dict[str, Any], node: ast.Call, as_block: bool = True) -> Any:
        raise NotImplementedError  # nested_models.py: a model called on tensors

    def built_sequential(self, obj: SequentialObject) -> bool:
        """Make now the chain of calls of a Sequential Keras has already built (it has an
        input, or starts with a model that has one), so that the script can use its graph
        (``seq.output``, ``seq.get_layer('x').output``); False when Keras has not built it."""
        first = obj.items[0] if obj.items else None
        if not (is_input_item(first) or _has_model_input(first)):
            return False
        self._finish_sequential(obj)
        return bool(obj.model.inputs)

    def _finish_sequential(self, obj: SequentialObject) -> None:
        """Chain a Sequential's layers into calls, from its input layer."""
        model = obj.model
        if obj.chained is not None:
            if len(obj.chained) == len(obj.items) and all(
                    a is b for a, b in zip(obj.chained, obj.items)):
                return
            # Changed since its chain was made (.add, .pop): Keras builds it again.
            model.inputs.clear()
            model.outputs.clear()
            model.unresolved.clear()
        obj.chained = list(obj.items)
        items = list(obj.items)
        current: TensorRef | None = None
        built_on = self._first_call_shape(obj)
        if built_on is not None:  # Keras builds it on its first call's input
            first = next(i for i in items if isinstance(i, LayerObject)).layer
            items.insert(0, self._implicit_input(first.name, {"batch_shape": built_on},
                                                 first.span))
        first_model = items[0] if items and not is_input_item(items[0]) else None
        if isinstance(first_model, SequentialObject):
            self._finish_sequential(first_model)
        model_input = _model_input_shape(first_model, self.shapes.infer)
        if model_input is not None:
            # Keras builds a Sequential whose first item is a model on that model's input.
            assert isinstance(first_model, (ModelObject, SequentialObject))
            items.insert(0, self._implicit_input(first_model.model.name,
                                                 {"batch_shape": model_input}, model.span))
        if items and is_input_item(items[0]):
            current = self.input_call(items.pop(0).layer)
            model.inputs.append(current)
        elif items and _first_layer(items[0]) is not None:
            first_layer = _first_layer(items[0])
            assert first_layer is not None
            current = self.input_call(self._symbolic_input(first_layer).layer)
            model.inputs.append(current)
        elif any(isinstance(item, LayerObject) for item in items):
            model.unresolved.append(Unknown(
                "the Sequential model has no input shape (no Input, input_shape= or "
                "build()), so Keras does not build it until it sees data", model.span.line))
        for item in items:
            if isinstance(item, (ModelObject, SequentialObject)) and current is not None:
                output = self.call_model(item, [Tensor(current)], {}, _located(model.span))
                if isinstance(output, Tensor):
                    current = output.ref
                    continue
                item = output
            if not isinstance(item, LayerObject):
                model.unresolved.append(item if isinstance(item, Unknown) else Unknown(
                    "an item of the Sequential model is not a layer known statically",
                    model.span.line))
                current = None
            elif current is None:
                model.layers.append(item.layer)
            else:
                chained = self.chain_call(item, current)
                if isinstance(chained, Unknown):
                    model.unresolved.append(chained)
                    current = None
                else:
                    current = chained
        if current is not None:
            model.outputs.append(current)
        if model.unresolved:
            # Its layers are known even where the chain is not: their parameters then count
            # as unknown rather than as absent.
            model.layers.extend(item.layer for item in items if isinstance(item, LayerObject)
                                and item.layer not in model.layers)


def _first_layer(item: Any) -> Layer | None:
    """The layer that decides a Sequential's input: the item's, or its first layer's when
    the item is a Sequential itself."""
    if isinstance(item, LayerObject):
        return item.layer
    if isinstance(item, SequentialObject):
        return next((_first_layer(i) for i in item.items if isinstance(
            i, (LayerObject, SequentialObject))), None)
    return None


def _symbolic_shape(first: Layer, values: Mapping[str, int], line: int,
                    reason: str) -> tuple[Any, ...] | UnknownRank:
    """The input a Sequential's first layer implies: as many axes as it requires, each a
    named size (``T``, ``F``; ``H``, ``W``, ``C``), or, where it takes any rank, a tensor
    of unknown rank whose last axis is named."""
    spec = first.instance.spec if first.instance is not None else lookup(first.class_name)
    ndim = spec.input_spec.ndim if spec is not None else None
    def named(name: str) -> Any:
        bound = bound_value(name, values)
        return bound if bound is not None else RuntimeValue(reason, line, source=name)
    if ndim is not None and ndim in AXIS_NAMES:
        return tuple(named(name) for name in AXIS_NAMES[ndim])
    last = "T" if first.class_name == "Embedding" else "F"
    bound = bound_value(last, values)
    return UnknownRank(reason, line, tail=(bound if bound is not None else named_size(last),))


# Names of the axes after the batch axis, by the rank a first layer requires.
AXIS_NAMES = {2: ("F",), 3: ("T", "F"), 4: ("H", "W", "C"), 5: ("D", "H", "W", "C")}


def _input_config(hint: dict[str, Any]) -> dict[str, Any] | None:
    """The InputLayer options a first layer's Keras 2 style hints stand for."""
    if "input_shape" in hint:
        return {"shape": hint["input_shape"], "batch_size": hint.get("batch_size")}
    if "batch_input_shape" in hint:
        return {"batch_input_shape": hint["batch_input_shape"]}
    if "input_dim" in hint:
        dim = hint["input_dim"]
        return {"shape": (dim,)}  # input_dim is one size, even when the data decides it
    return None


def _keras2_implicit_input(layer: Layer) -> dict[str, Any] | None:
    """The input tf-keras gives a Sequential's first layer on its own: an Embedding takes
    ``(input_length,)``, or a variable length (Keras 3 waits for data)."""
    if layer.class_name != "Embedding" or layer.instance is None:
        return None
    length = layer.instance.config.get("input_length")
    return {"shape": (length if isinstance(length, int) else None,)}


def _has_model_input(item: Any) -> bool:
    """Whether ``item`` is a model with one input (Keras builds a Sequential it starts)."""
    if isinstance(item, SequentialObject) and not item.model.inputs:
        return is_input_item(item.items[0] if item.items else None)
    return isinstance(item, (ModelObject, SequentialObject)) and len(item.model.inputs) == 1


def _model_input_shape(item: Any, infer: Callable[[Call], None]) -> tuple[Any, ...] | None:
    """The input shape of a model (with one input) given as a Sequential's item, or None."""
    if not isinstance(item, (ModelObject, SequentialObject)) or len(item.model.inputs) != 1:
        return None
    ref = item.model.inputs[0]
    infer(ref.call)
    shape = ref.call.output_at(ref.index)
    return shape if isinstance(shape, tuple) else None


def _located(span: Span) -> ast.Call:
    """A call node at ``span``: calls made when the script is done point at the model."""
    node = ast.Call(func=ast.Name(id="Sequential"), args=[], keywords=[])
    node.lineno, node.col_offset = span.line, span.column
    node.end_lineno, node.end_col_offset = span.end_line, span.end_column
    return node


def is_input_item(item: Any) -> bool:
    return isinstance(item, LayerObject) and item.layer.class_name == "InputLayer"
