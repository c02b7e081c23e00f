"""The Keras half of the front end, sixth layer: layers the script defines.

A ``keras.layers.Layer`` subclass is interpreted as Keras runs it, symbolically: its
``__init__`` when it is made, its ``build(input_shape)`` on the first call (each
``self.add_weight(shape=...)`` is a weight, trainable or not), and its ``call()`` on every
call, whose sub-layer calls and tensor operations become nodes of the model's graph. The
layer itself is one more node after them: it passes on what ``call()`` returns and holds
the weights it made itself, so that the summary and the totals count them.
"""

from __future__ import annotations

import ast
from typing import Any

from archlint.diagnostics import Event
from archlint.dims import Expr, format_shape, named_size
from archlint.frontend.applications_calls import ApplicationModels
from archlint.frontend.keras_layers import UNSUPPORTED, flatten_tensors
from archlint.frontend.keras_values import LayerObject, ModelObject, Tensor, WeightValue
from archlint.frontend.scope import span_of
from archlint.frontend.values import BoundFunction, BoundMethod, Function, RuntimeValue, UserClass
from archlint.graph import Call, Layer, Model, TensorRef
from archlint.layer_types import LayerInstance, Shape
from archlint.layers.base import InputSpec, LayerSpec, Params, Unresolved
from archlint.records import field, record
from archlint.unknown import Unknown

# Options of Keras's base Layer.__init__ that archlint reads; the others change no shape.
_BASE_OPTIONS = ("name", "trainable", "dtype")
_INPUT_HINTS = ("input_shape", "batch_input_shape", "input_dim", "batch_size")
# Methods of Keras's Model that a subclass inherits (training, saving...).
_MODEL_METHODS = frozenset({
    "compile", "build", "summary", "fit", "predict", "evaluate", "save", "save_weights",
    "load_weights", "count_params", "get_weights", "set_weights", "train_on_batch",
    "test_on_batch", "predict_on_batch", "export", "to_json", "get_layer"})
# Methods of Keras's base Layer that add no weight and change no shape.
_INERT_METHODS = frozenset({"add_loss", "add_metric", "add_update", "get_config",
                            "reset_states", "compute_mask"})
# The dtype of a layer's computations under a mixed policy (its weights stay float32).
_COMPUTE_DTYPES = {"mixed_float16": "float16", "mixed_bfloat16": "bfloat16"}


@record(eq=False)
class UserLayerObject(LayerObject):
    """An instance of a layer class of the script: a layer, and a Python object."""

    cls: UserClass | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    weights: list[WeightValue] = field(default_factory=list)
    built: bool = False
    # Set when its weights cannot be counted (a shape archlint cannot follow).
    weights_unknown: Unknown | None = None
    # Where the script makes it: a Sequential calls it there.
    made_at: ast.Call | None = None
    # A Model subclass: its own graph (built or not), or the functional model it is.
    model: Model | None = None
    functional: ModelObject | None = None
    # The dtype given to Keras's Layer.__init__ (its default policy's otherwise).
    dtype: Any = "float32"
    # An instance of the Keras layer class it derives from, when archlint has its formulas
    # (keras_subclasses).
    base_layer: LayerObject | None = None


class UserLayerSpec(LayerSpec):
    """The node of a user-defined layer: what its ``call()`` returned, passed on, and the
    weights its ``build()`` made with ``add_weight``."""

    class_name = "UserLayer"
    input_spec = InputSpec(min_inputs=1, max_inputs=None)

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Any:
        if config.get("unknown") is not None:
            raise Unresolved(config["unknown"])
        if config.get("declared") is not None:
            return config["declared"]
        return list(inputs) if config.get("several") else inputs[0]

    def param_count(self, config: dict[str, Any], inputs: list[Shape]) -> Params:
        if config.get("weights_unknown") is not None:
            raise Unresolved(config["weights_unknown"])
        return weights_params(config.get("weights", ()))


def weights_params(weights: Any) -> Params:
    """The parameters of the weights a build() made: each weight's shape multiplied out,
    trainable or not."""
    trainable: Any = 0
    frozen: Any = 0
    for weight in weights:
        size: Any = 1
        for dim in weight.shape:
            size = size * dim
        if weight.trainable:
            trainable = trainable + size
        else:
            frozen = frozen + size
    return Params(trainable, frozen)


