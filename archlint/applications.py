"""Pretrained backbones (``keras.applications.*``) as model configs, without Keras.

Each application is shipped as data generated once from real Keras 3 by
``python -m benchmarks.make_applications`` (``archlint/data/applications/<Name>.json.gz``):
its layers for ``include_top=False, pooling=None``, the layers the classifier head and the
pooling options add, the paddings Keras computes from the input size, and the layers
``weights="imagenet"`` adds. ``backbone_config`` rebuilds, for the options of a call, the
model config Keras would build, in the form ``saved_model.models_from_config`` reads, or
says why it cannot: a ``Refusal`` where Keras raises, an ``Unknown`` where archlint does not
know the graph. The data is read only when a script uses an application.

>>> config = backbone_config("VGG16", include_top=False, weights=None,
...                          input_shape=(64, 64, 3), pooling="avg")
>>> config["config"]["name"], config["config"]["output_layers"]
('vgg16', [['global_average_pooling2d', 0, 0]])
>>> backbone_config("VGG16", classes=10).message.startswith("If using `weights='imagenet'`")
True
"""

from __future__ import annotations

import copy
import gzip
import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archlint.records import record
from archlint.unknown import Unknown

if TYPE_CHECKING:
    from archlint.layers.base import LayerSpec

DATA_DIR = Path(__file__).parent / "data" / "applications"
# Options every application takes; the others (alpha, depth_multiplier...) are per family.
COMMON_OPTIONS = frozenset({"include_top", "weights", "input_tensor", "input_shape", "pooling",
                            "classes", "classifier_activation", "name"})
# MobileNet and MobileNetV2 take a square input of these sizes as their default size.
SQUARE_DEFAULT_SIZES = {"mobilenet": (128, 160, 192, 224),
                        "mobilenetv2": (96, 128, 160, 192, 224)}
CLASSES_REFUSAL = ("If using `weights='imagenet'` with `include_top=True`, `classes` should be "
                   "1000.  Received classes={classes}")
# Models whose cells compare the sizes of the tensors they meet and adjust one to the other
# (NASNet): shipped for their default input size only.
SIZE_ADJUSTING_MODELS = ("nasnet",)
# Options of a saved layer config kept whatever the class (the rest is what formulas read).
DESCRIPTIVE_OPTIONS = frozenset({"activation"})
INPUT_SHAPE_OPTIONS = frozenset({"batch_shape", "batch_input_shape", "input_shape"})
MODEL_CLASSES = frozenset({"Functional", "Model", "Sequential"})
# Roots of names that load a backbone archlint cannot know without running it.
EXTERNAL_BACKBONES = {
    "tensorflow_hub": "a TF-Hub module is a traced graph downloaded at run time; archlint "
                      "cannot know its layers or output shape",
    "transformers": "a Hugging Face model is built from a configuration downloaded at run "
                    "time; archlint cannot know its layers or output shape",
}


@record(frozen=True)
class Refusal:
    """Keras raises for these options; ``message`` is what it says."""

    message: str


def available() -> list[str]:
    """The applications shipped with archlint (``ResNet50``, ``VGG16``...)."""
    return sorted(_index())


def external_backbone_reason(module_path: str) -> str | None:
    """Why a backbone loaded through ``module_path`` (``tensorflow_hub.KerasLayer``,
    ``transformers.TFAutoModel``...) stays unknown, or None for another module.

    >>> external_backbone_reason("tensorflow_hub.KerasLayer").startswith("a TF-Hub module")
    True
    """
    return EXTERNAL_BACKBONES.get(module_path.split(".", 1)[0])


