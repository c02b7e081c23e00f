"""Run tensor-operation calls on concrete zeros with real TensorFlow and Keras 3, in the
process ``tests.test_tensor_ops`` starts once per session (the test process itself never
imports TensorFlow).

Reads a JSON list of calls on stdin, each ``{"id", "qualified", "args", "kwargs"}`` where a
tensor is ``{"tensor": [sizes], "dtype": ...}``, a slice ``{"slice": [start, stop, step]}``,
``...`` is ``{"ellipsis": true}`` and a tuple ``{"tuple": [...]}``; with ``"symbolic": true``
the tensors are KerasTensors (sizes may be None) and the call is Keras's symbolic build;
with ``"signature": true`` the result is the function's parameter names.
Writes one JSON document with, per call, the output shape (or list of shapes) or the error.
"""

from __future__ import annotations

import json
import operator
import os
import sys
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def _decode(value: Any, make: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v, make) for v in value]
    if isinstance(value, dict):
        if "tensor" in value:
            return make(value["tensor"], value["dtype"])
        if "slice" in value:
            return slice(*value["slice"])
        if "ellipsis" in value:
            return Ellipsis
        if "tuple" in value:
            return tuple(_decode(v, make) for v in value["tuple"])
    return value


def _shape(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_shape(v) for v in value]
    return list(value.shape)


def _parameters(function: Any) -> list[str]:
    """A function's parameter names in order, ``*name`` for its variadic one."""
    import inspect

    return [("*" if p.kind is p.VAR_POSITIONAL else "") + p.name
            for p in inspect.signature(function).parameters.values()
            if p.kind is not p.VAR_KEYWORD]


def main(argv: list[str] | None = None) -> int:
    import keras
    import tensorflow as tf

    roots = {"tf": tf, "keras": keras, "operator": operator}
    makers = {"keras": lambda s, d: keras.ops.zeros(s, dtype=d),
              "tf": lambda s, d: tf.zeros(s, dtype=d),
              "operator": lambda s, d: tf.zeros(s, dtype=d),
              "symbolic": lambda s, d: keras.KerasTensor(s, dtype=d)}
    results = []
    for call in json.load(sys.stdin):
        root, *path = call["qualified"].split(".")
        function: Any = roots[root]
        for part in path:
            function = getattr(function, part, None)
        if function is None:
            results.append({"id": call["id"], "error": "AttributeError",
                            "message": f"no function {call['qualified']}"})
            continue
        if call.get("signature"):
            results.append({"id": call["id"], "parameters": _parameters(function)})
            continue
        # A symbolic call: the tensors are KerasTensors, as keras.Input makes them.
        make = makers["symbolic" if call.get("symbolic") else root]
        try:
            args = _decode(call["args"], make)
            kwargs = {k: _decode(v, make) for k, v in call["kwargs"].items()}
            results.append({"id": call["id"], "shape": _shape(function(*args, **kwargs))})
        except Exception as error:  # every refusal is a result
            message = str(error).strip().splitlines()
            results.append({"id": call["id"], "error": type(error).__name__,
                            "message": message[0][:300] if message else ""})
    json.dump({"meta": {"tensorflow": tf.__version__, "keras": keras.__version__},
               "results": results}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
