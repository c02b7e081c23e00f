"""The Keras half of the front end, first layer: layers and their calls.

``keras.layers.X(...)`` makes a ``Layer`` of the graph (its options checked and turned
into an instance by layer_eval); ``layer(x)`` on a Keras tensor adds a ``Call``;
``keras.Input(...)`` makes an input layer and its tensor. The evaluator reaches these
through ``keras_objects.KerasObjectModel``; shapes come from the injected ``ShapeService``.
"""

from __future__ import annotations

import ast
from typing import Any

from archlint import codes
from archlint.diagnostics import Event
from archlint.frontend.keras_values import LayerObject, ModelObject, SequentialObject, Tensor
from archlint.frontend.library import PythonHost
from archlint.frontend.naming import NameCounter
from archlint.frontend.scope import span_of
from archlint.frontend.shape_service import ShapeService
from archlint.frontend.symbols import (
    name_symbols,
    with_defaults,
    with_named_options,
    with_named_sizes,
)
from archlint.graph import Call, Layer, Model, TensorRef
from archlint.layer_eval import UnsupportedLayer, instantiate
from archlint.layers import lookup
from archlint.layers.catalog import no_formula
from archlint.unknown import Unknown

UNSUPPORTED = codes.UNSUPPORTED_CONSTRUCT
_INPUT_HINTS = ("input_shape", "batch_input_shape", "input_dim", "batch_size")