def backbone_config(application: str, *, include_top: Any = True, weights: Any = "imagenet",
                    input_shape: Any = None, input_tensor_shape: Any = None,
                    pooling: Any = None, classes: Any = 1000,
                    classifier_activation: Any = "softmax", name: Any = None,
                    data: dict[str, Any] | None = None,
                    **options: Any) -> dict[str, Any] | Refusal | Unknown:
    """The Keras 3 model config ``keras.applications.<application>(...)`` builds.

    ``input_shape`` is the option as written (it is what Keras validates);
    ``input_tensor_shape`` is the shape, without the batch axis, of the ``input_tensor``
    the model is built on, if any (the model's input layer then takes that shape; the caller
    connects the tensor). Other keyword options (``alpha``, ``include_preprocessing``...)
    are known only at their default value. ``data`` replaces the shipped data (the
    generator checks data before writing it).

    Returns a ``{"class_name": "Functional", "config": {...}}`` dictionary, a Refusal when
    Keras raises for these options, or an Unknown with the reason archlint cannot say.

    The front end calls it with the options of the call as it resolved them and gives the
    dictionary to ``saved_model.models_from_config``, whose last model is the application
    (the models before it are those nested in it): a model the script may call on a tensor
    (its layers are then inlined as ``<model name>/<layer>``) or read ``.output`` of. With
    ``input_tensor=t`` Keras builds the layers on ``t`` itself: the front end passes
    ``input_tensor_shape`` and connects the model's input layer to ``t``. A Refusal is an
    error at the call (Keras raises ValueError there); an Unknown makes the model's output
    unknown, with the reason. The graph and the refusals are those of Keras 3; tf-keras
    builds the same graphs (checked by the tests) with its own wording of the refusals.
    """
    if data is None:
        if application not in _index():
            return Unknown(f"keras.applications.{application} is not shipped with archlint")
        data = _load(application)
    given = {"include_top": include_top, "weights": weights, "input_shape": input_shape,
             "pooling": pooling, "classes": classes,
             "classifier_activation": classifier_activation,
             "input_tensor": input_tensor_shape, "name": name}
    problem = _unusable_options(application, data, given, options)
    if problem is not None:
        return problem
    refusals = data.get("refusals", {})
    if weights == "imagenet" and include_top and classes != 1000:
        return Refusal(refusals.get("classes", CLASSES_REFUSAL).format(classes=classes))
    if weights == "imagenet" and "unknown_size" in refusals and \
            isinstance(input_shape, tuple) and None in input_shape:
        return Refusal(refusals["unknown_size"].format(input_shape=input_shape))
    shape = _input_shape(data, input_shape, include_top=bool(include_top), weights=weights)
    if isinstance(shape, Refusal):
        return shape
    if include_top and weights is not None and \
            classifier_activation not in ("softmax", "linear", None):
        return Refusal("Only `None` and `softmax` activations are allowed for the "
                       "`classifier_activation` argument when using pretrained weights, "
                       "with `include_top=True`; Received: "
                       f"classifier_activation={classifier_activation}")
    built_shape = tuple(input_tensor_shape) if input_tensor_shape is not None else shape
    fixed_size = data["fixed_size"] or data["name"].startswith(SIZE_ADJUSTING_MODELS)
    if fixed_size and list(built_shape) != list(data["default_shape"]) and \
            list(built_shape) != list(data["top_shape"]):
        return Unknown(f"the graph of keras.applications.{application} depends on its input "
                       f"size; archlint ships it for {tuple(data['default_shape'])} only")
    layers, outputs = _layers(data, weights, built_shape)
    inputs = [entry for entry in layers if entry["c"] == "InputLayer"]
    inputs[0]["o"]["batch_shape"] = [None, *built_shape]
    problem = _set_pads(layers, data["pads"], application)
    if problem is not None:
        return problem
    variant = "top" if include_top else pooling if pooling in ("avg", "max") else "none"
    head = data["heads"].get(variant, [])
    if head:
        activation = "linear" if classifier_activation is None else classifier_activation
        placeholders = {"$classes": classes, "$classifier_activation": activation}
        if variant != "top":  # a pooling head follows the body's output at any size
            placeholders.update({old: new for old, new in zip(data["outputs"], outputs)})
        layers += _substitute(copy.deepcopy(head), placeholders)
        outputs = [head[-1]["n"]]
    model_name = name if name is not None else _model_name(data, include_top, weights, shape)
    return {"class_name": "Functional", "config": {
        "name": model_name, "trainable": True,
        "layers": [expand(entry) for entry in layers],
        "input_layers": [[inputs[0]["n"], 0, 0]],
        "output_layers": [[output, 0, 0] for output in outputs]}}


# --------------------------------------------------------------------------- validation


