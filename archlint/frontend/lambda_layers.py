"""The Keras half of the front end: ``Lambda`` layers.

A Lambda's output is what its function makes of its inputs. Each time its shape is needed,
the function (a lambda, a function of the script, or a ``keras.ops``/``tf`` function) is
called on placeholder tensors of the input shapes, through the same formulas as tensor
operations written in the script; the operations it makes are dropped again, so the
Lambda stays one weightless layer, as in Keras. A function archlint cannot follow (it
calls a layer, returns something that is not a tensor) leaves the output unknown, with
why. ``output_shape=`` is what Keras 3 declares (checked: a wrong one wins there);
tf-keras ignores it and runs the function.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from archlint.diagnostics import Event
from archlint.frontend.keras_layers import UNSUPPORTED
from archlint.frontend.keras_values import LayerObject, Tensor
from archlint.frontend.scope import OutOfBudget, span_of
from archlint.frontend.tensor_ops import TensorOps, TensorOpSpec
from archlint.graph import Call, Layer, Span, TensorRef
from archlint.layer_types import LayerInstance, OutputShape, Shape
from archlint.layers.base import (
    NO_PARAMS,
    InputSpec,
    LayerSpec,
    Params,
    ShapeError,
    Unresolved,
)
from archlint.unknown import Unknown

_POSITIONAL = ("function", "output_shape", "mask", "arguments")


class LambdaSpec(LayerSpec):
    """A Lambda: no weights; its shape from tracing its function (``config["trace"]``)."""

    class_name = "Lambda"
    input_spec = InputSpec(min_inputs=1, max_inputs=None)

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> OutputShape:
        trace: Callable[[list[Shape]], OutputShape] = config["trace"]
        return trace(inputs)

    def param_count(self, config: dict[str, Any], inputs: list[Shape]) -> Params:
        return NO_PARAMS


LAMBDA = LambdaSpec()


class LambdaLayers(TensorOps):
    """``keras.layers.Lambda(function)``, traced symbolically."""

    def make_lambda(self, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        config: dict[str, Any] = dict(zip(_POSITIONAL, args))
        config.update(kwargs)
        name = self._layer_name("Lambda", config.pop("name", None))
        layer = Layer(name=name, class_name="Lambda", span=span_of(node),
                      trainable=self.host.truth(config.pop("trainable", True)))
        function = config.get("function")
        arguments = config.get("arguments") or {}
        declared = config.get("output_shape")

        def trace(inputs: list[Shape]) -> OutputShape:
            return self._lambda_output(layer, function, arguments, declared, inputs)

        span = layer.span
        layer.instance = LayerInstance(
            spec=LAMBDA, config={"function": self.host.text(node), "trace": trace},
            name=name, line=span.line, column=span.column, end_line=span.end_line,
            explicit=frozenset(config), target=self.keras)
        if not isinstance(arguments, dict):
            layer.instance.unresolved = Unknown(
                f"the arguments= of Lambda '{name}' are not a dict archlint knows", span.line)
        self.layers.append(layer)
        return LayerObject(layer)

    def lambda_events(self) -> None:
        """Once the script is done: an AL002 for each Lambda whose function archlint cannot
        follow (its output, and what is computed from it, is unknown)."""
        for layer in [layer for layer in self.layers if layer.class_name == "Lambda"]:
            for call in layer.calls:
                self.shapes.infer(call)
            why = self.lambda_unknowns.get(id(layer))
            if why is not None:
                self.events.append(Event(
                    UNSUPPORTED, f"{why.reason}; its output and everything computed from it "
                    "is unknown", layer.span, layer=layer.name))

    def _lambda_output(self, layer: Layer, function: Any, arguments: dict[str, Any],
                       declared: Any, inputs: list[Shape]) -> OutputShape:
        try:
            return self._lambda_shape(layer, function, arguments, declared, inputs)
        except Unresolved as unresolved:
            # Whenever its shape was first asked for (x.shape, a later layer): said at the end.
            self.lambda_unknowns.setdefault(id(layer), unresolved.unknown)
            raise

    def _lambda_shape(self, layer: Layer, function: Any, arguments: dict[str, Any],
                      declared: Any, inputs: list[Shape]) -> OutputShape:
        if declared is None or self.keras == "2":
            traced = self._traced(layer, function, arguments, inputs)
            if isinstance(traced, Unknown):
                raise Unresolved(traced)
            return traced
        keras3 = self._declared_shape(layer, declared, inputs)
        if self.keras == "3":  # Keras 3 declares output_shape= without running the function
            if isinstance(keras3, Unknown):
                raise Unresolved(keras3)
            return keras3
        try:
            traced = self._traced(layer, function, arguments, inputs)
        except ShapeError as error:
            traced = Unknown(error.message)
        if keras3 == traced:
            if isinstance(keras3, Unknown):
                raise Unresolved(keras3)
            return keras3
        raise Unresolved(Unknown(
            f"Lambda '{layer.name}': Keras 3 declares {_shape_text(keras3)} (its "
            f"output_shape=), tf-keras {_shape_text(traced)} (what its function makes)",
            layer.span.line))

    def _declared_shape(self, layer: Layer, declared: Any,
                        inputs: list[Shape]) -> OutputShape | Unknown:
        """Keras 3's output: ``output_shape`` without the batch axis, or a function of the
        input shape(s) with it."""
        batch = inputs[0][0] if inputs and inputs[0] else None
        if isinstance(declared, (tuple, list)) and all(_is_dim(d) for d in declared):
            return (batch, *declared)
        if isinstance(declared, Unknown):
            return declared
        given = inputs[0] if len(inputs) == 1 else list(inputs)
        try:
            result = self.host.call(declared, [given], {}, _located(layer.span))
        except OutOfBudget:
            result = None
        if isinstance(result, (tuple, list)) and all(_is_dim(d) for d in result):
            return tuple(result)
        return Unknown(f"the output_shape= of Lambda '{layer.name}' is not a shape archlint "
                       "can compute", layer.span.line)

    def _traced(self, layer: Layer, function: Any, arguments: dict[str, Any],
                inputs: list[Shape]) -> OutputShape | Unknown:
        """The function called on placeholders of the input shapes; what it adds to the
        graph (operations, events) is dropped again."""
        marks = (len(self.calls), len(self.layers), len(self.events))
        holders = [Tensor(TensorRef(Call(layer=Layer(name=f"{layer.name} input",
                                                     class_name="LambdaInput",
                                                     span=layer.span),
                                         inbound=[], span=layer.span, order=-1,
                                         output=shape, params=NO_PARAMS)))
                   for shape in inputs]
        given: Any = holders[0] if len(holders) == 1 else holders
        self.inside_lambda += 1
        try:
            result = self.host.call(function, [given], dict(arguments),
                                    _located(layer.span))
            return self._result_shape(layer, result, marks)
        except OutOfBudget:
            return Unknown(f"the function of Lambda '{layer.name}' takes too many steps to "
                           "follow", layer.span.line)
        finally:
            self.inside_lambda -= 1
            made = self.calls[marks[0]:]
            for call in made:
                if call in call.layer.calls:
                    call.layer.calls.remove(call)
            del self.calls[marks[0]:]
            del self.layers[marks[1]:]
            del self.events[marks[2]:]

    def _result_shape(self, layer: Layer, result: Any,
                      marks: tuple[int, int, int]) -> OutputShape | Unknown:
        line = layer.span.line
        for call in self.calls[marks[0]:]:
            instance = call.layer.instance
            if instance is None or not isinstance(instance.spec, TensorOpSpec):
                return Unknown(f"the function of Lambda '{layer.name}' calls the layer "
                               f"`{call.layer.name}`, whose weights a Lambda does not track",
                               line)
        if isinstance(result, Unknown):
            return Unknown(f"archlint cannot follow the function of Lambda '{layer.name}': "
                           f"{result.reason}", line)
        tensors = result if isinstance(result, (list, tuple)) else [result]
        shapes: list[Shape] = []
        for tensor in tensors:
            if not isinstance(tensor, Tensor):
                return Unknown(f"the function of Lambda '{layer.name}' returns something "
                               "that is not a tensor", line)
            self.shapes.infer(tensor.ref.call)
            if tensor.ref.call.error is not None:
                raise tensor.ref.call.error  # Keras refuses the call of the Lambda
            shape = tensor.ref.call.output_at(tensor.ref.index)
            if not isinstance(shape, tuple):
                reason = shape.reason if isinstance(shape, Unknown) else "it is unknown"
                return Unknown(f"the output of Lambda '{layer.name}': {reason}", line)
            shapes.append(shape)
        return shapes if isinstance(result, (list, tuple)) else shapes[0]


def _is_dim(value: Any) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool))


def _shape_text(shape: Any) -> str:
    from archlint.dims import format_shape

    return format_shape(shape) if isinstance(shape, tuple) else "unknown"


def _located(span: Span) -> ast.Call:
    """A call node at the Lambda, for what the function's evaluation reports."""
    node = ast.Call(func=ast.Name(id="function"), args=[ast.Name(id="inputs")], keywords=[])
    node.lineno, node.col_offset = span.line, span.column
    node.end_lineno, node.end_col_offset = span.end_line, span.end_column
    return node

