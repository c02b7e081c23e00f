"""What the oracle may build: archlint's own layer classes with plain option values.

A request names Keras classes and options. Built blindly, a nested ``{"class_name": X,
"config": {...}}`` would instantiate any ``keras.layers.X``: ``TFSMLayer`` loads a SavedModel
and runs its graph. Keras's ``safe_mode`` does not cover this: it guards deserialization
(Keras 3's ``TFSMLayer.from_config`` and ``Lambda`` refuse under it), not a class called by
name, and a TFSMLayer constructed directly under ``SafeModeScope(True)`` still runs its graph.

So a request may hold only:

* layer classes of archlint's catalog (``archlint layers``), as a layer or as an option's
  value (``Bidirectional(layer=LSTM(...))``, ``activation=ReLU()``);
* plain values: numbers, strings, booleans, None, lists and dicts of those, where no dict
  looks like a serialized object (``class_name``, ``module``, ``registered_name``, ``__...``);
* in an activation, initializer, regularizer or constraint option, ``{"class_name": name,
  "config": plain dict}`` with ``name`` registered by Keras for that option.

The exporter checks a request with ``check_graph`` before TensorFlow is imported, and the
oracle process checks it again before building anything.
"""

from __future__ import annotations

from typing import Any

from archlint.keras_names import REGISTERED
from archlint.layers import lookup
from archlint.ops import lookup as lookup_op

# Names Keras 3 or tf-keras resolves for each kind of option (tests/test_oracle_safety.py
# checks each against both versions).
INITIALIZERS = frozenset({
    "Constant", "GlorotNormal", "GlorotUniform", "HeNormal", "HeUniform", "Identity",
    "IdentityInitializer", "LecunNormal", "LecunUniform", "Ones", "Orthogonal",
    "OrthogonalInitializer", "RandomNormal", "RandomUniform", "STFT", "STFTInitializer",
    "TruncatedNormal", "VarianceScaling", "Zeros", "constant", "glorot_normal",
    "glorot_uniform", "he_normal", "he_uniform", "identity", "lecun_normal", "lecun_uniform",
    "normal", "one", "ones", "orthogonal", "random_normal", "random_uniform", "stft",
    "truncated_normal", "uniform", "variance_scaling", "zero", "zeros",
})
REGULARIZERS = frozenset({
    "L1", "L1L2", "L2", "OrthogonalRegularizer", "l1", "l1_l2", "l1l2", "l2",
    "orthogonal_regularizer",
})
CONSTRAINTS = frozenset({
    "MaxNorm", "MinMaxNorm", "NonNeg", "RadialConstraint", "UnitNorm", "max_norm", "maxnorm",
    "min_max_norm", "non_neg", "nonneg", "radial_constraint", "unit_norm", "unitnorm",
})
ACTIVATIONS = frozenset().union(*REGISTERED["activation"].values())
KINDS = {"activation": ACTIVATIONS, "initializer": INITIALIZERS,
         "regularizer": REGULARIZERS, "constraint": CONSTRAINTS}
# Keys that make Keras read a dict as a serialized object.
OBJECT_KEYS = frozenset({"class_name", "module", "registered_name"})
OBJECT_FORM = frozenset({"class_name", "config"})
INPUT_KEYS = frozenset({"name", "shape", "dtype", "batch_size", "ragged"})
SHORT_VALUE = 120


class RequestRefused(ValueError):
    """An option or class the oracle will not build; ``option`` is its dotted path
    (``layer.activation`` for an option of a wrapped layer), the message says why."""

    def __init__(self, option: str, message: str):
        super().__init__(message)
        self.option = option
        self.message = message


def kind_of(option: str) -> str | None:
    """Which registered objects an option takes: ``kernel_initializer`` takes
    initializers, ``recurrent_activation`` activations; None for any other option."""
    for kind in KINDS:
        if option == kind or option.endswith(f"_{kind}"):
            return kind
    return None


