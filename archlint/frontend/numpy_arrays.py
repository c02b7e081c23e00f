"""The Keras half of the front end, eighth layer: NumPy arrays of known shape.

Scripts build constant tables with NumPy (a sinusoidal position or time encoding:
``np.meshgrid(np.arange(n), 2 * np.arange(d // 2))``, ``np.empty(...)``, ``np.sin``) and
hand them to the graph (``tf.constant(table)``, ``tf.gather(table, steps)``). Their values
never matter to a shape: an array is known by its shape alone, computed with the formulas
of ``archlint.ops`` (NumPy's functions mirror ``keras.ops``). NumPy is never imported.
"""

from __future__ import annotations

import ast
from typing import Any

from archlint.frontend.keras_values import ArrayValue, Tensor
from archlint.frontend.user_models import UserModels
from archlint.frontend.values import NumpyLiteral, plain_numbers
from archlint.layers.base import ShapeError, Unresolved
from archlint.numpy_ints import numpy_integer
from archlint.ops import AST_OPERATORS, lookup
from archlint.unknown import Unknown

# Functions that make an array from sizes.
_MAKERS = frozenset({"zeros", "ones", "empty", "full"})
_LIKE = frozenset({"zeros_like", "ones_like", "empty_like", "full_like"})
# Functions of the graph that turn an array into a constant tensor of the same shape.
CONSTANT_MAKERS = frozenset({
    "tf.constant", "tf.convert_to_tensor", "tf.cast", "keras.ops.convert_to_tensor",
    "keras.ops.cast", "tf.Variable"})
_ELEMENTWISE_METHODS = frozenset({"astype", "copy", "clip", "round"})
_MAX_ELEMENTS = 1 << 40


class NumpyArrays(UserModels):
    """NumPy calls whose result is an array of known shape."""

    def numpy_call(self, name: str, args: list[Any], kwargs: dict[str, Any],
                   node: ast.Call) -> Any:
        """``numpy.<name>(...)``: an ArrayValue, or None when it is not one archlint
        follows (the caller then leaves it a run-time value)."""
        if name in ("array", "asarray") and len(args) == 1 and set(kwargs) <= {"dtype"} \
                and plain_numbers(args[0]):
            return NumpyLiteral.written(ast.unparse(node), node.lineno, args[0])
        integer = numpy_integer(name, args, kwargs)
        if integer is not None:
            return integer
        if name == "arange":
            return _arange(args, kwargs)
        if name in _MAKERS:
            return _made(args[0] if args else kwargs.get("shape"))
        if name in _LIKE:
            first = args[0] if args else kwargs.get("a")
            return first if isinstance(first, ArrayValue) else None
        if name == "meshgrid":
            return _meshgrid(args, kwargs)
        if not _holds_array([args, kwargs]):
            return None
        return self.array_operation(f"keras.ops.{name}", args, kwargs, node)

    def array_operation(self, qualified: str, args: list[Any], kwargs: dict[str, Any],
                        node: ast.AST) -> Any:
        """An operation of ``archlint.ops`` on arrays (and numbers): its result's shape."""
        spelling = lookup(qualified)
        if spelling is None:
            return None
        names = spelling.positional

        def shaped(value: Any, tensor: bool) -> Any:
            if isinstance(value, ArrayValue):
                return value.shape
            if tensor and isinstance(value, (int, float)) and not isinstance(value, bool):
                return ()
            if tensor and isinstance(value, (list, tuple)):
                return [shaped(v, True) for v in value]
            return value

        given = [shaped(a, i < len(names) and names[i].lstrip("*") in spelling.tensors)
                 for i, a in enumerate(args)]
        options = {k: shaped(v, k in spelling.tensors) for k, v in kwargs.items()}
        try:
            result = spelling.call(*given, **options)
        except (ShapeError, Unresolved, ArithmeticError, TypeError, ValueError, KeyError,
                IndexError) as error:
            return Unknown(f"`{ast.unparse(node)[:60]}`: NumPy would not compute this "
                           f"({error})", getattr(node, "lineno", None))
        if isinstance(result, list):
            return [ArrayValue(tuple(s)) for s in result]
        return ArrayValue(tuple(result)) if isinstance(result, tuple) else None

    def array_attribute(self, array: ArrayValue, attr: str, node: ast.expr) -> Any:
        if attr == "shape":
            return array.shape
        if attr == "T":
            return ArrayValue(tuple(reversed(array.shape)))
        if attr == "ndim":
            return len(array.shape)
        return None

    def array_method(self, array: ArrayValue, name: str, args: list[Any],
                     kwargs: dict[str, Any], node: ast.Call) -> Any:
        if name in _ELEMENTWISE_METHODS:
            return array
        if name == "reshape":
            shape = args[0] if len(args) == 1 else tuple(args)
            return self.array_operation("keras.ops.reshape", [array, shape], {}, node)
        if name == "transpose":
            axes = args[0] if len(args) == 1 else (tuple(args) or None)
            return self.array_operation("keras.ops.transpose", [array, axes], {}, node)
        if name in ("sum", "mean", "max", "min"):
            return self.array_operation(f"keras.ops.{name}", [array, *args], kwargs, node)
        return None

    def array_arithmetic(self, left: Any, right: Any, node: ast.AST) -> Any:
        op = getattr(node, "op", None)
        qualified = AST_OPERATORS.get(type(op).__name__) if op is not None else None
        if qualified is None:
            return None
        return self.array_operation(qualified, [left, right], {}, node)

    def array_subscript(self, array: ArrayValue, key: Any, node: ast.Subscript) -> Any:
        if _holds_tensor(key):  # table[:, :tf.shape(x)[1]]: a node of the graph
            return self.tensor_operation("operator.getitem", [array, key], {}, node)
        return self.array_operation("operator.getitem", [array, key], {}, node)


