"""The Keras half of the front end, complete: what Keras calls and objects produce.

``KerasObjectModel`` is the ``Library`` the evaluator hands Keras values and names to:
``keras.layers.X(...)`` makes a layer, a layer called on a tensor adds a call,
``Model(...)`` and ``Sequential`` make models, ``compile`` records its arguments, and
``x.shape`` asks the injected ``ShapeService``. Other Keras objects (losses,
optimizers...) are kept as a ``KerasObject`` with their arguments.
"""

from __future__ import annotations

import ast
import contextlib
from collections.abc import Iterator
from typing import Any

from archlint.codes import INVALID_OPTION
from archlint.diagnostics import Event
from archlint.frontend import keras_api
from archlint.frontend.folding import short_source
from archlint.frontend.keras_values import (
    ArrayValue,
    LayerObject,
    ModelObject,
    SequentialObject,
    Tensor,
    WeightValue,
)
from archlint.frontend.named_options import compile_events
from archlint.frontend.naming import NameCounter
from archlint.frontend.numpy_arrays import CONSTANT_MAKERS, NumpyArrays
from archlint.frontend.quantize import quantize_layers
from archlint.frontend.scope import line_of, span_of
from archlint.frontend.sequential import is_input_item
from archlint.frontend.tensor_ops import has_formula, qualified_name
from archlint.frontend.user_layers import UserLayerObject
from archlint.frontend.values import (
    BoundMethod,
    KerasObject,
    ModuleRef,
    RuntimeValue,
    UserClass,
)
from archlint.frontend.vocabulary_sizes import (
    VOCABULARY_METHODS,
    is_vocabulary_layer,
    vocabulary_call,
)
from archlint.graph import CompileArgs, Layer, Model, TensorRef
from archlint.layer_call import call_config
from archlint.layers import lookup
from archlint.unknown import Unknown

# Methods of a Keras model that the interpreter accepts and ignores (training, saving...).
_MODEL_METHODS = frozenset({
    "compile", "add", "pop", "build", "summary", "fit", "predict", "evaluate", "save",
    "save_weights", "load_weights", "get_layer", "count_params", "to_json", "get_config",
    "train_on_batch", "test_on_batch", "predict_on_batch", "fit_generator", "export",
    "get_weights", "set_weights", "reset_states", "__call__", "quantize",
})


