"""The options of a saved layer and of a saved ``compile()``, as a script would write them.

A saved layer config holds every option (initializers, regularizers, dtype policies...):
only the options the layer's spec reads are kept, Keras 3's serialized tuples become tuples,
and a class archlint has no formulas for, or a user's class, is refused with SkippedLayer
(``saved_graph.py`` turns it into a layer of unknown output with an AL002 event). A saved
loss, optimizer or metric becomes the value the script front end makes of the same
expression.
"""

from __future__ import annotations

from typing import Any

from archlint.frontend.saved_files import SavedModelError
from archlint.frontend.values import KerasObject, ModuleRef
from archlint.graph import CompileArgs, Span
from archlint.layers import lookup
from archlint.layers.base import LayerSpec
from archlint.layers.quantization import FLOAT8_AMAX_HISTORY

# A saved model has no source lines: every span is line 0.
NO_SPAN = Span(0)
# Options kept beside a spec's own (defaults, nested layers, positional parameters): rules
# read a layer's activation.
DESCRIPTIVE_OPTIONS = frozenset({"name", "activation"})
INPUT_SHAPE_OPTIONS = frozenset({"batch_shape", "batch_input_shape", "input_shape"})
# Keras 2 style shape hints a first layer of a Sequential may carry.
SHAPE_HINTS = ("batch_input_shape", "batch_shape", "input_shape")


class SkippedLayer(Exception):
    """A layer archlint cannot analyse; the message says why."""


def sequential_input_options(items: list[dict[str, Any]],
                             build_shape: Any) -> dict[str, Any] | None:
    """The InputLayer options of a Sequential saved without an InputLayer: the first
    layer's Keras 2 style shape hints, else the shape it was built with."""
    if items:
        first = items[0].get("config")
        if isinstance(first, dict):
            for key in SHAPE_HINTS:
                if first.get(key) is not None:
                    return {key: _plain(first[key])}
            if first.get("input_dim") is not None:
                return {"shape": (first["input_dim"],)}
    if isinstance(build_shape, (list, tuple)) and build_shape and \
            not isinstance(build_shape[0], (list, tuple, dict)):
        return {"batch_input_shape": _plain(build_shape)}
    return None



def layer_config(entry: dict[str, Any]) -> dict[str, Any]:
    """The options of a saved layer that archlint reads, in the form a script gives them.

    A saved config holds every option (initializers, regularizers, dtype policies,
    ``trainable``...): only the spec's own options are kept, nested layers are cleaned the
    same way, and Keras 3's serialized tuples become tuples. Raises SkippedLayer for a class
    archlint cannot analyse.
    """
    class_name = entry["class_name"]
    custom = _custom_class(entry)
    if custom is not None:
        raise SkippedLayer(custom)
    spec = lookup(class_name)
    if spec is None:
        raise SkippedLayer(f"layer class `{class_name}` is not supported by archlint")
    config = entry.get("config")
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise SavedModelError(f"the config of a {class_name} layer is not an object")
    if config.get("time_major"):
        raise SkippedLayer(f"{class_name} time_major=True (a tf-keras option) is not supported by "
                    "archlint")
    if spec.class_name == "InputLayer":
        _check_input_shape(config)
    keep = _kept_options(spec)
    cleaned: dict[str, Any] = {}
    for key, value in config.items():
        if key not in keep:
            continue
        if key in spec.nested and isinstance(value, dict) and "class_name" in value:
            inner = layer_config(value)
            inner_spec = lookup(value["class_name"])
            cleaned[key] = {"class_name": inner_spec.class_name if inner_spec else
                            value["class_name"], "config": inner}
        elif key == "dtype":
            cleaned[key] = _dtype_name(value)
        else:
            cleaned[key] = _plain(value)
    axis = cleaned.get("axis")
    if spec.class_name == "BatchNormalization" and isinstance(axis, list) and len(axis) == 1:
        cleaned["axis"] = axis[0]  # tf-keras saves the axis as a list, even for one axis
    return cleaned


def _check_input_shape(config: dict[str, Any]) -> None:
    for key in ("shape", *INPUT_SHAPE_OPTIONS):
        shape = _plain(config.get(key))
        if shape is None:
            continue
        if not isinstance(shape, (list, tuple)) or not all(
                d is None or (isinstance(d, int) and not isinstance(d, bool) and d >= 0)
                for d in shape):
            raise SavedModelError(f"input `{config.get('name')}` has {key}={shape!r}, which "
                                  "is not a list of sizes")


