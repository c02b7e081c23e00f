"""Values TensorFlow computes while it builds a graph: ``tf.shape(x)`` of a tensor, its
items and integer arithmetic on them. Its shape inference folds them into constants, so
``table[:, :tf.shape(x)[1]]`` of a 50-step table keeps 30 steps for a 30-step ``x``
(checked against Keras 3 and tf-keras in tests/test_shape_values.py).

A value is an int or a symbolic size (``T``: Keras declares None and the tensor holds T
at run time), None for a size only the data decides (the batch), or a tuple of these for
a shape vector. Any other tensor has no value (``NO_VALUE``).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from archlint.dims import Expr
from archlint.ops.common import RUN_TIME, is_int

NO_VALUE: Any = Ellipsis  # None is a value (a size only the data decides)

# Integer arithmetic TensorFlow folds on scalar sizes.
_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "operator.add": operator.add, "operator.sub": operator.sub,
    "operator.mul": operator.mul, "operator.floordiv": operator.floordiv,
    "tf.add": operator.add, "tf.subtract": operator.sub, "tf.multiply": operator.mul,
    "tf.math.add": operator.add, "tf.math.subtract": operator.sub,
    "tf.math.multiply": operator.mul, "tf.math.floordiv": operator.floordiv,
}
_SHAPE_OPS = frozenset({"tf.shape"})


def is_size(value: Any) -> bool:
    return is_int(value) or isinstance(value, Expr)


def output_value(op: str, args: list[Any], kwargs: dict[str, Any],
                 arg_value: Callable[[Any], Any], inputs_shape: Callable[[Any], Any]
                 ) -> Any:
    """The value an operation's output has while the graph is built, or NO_VALUE.
    ``arg_value`` gives an argument's value (a tensor's, a number's own), ``inputs_shape``
    a tensor argument's shape."""
    if op in _SHAPE_OPS and args:
        shape = inputs_shape(args[0])
        return tuple(shape) if isinstance(shape, tuple) and all(
            d is None or is_size(d) for d in shape) else NO_VALUE
    if op == "operator.getitem" and len(args) == 2:
        vector = arg_value(args[0])
        if not isinstance(vector, tuple):
            return NO_VALUE
        index = args[1]
        if is_int(index) and -len(vector) <= index < len(vector):
            return vector[index]
        if isinstance(index, slice) and all(b is None or is_int(b)
                                            for b in (index.start, index.stop, index.step)):
            return vector[index]
        return NO_VALUE
    if op in _ARITHMETIC and len(args) == 2:
        left, right = (arg_value(a) for a in args)
        if left is None or right is None:
            return None if (left is None or is_size(left)) and (
                right is None or is_size(right)) else NO_VALUE
        if not (is_size(left) and is_size(right)):
            return NO_VALUE
        try:
            return _ARITHMETIC[op](left, right)
        except (ArithmeticError, TypeError, ValueError):
            return NO_VALUE  # a product of two symbols: not a linear size
    return NO_VALUE


def as_argument(value: Any, scalar: bool) -> Any:
    """What a tensor stands for where an operation takes a number or a shape: its value
    when the graph is built, RUN_TIME for a scalar only the data decides, or NO_VALUE."""
    if value is NO_VALUE:
        return RUN_TIME if scalar else NO_VALUE
    if value is None:
        return RUN_TIME
    if isinstance(value, tuple):
        return tuple(d for d in value)
    return value