class KerasObjectModel(NumpyArrays):
    """Keras's layers, tensors and models, as one script builds them."""

    value_types: tuple[type, ...] = (Tensor, LayerObject, ModelObject, SequentialObject,
                                     KerasObject, WeightValue, ArrayValue)
    config_types: tuple[type, ...] = (KerasObject,)
    # `model.build(shape)` gives a Sequential its input layer.
    changing_methods = frozenset({"build"})

    # ----------------------------------------------------------------- names and classes
    def knows(self, path: str) -> bool:
        # TensorFlow's operations too: on a Keras tensor, they are graph nodes.
        return keras_api.keras_path(path) is not None or qualified_name(path) is not None \
            or path.startswith("numpy.")  # arrays of known shape (numpy_arrays)

    def star_names(self, module: str) -> list[str] | None:
        sub = keras_api.keras_path(module)
        return None if sub is None else list(keras_api.star_names(sub))

    def class_base(self, base: ModuleRef) -> str | None:
        sub = keras_api.keras_path(base.path)
        kind = keras_api.kind_of(sub) if sub is not None else None
        if kind in ("model", "sequential"):
            return "model"
        if kind in ("layer_base", "layer"):
            return "layer"
        return None

    def is_instance(self, obj: Any, kind: Any) -> bool | None:
        if isinstance(kind, UserClass):
            return isinstance(obj, UserLayerObject) and obj.cls is not None and \
                kind in obj.cls.mro()
        sub = keras_api.keras_path(kind.path) if isinstance(kind, ModuleRef) else None
        if sub is None:
            return None
        leaf = keras_api.leaf(sub)
        if isinstance(obj, LayerObject):
            return layer_is_instance(obj.layer.class_name, leaf, keras_api.kind_of(sub),
                                     isinstance(obj, UserLayerObject))
        if isinstance(obj, (ModelObject, SequentialObject)):
            kind_name = keras_api.kind_of(sub)
            if kind_name in ("model", "sequential", "layer_base"):
                return kind_name != "sequential" or isinstance(obj, SequentialObject)
            return False if kind_name == "layer" else None
        return None

    def class_defined(self, cls: UserClass, stmt: ast.ClassDef) -> None:
        return None  # its instances are interpreted where the script makes them

    def instantiate(self, cls: UserClass, args: list[Any], kwargs: dict[str, Any],
                    node: ast.Call) -> Any:
        if cls.keras_base == "layer":
            return self.make_user_layer(cls, args, kwargs, node)
        return self.make_user_model(cls, args, kwargs, node)

    # ----------------------------------------------------------------- calls
    def call_module(self, ref: ModuleRef, args: list[Any], kwargs: dict[str, Any],
                    node: ast.Call) -> Any:
        if ref.path.startswith("numpy."):
            made = self.numpy_call(ref.path[len("numpy."):], args, kwargs, node)
            return self.host.runtime(node) if made is None else made
        qualified = qualified_name(ref.path)
        if qualified == "keras.ops.shape" and len(args) == 1 and isinstance(args[0], Tensor):
            return self.keras_ops_shape(args[0], node)
        if qualified in CONSTANT_MAKERS and args and isinstance(args[0], ArrayValue):
            return args[0]  # a constant tensor of the array's shape
        if qualified is not None and (has_formula(qualified)
                                      or keras_api.keras_path(ref.path) is None):
            made = self.tensor_operation(qualified, args, kwargs, node)
            if made is not None:
                return made
        sub = keras_api.keras_path(ref.path)
        if sub is None:
            return self.host.runtime(node)
        kind = keras_api.kind_of(sub)
        leaf = keras_api.leaf(sub)
        if kind == "layer" and leaf == "Lambda":
            return self.make_lambda(args, kwargs, node)
        if kind == "layer":
            return self.make_layer(leaf, args, kwargs, node)
        if kind == "input":
            return self.make_input(args, kwargs, node)
        if kind == "model":
            return self.make_model(args, kwargs, node)
        if kind == "sequential":
            return self.make_sequential(args, kwargs, node)
        if kind == "merge":
            return self.merge(keras_api.MERGE_FUNCTIONS[leaf], args, kwargs, node)
        if kind == "no_effect":
            if leaf == "clear_session":
                self.names.reset()
            if leaf in keras_api.POLICY_FUNCTIONS:
                self.set_global_dtype(args[0] if args else kwargs.get("policy"))
            if leaf == "set_floatx":
                self.set_floatx(args[0] if args else kwargs.get("value"))
            return None
        if kind == "application":
            return self.make_application(leaf, args, kwargs, node)
        return KerasObject(ref.path, tuple(args), tuple(sorted(kwargs.items(),
                                                               key=lambda kv: kv[0])))

    def call(self, callee: Any, args: list[Any], kwargs: dict[str, Any],
             node: ast.Call) -> Any:
        if isinstance(callee, LayerObject):
            return self.call_layer(callee, args, kwargs, node)
        if isinstance(callee, (ModelObject, SequentialObject)):
            if not _holds_tensor([args, kwargs]):
                # A prediction on data (`model(x_batch, training=False)`), not graph building.
                return self.host.runtime(node)
            return self.call_model(callee, args, kwargs, node)
        return self.host.runtime(node)

    def call_method(self, obj: Any, name: str, args: list[Any], kwargs: dict[str, Any],
                    node: ast.Call) -> Any:
        if isinstance(obj, SequentialObject):
            return self.sequential_method(obj, name, args, kwargs, node)
        if isinstance(obj, ArrayValue):
            made = self.array_method(obj, name, args, kwargs, node)
            return self.host.runtime(node) if made is None else made
        if isinstance(obj, UserLayerObject):
            if obj.model is not None and name == "compile":
                self.compile(obj.model, args, kwargs, node)
                return None
            return self.user_layer_method(obj, name, args, kwargs, node)
        if isinstance(obj, LayerObject) and name in VOCABULARY_METHODS:
            value = vocabulary_call(obj.layer, name, kwargs)
            if not isinstance(value, Unknown):
                return value
            text = self.host.text(node)  # a named size, after the call's text
            return RuntimeValue(f"`{text}`: {value.reason}", node.lineno, source=text)
        if isinstance(obj, ModelObject):
            if name == "compile":
                self.compile(obj.model, args, kwargs, node)
            if name == "fit":
                self.fit(obj.model, args, kwargs)
            if name == "__call__":
                return self.host.call(obj, args, kwargs, node)
            if name == "get_layer":
                return self.get_layer(obj, args, kwargs, node)
            if name == "quantize":
                self.quantize(obj, args, kwargs, node)
        return None

    def quantize(self, obj: ModelObject | SequentialObject, args: list[Any],
                 kwargs: dict[str, Any], node: ast.Call) -> None:
        """``model.quantize(mode)``: Keras 3 changes the weights of the layers it reaches,
        nested models' included; tf-keras has no such method."""
        if self.keras != "3":  # tf-keras raises AttributeError
            only = " (Keras 3 only)" if self.keras == "both" else ""
            self.events.append(Event(INVALID_OPTION, f"`{self.host.text(node)}`: tf-keras "
                                     f"(Keras 2) models have no quantize method{only}",
                                     span_of(node)))
            if self.keras == "2":
                return
        if isinstance(obj, SequentialObject) and not any(
                isinstance(item, LayerObject) and item.layer.class_name == "InputLayer"
                for item in obj.items):
            self.events.append(Event(INVALID_OPTION, f"`{self.host.text(node)}`: Keras "
                                     "cannot quantize a Sequential model that is not built "
                                     "(no Input, input_shape= or build())", span_of(node)))
            return
        options = dict(zip(("config", "filters"), args[1:]))
        options.update({k: v for k, v in kwargs.items() if k != "mode"})
        layers = self.keras_attribute(obj, "layers", node)
        refusal = quantize_layers(_flattened(layers), args[0] if args else kwargs.get("mode"),
                                  options, self.host.text(node), node.lineno)
        if refusal is not None:
            self.events.append(Event(INVALID_OPTION, refusal, span_of(node)))

    def get_layer(self, obj: ModelObject | SequentialObject, args: list[Any],
                  kwargs: dict[str, Any], node: ast.Call) -> Any:
        """``model.get_layer(name)`` or ``get_layer(index=i)``: one of its layers, as
        ``model.layers`` lists them."""
        name = args[0] if args else kwargs.get("name")
        index = args[1] if len(args) > 1 else kwargs.get("index")
        layers = self.keras_attribute(obj, "layers", node)
        if not isinstance(layers, list):
            return layers
        if isinstance(name, str):
            found = [item for item in layers if _item_name(item) == name]
            return found[0] if found else Unknown(
                f"`{self.host.text(node)}`: the model has no layer named '{name}' that "
                "archlint knows", node.lineno)
        if isinstance(index, int) and not isinstance(index, bool) and -len(layers) <= index \
                < len(layers):
            return layers[index]
        return self.host.runtime(node)

    def sequential_method(self, obj: SequentialObject, name: str, args: list[Any],
                          kwargs: dict[str, Any], node: ast.Call) -> Any:
        if name == "add":
            self.sequential_add(obj, args[0] if args else kwargs.get("layer"))
        elif name == "pop" and obj.items:
            popped = obj.items.pop()
            self._sequential_rebuilt(obj)
            return popped
        elif name == "build":
            self.sequential_build(obj, args[0] if args else kwargs.get("input_shape"), node)
        elif name == "compile":
            self.compile(obj.model, args, kwargs, node)
        elif name == "fit":
            self.fit(obj.model, args, kwargs)
        elif name == "__call__":
            return self.host.call(obj, args, kwargs, node)
        elif name == "get_layer":
            return self.get_layer(obj, args, kwargs, node)
        elif name == "quantize":
            self.quantize(obj, args, kwargs, node)
        return None

    def compile(self, model: Model, args: list[Any], kwargs: dict[str, Any],
                node: ast.Call) -> None:
        model.compile = _compile_args(args, kwargs, node)
        if self.names_version is not None:
            self.events += compile_events(model.compile.loss, model.compile.optimizer, node,
                                          self.names_version, model.name)

    def fit(self, model: Model, args: list[Any], kwargs: dict[str, Any]) -> None:
        """``fit(x, y, batch_size)``: the batch size the memory estimate uses."""
        batch = kwargs.get("batch_size", args[2] if len(args) > 2 else None)
        if batch is not None:
            model.fit_batch_size = batch

    # ----------------------------------------------------------------- attributes
    def attribute(self, obj: Any, attr: str, node: ast.expr) -> Any:
        if isinstance(obj, Tensor):
            if attr == "shape":
                return self.tensor_shape(obj, node)
            return Unknown(f"`{self.host.text(node)}` is a tensor attribute", line_of(node))
        if isinstance(obj, ArrayValue):
            found = self.array_attribute(obj, attr, node)
            if found is None and attr in ("astype", "reshape", "transpose", "copy", "sum",
                                          "mean", "max", "min", "clip", "round"):
                return BoundMethod(obj, attr)
            return found if found is not None else self.host.runtime(node)
        if isinstance(obj, KerasObject):
            return dict(obj.kwargs).get(attr, Unknown(f"`{self.host.text(node)}`",
                                                      line_of(node)))
        return self.keras_attribute(obj, attr, node)

    def keras_attribute(self, obj: Any, attr: str, node: ast.expr) -> Any:
        if isinstance(obj, UserLayerObject):
            return self.user_layer_attribute(obj, attr, node)
        if isinstance(obj, WeightValue):
            return obj.shape if attr == "shape" else Unknown(
                f"`{self.host.text(node)}` is only known to Keras", line_of(node))
        if isinstance(obj, LayerObject):
            return self.layer_attribute(obj, attr, node)
        if attr in _MODEL_METHODS:
            return BoundMethod(obj, attr)
        if attr == "name":
            return obj.model.name
        if isinstance(obj, ModelObject):
            return self.model_attribute(obj.model, attr, node)
        if attr == "layers":
            return [item for item in obj.items if not is_input_item(item) and isinstance(
                item, (LayerObject, ModelObject, SequentialObject))]
        if attr in ("input", "output") and self.keras != "2":
            # Keras 3 takes them from the Sequential's calls (Layer.input), not its graph.
            also = "; tf-keras gives the Sequential's own" if self.keras == "both" else ""
            return Unknown(f"`{self.host.text(node)}`: Keras 3 gives a Sequential's {attr} "
                           "only once it is called, and then the call's, not the model's "
                           f"own (use `.{attr}s`){also}", line_of(node))
        if attr in ("input", "inputs", "output", "outputs") and self.built_sequential(obj):
            return self.model_attribute(obj.model, attr, node)
        return Unknown(f"`{self.host.text(node)}` is only known to Keras", line_of(node))

    def layer_attribute(self, obj: LayerObject, attr: str, node: ast.expr) -> Any:
        if attr == "name":
            return obj.layer.name
        if attr in VOCABULARY_METHODS and is_vocabulary_layer(obj.layer):
            return BoundMethod(obj, attr)
        if attr in ("output", "input") and not obj.layer.calls:
            # A layer of a Sequential Keras has built is called by it already.
            for sequential in self.sequentials:
                if any(isinstance(item, LayerObject) and item.layer is obj.layer
                       for item in sequential.items):
                    self.built_sequential(sequential)
                    break
        if attr == "output" and obj.layer.calls:
            return Tensor(TensorRef(obj.layer.calls[0], 0))
        if attr == "input" and obj.layer.calls and obj.layer.calls[0].inbound:
            return Tensor(obj.layer.calls[0].inbound[0])
        return Unknown(f"`{self.host.text(node)}` is only known to Keras", line_of(node))

    def model_attribute(self, model: Model, attr: str, node: ast.expr) -> Any:
        if attr in ("output", "outputs"):
            tensors = [Tensor(r) for r in model.outputs]
            return tensors if attr == "outputs" or len(tensors) != 1 else tensors[0]
        if attr in ("input", "inputs"):
            tensors = [Tensor(r) for r in model.inputs]
            return tensors if attr == "inputs" or len(tensors) != 1 else tensors[0]
        if attr == "layers":
            # A model called as a layer is one item, as in Keras.
            layers: dict[int, Any] = {}
            for call in self.shapes.calls_of(model):
                if call.nested_in:
                    inner = call.nested_in[0]
                    if id(inner) not in layers:
                        layers[id(inner)] = self._model_object(inner)
                else:
                    layers.setdefault(id(call.layer), call.layer)
            return [LayerObject(item) if isinstance(item, Layer) else item
                    for item in layers.values()]
        return Unknown(f"`{self.host.text(node)}` is only known to Keras", line_of(node))

    def _model_object(self, model: Model) -> ModelObject | SequentialObject:
        found = next((s for s in self.sequentials if s.model is model), None)
        return found if found is not None else ModelObject(model)

    def set_attribute(self, owner: Any, attr: str, value: Any, target: ast.Attribute) -> None:
        if isinstance(owner, UserLayerObject):
            self.set_user_layer_attribute(owner, attr, value)
        elif attr == "trainable":
            self._set_trainable(owner, value, target)

    def _set_trainable(self, owner: Any, value: Any, target: ast.Attribute) -> None:
        """``layer.trainable = False`` or ``model.trainable = False``: Keras then counts
        their weights as non-trainable, whenever the assignment comes."""
        flag = self.host.truth(value)  # Keras takes bool(trainable)
        if isinstance(owner, LayerObject):
            owner.layer.trainable = flag
        elif isinstance(owner, (ModelObject, SequentialObject)):
            owner.model.trainable = flag
        else:
            self.unknown_trainable.append(Unknown(
                f"`{self.host.text(target)} = ...` sets `trainable` on a value not known "
                "statically", target.lineno))

    # ----------------------------------------------------------------- other operations
    def subscript(self, obj: Any, key: Any, node: ast.Subscript) -> Any:
        if isinstance(obj, Tensor):
            return self.tensor_subscript(obj, key, node)
        if isinstance(obj, ArrayValue):
            made = self.array_subscript(obj, key, node)
            return self.host.runtime(node) if made is None else made
        return self.host.runtime(node)

    def arithmetic(self, left: Any, right: Any, node: ast.AST) -> Any:
        if isinstance(left, Tensor) or isinstance(right, Tensor):
            return self.tensor_arithmetic(left, right, node)
        if isinstance(left, ArrayValue) or isinstance(right, ArrayValue):
            made = self.array_arithmetic(left, right, node)
            return made if made is not None else Unknown(
                f"`{self.host.text(node)}` on an array is not analysed", line_of(node))
        return None

    def iterate(self, obj: Any) -> list[Any] | Unknown | None:
        return self._unpack_tensor(obj) if isinstance(obj, Tensor) else None

    def _unpack_tensor(self, tensor: Tensor) -> list[Any] | Unknown:
        """``out, h, c = LSTM(..., return_state=True)(x)`` unpacks a multi-output call."""
        call = tensor.ref.call
        self.shapes.infer(call)
        if isinstance(call.output, list):
            return [Tensor(TensorRef(call, i)) for i in range(len(call.output))]
        # A call that fails (or whose inputs are unknown) still has as many outputs as its
        # options say: the graph goes on, and the failure is reported where it happens.
        instance = call.layer.instance
        count = None
        if instance is not None and instance.unresolved is None and \
                instance.config_error is None and not isinstance(call.output, tuple):
            count = instance.spec.output_count(call_config(instance, call.options))
        if count is not None and count > 1:
            return [Tensor(TensorRef(call, i)) for i in range(count)]
        return Unknown(f"`{call.layer.name}` output cannot be unpacked statically",
                       call.span.line)

    # ----------------------------------------------------------------- bookkeeping
    def used(self, value: Any) -> None:
        if isinstance(value, LayerObject):
            value.layer.referenced = True

    def passed_on(self, value: Any) -> None:
        _mark_referenced(value)

    def forget(self, value: Any, unknown: Unknown) -> bool:
        if isinstance(value, SequentialObject):
            value.items.append(unknown)
            return True
        return False

    def attributes_unknown(self, attributes: set[str], unknown: Unknown) -> None:
        if "trainable" in attributes:
            self.unknown_trainable.append(unknown)

    def progress(self) -> tuple[int, ...]:
        """What a loop pass may add to the graph: layers, calls, models, Sequential items."""
        return (len(self.layers), len(self.calls), len(self.models), len(self.sequentials),
                sum(len(s.items) for s in self.sequentials))

    @contextlib.contextmanager
    def new_session(self) -> Iterator[None]:
        """Layers made inside take their automatic names as in a fresh Keras session."""
        session, self.names = self.names, NameCounter(self.names.dialect)
        try:
            yield
        finally:
            self.names = session

    def finish(self) -> None:
        """What Keras settles once the script is done: each Sequential's chain of calls,
        and the models' trainable flag when some `.trainable = ...` was not followed."""
        for sequential in _containers_first(self.sequentials):
            self._finish_sequential(sequential)
        self.unbuilt_model_layers()
        self.freeze_inner_layers()
        self.lambda_events()
        if self.unknown_trainable:
            for model in self.models:
                if model.trainable is True:  # False still covers every layer
                    model.trainable = self.unknown_trainable[0]
        for model in self.models:
            if model.trainable is not True:
                # Keras sets it on every layer of the model: frozen in any model that
                # calls them too (a frozen backbone inside a classifier).
                for call in self.shapes.calls_of(model):
                    if call.layer.trainable is True:
                        call.layer.trainable = model.trainable