def _unusable_options(application: str, data: dict[str, Any], given: dict[str, Any],
                      options: dict[str, Any]) -> Refusal | Unknown | None:
    """Why the options of a call cannot be used: not known statically, an option of the
    family away from its default (the data holds the default build), or one the
    application does not take."""
    for option, value in given.items():
        if _has_unknown(value):
            return Unknown(f"option {option} of keras.applications.{application} is not "
                           "known statically")
    for option in ("input_shape", "input_tensor"):
        shape = given[option]
        if isinstance(shape, (list, tuple)) and not all(
                d is None or (isinstance(d, int) and not isinstance(d, bool)) for d in shape):
            return Unknown(f"the input size of keras.applications.{application} ({option}) "
                           "is not a number known statically")
    defaults = data.get("defaults", {})
    for option, value in options.items():
        if option not in defaults:
            return Refusal(f"{application}() got an unexpected keyword argument '{option}'")
        if value != defaults[option]:
            return Unknown(f"archlint ships keras.applications.{application} with its default "
                           f"{option}={defaults[option]!r} only ({option}={value!r} given)")
    weights = given["weights"]
    if not (weights is None or isinstance(weights, str)):
        return Unknown(f"weights={weights!r} of keras.applications.{application} is not a "
                       "name or a path")
    return None


def _has_unknown(value: Any) -> bool:
    if isinstance(value, Unknown):
        return True
    if isinstance(value, (list, tuple)):
        return any(_has_unknown(v) for v in value)
    return False


def _input_shape(data: dict[str, Any], input_shape: Any, *, include_top: bool,
                 weights: Any) -> tuple[Any, ...] | Refusal:
    """The input shape Keras builds with (``imagenet_utils.obtain_input_shape`` with the
    application's default and minimum sizes), or its refusal."""
    if input_shape is not None:
        if not isinstance(input_shape, (list, tuple)) or not all(
                d is None or (isinstance(d, int) and not isinstance(d, bool))
                for d in input_shape):
            return Refusal(f"`input_shape` must be a tuple of three integers. Received "
                           f"input_shape={input_shape!r}")
        input_shape = tuple(input_shape)
    if input_shape is None and not include_top and None not in data["default_shape"]:
        input_shape = tuple(data["default_shape"])  # NASNetMobile's size without its top
    sizes = data.get("input")
    if sizes is None:  # MobileNetV3 checks its input itself
        shape = input_shape or (None, None, 3)
        if len(shape) != 3:
            return Refusal("`input_shape` must be a tuple of three integers.")
        rows, cols = shape[0], shape[1]
        if rows and cols and (rows < 32 or cols < 32):
            return Refusal("Input size must be at least 32x32; Received "
                           f"`input_shape={shape}`")
        return shape
    default_size = sizes["default_size"]
    squares = SQUARE_DEFAULT_SIZES.get(data["name"].split("_", 1)[0])
    if squares and input_shape and len(input_shape) == 3:
        rows, cols = input_shape[0], input_shape[1]
        default_size = rows if rows == cols and rows in squares else 224
    return _obtain_input_shape(input_shape, default_size, sizes["min_size"],
                               require_flatten=include_top, weights=weights)


def _obtain_input_shape(input_shape: tuple[Any, ...] | None, default_size: int,
                        min_size: int, *, require_flatten: bool,
                        weights: Any) -> tuple[Any, ...] | Refusal:
    """Keras 3's ``imagenet_utils.obtain_input_shape`` for channels-last images.

    >>> _obtain_input_shape(None, 224, 32, require_flatten=False, weights=None)
    (None, None, 3)
    >>> _obtain_input_shape((20, 20, 3), 224, 32, require_flatten=False, weights=None)
    Refusal(message='Input size must be at least 32x32; Received: input_shape=(20, 20, 3)')
    """
    if weights != "imagenet" and input_shape and len(input_shape) == 3:
        default_shape = (default_size, default_size, input_shape[-1])
    else:
        default_shape = (default_size, default_size, 3)
    if weights == "imagenet" and require_flatten:
        if input_shape is not None and input_shape != default_shape:
            return Refusal("When setting `include_top=True` and loading `imagenet` weights, "
                           f"`input_shape` should be {default_shape}.  Received: "
                           f"input_shape={input_shape}")
        return default_shape
    if input_shape:
        if len(input_shape) != 3:
            return Refusal("`input_shape` must be a tuple of three integers.")
        if input_shape[-1] != 3 and weights == "imagenet":
            return Refusal(f"The input must have 3 channels; Received "
                           f"`input_shape={input_shape}`")
        if any(d is not None and d < min_size for d in input_shape[:2]):
            return Refusal(f"Input size must be at least {min_size}x{min_size}; Received: "
                           f"input_shape={input_shape}")
        shape = input_shape
    else:
        shape = default_shape if require_flatten else (None, None, 3)
    if require_flatten and None in shape:
        return Refusal("If `include_top` is True, you should specify a static "
                       f"`input_shape`. Received: input_shape={shape}")
    return shape


