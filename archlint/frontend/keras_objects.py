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

from archlint.diagnostics import Event
from archlint.frontend import keras_api
from archlint.frontend.applications_calls import ApplicationModels
from archlint.frontend.folding import short_source
from archlint.frontend.keras_layers import UNSUPPORTED, flatten_tensors
from archlint.frontend.keras_values import LayerObject, ModelObject, SequentialObject, Tensor
from archlint.frontend.named_options import compile_events
from archlint.frontend.naming import NameCounter
from archlint.frontend.scope import line_of, span_of
from archlint.frontend.tensor_ops import has_formula, qualified_name
from archlint.frontend.values import BoundMethod, KerasObject, ModuleRef, UserClass
from archlint.graph import CompileArgs, Layer, Model, TensorRef
from archlint.layer_call import call_config
from archlint.unknown import Unknown

# Methods of a Keras model that the interpreter accepts and ignores (training, saving...).
_MODEL_METHODS = frozenset({
    "compile", "add", "pop", "build", "summary", "fit", "predict", "evaluate", "save",
    "save_weights", "load_weights", "get_layer", "count_params", "to_json", "get_config",
    "train_on_batch", "test_on_batch", "predict_on_batch", "fit_generator", "export",
    "get_weights", "set_weights", "reset_states", "__call__",
})


class KerasObjectModel(ApplicationModels):
    """Keras's layers, tensors and models, as one script builds them."""

    value_types: tuple[type, ...] = (Tensor, LayerObject, ModelObject, SequentialObject,
                                     KerasObject)
    config_types: tuple[type, ...] = (KerasObject,)
    # `model.build(shape)` gives a Sequential its input layer.
    changing_methods = frozenset({"build"})

    # ----------------------------------------------------------------- names and classes
    def knows(self, path: str) -> bool:
        # TensorFlow's operations too: on a Keras tensor, they are graph nodes.
        return keras_api.keras_path(path) is not None or qualified_name(path) is not None

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

    def class_defined(self, cls: UserClass, stmt: ast.ClassDef) -> None:
        if cls.keras_base != "model":
            return  # a custom layer: its instances are layers of unknown output
        what = "defines its graph in call(), which only runs in Keras" if cls.has_call else \
            "has no call() of its own (its behaviour lives in methods such as train_step)"
        self.events.append(Event(
            UNSUPPORTED,
            f"subclassed model `{stmt.name}` {what}; it is not analysed statically. "
            "Build it with the functional API to have its shapes checked",
            span_of(stmt)))

    def instantiate(self, cls: UserClass, args: list[Any], kwargs: dict[str, Any],
                    node: ast.Call) -> Any:
        if cls.keras_base == "layer":
            return self.make_layer(cls.name, args, kwargs, node, custom=True)
        return Unknown(f"an instance of the subclassed model `{cls.name}` is not "
                       "analysed", node.lineno)

    # ----------------------------------------------------------------- calls
    def call_module(self, ref: ModuleRef, args: list[Any], kwargs: dict[str, Any],
                    node: ast.Call) -> Any:
        qualified = qualified_name(ref.path)
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
        if isinstance(obj, ModelObject):
            if name == "compile":
                self.compile(obj.model, args, kwargs, node)
            if name == "__call__":
                return self.host.call(obj, args, kwargs, node)
            if name == "get_layer":
                return self.get_layer(obj, args, kwargs, node)
        return None

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
            found = [item for item in layers if item.layer.name == name]
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
        elif name == "__call__":
            return self.host.call(obj, args, kwargs, node)
        elif name == "get_layer":
            return self.get_layer(obj, args, kwargs, node)
        return None

    def compile(self, model: Model, args: list[Any], kwargs: dict[str, Any],
                node: ast.Call) -> None:
        model.compile = _compile_args(args, kwargs, node)
        if self.names_version is not None:
            self.events += compile_events(model.compile.loss, model.compile.optimizer, node,
                                          self.names_version, model.name)

    def make_model(self, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
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

    # ----------------------------------------------------------------- attributes
    def attribute(self, obj: Any, attr: str, node: ast.expr) -> Any:
        if isinstance(obj, Tensor):
            if attr == "shape":
                return self.tensor_shape(obj, node)
            return Unknown(f"`{self.host.text(node)}` is a tensor attribute", line_of(node))
        if isinstance(obj, KerasObject):
            return dict(obj.kwargs).get(attr, Unknown(f"`{self.host.text(node)}`",
                                                      line_of(node)))
        return self.keras_attribute(obj, attr, node)

    def keras_attribute(self, obj: Any, attr: str, node: ast.expr) -> Any:
        if isinstance(obj, LayerObject):
            return self.layer_attribute(obj, attr, node)
        if attr in _MODEL_METHODS:
            return BoundMethod(obj, attr)
        if attr == "name":
            return obj.model.name
        if isinstance(obj, ModelObject):
            return self.model_attribute(obj.model, attr, node)
        if attr == "layers":
            return [item for item in obj.items if isinstance(item, LayerObject)
                    and item.layer.class_name != "InputLayer"]
        return Unknown(f"`{self.host.text(node)}` is only known to Keras", line_of(node))

    def layer_attribute(self, obj: LayerObject, attr: str, node: ast.expr) -> Any:
        if attr == "name":
            return obj.layer.name
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
            layers: list[Layer] = []
            for call in self.shapes.calls_of(model):
                if call.layer not in layers:
                    layers.append(call.layer)
            return [LayerObject(layer) for layer in layers]
        return Unknown(f"`{self.host.text(node)}` is only known to Keras", line_of(node))

    def tensor_shape(self, tensor: Tensor, node: ast.expr) -> Any:
        self.shapes.infer(tensor.ref.call)
        shape = tensor.ref.call.output_at(tensor.ref.index)
        if shape is None or isinstance(shape, Unknown):
            return Unknown(f"`{self.host.text(node)}` could not be computed", line_of(node))
        return tuple(d if isinstance(d, int) or d is None else Unknown(
            f"`{self.host.text(node)}` has a size that depends on the input length",
            line_of(node))
            for d in shape)

    def set_attribute(self, owner: Any, attr: str, value: Any, target: ast.Attribute) -> None:
        if attr == "trainable":
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
        return self.host.runtime(node)

    def arithmetic(self, left: Any, right: Any, node: ast.AST) -> Any:
        if isinstance(left, Tensor) or isinstance(right, Tensor):
            return self.tensor_arithmetic(left, right, node)
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
        for sequential in self.sequentials:
            self._finish_sequential(sequential)
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