# Keras layer classes that derive from another concrete one, in both Keras versions.
_SUBCLASSES = {
    "Dropout": frozenset({"SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D"}),
    "RNN": frozenset({"LSTM", "GRU", "SimpleRNN", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"}),
    "Wrapper": frozenset({"Bidirectional", "TimeDistributed"}),
}


def layer_is_instance(class_name: str, leaf: str, kind: str | None, user: bool) -> bool | None:
    """Whether a layer of ``class_name`` is an instance of the Keras class ``leaf``; None
    when that depends on a class hierarchy archlint does not know."""
    if kind == "layer_base":
        return True if leaf == "Layer" else None
    if kind != "layer":
        return False if kind in ("model", "sequential", "input") else None
    if user:
        return None  # a script's layer may derive from it
    spec = lookup(leaf)
    canonical = spec.class_name if spec is not None else leaf
    if class_name == canonical or class_name in _SUBCLASSES.get(canonical, ()):
        return True
    return False if spec is not None and lookup(class_name) is not None else None


def _containers_first(sequentials: list[SequentialObject]) -> list[SequentialObject]:
    """Sequentials that hold others come first: their calls build the ones they hold, as
    Keras builds a Sequential with no input shape on its first call."""
    holder: dict[int, SequentialObject] = {}
    for outer in sequentials:
        for item in outer.items:
            if isinstance(item, SequentialObject):
                holder.setdefault(id(item), outer)

    def depth(obj: SequentialObject) -> int:
        level, seen = 0, {id(obj)}
        while id(obj) in holder and id(holder[id(obj)]) not in seen:
            obj = holder[id(obj)]
            seen.add(id(obj))
            level += 1
        return level

    return sorted(sequentials, key=depth)


def _compile_args(args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> CompileArgs:
    loss = kwargs.get("loss", args[1] if len(args) > 1 else None)
    loss_node = next((k.value for k in node.keywords if k.arg == "loss"), None)
    if loss_node is None and len(node.args) > 1:
        loss_node = node.args[1]
    return CompileArgs(span=span_of(node), loss=loss,
                       loss_source=short_source(loss_node) if loss_node is not None else None,
                       optimizer=kwargs.get("optimizer", args[0] if args else None),
                       metrics=kwargs.get("metrics", args[2] if len(args) > 2 else None))


def _mark_referenced(value: Any) -> None:
    """Mark the layers in a (nested) value as used outside the graph."""
    stack, seen = [value], 0
    while stack and seen < 10_000:
        item, seen = stack.pop(), seen + 1
        if isinstance(item, LayerObject):
            item.layer.referenced = True
        elif isinstance(item, Tensor):
            item.ref.call.passed_on = True
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)


def _holds_tensor(value: Any) -> bool:
    """Whether a (nested) argument holds a Keras tensor of the graph being built."""
    stack, seen = [value], 0
    while stack and seen < 10_000:
        item, seen = stack.pop(), seen + 1
        if isinstance(item, Tensor):
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return False


def _flattened(items: Any) -> list[Layer]:
    """The layers of ``model.layers``, those of nested Sequential models included (Keras
    quantizes every layer it finds inside)."""
    found: list[Layer] = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, LayerObject):
            found.append(item.layer)
        elif isinstance(item, SequentialObject):
            found.extend(_flattened([i for i in item.items if isinstance(i, LayerObject)]
                                    + [i for i in item.items
                                       if isinstance(i, SequentialObject)]))
    return found
def _item_name(item: Any) -> str:
    return item.layer.name if isinstance(item, LayerObject) else item.model.name