def _kept_options(spec: LayerSpec) -> frozenset[str]:
    # Options the formulas do not model are kept too: a value other than Keras's default
    # makes the layer unknown (AL002) rather than counted without it.
    keep = set(spec.defaults) | set(spec.nested) | set(spec.positional) | DESCRIPTIVE_OPTIONS \
        | set(spec.unmodelled)
    keep.discard("weights")
    if spec.class_name == "InputLayer":
        keep |= INPUT_SHAPE_OPTIONS
    return frozenset(keep)


def _custom_class(entry: dict[str, Any]) -> str | None:
    """Why a saved layer is a user's class (even one named like a Keras layer), or None."""
    class_name = entry["class_name"]
    module = entry.get("module")
    registered = entry.get("registered_name")
    if isinstance(module, str) and module and \
            module.split(".")[0] not in ("keras", "tf_keras", "tensorflow"):
        return f"custom layer class `{registered or class_name}` (module {module}) is not " \
               "supported by archlint"
    if isinstance(registered, str) and registered != class_name:
        return f"custom layer class `{registered}` is not supported by archlint"
    return None


def _dtype_name(value: Any) -> Any:
    """A dtype, or the name of a dtype policy (``{"class_name": "DTypePolicy", "config":
    {"name": "float32"}}``), a quantized one's included (``{"mode": "int8", "source_name":
    "float32"}`` is ``int8_from_float32``). A policy archlint cannot name (a float8 one with
    another history length, a policy map) stays a dict: a layer Keras quantizes is then
    unknown (AL002), never counted as if it were not quantized."""
    if isinstance(value, dict):
        inner = value.get("config")
        if isinstance(inner, dict) and isinstance(inner.get("name"), str):
            return inner["name"]
        if isinstance(inner, dict) and isinstance(inner.get("mode"), str) and \
                isinstance(inner.get("source_name"), str) and \
                inner.get("amax_history_length", FLOAT8_AMAX_HISTORY) == FLOAT8_AMAX_HISTORY:
            return f"{inner['mode']}_from_{inner['source_name']}"
        return value if inner is not None else None
    return value


def _plain(value: Any) -> Any:
    """Keras 3's ``{"class_name": "__tuple__", "config": {"value": [...]}}`` as a tuple,
    recursively."""
    if isinstance(value, dict):
        if value.get("class_name") == "__tuple__" and isinstance(value.get("config"), dict):
            return tuple(_plain(v) for v in value["config"].get("value", []))
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def compile_args(config: Any) -> CompileArgs | None:
    """``compile_config`` of a .keras archive as the script's ``model.compile(...)``."""
    if not isinstance(config, dict) or not config:
        return None
    loss = _keras_object(config.get("loss"), "losses")
    return CompileArgs(span=NO_SPAN, loss=loss, loss_source=_describe(loss),
                       optimizer=_keras_object(config.get("optimizer"), "optimizers"),
                       metrics=_keras_object(config.get("metrics"), "metrics"))


def _keras_object(value: Any, module: str) -> Any:
    """A serialized loss, optimizer or metric as the value the script front end makes of
    the same expression: a name stays a string, a function becomes a ModuleRef, an object
    a KerasObject with its options."""
    if isinstance(value, list):
        return [_keras_object(v, module) for v in value]
    if not isinstance(value, dict):
        return value
    class_name = value.get("class_name")
    if not isinstance(class_name, str):
        return {k: _keras_object(v, module) for k, v in value.items()}
    inner = value.get("config")
    if class_name == "function":
        name = inner if isinstance(inner, str) else value.get("registered_name")
        return ModuleRef(f"keras.{module}.{name}")
    options = inner if isinstance(inner, dict) else {}
    kwargs = tuple(sorted((k, v) for k, v in options.items()
                          if isinstance(v, (bool, int, float, str)) or v is None))
    return KerasObject(f"keras.{module}.{class_name}", (), kwargs)


def _describe(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, ModuleRef):
        return value.path
    if isinstance(value, KerasObject):
        return f"{value.path}()"
    if isinstance(value, list):
        return "[" + ", ".join(str(_describe(v)) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_describe(v)}" for k, v in value.items()) + "}"
    return repr(value)
