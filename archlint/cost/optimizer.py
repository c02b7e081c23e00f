"""The state a compiled optimizer keeps: slots (one array the size of each trainable weight,
in its dtype) and scalars (the iteration counter, the learning rate), as Keras 3 and
tf-keras build them (``optimizer.build(model.trainable_variables)``; checked in
tests/test_cost.py against their ``optimizer.variables``).
"""

from __future__ import annotations

from typing import Any

from archlint.graph import CompileArgs
from archlint.records import record
from archlint.unknown import Unknown

# Slots per trainable weight with default options.
SLOTS = {"adam": 2, "adamw": 2, "adamax": 2, "nadam": 2, "adadelta": 2, "ftrl": 2,
         "adagrad": 1, "rmsprop": 1, "lion": 1, "sgd": 0}
# Keras 3 keeps the iteration (int64) and the learning rate (float32) as variables;
# tf-keras the iteration only. Keras 3's Nadam adds its momentum product (float32).
_SCALARS = {"3": 8 + 4, "2": 8}
_EXTRA_SCALARS = {("3", "nadam"): 4}
_VERSIONS = {"3": "Keras 3", "2": "tf-keras"}


@record(frozen=True)
class OptimizerState:
    name: str
    slots: int  # arrays the size of the trainable weights
    scalar_bytes: int
    keras: str = "3"  # the Keras version these figures are for
    # A script for either version, where tf-keras keeps another state: tf-keras's.
    tf_keras: OptimizerState | None = None


def optimizer_state(compiled: CompileArgs | None, keras: str,
                    policies: set[str]) -> OptimizerState | Unknown:
    """The compiled optimizer's state; Unknown when there is none or it is not read."""
    if compiled is None or compiled.optimizer is None:
        return Unknown("the model is not compiled with an optimizer")
    name, options = _name_and_options(compiled.optimizer)
    if name is None:
        return Unknown("the optimizer is not one archlint reads")
    if name not in SLOTS:
        return Unknown(f"the state of the optimizer {name!r} is not modelled")
    if any(p.startswith("mixed_float16") for p in policies) or "float16" in policies:
        return Unknown("loss scaling under float16 adds optimizer state archlint does not "
                       "model")
    rate = options.get("learning_rate")
    if rate is not None and not (isinstance(rate, (int, float)) and not isinstance(rate, bool)):
        return Unknown("a learning rate that is not a number (a schedule) is not modelled")
    versions = ("3", "2") if keras == "both" else (keras,)
    states = []
    for version in versions:
        state = _state(name, options, version)
        if isinstance(state, Unknown):
            return state
        states.append(state)
    first = states[0]
    if len(states) == 2 and (first.slots, first.scalar_bytes) != (states[1].slots,
                                                                  states[1].scalar_bytes):
        return OptimizerState(name, first.slots, first.scalar_bytes, "3", states[1])
    return OptimizerState(name, first.slots, first.scalar_bytes, keras)


def _state(name: str, options: dict[str, Any], version: str) -> OptimizerState | Unknown:
    slots = SLOTS[name]
    flags = {key: options.get(key) for key in ("momentum", "amsgrad", "centered")}
    for key, value in flags.items():
        if value is not None and not isinstance(value, (int, float)):
            return Unknown(f"the optimizer's {key} is not known")
    if name == "sgd":
        # Keras 3 keeps a momentum slot only with momentum; tf-keras always does.
        slots = 1 if version == "2" or flags["momentum"] else 0
    if name in ("adam", "adamw") and flags["amsgrad"]:
        slots += 1
    if name == "rmsprop":
        slots += bool(flags["momentum"]) + bool(flags["centered"])
    scalars = _SCALARS[version] + _EXTRA_SCALARS.get((version, name), 0)
    return OptimizerState(name, slots, scalars, version)


def _name_and_options(optimizer: Any) -> tuple[str | None, dict[str, Any]]:
    """``"adam"`` or ``keras.optimizers.Adam(amsgrad=True)`` as a name and its options."""
    if isinstance(optimizer, str):
        return optimizer.lower(), {}
    path = getattr(optimizer, "path", None)
    if not isinstance(path, str):
        return None, {}
    leaf = path.rsplit(".", 1)[-1].lower()
    options = dict(getattr(optimizer, "kwargs", ()))
    args = list(getattr(optimizer, "args", ()))
    if args:
        options.setdefault("learning_rate", args[0])
    if leaf == "sgd" and len(args) > 1:
        options.setdefault("momentum", args[1])
    return leaf, options
