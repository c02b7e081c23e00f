"""The nodes of archlint's graphs that are no Keras layer class, rebuilt in Keras by the
oracle process (never on the static path): a tensor operation, as a weightless layer that
applies it by its name in archlint's table (``x + y`` is ``operator.add``, ``tf.concat``,
``keras.ops.mean``), and a user-defined layer's own node, as a layer holding weights of the
shapes its ``build()`` made and passing on what its ``call()`` returned. Nothing of the
script runs: the operation is looked up in the table, its arguments are plain values.
"""

from __future__ import annotations

import importlib
import operator
from typing import Any

from archlint.ops import lookup as lookup_op
from archlint.oracle.allowed import RequestRefused

# Where the table's names live, by prefix.
_MODULES = (("tf.", "tensorflow"), ("keras.ops.", "keras.ops"),
            ("keras.activations.", "keras.activations"),
            ("keras.applications.", "keras.applications"))


def resolve_op(keras: Any, qualified: str) -> Any:
    """The function of an operation of archlint's table, in this process's Keras."""
    if lookup_op(qualified) is None:
        raise RequestRefused("op", f"{qualified} is not an operation archlint knows")
    if qualified.startswith("operator."):
        return getattr(operator, qualified.split(".", 1)[1])
    for prefix, module_name in _MODULES:
        if qualified.startswith(prefix):
            if module_name == "keras.ops" and not hasattr(keras, "ops"):
                raise RequestRefused("op", f"{qualified}: tf-keras has no keras.ops")
            module = keras.ops if module_name == "keras.ops" else \
                keras.activations if module_name == "keras.activations" else \
                keras.applications if module_name == "keras.applications" else \
                importlib.import_module(module_name)
            function: Any = module
            for part in qualified[len(prefix):].split("."):
                function = getattr(function, part)
            return function
    raise RequestRefused("op", f"{qualified} is not an operation archlint can rebuild")


def _decode(value: Any, tensors: list[Any]) -> Any:
    """An encoded argument back to Python: tensors in their slots, weights as zeros."""
    if isinstance(value, dict) and len(value) == 1:
        key, item = next(iter(value.items()))
        if key == "__slot__":
            return tensors[item]
        if key == "__constant__":
            # A graph constant, as tf.constant(table) makes it: a tensor can slice it.
            import tensorflow as tf
            return tf.zeros(item, dtype="float32")
        if key == "__slice__":
            return slice(*(_decode(v, tensors) for v in item))
        if key == "__ellipsis__":
            return Ellipsis
        if key == "__tuple__":
            return tuple(_decode(v, tensors) for v in item)
    if isinstance(value, list):
        return [_decode(v, tensors) for v in value]
    if isinstance(value, dict):
        return {k: _decode(v, tensors) for k, v in value.items()}
    return value


def make_pseudo_layer(keras: Any, class_name: str, config: dict[str, Any]) -> Any:
    if class_name == "TensorOp":
        return _operation_layer(keras, config)
    return _weights_layer(keras, config)


def _operation_layer(keras: Any, config: dict[str, Any]) -> Any:
    function = resolve_op(keras, config["op"])

    class TensorOp(keras.layers.Layer):
        def call(self, inputs: Any) -> Any:
            tensors = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
            return function(*_decode(config["args"], tensors),
                            **_decode(config["kwargs"], tensors))

    return TensorOp()


def _weights_layer(keras: Any, config: dict[str, Any]) -> Any:
    import tensorflow as tf

    class UserLayer(keras.layers.Layer):
        def build(self, input_shape: Any) -> None:
            for index, (shape, trainable) in enumerate(config["weights"]):
                self.add_weight(name=f"weight_{index}", shape=tuple(shape),
                                trainable=trainable)
            self.built = True

        def call(self, inputs: Any) -> Any:
            if config.get("several"):
                tensors = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
                return [tf.identity(t) for t in tensors]
            return tf.identity(inputs)

    return UserLayer()
