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
from archlint.frontend.quantize import dtype_name
from archlint.frontend.scope import MAX_LAYERS, OutOfBudget, span_of
from archlint.frontend.shape_service import ShapeService
from archlint.frontend.symbols import (
    name_symbols,
    with_defaults,
    with_named_options,
    with_named_sizes,
)
from archlint.frontend.values import NumpyLiteral
from archlint.graph import Call, Layer, Model, TensorRef
from archlint.layer_call import call_config
from archlint.layer_eval import UnsupportedLayer, instantiate
from archlint.layer_types import LayerInstance
from archlint.layers import lookup
from archlint.layers.base import ShapeError
from archlint.layers.catalog import no_formula
from archlint.layers.quantization import is_quantized_name
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
        # Why each Lambda (by layer id) has an unknown output (lambda_layers).
        self.lambda_unknowns: dict[int, Unknown] = {}
        # Instances of the script's own layer and model classes (user_layers).
        self.user_objects: list[Any] = []
        # Cells of the script's own given to an RNN, with their objects (user_cells).
        self.user_cells: list[tuple[LayerInstance, Any]] = []
        # Layers a user-defined layer held when its trainable flag was set to False:
        # Keras 3 freezes those, tf-keras every layer inside it (user_models).
        self.frozen_when_set: set[int] = set()
        # How deep the walk is inside the call() of a user-defined layer, where tensors are
        # the backend's (TensorFlow functions apply) rather than Keras tensors.
        self.inside_layer_call = 0
        # The global dtype policy when it changes weights (a quantized one, or one archlint
        # cannot read): the layers Keras quantizes made after it take it as their dtype.
        self.global_dtype: Any = None
        # The global float policy and floatx (set_global_policy, set_floatx): they decide
        # the dtypes of later layers' weights and outputs, not their counts.
        self.global_float: Any = None
        self.floatx: Any = None

    def set_global_dtype(self, policy: Any) -> None:
        """``keras.mixed_precision.set_global_policy(p)``: a float policy changes no
        count; a quantized one (or an unreadable one) is what later Dense and Embedding
        layers get as their ``dtype``."""
        policy = dtype_name(policy)
        self.global_dtype = None if isinstance(policy, str) and not is_quantized_name(
            policy) else policy
        self.global_float = None if policy == "float32" else policy

    def set_floatx(self, value: Any) -> None:
        """``keras.config.set_floatx(x)``: the dtype of layers made later under no global
        policy."""
        self.floatx = None if value == "float32" else value

    def make_layer(self, class_name: str, args: list[Any], kwargs: dict[str, Any],
                   node: ast.Call, custom: bool = False) -> LayerObject:
        if len(self.layers) >= MAX_LAYERS:
            raise OutOfBudget()
        spec = None if custom else lookup(class_name)
        internal = spec if spec is not None and spec.application_module else None
        if internal is not None:  # keras.layers has no such name: Keras raises AttributeError
            spec = None
        canonical = spec.class_name if spec is not None else class_name
        config = constructor_config(spec.positional if spec is not None else (), args,
                                    kwargs)
        # Shape hints for a Sequential's first layer, unless the layer reads the option itself
        # (Embedding's input_dim is its vocabulary size).
        own = spec.defaults if spec is not None else {}
        hint = {k: config.pop(k) for k in _INPUT_HINTS if k in config and k not in own} \
            if canonical != "InputLayer" else {}
        nested_flags = []
        for key, value in list(config.items()):
            if isinstance(value, LayerObject):
                nested_flags.append(value.layer.trainable)
                config[key] = self.nested_instance(value, class_name, key, node.lineno)
            elif isinstance(value, (list, tuple)) and any(
                    isinstance(item, LayerObject) for item in value):
                # RNN([cell, cell]), StackedRNNCells(cells), Pipeline(layers).
                nested_flags.extend(item.layer.trainable for item in value
                                    if isinstance(item, LayerObject))
                config[key] = [self.nested_instance(item, class_name, key, node.lineno)
                               if isinstance(item, LayerObject) else item for item in value]
            elif isinstance(value, (ModelObject, SequentialObject)):
                # TimeDistributed(model): a wrapped model is not followed yet.
                config[key] = Unknown(f"the model `{value.model.name}` given as the {key} of "
                                      f"a {class_name} is not followed", node.lineno)
        spread = config.pop("**", None)
        if config.get("dtype") is not None:
            config["dtype"] = dtype_name(config["dtype"])
        if self.global_dtype is not None and spec is not None and \
                "quantized" in spec.reads and config.get("dtype") is None:
            config["dtype"] = self.global_dtype
        name = self._layer_name(canonical, config.pop("name", None))
        span = span_of(node)
        layer = Layer(name=name, class_name=canonical, span=span, input_hint=hint,
                      trainable=self.host.truth(config.pop("trainable", True)),
                      global_policy=self.global_float if self.global_float is not None
                      else self.floatx)
        if nested_flags and layer.trainable is True:
            layer.trainable = _wrapper_trainable(nested_flags, node.lineno)
        if spec is None:
            known = None if custom else no_formula(class_name)
            why = f" ({known.reason})" if known is not None else ""
            if internal is not None:
                why = (f" (keras.layers has no {class_name}: it is a class of "
                       f"keras.{internal.application_module}, read only in a backbone's layers)")
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

    def nested_instance(self, value: LayerObject, owner: str, option: str, line: int) -> Any:
        """A layer given as an option of another (a wrapped layer, a cell), or why not
        known."""
        return _nested_instance(value, owner, option, line)

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

    def make_model(self, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        """``keras.Model(inputs, outputs)``: a functional model."""
        inputs = args[0] if args else kwargs.get("inputs")
        outputs = args[1] if len(args) > 1 else kwargs.get("outputs")
        name = kwargs.get("name", args[2] if len(args) > 2 else None)
        model = Model(name=name if isinstance(name, str) else self.names.functional_model(),
                      kind="functional", span=span_of(node))
        for label, value, target in (("inputs", inputs, model.inputs),
                                     ("outputs", outputs, model.outputs)):
            tensors = flatten_tensors(value)
            if isinstance(tensors, Unknown):
                model.unresolved.append(Unknown(f"the model's {label}: {tensors.reason}",
                                                tensors.line or node.lineno))
            else:
                target.extend(t.ref for t in tensors)
        self.models.append(model)
        return ModelObject(model)

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
        spec = lookup(obj.layer.class_name) if obj.layer.instance is not None else None
        options: dict[str, Any] = {}
        reverse = kwargs.get("reverse", args[1] if len(args) > 1 else False)
        if obj.layer.class_name == "ReversibleEmbedding" and reverse is not False:
            # A call option the graph does not carry: the projection back to the vocabulary.
            given = "reverse=True" if reverse is True else "a reverse option"
            return Unknown(f"`{obj.layer.name}` called with {given} (the projection back to "
                           "logits over the vocabulary) is not followed", node.lineno)
        if spec is not None and spec.call_inputs:
            # Inputs given as separate arguments: mha(query, value, key=..., ...).
            items, args, kwargs = _bind_inputs(spec.call_inputs, args, kwargs)
            if items and isinstance(items[0], (list, tuple)):
                return self._list_for_separate_inputs(obj, items[0], node)
            options = {k: kwargs.pop(k) for k in list(kwargs) if k in spec.call_options}
            args = [None, *args]  # the inputs' place: other arguments are side inputs
        else:
            inputs = args[0] if args else kwargs.get("inputs")
            items = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        refs = []
        for item in items:
            if not isinstance(item, Tensor):
                return item if isinstance(item, Unknown) else Unknown(
                    f"`{obj.layer.name}` is called on something that is not a Keras tensor",
                    node.lineno)
            refs.append(item.ref)
        call = Call(layer=obj.layer, inbound=refs, span=span_of(node), order=len(self.calls),
                    side_inputs=_side_inputs(args[1:], kwargs), options=options)
        obj.layer.calls.append(call)
        self.calls.append(call)
        if obj.layer.instance is not None and _multi_output(obj.layer.instance, options):
            self.shapes.infer(call)
            if isinstance(call.output, list):
                return [Tensor(TensorRef(call, i)) for i in range(len(call.output))]
        return Tensor(TensorRef(call, 0))

    def _list_for_separate_inputs(self, obj: LayerObject, items: Any, node: ast.Call) -> Any:
        """``mha([query, value])``: Keras refuses a list where the call takes its tensors
        as separate arguments (the value is missing)."""
        tensors = flatten_tensors(items)
        if isinstance(tensors, Unknown):
            return tensors
        call = Call(layer=obj.layer, inbound=[t.ref for t in tensors], span=span_of(node),
                    order=len(self.calls))
        names = ", ".join(obj.layer.instance.spec.call_inputs) if obj.layer.instance else ""
        call.error = ShapeError(
            codes.INCOMPATIBLE_MERGE, f"{obj.layer.class_name} '{obj.layer.name}' takes its "
            f"tensors as separate arguments ({names}), not a list: called on a list, it has "
            "no value; write layer(query, value) instead")
        obj.layer.calls.append(call)
        self.calls.append(call)
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


def constructor_config(positional: tuple[str, ...], args: list[Any],
                       kwargs: dict[str, Any]) -> dict[str, Any]:
    """A layer's options from its constructor's arguments (positional ones named)."""
    config: dict[str, Any] = dict(zip(positional, args))
    config.update(kwargs)
    # np.array([0.5, 0.2]) as an option: Keras reads the numbers as it reads the list.
    return {k: v.literal if isinstance(v, NumpyLiteral) else v for k, v in config.items()}


def _multi_output(instance: LayerInstance, options: dict[str, Any]) -> bool:
    config = instance.config
    if instance.spec.call_options and instance.unresolved is None and \
            instance.config_error is None:
        count = instance.spec.output_count(call_config(instance, options))
        return count is not None and count > 1
    return bool(config.get("return_state")) or (
        instance.class_name == "Bidirectional" and config.get("merge_mode", "concat") is None)


def _bind_inputs(names: tuple[str, ...], args: list[Any], kwargs: dict[str, Any]
                 ) -> tuple[list[Any], list[Any], dict[str, Any]]:
    """The input tensors of a call whose inputs are named arguments (``query``, ``value``,
    ``key``), in order, up to the last one given (None: not given); and the arguments
    left."""
    kwargs = dict(kwargs)
    bound = list(args[:len(names)])
    bound += [kwargs.pop(name, None) for name in names[len(bound):]]
    for name in names[:len(args)]:
        kwargs.pop(name, None)  # given twice: Keras refuses; the positional one is kept
    while bound and bound[-1] is None:
        bound.pop()
    return bound, list(args[len(names):]), kwargs


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
