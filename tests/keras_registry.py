"""Run in a subprocess by tests/test_keras_names.py: the names one Keras version resolves
from a string (activations, initializers, regularizers, constraints, losses, optimizers),
and where that version refuses each of a list of misspelt names.

    python -m tests.keras_registry 3|2 < typos.json > result.json

Candidates are every name either version exports or registers; a candidate counts as
resolved when the version's own lookup (the one its layers and ``compile`` use) returns an
object of the right kind for it.
"""

from __future__ import annotations

import inspect
import json
import os
import sys
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

HELPERS = {"get", "serialize", "deserialize"}
KINDS = ("activation", "initializer", "regularizer", "constraint", "loss", "optimizer")


def _names(*modules: Any) -> set[str]:
    found: set[str] = set()
    for module in modules:
        found |= {n for n in dir(module) if not n.startswith("_") and n not in HELPERS}
        found |= set(getattr(module, "ALL_OBJECTS_DICT", {}))
    return found


def _is_function(obj: Any) -> bool:
    return callable(obj) and not inspect.isclass(obj)


def _loss_function(obj: Any) -> bool:
    """A loss: a Loss object, or a function of (y_true, y_pred)."""
    if not _is_function(obj):
        return False
    try:
        return "y_true" in inspect.signature(obj).parameters
    except (TypeError, ValueError):
        return False


def candidates() -> dict[str, set[str]]:
    import keras
    import tf_keras
    from keras.src import activations as a3
    from keras.src import constraints as c3
    from keras.src import initializers as i3
    from keras.src import losses as l3
    from keras.src import optimizers as o3
    from keras.src import regularizers as r3
    from tf_keras.src import activations as a2
    from tf_keras.src import constraints as c2
    from tf_keras.src import initializers as i2
    from tf_keras.src import losses as l2
    from tf_keras.src import optimizers as o2
    from tf_keras.src import regularizers as r2

    optimizers = _names(o3, o2, keras.optimizers, tf_keras.optimizers)
    return {
        "activation": _names(a3, a2, keras.activations, tf_keras.activations),
        "initializer": _names(i3, i2, keras.initializers, tf_keras.initializers),
        "regularizer": _names(r3, r2, keras.regularizers, tf_keras.regularizers),
        "constraint": _names(c3, c2, keras.constraints, tf_keras.constraints),
        # compile() also takes "crossentropy" / "ce" (Keras 3 picks the variant).
        "loss": _names(l3, l2, keras.losses, tf_keras.losses) | {"crossentropy", "ce"},
        # Optimizer names are case-insensitive in both versions; tf-keras also knows the
        # "experimental" spellings of its optimizer classes.
        "optimizer": {n.lower() for n in optimizers}
        | {f"experimental{n.lower()}" for n in optimizers},
    }


def lookups(version: str) -> dict[str, tuple[Any, Any]]:
    """Per kind: the lookup the version's layers and compile() use, and the type check."""
    if version == "3":
        import numpy as np
        from keras.src import (
            activations,
            constraints,
            initializers,
            losses,
            optimizers,
            regularizers,
        )
        from keras.src.trainers.compile_utils import get_loss

        def loss(name: str) -> Any:
            return get_loss(name, np.zeros((2, 1)), np.zeros((2, 1)))

        optimizer_types: Any = optimizers.Optimizer
    else:
        from tf_keras.src import (
            activations,
            constraints,
            initializers,
            losses,
            optimizers,
            regularizers,
        )
        from tf_keras.src.optimizers.legacy.optimizer_v2 import OptimizerV2
        from tf_keras.src.optimizers.optimizer import Optimizer

        loss = losses.get
        optimizer_types = (Optimizer, OptimizerV2)
    return {
        "activation": (activations.get, _is_function),
        "initializer": (initializers.get,
                        lambda o: isinstance(o, initializers.Initializer)),
        "regularizer": (regularizers.get,
                        lambda o: isinstance(o, regularizers.Regularizer)),
        "constraint": (constraints.get, lambda o: isinstance(o, constraints.Constraint)),
        "loss": (loss, lambda o: isinstance(o, losses.Loss) or _loss_function(o)),
        "optimizer": (optimizers.get, lambda o: isinstance(o, optimizer_types)),
    }


def resolved_names(version: str) -> dict[str, list[str]]:
    found = {}
    for kind, (get, of_kind) in lookups(version).items():
        names = []
        for name in sorted(candidates()[kind]):
            try:
                obj = get(name)
            except Exception:
                continue
            if of_kind(obj):
                names.append(name)
        found[kind] = names
    return found


LAYER_OPTION = {"activation": "activation", "initializer": "kernel_initializer",
                "regularizer": "kernel_regularizer", "constraint": "kernel_constraint"}


def refusal(version: str, kind: str, name: str) -> str | None:
    """Where Keras refuses ``name`` as a ``kind``: "construction", "compile", "fit" or
    None when the model trains."""
    import numpy as np

    keras: Any
    if version == "3":
        import keras
    else:
        import tf_keras as keras
    options = {LAYER_OPTION[kind]: name} if kind in LAYER_OPTION else {}
    stage = "construction"
    try:
        layer = keras.layers.Dense(1, **options)
        inputs = keras.Input((3,))
        model = keras.Model(inputs, layer(inputs))
        stage = "compile"
        model.compile(loss=name if kind == "loss" else "mse",
                      optimizer=name if kind == "optimizer" else "sgd")
        stage = "fit"
        model.fit(np.zeros((2, 3)), np.zeros((2, 1)), verbose=0)
    except Exception:
        return stage
    return None


def main() -> None:
    version = sys.argv[1]
    typos = json.load(sys.stdin)
    result = {"names": resolved_names(version),
              "typos": [[kind, name, refusal(version, kind, name)] for kind, name in typos]}
    sys.stdout.write(json.dumps(result))


if __name__ == "__main__":
    main()
