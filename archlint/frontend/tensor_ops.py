"""The Keras half of the front end, fourth layer: operations on tensors.

``x + y``, ``x @ w``, ``x[:, -1]`` and the functions of ``keras.ops`` and ``tf`` on symbolic
tensors are nodes of the model's graph, as Keras makes them: each becomes a call of a
weightless ``TensorOp`` whose shape comes from the formulas of ``archlint.ops``. An operation
archlint has no formula for stays an unknown, with its name.
"""

from __future__ import annotations

import ast
from typing import Any, ClassVar

from archlint.codes import INVALID_OPTION, TF_FUNCTION_ON_KERAS_TENSOR
from archlint.frontend.keras_values import ArrayValue, Tensor, WeightValue
from archlint.frontend.nested_models import NestedModels
from archlint.frontend.scope import line_of, span_of
from archlint.graph import Call, Layer, TensorRef
from archlint.layer_types import LayerInstance, Shape
from archlint.layers.base import (
    KERAS3_ONLY,
    NO_PARAMS,
    InputSpec,
    LayerSpec,
    Params,
    ShapeError,
    Unresolved,
)
from archlint.ops import AST_OPERATORS, lookup
from archlint.ops.common import is_int
from archlint.ops.values import NO_VALUE, as_argument, output_value
from archlint.unknown import Unknown, first_unknown

# The module path an operation is written with, as the formulas' table names it.
_NAMESPACES = (
    ("tensorflow.keras.activations.", "keras.activations."),
    ("tensorflow.keras.applications.", "keras.applications."),
    ("keras.applications.", "keras.applications."),
    ("tf_keras.applications.", "keras.applications."),
    ("tensorflow.keras.ops.", "keras.ops."), ("tensorflow.math.", "tf.math."),
    ("tensorflow.nn.", "tf.nn."), ("tensorflow.linalg.", "tf.linalg."),
    ("tensorflow.", "tf."), ("tf_keras.backend.", None), ("keras.src.ops.", "keras.ops."),
    ("keras.ops.", "keras.ops."), ("keras.activations.", "keras.activations."),
    ("tensorflow.keras.random.", "keras.random."), ("keras.src.random.", "keras.random."),
    ("keras.random.", "keras.random."),
    ("tf_keras.activations.", "keras.activations."),
)


class _Slot:
    """Where the ``index``-th input tensor goes among an operation's arguments."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index

    def __repr__(self) -> str:
        return f"<tensor {self.index}>"


class _Constant:
    """A weight of a user-defined layer among an operation's arguments: its shape."""

    __slots__ = ("shape",)

    def __init__(self, shape: tuple[Any, ...]) -> None:
        self.shape = shape

    def __repr__(self) -> str:
        return f"<weight {self.shape}>"


class _Number:
    """A Python number given where the operation takes a tensor: a scalar, shape ()."""

    __slots__ = ("value",)

    def __init__(self, value: float) -> None:
        self.value = value

    def __repr__(self) -> str:
        return repr(self.value)


class TensorOpSpec(LayerSpec):
    """A tensor operation as a graph node: no weights, its shape from ``archlint.ops``."""

    class_name = "TensorOp"
    input_spec = InputSpec(min_inputs=1, max_inputs=None)
    # What TensorFlow computes of each input while building (tf.shape(x)), per input.
    call_options: ClassVar[dict[str, Any]] = {"values": ()}

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Any:
        spelling = lookup(config["op"])
        assert spelling is not None
        values = list(config.get("values") or ())

        def filled(value: Any, runtime: bool = False) -> Any:
            if isinstance(value, _Slot):
                if not runtime:
                    return inputs[value.index]
                # A tensor where the operation takes a number: what TensorFlow folds.
                known = values[value.index] if value.index < len(values) else NO_VALUE
                argument = as_argument(known, inputs[value.index] == ())
                if argument is NO_VALUE:
                    raise Unresolved(Unknown(f"`{config['op']}`: an argument is computed "
                                             "from a tensor when the model runs"))
                return argument
            if isinstance(value, _Constant):
                return value.shape
            if isinstance(value, _Number):
                return ()
            if isinstance(value, list):
                return [filled(v, runtime) for v in value]
            if isinstance(value, tuple):
                return tuple(filled(v, runtime) for v in value)
            if isinstance(value, slice):
                return slice(*(filled(v, runtime) for v in (value.start, value.stop,
                                                            value.step)))
            return value

        names = spelling.positional
        args = [filled(a, i < len(names) and names[i] in spelling.runtime)
                for i, a in enumerate(config["args"])]
        kwargs = {k: filled(v, k in spelling.runtime) for k, v in config["kwargs"].items()}
        return spelling.call(*args, **kwargs)

    def output_value(self, config: dict[str, Any], inputs: list[Shape]) -> Any:
        values = list(config.get("values") or ())

        def value_of(argument: Any) -> Any:
            if isinstance(argument, _Slot):
                return values[argument.index] if argument.index < len(values) else NO_VALUE
            if isinstance(argument, _Number):
                return argument.value
            return argument if is_int(argument) else NO_VALUE

        def shape_of(argument: Any) -> Any:
            return inputs[argument.index] if isinstance(argument, _Slot) else None

        return output_value(config["op"], list(config["args"]), dict(config["kwargs"]),
                            value_of, shape_of)

    def param_count(self, config: dict[str, Any], inputs: list[Shape]) -> Params:
        return NO_PARAMS