USER_LAYER = UserLayerSpec()


class UserLayers(ApplicationModels):
    """Instances of the script's Layer subclasses: made, built and called."""

    def make_user_layer(self, cls: UserClass, args: list[Any], kwargs: dict[str, Any],
                        node: ast.Call) -> UserLayerObject:
        layer = Layer(name="", class_name=cls.name, span=span_of(node))
        obj = UserLayerObject(layer, cls=cls, made_at=node)
        self.user_objects.append(obj)
        init = cls.member("__init__")[1]
        if isinstance(init, Function):
            self.host.call(BoundFunction(init, obj), args, kwargs, node)
        else:
            self.base_init(obj, args, kwargs, node)
        if not layer.name:  # its __init__ never reached Keras's
            layer.name = self.names.auto(cls.name)
        self.layers.append(layer)
        return obj

    def base_init(self, obj: UserLayerObject, args: list[Any], kwargs: dict[str, Any],
                  node: ast.Call) -> None:
        """Keras's ``Layer.__init__``: its name, trainable flag, and the shape hints a
        Sequential's first layer may carry; ``Model.__init__`` with inputs and outputs
        makes a functional model."""
        if obj.cls is not None and obj.cls.keras_base == "model" and \
                self.functional_init(obj, args, kwargs, node):
            return
        if _library_leaf(obj.cls) == "Wrapper":
            # Keras's Wrapper.__init__(layer, **kwargs) holds the layer as self.layer.
            args = list(args)
            wrapped = args.pop(0) if args else kwargs.get("layer")
            kwargs = {k: v for k, v in kwargs.items() if k != "layer"}
            self.set_user_layer_attribute(obj, "layer", wrapped)
        layer = obj.layer
        given = kwargs.get("name")
        layer.name = given if isinstance(given, str) else self.names.auto(obj.layer.class_name)
        layer.trainable = self.host.truth(kwargs.get("trainable", True))
        if kwargs.get("dtype") is not None:
            obj.dtype = kwargs["dtype"]
        if layer.trainable is not True:
            self.mark_frozen(obj)
        layer.input_hint = {k: kwargs[k] for k in _INPUT_HINTS if k in kwargs}

    def call_base_method(self, obj: Any, name: str, args: list[Any], kwargs: dict[str, Any],
                         node: ast.Call) -> Any:
        if not isinstance(obj, UserLayerObject):
            return self.host.runtime(node)
        if name == "__init__":
            self.base_init(obj, args, kwargs, node)
            return None
        if name == "build":
            obj.built = True
            if obj.model is not None:
                self.build_user_model(obj, args[0] if args else kwargs.get("input_shape"),
                                      node)
            return None
        return self.host.runtime(node)

    def functional_init(self, obj: UserLayerObject, args: list[Any],
                        kwargs: dict[str, Any], node: ast.Call) -> bool:
        return False  # user_models.UserModels

    def passed_on(self, value: Any) -> None:
        return None  # keras_objects.KerasObjectModel

    def build_user_model(self, obj: UserLayerObject, shape: Any, node: ast.Call) -> None:
        return None  # user_models.UserModels

    # ----------------------------------------------------------------- the Python object
    def user_layer_attribute(self, obj: UserLayerObject, attr: str, node: ast.expr) -> Any:
        if attr in obj.attributes:
            return obj.attributes[attr]
        found, value = obj.cls.member(attr) if obj.cls is not None else (False, None)
        if isinstance(value, Function):
            if _is_property(value):
                return self.host.call(BoundFunction(value, obj), [], {}, node)  # type: ignore[arg-type]
            return BoundMethod(obj, attr)
        if found:
            return value
        if attr == "name":
            return obj.layer.name
        if attr == "trainable":
            return obj.layer.trainable
        if attr == "dtype":
            return obj.dtype
        if attr == "compute_dtype" and isinstance(obj.dtype, str):
            return _COMPUTE_DTYPES.get(obj.dtype, obj.dtype)
        if attr in ("add_weight", "add_variable", *_INERT_METHODS) or (
                obj.model is not None and attr in _MODEL_METHODS):
            return BoundMethod(obj, attr)
        return self.host.runtime(node)

    def set_user_layer_attribute(self, obj: UserLayerObject, attr: str, value: Any) -> None:
        obj.attributes[attr] = value
        self.passed_on(value)  # a layer it holds is its own, used or not
        if attr == "trainable":
            obj.layer.trainable = self.host.truth(value)
            if obj.layer.trainable is not True:
                self.mark_frozen(obj)
            if obj.model is not None:
                obj.model.trainable = obj.layer.trainable
        elif attr == "name" and isinstance(value, str):
            obj.layer.name = value

    def user_layer_method(self, obj: UserLayerObject, name: str, args: list[Any],
                          kwargs: dict[str, Any], node: ast.Call) -> Any:
        function = obj.cls.member(name)[1] if obj.cls is not None else None
        if isinstance(function, Function):
            return self.host.call(BoundFunction(function, obj), args, kwargs, node)
        if name in ("add_weight", "add_variable"):
            return self.add_weight(obj, args, kwargs, node)
        if obj.model is not None and name == "build":
            self.build_user_model(obj, args[0] if args else kwargs.get("input_shape"), node)
            return None

        if name == "__call__":
            return self.host.call(obj, args, kwargs, node)
        if name in _INERT_METHODS:
            return None
        return self.host.runtime(node)

    def add_weight(self, obj: UserLayerObject, args: list[Any], kwargs: dict[str, Any],
                   node: ast.Call) -> Any:
        """``self.add_weight(shape=..., trainable=...)``: Keras 3 takes the shape first,
        tf-keras the name; a string is a name in both."""
        positional = list(args)
        name = kwargs.get("name")
        if positional and isinstance(positional[0], str):
            name = positional.pop(0)
        shape = kwargs.get("shape", positional[0] if positional else ())
        trainable = self.host.truth(kwargs.get("trainable", True))
        dims = _weight_dims(shape, node)
        if isinstance(dims, Unknown) or isinstance(trainable, Unknown):
            obj.weights_unknown = obj.weights_unknown or (
                dims if isinstance(dims, Unknown) else trainable)
            return Unknown(f"the weight `{self.host.text(node)}` has a shape or trainable "
                           "flag archlint cannot follow", node.lineno)
        weight = WeightValue(dims, bool(trainable),
                             name if isinstance(name, str) else f"weight_{len(obj.weights)}")
        obj.weights.append(weight)
        return weight

    def mark_frozen(self, obj: UserLayerObject) -> None:
        """Keras 3's ``trainable`` setter sets the flag of the layers the object holds at
        that moment, and theirs in turn; layers it makes later keep their own."""
        stack: list[Any] = [obj.attributes]
        seen = 0
        while stack and seen < 10_000:
            item, seen = stack.pop(), seen + 1
            if isinstance(item, LayerObject):
                self.frozen_when_set.add(id(item.layer))
                if isinstance(item, UserLayerObject):
                    stack.append(item.attributes)
            elif isinstance(item, dict):
                stack.extend(item.values())
            elif isinstance(item, (list, tuple)):
                stack.extend(item)

    # ----------------------------------------------------------------- calls
    def call_layer(self, obj: LayerObject, args: list[Any], kwargs: dict[str, Any],
                   node: ast.Call) -> Any:
        if isinstance(obj, UserLayerObject):
            return self.call_user_layer(obj, args, kwargs, node)
        return super().call_layer(obj, args, kwargs, node)

    def chain_call(self, item: LayerObject, current: TensorRef) -> TensorRef | Unknown:
        if not isinstance(item, UserLayerObject) or item.made_at is None:
            return super().chain_call(item, current)
        result = self.call_user_layer(item, [Tensor(current)], {}, item.made_at)
        if isinstance(result, Tensor):
            return result.ref
        return result if isinstance(result, Unknown) else Unknown(
            f"`{item.layer.name}` returns several tensors inside a Sequential",
            item.layer.span.line)

    def call_user_layer(self, obj: UserLayerObject, args: list[Any], kwargs: dict[str, Any],
                        node: ast.Call) -> Any:
        inputs = args[0] if args else kwargs.get("inputs")
        tensors = flatten_tensors(inputs)
        if isinstance(tensors, Unknown):
            return tensors
        if not tensors:
            return Unknown(f"`{obj.layer.name}` is called on something that is not a Keras "
                           "tensor", node.lineno)
        start = len(self.calls)
        if not obj.built:
            obj.built = True  # before build(): a build() that calls the layer must not loop
            build = obj.cls.member("build")[1] if obj.cls is not None else None
            if isinstance(build, Function):
                self.host.call(BoundFunction(build, obj), [self._input_shape(inputs)], {},
                               node)
        result = self.run_call(obj, args, kwargs, node)
        declared = self._compute_output_shape(obj, inputs, node) if isinstance(result, Unknown) \
            and self.keras == "3" else None
        made = self._layer_node(obj, tensors, result, start, node, declared)
        if isinstance(made, Tensor) and self.keras != "2" and declared is None:
            self._check_declared_shape(obj, inputs, made, node)
        return made

    def run_call(self, obj: UserLayerObject, args: list[Any], kwargs: dict[str, Any],
                 node: ast.Call) -> Any:
        """What the object's call() returns on these arguments, or an Unknown."""
        call_function = obj.cls.member("call")[1] if obj.cls is not None else None
        if not isinstance(call_function, Function):
            return Unknown(f"`{obj.layer.class_name}` defines no call() archlint can read",
                           node.lineno)
        self.inside_layer_call += 1
        try:
            return self.host.call(BoundFunction(call_function, obj), args, kwargs, node)
        finally:
            self.inside_layer_call -= 1

    def _check_declared_shape(self, obj: UserLayerObject, inputs: Any, made: Tensor,
                              node: ast.Call) -> None:
        """Keras 3 declares the shape the layer's own ``compute_output_shape`` gives, and
        builds the next layers on it; tf-keras uses what call() makes. Where the two
        differ, the layers after it are built for a tensor that never comes."""
        compute = obj.cls.member("compute_output_shape")[1] if obj.cls is not None else None
        if not isinstance(compute, Function):
            return
        declared = self.host.call(BoundFunction(compute, obj), [self._input_shape(inputs)],
                                  {}, node)
        real = made.ref.call.output_at(0)
        if not isinstance(declared, (tuple, list)) or not isinstance(real, tuple):
            return
        if len(declared) == len(real) and all(
                not (isinstance(d, int) and isinstance(r, int)) or d == r
                for d, r in zip(declared, real)):
            return
        shown = "(" + ", ".join("None" if d is None else str(d) for d in declared) + ")"
        unknown = Unknown(
            f"`{obj.layer.class_name}`'s compute_output_shape gives {shown}, its call() "
            f"makes {format_shape(real)}: Keras 3 declares the first and builds the layers "
            "after it for it, and the model fails on data (tf-keras uses call()'s)",
            node.lineno)
        instance = made.ref.call.layer.instance
        if instance is not None:
            instance.config["unknown"] = unknown
            made.ref.call.output = None
            self.shapes.infer(made.ref.call)
        self.events.append(Event(UNSUPPORTED, unknown.reason, span_of(node),
                                 layer=obj.layer.name))

    def _compute_output_shape(self, obj: UserLayerObject, inputs: Any,
                              node: ast.Call) -> tuple[Any, ...] | None:
        """What the class's own ``compute_output_shape`` gives, when archlint reads it:
        Keras 3 declares that, without running call(), and builds the layers after on it."""
        compute = obj.cls.member("compute_output_shape")[1] if obj.cls is not None else None
        if not isinstance(compute, Function):
            return None
        declared = self.host.call(BoundFunction(compute, obj), [self._input_shape(inputs)],
                                  {}, node)
        if isinstance(declared, (tuple, list)) and all(
                d is None or (isinstance(d, int) and not isinstance(d, bool) and d >= 0)
                for d in declared):
            return tuple(declared)
        return None

    def _input_shape(self, inputs: Any) -> Any:
        """What Keras passes to ``build()``: each input's shape as a tuple, with None for
        the axes the data decides (a named size stays a symbol: Keras knows it then)."""
        if isinstance(inputs, (list, tuple)):
            return [self._input_shape(item) for item in inputs]
        if not isinstance(inputs, Tensor):
            return inputs
        self.shapes.infer(inputs.ref.call)
        shape = inputs.ref.call.output_at(inputs.ref.index)
        if not isinstance(shape, tuple):
            return Unknown(f"the input shape of a call of `{inputs.ref.call.layer.name}`'s "
                           "output is not known", inputs.ref.call.span.line)
        return tuple(d if isinstance(d, int) or d is None or (
            isinstance(d, Expr) and d.fixed()) else None for d in shape)

    def _layer_node(self, obj: UserLayerObject, inputs: list[Tensor], result: Any,
                    start: int, node: ast.Call, declared: tuple[Any, ...] | None = None
                    ) -> Any:
        """The layer's own node after what its ``call()`` made; ``declared``: the shape
        Keras 3 declares for a call() archlint does not follow."""
        outputs = flatten_tensors(result) if isinstance(result, (Tensor, list, tuple)) \
            else None
        config: dict[str, Any] = {"weights": tuple(obj.weights),
                                  "weights_unknown": obj.weights_unknown}
        if isinstance(outputs, list) and outputs:
            inbound = [t.ref for t in outputs]
            config["several"] = not isinstance(result, Tensor)
        elif declared is not None:
            inbound = [t.ref for t in inputs]
            config["declared"] = declared
            self.events.append(Event(
                UNSUPPORTED, f"the call() of `{obj.layer.class_name}` is not followed "
                f"({result.describe()}): the output of `{obj.layer.name}` is the shape its "
                "compute_output_shape declares, which Keras 3 declares and builds the layers "
                "after on; what call() returns on data is not checked", span_of(node),
                layer=obj.layer.name))
        else:
            inbound = [t.ref for t in inputs]
            config["unknown"] = result if isinstance(result, Unknown) else Unknown(
                f"the call() of `{obj.layer.class_name}` returns something that is not a "
                "Keras tensor", node.lineno)
        span = span_of(node)
        if config.get("unknown") is not None:
            self.events.append(Event(
                UNSUPPORTED, f"the layer class `{obj.layer.class_name}` is not followed: "
                f"{config['unknown'].describe()}; the output of `{obj.layer.name}` and "
                "everything computed from it is unknown", span, layer=obj.layer.name))
        obj.layer.instance = LayerInstance(
            spec=USER_LAYER, config=config, name=obj.layer.name, line=span.line,
            column=span.column, end_line=span.end_line, target=self.keras)
        call = Call(layer=obj.layer, inbound=inbound, span=span, order=len(self.calls))
        for inner in self.calls[start:]:
            if inner.within is None:
                inner.within = call
        obj.layer.calls.append(call)
        self.calls.append(call)
        self.shapes.infer(call)
        if config.get("several"):
            return [Tensor(TensorRef(call, i)) for i in range(len(inbound))]
        return Tensor(TensorRef(call, 0))