def _holds_array(value: Any) -> bool:
    if isinstance(value, ArrayValue):
        return True
    if isinstance(value, (list, tuple)):
        return any(_holds_array(v) for v in value)
    if isinstance(value, dict):
        return any(_holds_array(v) for v in value.values())
    return False


def _holds_tensor(value: Any) -> bool:
    if isinstance(value, Tensor):
        return True
    if isinstance(value, (list, tuple)):
        return any(_holds_tensor(v) for v in value)
    if isinstance(value, slice):
        return any(_holds_tensor(v) for v in (value.start, value.stop, value.step))
    return False


def _size(dim: Any) -> bool:
    return isinstance(dim, int) and not isinstance(dim, bool) and dim >= 0


def _made(shape: Any) -> ArrayValue | None:
    dims = tuple(shape) if isinstance(shape, (list, tuple)) else (shape,)
    if not all(_size(d) for d in dims):
        return None
    count = 1
    for d in dims:
        count *= d
    return ArrayValue(dims) if count <= _MAX_ELEMENTS else None


def _arange(args: list[Any], kwargs: dict[str, Any]) -> ArrayValue | None:
    bounds = list(args) or [kwargs.get("start", 0), kwargs.get("stop")]
    if len(bounds) > 3 or not all(isinstance(b, int) and not isinstance(b, bool)
                                  for b in bounds):
        return None
    if len(bounds) == 3 and bounds[2] == 0:
        return None
    return _made((len(range(*bounds)),))


def _meshgrid(args: list[Any], kwargs: dict[str, Any]) -> list[ArrayValue] | None:
    if len(args) != 2 or not all(isinstance(a, ArrayValue) and len(a.shape) == 1
                                 for a in args) or set(kwargs) - {"indexing"}:
        return None
    first, second = args[0].shape[0], args[1].shape[0]
    indexing = kwargs.get("indexing", "xy")
    if indexing not in ("xy", "ij"):
        return None
    shape = (second, first) if indexing == "xy" else (first, second)
    return [ArrayValue(shape), ArrayValue(shape)]