def short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= SHORT_VALUE else text[:SHORT_VALUE - 3] + "..."


# Nodes of archlint's graphs that are no Keras layer class: rebuilt by the oracle itself.
PSEUDO_LAYERS = frozenset({"TensorOp", "UserLayer"})
MARKERS = frozenset({"__slot__", "__constant__", "__slice__", "__ellipsis__", "__tuple__"})


def check_pseudo_layer(class_name: str, config: Any, path: str = "") -> None:
    """A tensor operation of archlint's table with plain or marked arguments, or a
    user-defined layer's weights (shapes of integers and trainable flags)."""
    where = path or "the layer"
    if not isinstance(config, dict):
        raise RequestRefused(path, f"the config of {where} is not a dict")
    if class_name == "TensorOp":
        op = config.get("op")
        if set(config) - {"op", "args", "kwargs", "name"} or not isinstance(op, str) or \
                lookup_op(op) is None:
            raise RequestRefused(path, f"{where} is not an operation archlint has a formula for")
        check_argument(f"{path}.args", config.get("args", []))
        check_argument(f"{path}.kwargs", config.get("kwargs", {}))
        return
    weights = config.get("weights")
    if set(config) - {"weights", "several", "name"} or not isinstance(weights, list) or \
            not all(isinstance(w, list) and len(w) == 2 and isinstance(w[1], bool)
                    and isinstance(w[0], list) and all(
                        isinstance(d, int) and not isinstance(d, bool) and 0 <= d < 1 << 31
                        for d in w[0]) for w in weights):
        raise RequestRefused(path, f"{where} holds weights that are not shapes of integers")


def check_argument(path: str, value: Any) -> None:
    """An operation's argument: plain values, and the markers of tensors, weights,
    slices, Ellipsis and tuples."""
    if isinstance(value, dict) and len(value) == 1 and next(iter(value)) in MARKERS:
        key, item = next(iter(value.items()))
        if key == "__slot__" and isinstance(item, int) and not isinstance(item, bool):
            return
        if key == "__constant__" and isinstance(item, list) and all(
                isinstance(d, int) and not isinstance(d, bool) and 0 <= d < 1 << 24
                for d in item):
            return
        if key == "__ellipsis__" and item is True:
            return
        if key in ("__slice__", "__tuple__") and isinstance(item, list):
            for part in item:
                check_argument(path, part)
            return
        raise RequestRefused(path, f"{path}={short(value)} is not a valid argument")
    if isinstance(value, list):
        for item in value:
            check_argument(path, item)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or key.startswith("__"):
                raise RequestRefused(path, f"{path}={short(value)} is not a plain value")
            check_argument(path, item)
        return
    check_plain(path, value)


def check_layer(class_name: Any, config: Any, path: str = "") -> None:
    """A layer of the catalog whose options are all buildable; raises RequestRefused."""
    where = path or "the layer"
    if class_name in PSEUDO_LAYERS and not path:
        check_pseudo_layer(class_name, config, path)
        return
    if not isinstance(class_name, str) or lookup(class_name) is None:
        raise RequestRefused(path, f"{where} is of class {short(class_name)}, which is not a "
                                   "layer class archlint knows (`archlint layers` lists them)")
    if not isinstance(config, dict):
        raise RequestRefused(path, f"the config of {where} is not a dict")
    for option, value in config.items():
        if not isinstance(option, str):
            raise RequestRefused(path, f"{where} has an option named {short(option)}")
        check_option(f"{path}.{option}" if path else option, option, value)