class LayerFactory:
    """Makes the layers, calls and input tensors of one script's graph."""

    # The evaluator, for source texts, truth values and calls (set by the interpreter).
    host: PythonHost

    def __init__(self, events: list[Event], keras: str, names: NameCounter,
                 names_version: str | None, values: dict[str, int],
                 argparse_defaults: dict[str, Any], shapes: ShapeService):
        self.events = events
        # The Keras the script runs under: "3", "2" or "both" (see keras_target).
        self.keras = keras
        self.names = names
        # Whose names string options (activation="relu", loss="mse") must be; None: any.
        self.names_version = names_version
        # Values the user bound to named sizes (--set, [tool.archlint.values]).
        self.values = values
        self.argparse_defaults = argparse_defaults
        self.shapes = shapes
        self.layers: list[Layer] = []
        self.calls: list[Call] = []
        self.models: list[Model] = []
        self.sequentials: list[SequentialObject] = []
        self.symbol_uses: dict[str, int] = {}
        # `.trainable = ...` assignments that could not be followed (unknown owner or value,
        # or code behind an unknown condition).
        self.unknown_trainable: list[Unknown] = []
        self.unnamed = NameCounter()

    def make_layer(self, class_name: str, args: list[Any], kwargs: dict[str, Any],
                   node: ast.Call, custom: bool = False) -> LayerObject:
        spec = None if custom else lookup(class_name)
        canonical = spec.class_name if spec is not None else class_name
        config = _layer_config(spec.positional if spec is not None else (), args, kwargs)
        # Shape hints for a Sequential's first layer, unless the layer reads the option itself
        # (Embedding's input_dim is its vocabulary size).
        own = spec.defaults if spec is not None else {}
        hint = {k: config.pop(k) for k in _INPUT_HINTS if k in config and k not in own} \
            if canonical != "InputLayer" else {}
        nested_flags = []
        for key, value in list(config.items()):
            if isinstance(value, LayerObject):
                nested_flags.append(value.layer.trainable)
                config[key] = _nested_instance(value, class_name, key, node.lineno)
            elif isinstance(value, (list, tuple)) and any(
                    isinstance(item, LayerObject) for item in value):
                # RNN([cell, cell]), StackedRNNCells(cells), Pipeline(layers).
                nested_flags.extend(item.layer.trainable for item in value
                                    if isinstance(item, LayerObject))
                config[key] = [_nested_instance(item, class_name, key, node.lineno)
                               if isinstance(item, LayerObject) else item for item in value]
            elif isinstance(value, (ModelObject, SequentialObject)):
                # TimeDistributed(model): a wrapped model is not followed yet.
                config[key] = Unknown(f"the model `{value.model.name}` given as the {key} of "
                                      f"a {class_name} is not followed", node.lineno)
        spread = config.pop("**", None)
        name = self._layer_name(canonical, config.pop("name", None))
        span = span_of(node)
        layer = Layer(name=name, class_name=canonical, span=span, input_hint=hint,
                      trainable=self.host.truth(config.pop("trainable", True)))
        if nested_flags and layer.trainable is True:
            layer.trainable = _wrapper_trainable(nested_flags, node.lineno)
        if spec is None:
            known = None if custom else no_formula(class_name)
            why = f" ({known.reason})" if known is not None else ""
            self.events.append(Event(
                UNSUPPORTED,
                f"layer class `{class_name}` is not supported by archlint{why}; the output "
                f"shape of `{name}` and everything computed from it is unknown", span,
                layer=name))
        else:
            if isinstance(spread, Unknown):
                for option in spec.defaults:
                    config.setdefault(option, spread)
            self.instantiate_layer(layer, config)
        if canonical == "InputLayer":
            self.name_symbols_of(layer)
        self.layers.append(layer)
        return LayerObject(layer)

    def instantiate_layer(self, layer: Layer, config: dict[str, Any]) -> None:
        span = layer.span
        named: dict[str, str] = {}
        spec = lookup(layer.class_name)
        if layer.class_name == "InputLayer":
            config, named = with_named_sizes(config, self.values)
        elif spec is not None and spec.sized_options:
            config, named = with_named_options(config, spec.sized_options, self.values)
        try:
            layer.instance = instantiate(layer.class_name, config, layer.name, line=span.line,
                                         column=span.column, end_line=span.end_line,
                                         keras=self.names_version, target=self.keras)
            if named and layer.instance.unresolved is None:
                layer.instance.config["named_sizes"] = with_defaults(
                    named, self.argparse_defaults)
        except UnsupportedLayer as error:
            self.events.append(Event(UNSUPPORTED, f"layer class `{error.class_name}` "
                                     "is not supported by archlint", span, layer=layer.name))

    def _layer_name(self, class_name: str, given: Any) -> str:
        """An explicit name is kept; a missing one is Keras's automatic name; a name only
        known at run time gets a placeholder that takes no Keras name."""
        if isinstance(given, str):
            return given
        if given is not None:
            return "?" + self.unnamed.auto(class_name)
        if class_name == "InputLayer":
            return self.names.input_layer()
        return self.names.auto(class_name)

    def make_input(self, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        layer = self.make_layer("InputLayer", args, kwargs, node).layer
        return Tensor(self.input_call(layer))

    def input_call(self, layer: Layer) -> TensorRef:
        """The one call of an input layer, which makes its tensor."""
        if not layer.calls:
            call = Call(layer=layer, inbound=[], span=layer.span, order=len(self.calls))
            layer.calls.append(call)
            self.calls.append(call)
        return TensorRef(layer.calls[0], 0)

    def name_symbols_of(self, layer: Layer) -> None:
        name_symbols(layer, self.symbol_uses)

    def call_layer(self, obj: LayerObject, args: list[Any], kwargs: dict[str, Any],
                   node: ast.Call) -> Any:
        inputs = args[0] if args else kwargs.get("inputs")
        reverse = kwargs.get("reverse", args[1] if len(args) > 1 else False)
        if obj.layer.class_name == "ReversibleEmbedding" and reverse is not False:
            # A call option the graph does not carry: the projection back to the vocabulary.
            given = "reverse=True" if reverse is True else "a reverse option"
            return Unknown(f"`{obj.layer.name}` called with {given} (the projection back to "
                           "logits over the vocabulary) is not followed", node.lineno)
        items = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        refs = []
        for item in items:
            if not isinstance(item, Tensor):
                return item if isinstance(item, Unknown) else Unknown(
                    f"`{obj.layer.name}` is called on something that is not a Keras tensor",
                    node.lineno)
            refs.append(item.ref)
        call = Call(layer=obj.layer, inbound=refs, span=span_of(node), order=len(self.calls),
                    side_inputs=_side_inputs(args[1:], kwargs))
        obj.layer.calls.append(call)
        self.calls.append(call)
        if obj.layer.instance is not None and _multi_output(obj.layer.instance):
            self.shapes.infer(call)
            if isinstance(call.output, list):
                return [Tensor(TensorRef(call, i)) for i in range(len(call.output))]
        return Tensor(TensorRef(call, 0))

    def merge(self, class_name: str, args: list[Any], kwargs: dict[str, Any],
              node: ast.Call) -> Any:
        """``layers.concatenate([a, b])``: a merge layer made and called at once."""
        kwargs = dict(kwargs)
        inputs = args[0] if args else kwargs.pop("inputs", None)
        layer = self.make_layer(class_name, list(args[1:]), kwargs, node)
        return self.call_layer(layer, [inputs], {}, node)


def _nested_instance(value: LayerObject, owner: str, option: str, line: int) -> Any:
    """A layer given as an option of another (a wrapped layer, a cell), or why not known."""
    if value.layer.instance is not None:
        return value.layer.instance
    what = value.layer.class_name
    if owner in ("RNN", "StackedRNNCells"):
        return Unknown(f"the cell `{what}` given as the {option} of {owner} is not a cell "
                       "archlint knows (its step is code archlint does not run)", line)
    return Unknown(f"`{what}` is not supported", line)


def _layer_config(positional: tuple[str, ...], args: list[Any],
                  kwargs: dict[str, Any]) -> dict[str, Any]:
    config: dict[str, Any] = dict(zip(positional, args))
    config.update(kwargs)
    return config


def _multi_output(instance: Any) -> bool:
    config = instance.config
    return bool(config.get("return_state")) or (
        instance.class_name == "Bidirectional" and config.get("merge_mode", "concat") is None)


def _side_inputs(args: list[Any], kwargs: dict[str, Any]) -> list[TensorRef]:
    """Tensors among a layer call's other arguments (``initial_state=[h, c]``, ``mask=``)."""
    found: list[TensorRef] = []
    for name, value in [*enumerate(args), *kwargs.items()]:
        if name == "inputs":
            continue
        tensors = flatten_tensors(value)
        if not isinstance(tensors, Unknown):
            found.extend(tensor.ref for tensor in tensors)
    return found


def flatten_tensors(value: Any) -> list[Tensor] | Unknown:
    """The tensors of a (nested) list, tuple or dict of tensors, in order."""
    out: list[Tensor] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Tensor):
            out.append(item)
        elif isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, (list, tuple)):
            stack.extend(reversed(item))
        elif isinstance(item, Unknown):
            return item
        else:
            return Unknown("not a Keras tensor")
    return out


def _wrapper_trainable(nested: list[bool | Unknown], line: int) -> bool | Unknown:
    """A wrapper's weights are its layers' (a Bidirectional's backward copy has the forward
    layer's flag): non-trainable when every wrapped layer is, else unknown when any is."""
    if all(flag is False for flag in nested):
        return False
    if all(flag is True for flag in nested):
        return True
    return Unknown("`trainable` differs between the layers this wrapper holds: archlint "
                   "does not split their weights", line)
