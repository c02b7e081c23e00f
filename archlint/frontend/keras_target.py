"""Which Keras a script targets: "3", "2" (tf-keras), or "both" when the script does not
say, so that a finding true under one version only names that version.

``import tf_keras``, ``TF_USE_LEGACY_KERAS`` and ``tensorflow_addons`` (built on tf-keras)
mean Keras 2; modules and switches that exist only in Keras 3 (``keras.ops``,
``keras.config``, ``KERAS_BACKEND``...) mean Keras 3. ``tf.keras`` and a bare ``import keras``
are Keras 3 with TensorFlow 2.16 or later and Keras 2 before: both, unless a guard on
``keras.__version__`` requires one (``version_guards.py``).

>>> import ast
>>> target_of(ast.parse("import tf_keras as keras")), target_of(ast.parse("import keras"))
('2', 'both')
>>> target_of(ast.parse("from keras import ops")), target_of(ast.parse("import keras"), "3")
('3', '3')
"""

from __future__ import annotations

import ast

from archlint.frontend.keras_api import KERAS2, dialect_of
from archlint.frontend.version_guards import required_major

TARGETS = ("auto", "3", "2", "both")
_KERAS2_MODULES = frozenset({"tf_keras", "tensorflow_addons"})
_KERAS3_MODULES = frozenset({"keras_core", "keras.ops", "keras.config", "keras.random",
                             "keras.src", "keras.tree"})
_KERAS3_NAMES = frozenset({"ops", "config", "random", "tree"})
_KERAS3_SWITCHES = frozenset({"KERAS_BACKEND"})


def target_of(tree: ast.Module, configured: str = "auto", source: str | None = None) -> str:
    """``configured`` unless it is "auto"; else what the script's imports say."""
    if configured != "auto":
        return configured
    if dialect_of(tree, source) == KERAS2:
        return "2"
    for node in ast.walk(tree):
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        elif _keras3_only(node):
            return "3"
        for module in modules:
            if module.split(".")[0] in _KERAS2_MODULES:
                return "2"
            if any(module == m or module.startswith(m + ".") for m in _KERAS3_MODULES):
                return "3"
    return required_major(tree) or "both"


def _keras3_only(node: ast.AST) -> bool:
    """``keras.ops``-style attributes and Keras 3's switches (``KERAS_BACKEND``)."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.value.id == "keras" and node.attr in _KERAS3_NAMES
    return isinstance(node, ast.Constant) and node.value in _KERAS3_SWITCHES