def _model_name(data: dict[str, Any], include_top: bool, weights: Any,
                shape: tuple[Any, ...]) -> str:
    """The name Keras gives the model; MobileNet's names carry the input rows, those of
    the imagenet weights it loads (224 for a size they do not come in)."""
    template = data.get("name_template")
    if not template:
        return str(data["top_name"] if include_top else data["name"])
    rows = shape[0]
    squares = SQUARE_DEFAULT_SIZES.get(data["name"].split("_", 1)[0], ())
    if weights == "imagenet" and (rows != shape[1] or rows not in squares):
        rows = 224
    return str(template.format(rows=rows))


# --------------------------------------------------------------------------- the graph


def _layers(data: dict[str, Any], weights: Any,
            shape: tuple[Any, ...]) -> tuple[list[dict[str, Any]], list[str]]:
    """The body's layers and outputs for these weights and this input size: the body of an
    unknown size, or the one Keras builds at the classifier's size where that differs
    (NASNetLarge at 331x331), with the layers ``weights="imagenet"`` adds or changes."""
    layers = copy.deepcopy(data["body"])
    outputs = list(data["outputs"])
    sized = data.get("at_top_size")
    if sized and list(shape) == list(sized["shape"]):
        layers = _changed(layers, sized)
        outputs = list(sized["outputs"])
    changes = data.get("imagenet")
    if weights == "imagenet" and changes:
        layers = _changed(layers, changes)
    return layers, outputs


def _changed(layers: list[dict[str, Any]], changes: dict[str, Any]) -> list[dict[str, Any]]:
    """``layers`` with the layers of ``changes`` added or replaced, in its order."""
    by_name = {entry["n"]: entry for entry in layers}
    by_name.update({entry["n"]: copy.deepcopy(entry) for entry in changes["layers"]})
    return [by_name[name] for name in changes["order"]]


def _set_pads(layers: list[dict[str, Any]], pads: dict[str, int],
              application: str) -> Unknown | None:
    """Set each size-dependent padding as ``imagenet_utils.correct_pad`` computes it from
    the size of the padded tensor (one less on the left of an even or unknown size)."""
    if not pads:
        return None
    from archlint.layer_eval import UnsupportedLayer, infer_layer, instantiate
    from archlint.layers.base import ShapeError, Unresolved

    shapes: dict[str, Any] = {}
    remaining = set(pads)
    for entry in layers:
        if not remaining:
            break
        name = entry["n"]
        if entry["c"] == "InputLayer":
            shapes[name] = tuple(entry["o"]["batch_shape"])
            continue
        calls = entry.get("i") or []
        inputs = [_ref_shape(ref, shapes) for ref in _refs_of(calls[0])] if calls else []
        if any(shape is None for shape in inputs):
            continue
        if name in pads:
            half = pads[name]
            rows, cols = inputs[0][1], inputs[0][2]
            adjust = (1, 1) if rows is None else (1 - rows % 2, 1 - cols % 2)
            entry["o"]["padding"] = [[half - adjust[0], half], [half - adjust[1], half]]
            remaining.discard(name)
        try:
            instance = instantiate(entry["c"], dict(entry["o"]), name)
            shapes[name] = infer_layer(instance, inputs).shape
        except (UnsupportedLayer, ShapeError, Unresolved, TypeError, ValueError, KeyError):
            continue
    if remaining:
        return Unknown(f"the padding of {sorted(remaining)[0]} in keras.applications."
                       f"{application} depends on a size archlint cannot compute")
    return None


def _refs_of(arg: Any) -> list[list[Any]]:
    if _is_ref(arg):
        return [arg]
    if isinstance(arg, list):
        return [ref for item in arg for ref in _refs_of(item)]
    return []