TENSOR_OP = TensorOpSpec()


def has_formula(qualified: str) -> bool:
    return lookup(qualified) is not None


def qualified_name(path: str) -> str | None:
    """``tensorflow.concat`` as the table names it (``tf.concat``), or None."""
    for prefix, spelled in _NAMESPACES:
        if path.startswith(prefix):
            return None if spelled is None else spelled + path[len(prefix):]
    return None


class TensorOps(NestedModels):
    """Operations on symbolic tensors."""

    # How deep the front end is in tracing a Lambda's function, where Keras 3 runs tf.*
    # functions too.
    inside_lambda = 0

    def tensor_operation(self, qualified: str, args: list[Any], kwargs: dict[str, Any],
                         node: ast.AST) -> Any:
        """The tensor(s) an operation makes, an Unknown that says why not, or None when no
        argument is a Keras tensor (then it is not graph building)."""
        tensors: list[Tensor] = []

        def slotted(value: Any) -> Any:
            if isinstance(value, Tensor):
                tensors.append(value)
                return _Slot(len(tensors) - 1)
            if isinstance(value, (WeightValue, ArrayValue)):
                return _Constant(value.shape)
            if isinstance(value, list):
                return [slotted(v) for v in value]
            if isinstance(value, tuple):
                return tuple(slotted(v) for v in value)
            if isinstance(value, slice):
                return slice(slotted(value.start), slotted(value.stop), slotted(value.step))
            return value

        spelling = lookup(qualified)
        args, kwargs = [slotted(a) for a in args], {k: slotted(v) for k, v in kwargs.items()}
        if not tensors:
            return None
        text = _source(node)
        if spelling is None:
            return Unknown(f"`{text}`: archlint has no shape formula for `{qualified}`",
                           getattr(node, "lineno", None))
        unknown = first_unknown([args, kwargs])
        if unknown is not None:
            return unknown
        try:
            bound = spelling.bind(tuple(args), kwargs)
        except ShapeError as error:
            return Unknown(f"`{text}`: {error.message}", getattr(node, "lineno", None))
        computed = [name for name, value in bound.items()
                    if name.lstrip("*") not in spelling.tensors + spelling.runtime
                    and _holds_slot(value)]
        if computed:  # a size or option computed from a tensor: a run-time value
            return Unknown(f"`{text}`: its {computed[0].lstrip('*')} is computed from a "
                           "tensor when the model runs", getattr(node, "lineno", None))
        # A Python number given for a tensor broadcasts as a scalar: shape ().
        names = spelling.positional
        args = [_Number(a) if i < len(names) and names[i] in spelling.tensors and _number(a)
                else a for i, a in enumerate(args)]
        kwargs = {k: _Number(v) if k in spelling.tensors and _number(v) else v
                  for k, v in kwargs.items()}
        layer = Layer(name=text, class_name=TensorOpSpec.class_name, span=span_of(node))
        layer.instance = LayerInstance(
            spec=TENSOR_OP, config={"op": qualified, "args": args, "kwargs": kwargs},
            name=text, line=layer.span.line, column=layer.span.column,
            end_line=layer.span.end_line, target=self.keras)
        if qualified.startswith("tf.") and self.keras != "2" and not (
                self.inside_layer_call or self.inside_lambda):
            # tf-keras wraps it in a TFOpLambda layer; Keras 3 raises (checked in the tests).
            refusal = ShapeError(TF_FUNCTION_ON_KERAS_TENSOR, "Keras 3 refuses a TensorFlow "
                                 f"function on a Keras tensor: `{qualified}` (use keras.ops "
                                 "or a layer)", refused_by=KERAS3_ONLY)
            outcome = refusal.for_target(self.keras)
            if isinstance(outcome, ShapeError):
                layer.instance.config_error = outcome
        elif qualified.startswith("keras.ops.") and self.keras != "3":
            # tf-keras has no keras.ops module: the script stops at this line there.
            refusal = ShapeError(INVALID_OPTION, f"tf-keras has no keras.ops: `{qualified}` "
                                 "exists in Keras 3 only", refused_by=("2",))
            outcome = refusal.for_target(self.keras)
            if isinstance(outcome, ShapeError):
                layer.instance.config_error = outcome
        self.layers.append(layer)
        call = Call(layer=layer, inbound=[t.ref for t in tensors], span=span_of(node),
                    order=len(self.calls))
        layer.calls.append(call)
        self.calls.append(call)
        self.shapes.infer(call)
        if isinstance(call.output, list):
            return [Tensor(TensorRef(call, i)) for i in range(len(call.output))]
        return Tensor(TensorRef(call, 0))

    def tensor_arithmetic(self, left: Any, right: Any, node: ast.AST) -> Any:
        op = getattr(node, "op", None)
        qualified = AST_OPERATORS.get(type(op).__name__) if op is not None else None
        if qualified is None or not all(isinstance(v, (Tensor, WeightValue, ArrayValue))
                                        or _number(v)
                                        for v in (left, right)):
            return Unknown(f"`{_source(node)}` on a tensor is not analysed",
                           getattr(node, "lineno", None))
        return self.tensor_operation(qualified, [left, right], {}, node)

    def tensor_shape(self, tensor: Tensor, node: ast.expr) -> Any:
        self.shapes.infer(tensor.ref.call)
        shape = tensor.ref.call.output_at(tensor.ref.index)
        if shape is None or isinstance(shape, Unknown):
            return Unknown(f"`{self.host.text(node)}` could not be computed", line_of(node))
        return tuple(d if isinstance(d, int) or d is None else Unknown(
            f"`{self.host.text(node)}` has a size that depends on the input length",
            line_of(node))
            for d in shape)

    def keras_ops_shape(self, tensor: Tensor, node: ast.Call) -> Any:
        """``keras.ops.shape(x)``: a tuple. On a Keras tensor it is the declared shape (as
        ``x.shape``); inside a layer's call() TensorFlow's: the declared sizes as ints, the
        others as scalar tensors that hold them when the model runs."""
        if not (self.inside_layer_call or self.inside_lambda):
            return self.tensor_shape(tensor, node)
        self.shapes.infer(tensor.ref.call)
        shape = tensor.ref.call.output_at(tensor.ref.index)
        if not isinstance(shape, tuple):
            return Unknown(f"`{self.host.text(node)}` could not be computed", line_of(node))
        if all(isinstance(d, int) for d in shape):
            return shape
        vector = self.tensor_operation("tf.shape", [tensor], {}, node)
        return tuple(d if isinstance(d, int) else
                     self.tensor_operation("operator.getitem", [vector, i], {}, node)
                     for i, d in enumerate(shape))

    def tensor_subscript(self, tensor: Tensor, key: Any, node: ast.Subscript) -> Any:
        return self.tensor_operation("operator.getitem", [tensor, key], {}, node)


def _holds_slot(value: Any) -> bool:
    if isinstance(value, _Slot):
        return True
    if isinstance(value, (list, tuple)):
        return any(_holds_slot(v) for v in value)
    if isinstance(value, slice):
        return any(_holds_slot(v) for v in (value.start, value.stop, value.step))
    return False


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _source(node: ast.AST) -> str:
    text = ast.unparse(node)
    return text if len(text) <= 60 else text[:57] + "..."
