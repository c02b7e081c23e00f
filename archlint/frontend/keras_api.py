"""Which dotted names are Keras, and what each Keras name is.

A script reaches Keras through many spellings (``keras.layers.Dense``,
``tf.keras.layers.Dense``, ``from tensorflow.keras.layers import Dense``,
``tf_keras.layers.Dense``); all of them normalize to one *leaf* name.
"""

from __future__ import annotations

import ast

from archlint.frontend.naming import KERAS2, KERAS3

KERAS_ROOTS = (
    "tensorflow.keras", "tensorflow.python.keras", "tensorflow.compat.v1.keras",
    "tensorflow.compat.v2.keras", "tf_keras", "keras",
)
LEGACY_KERAS_SWITCH = "TF_USE_LEGACY_KERAS"  # makes tf.keras mean tf_keras (Keras 2)

INPUT_FUNCTIONS = frozenset({"Input"})
MODEL_CLASSES = frozenset({"Model", "Functional"})
SEQUENTIAL_CLASSES = frozenset({"Sequential"})
LAYER_BASES = frozenset({"Layer"})

# Functional forms of the merge layers: ``layers.concatenate([a, b])``.
MERGE_FUNCTIONS = {
    "concatenate": "Concatenate",
    "add": "Add",
    "subtract": "Subtract",
    "multiply": "Multiply",
    "average": "Average",
    "maximum": "Maximum",
    "minimum": "Minimum",
    "dot": "Dot",
}

# Calls that change nothing in the model graph (beyond naming, for clear_session).
NO_EFFECT_FUNCTIONS = frozenset({
    "clear_session", "set_seed", "set_random_seed", "plot_model", "set_floatx",
    "set_image_data_format", "enable_unsafe_deserialization", "set_global_policy",
    "set_dtype_policy",
})
# Calls that set the global dtype policy: a quantized one changes later layers' weights.
POLICY_FUNCTIONS = frozenset({"set_global_policy", "set_dtype_policy"})
# Dtype policy classes (keras.DTypePolicy is no layer, though it is capitalized at the root).
POLICY_CLASSES = frozenset({
    "DTypePolicy", "FloatDTypePolicy", "Policy", "QuantizedDTypePolicy",
    "QuantizedFloat8DTypePolicy", "Int4DTypePolicy", "GPTQDTypePolicy", "AWQDTypePolicy",
    "DTypePolicyMap",
})


def keras_path(path: str) -> str | None:
    """The part of a module path below the Keras root, or None when it is not Keras.

    >>> keras_path("tensorflow.keras.layers"), keras_path("keras"), keras_path("numpy")
    ('layers', '', None)
    """
    for root in KERAS_ROOTS:
        if path == root:
            return ""
        if path.startswith(root + "."):
            return path[len(root) + 1:]
    return None


def kind_of(sub_path: str) -> str:
    """Classify a Keras name by its leaf and the module it lives in.

    >>> kind_of("layers.Dense"), kind_of("Input"), kind_of("models.Sequential")
    ('layer', 'input', 'sequential')
    >>> kind_of("layers.concatenate"), kind_of("losses.mae"), kind_of("layers")
    ('merge', 'object', 'module')
    >>> kind_of("applications.ResNet50"), kind_of("backend.clear_session")
    ('application', 'no_effect')
    """
    parts = [p for p in sub_path.split(".") if p and p != "src"]
    if not parts:
        return "module"
    leaf = parts[-1]
    if leaf in INPUT_FUNCTIONS:
        return "input"
    if leaf in MODEL_CLASSES:
        return "model"
    if leaf in SEQUENTIAL_CLASSES:
        return "sequential"
    if leaf in LAYER_BASES:
        return "layer_base"
    if leaf in NO_EFFECT_FUNCTIONS:
        return "no_effect"
    if leaf in POLICY_CLASSES:
        return "object"
    if "applications" in parts[:-1] and leaf[0].isupper():
        return "application"
    in_layers = "layers" in parts[:-1]
    if leaf in MERGE_FUNCTIONS and (in_layers or len(parts) == 1):
        return "merge"
    if leaf[0].isupper() and (in_layers or len(parts) == 1):
        return "layer"
    if len(parts) == 1 and leaf[0].islower():
        return "module"  # keras.layers, keras.losses, keras.backend ...
    return "object"


def leaf(sub_path: str) -> str:
    return sub_path.rsplit(".", 1)[-1]


def star_names(sub_path: str) -> list[str]:
    """Names ``from <keras module> import *`` binds that the interpreter knows.

    >>> "Dense" in star_names("layers"), star_names("models")
    (True, ['Model', 'Sequential'])
    """
    from archlint.layers import all_specs

    parts = [p for p in sub_path.split(".") if p and p != "src"]
    if parts == ["models"]:
        return ["Model", "Sequential"]
    if parts == ["backend"] or parts == ["utils"]:
        return sorted(NO_EFFECT_FUNCTIONS)
    names = {name for spec in all_specs() if not spec.application_module
             for name in (spec.class_name, *spec.aliases)}
    names |= set(MERGE_FUNCTIONS) | set(INPUT_FUNCTIONS)
    if not parts:
        names |= {"Model", "Sequential", "layers", "models", "backend", "utils"}
    return sorted(names)


def dialect_of(tree: ast.Module, source: str | None = None) -> str:
    """Keras 2 naming when the script uses ``tf_keras`` (directly, or through
    ``TF_USE_LEGACY_KERAS``); Keras 3 otherwise. ``source``, when given, spares the walk
    over a script that mentions neither.

    >>> dialect_of(ast.parse("import tf_keras as keras")), dialect_of(ast.parse("import keras"))
    ('keras2', 'keras3')
    """
    if source is not None and "tf_keras" not in source and LEGACY_KERAS_SWITCH not in source:
        return KERAS3
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(
                alias.name.split(".")[0] == "tf_keras" for alias in node.names):
            return KERAS2
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "tf_keras":
            return KERAS2
        if isinstance(node, ast.Constant) and node.value == LEGACY_KERAS_SWITCH:
            return KERAS2
    return KERAS3