def _ref_shape(ref: list[Any], shapes: dict[str, Any]) -> Any:
    shape = shapes.get(ref[0])
    if isinstance(shape, list):
        return shape[ref[2]] if ref[2] < len(shape) else None
    return shape


def _is_ref(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 3 and isinstance(value[0], str) and \
        all(isinstance(v, int) for v in value[1:])


def _substitute(value: Any, placeholders: dict[str, Any]) -> Any:
    if isinstance(value, str) and value in placeholders:
        return placeholders[value]
    if isinstance(value, dict):
        return {k: _substitute(v, placeholders) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, placeholders) for v in value]
    return value


# --------------------------------------------------------------------------- compact form


def compact_layers(layers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keras 3 saved layer configs in the compact form the data holds: class ``c``, name
    ``n``, the options archlint's formulas read ``o``, and the first argument of each call
    ``i`` with its tensors as ``[layer, node, index]`` (a nested model keeps its config
    under ``m``)."""
    return [_compact(entry) for entry in layers]


def _compact(entry: dict[str, Any]) -> dict[str, Any]:
    class_name = entry["class_name"]
    config = entry.get("config") or {}
    compact: dict[str, Any] = {"c": class_name, "n": config.get("name") or entry.get("name")}
    nodes = entry.get("inbound_nodes") or []
    module = entry.get("module")
    if isinstance(module, str) and module.startswith("keras.src.ops."):
        return _compact_operation(compact, module, nodes)
    if class_name in MODEL_CLASSES:
        compact["m"] = {k: _model_option(k, v) for k, v in config.items()
                        if k not in ("trainable", "dtype", "name")}
    else:
        compact["o"] = _options(class_name, config)
    registered = entry.get("registered_name")
    if isinstance(registered, str) and registered != class_name:
        compact["r"] = [module, registered]
    calls = [_plain(node.get("args", [None])[0]) if node.get("args") else
             _plain(node.get("kwargs", {}).get("inputs"))
             for node in nodes]
    if calls:
        compact["i"] = calls
    return compact


def _model_option(key: str, value: Any) -> Any:
    # A nested model's input shape follows the application's input size: its own analysis
    # takes any size (its calls in the application are inlined on the actual tensors).
    if key == "layers":
        layers = compact_layers(value)
        for entry in layers:
            shape = entry.get("o", {}).get("batch_shape")
            if entry["c"] == "InputLayer" and isinstance(shape, list) and shape:
                entry["o"]["batch_shape"] = _any_size(shape)
        return layers
    if key == "build_input_shape" and isinstance(value, (list, tuple)) and value:
        return _any_size(list(value))
    return _plain(value)


def _any_size(shape: list[Any]) -> list[Any]:
    """A batch shape with only its last axis (the channels) kept."""
    return [None] * (len(shape) - 1) + [_plain(shape[-1])]


# keras.ops arithmetic of a tensor and a constant, as the Rescaling (scale, offset) that
# computes the same (MobileNetV3's hard sigmoid is ``relu6(x + 3) * (1 / 6)``).
_SCALAR_OPERATIONS = {"Add": lambda c: (1.0, c), "Subtract": lambda c: (1.0, -c),
                      "Multiply": lambda c: (c, 0.0)}


_MERGE_OPERATIONS = frozenset({"Add", "Subtract", "Multiply", "Maximum", "Minimum"})


def _compact_operation(compact: dict[str, Any], module: str,
                       nodes: list[Any]) -> dict[str, Any]:
    """A keras.ops call saved in a functional config: arithmetic with a constant becomes
    the equivalent Rescaling; another operation is kept under its ``keras.ops`` name, which
    the reader reports as a class archlint does not analyse."""
    args = [_plain(arg) for arg in (nodes[0].get("args") or [])] if len(nodes) == 1 else []
    tensors = _refs_of(args)
    constants = [a for a in args if isinstance(a, (int, float)) and not isinstance(a, bool)]
    if compact["c"] in _MERGE_OPERATIONS and len(tensors) == 2 and len(args) == 2:
        # keras.ops.add(a, b) is what the merge layer Add computes (ConvNeXt's residuals).
        return {"c": compact["c"], "n": compact["n"], "o": {}, "i": [tensors]}
    rescale = _SCALAR_OPERATIONS.get(compact["c"])
    if rescale is not None and len(tensors) == 1 and len(constants) == 1 and \
            (args[0] == tensors[0] or compact["c"] != "Subtract"):
        scale, offset = rescale(constants[0])
        return {"c": "Rescaling", "n": compact["n"], "o": {"scale": scale, "offset": offset},
                "i": [tensors[0]]}
    operation = f"keras.ops.{compact['c'][0].lower()}{compact['c'][1:]}"
    compact.update({"o": {}, "r": [module, operation],
                    "i": [tensors[0] if len(tensors) == 1 else tensors]})
    return compact


def _options(class_name: str, config: dict[str, Any]) -> dict[str, Any]:
    from archlint.layers import lookup

    spec = lookup(class_name)
    if spec is None:  # kept as saved, without the objects (initializers, dtype policies)
        return {k: _plain(v) for k, v in config.items()
                if k not in ("name", "trainable", "dtype") and not isinstance(v, dict)}
    keep = set(spec.defaults) | set(spec.nested) | set(spec.positional) | DESCRIPTIVE_OPTIONS
    if spec.class_name == "InputLayer":
        keep |= INPUT_SHAPE_OPTIONS
    keep -= {"weights", "name", "dtype"}
    options = {}
    for key, value in config.items():
        if key not in keep or at_default(spec, key, value):
            continue
        if key in spec.nested and isinstance(value, dict) and "class_name" in value:
            options[key] = {"class_name": value["class_name"],
                            "config": _options(value["class_name"], value.get("config") or {})}
        else:
            options[key] = _plain(value)
    return options


def at_default(spec: LayerSpec, option: str, value: Any) -> bool:
    """Whether a saved option holds the value Keras 3 gives it when it is not passed: left
    out, as the application's code leaves it (tf-keras has no ``rms_scaling`` option, which
    Keras 3 saves for every LayerNormalization).

    >>> from archlint.layers import lookup
    >>> at_default(lookup("LayerNormalization"), "rms_scaling", False)
    True
    """
    return option in spec.defaults and type(value) is type(spec.defaults[option]) and \
        value == spec.defaults[option]


def _plain(value: Any) -> Any:
    """Keras 3's serialized tuples as lists and its saved tensors as ``[layer, node,
    index]``, recursively."""
    if isinstance(value, dict):
        inner = value.get("config")
        if value.get("class_name") == "__tuple__" and isinstance(inner, dict):
            return [_plain(v) for v in inner.get("value", [])]
        if value.get("class_name") == "__keras_tensor__" and isinstance(inner, dict):
            return list(inner["keras_history"])
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def expand(entry: dict[str, Any]) -> dict[str, Any]:
    """A compact layer back in the form of a Keras 3 saved layer config."""
    name = entry["n"]
    layer: dict[str, Any] = {"class_name": entry["c"], "name": name}
    if "m" in entry:
        inner = dict(entry["m"])
        inner["layers"] = [expand(e) for e in inner.get("layers", [])]
        layer["config"] = {"name": name, **inner}
    else:
        from archlint.layers import lookup

        spec = lookup(entry["c"])
        layer["config"] = {"name": name, **{k: v for k, v in entry["o"].items()
                                            if spec is None or not at_default(spec, k, v)}}
    if "r" in entry:
        layer["module"], layer["registered_name"] = entry["r"]
    layer["inbound_nodes"] = [{"args": [_tensors(arg)], "kwargs": {}}
                              for arg in entry.get("i", [])]
    return layer


def _tensors(arg: Any) -> Any:
    if _is_ref(arg):
        return {"class_name": "__keras_tensor__", "config": {"keras_history": arg}}
    if isinstance(arg, list):
        return [_tensors(item) for item in arg]
    return arg


# --------------------------------------------------------------------------- data


@cache
def _index() -> dict[str, Any]:
    path = DATA_DIR / "index.json"
    if not path.is_file():
        return {}
    index: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return index


@cache
def _load(application: str) -> dict[str, Any]:
    with gzip.open(DATA_DIR / f"{application}.json.gz", "rt", encoding="utf-8") as stream:
        data: dict[str, Any] = json.load(stream)
    return data