def _weight_dims(shape: Any, node: ast.Call) -> tuple[Any, ...] | Unknown:
    """A weight's shape as dimensions: numbers, and named sizes for the values the script
    computes at run time (``len(vocab)``); None or an unknown leaves it unknown."""
    items = shape if isinstance(shape, (tuple, list)) else (shape,)
    dims: list[Any] = []
    for dim in items:
        if isinstance(dim, bool):
            return Unknown(f"a weight shape holds {dim!r}", node.lineno)
        if isinstance(dim, int) or (isinstance(dim, Expr) and dim.fixed()):
            dims.append(dim)
        elif isinstance(dim, RuntimeValue) and dim.source:
            dims.append(named_size(" ".join(dim.source.split())))
        elif isinstance(dim, Unknown):
            return dim
        else:
            return Unknown("a weight's shape has an axis the data decides (None to Keras, "
                           "which cannot make such a weight)", node.lineno)
    return tuple(dims)


def _library_leaf(cls: UserClass | None) -> str | None:
    """The name of the Keras class a script class derives from (``Wrapper``)."""
    path = cls.library_class if cls is not None else None
    return path.rsplit(".", 1)[-1] if path else None


def _is_property(function: Function) -> bool:
    node = function.node
    return isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
        isinstance(d, ast.Name) and d.id == "property" for d in node.decorator_list)