def check_option(path: str, option: str, value: Any) -> None:
    """One option's value: a nested layer (or a list of them), a registered object of the
    option's kind, or a plain value."""
    if isinstance(value, dict) and "class_name" in value and set(value) <= OBJECT_FORM:
        class_name = value["class_name"]
        if nested_layer_class(option, value) is not None:
            check_layer(class_name, value.get("config", {}), path)
            return
        kind = kind_of(option)
        if kind is not None and isinstance(class_name, str) and class_name in KINDS[kind]:
            check_plain(f"{path}.config", value.get("config", {}))
            return
        what = f"a Keras {kind}" if kind else "a layer class archlint knows"
        raise RequestRefused(path, f"{path}={short(value)}: {short(class_name)} is not {what}")
    if isinstance(value, list) and value and all(nested_layer_class(option, item) is not None
                                                 for item in value):
        # A list of layers: RNN's cells, StackedRNNCells's, Pipeline's layers.
        for item in value:
            check_layer(item["class_name"], item.get("config", {}), path)
        return
    check_plain(path, value)


def nested_layer_class(option: str, value: Any) -> str | None:
    """The class of a layer of the catalog given as ``option``'s value
    (``{"class_name", "config"}``), or None. An option of a registered kind takes the
    registered object of that name (``kernel_initializer={"class_name": "Identity"}`` is an
    initializer, not the Identity layer).

    >>> nested_layer_class("cell", {"class_name": "LSTMCell", "config": {"units": 2}})
    'LSTMCell'
    >>> nested_layer_class("kernel_initializer", {"class_name": "Identity", "config": {}})
    """
    if not (isinstance(value, dict) and set(value) <= OBJECT_FORM):
        return None
    class_name = value.get("class_name")
    if not isinstance(class_name, str) or lookup(class_name) is None:
        return None
    kind = kind_of(option)
    if kind is not None and class_name in KINDS[kind]:
        return None
    return class_name


def check_plain(path: str, value: Any) -> None:
    """Numbers, strings, booleans, None, and lists and dicts of those."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return
    if isinstance(value, (list, tuple)):
        for item in value:
            check_plain(path, item)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or key in OBJECT_KEYS or key.startswith("__"):
                raise RequestRefused(path, f"{path}={short(value)} is a serialized object, "
                                           "not a plain value")
            check_plain(path, item)
        return
    raise RequestRefused(path, f"{path}={short(value)} is not a plain value")


def check_graph(graph: Any) -> None:
    """Every part of a request Keras reads: inputs, layers, call arguments."""
    if not isinstance(graph, dict):
        raise RequestRefused("", "the request is not a dict")
    for entry in graph.get("inputs", []):
        if not isinstance(entry, dict) or not set(entry) <= INPUT_KEYS:
            raise RequestRefused("inputs", f"input {short(entry)} has unknown fields")
        for key, value in entry.items():
            if key == "shape":
                # Plain scalars only; Keras itself refuses sizes that are not integers.
                ok = isinstance(value, list) and all(
                    d is None or isinstance(d, (int, float, str)) for d in value)
            elif key == "batch_size":
                ok = value is None or (isinstance(value, int) and not isinstance(value, bool))
            elif key == "ragged":
                ok = isinstance(value, bool)
            else:
                ok = value is None or isinstance(value, str)
            if not ok:
                raise RequestRefused(key, f"input {key}={short(value)} is not a valid {key}")
    layers = graph.get("layers", {})
    if not isinstance(layers, dict):
        raise RequestRefused("layers", "the layers are not a dict")
    for name, spec in layers.items():
        if not isinstance(spec, dict) or set(spec) != OBJECT_FORM:
            raise RequestRefused(str(name), f"layer {short(name)} is not "
                                            "{\"class_name\", \"config\"}")
        try:
            check_layer(spec["class_name"], spec["config"])
        except RequestRefused as error:
            raise RequestRefused(error.option, f"layer `{name}`: {error.message}") from None
    for call in graph.get("calls", []):
        if not isinstance(call, dict):
            raise RequestRefused("calls", "a call is not a dict")
        for key, value in (call.get("call_kwargs") or {}).items():
            check_plain(f"call_kwargs.{key}", value)
