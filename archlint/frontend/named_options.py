"""The string options of a script that Keras resolves by name: which Keras version's names
apply, and the loss and optimizer names of ``compile()`` (layer options are checked when
the layer is instantiated, see ``archlint.layer_eval``).
"""

from __future__ import annotations

import ast
from typing import Any

from archlint.diagnostics import Event
from archlint.frontend.naming import KERAS2
from archlint.graph import Span
from archlint.keras_names import KERAS3, TF_KERAS, name_problem
from archlint.layers.base import INVALID_CONFIG

# A script that registers its own objects may give any of their names as a string.
CUSTOM_OBJECT_MARKERS = ("custom_object", "CustomObjectScope", "register_keras_serializable")


def names_version(dialect: str, source: str | None) -> str | None:
    """The Keras version ("3" or "2") whose names the script's string options must be, or
    None when the script registers custom objects, whose names archlint cannot know.

    >>> names_version("keras2", "import tf_keras"), names_version("keras3", "")
    ('2', '3')
    >>> names_version("keras3", "keras.utils.get_custom_objects()['act'] = f") is None
    True
    """
    if source is not None and any(marker in source for marker in CUSTOM_OBJECT_MARKERS):
        return None
    return TF_KERAS if dialect == KERAS2 else KERAS3


def _names(value: Any) -> list[str]:
    """The strings of a loss given as a name, a list of names or a dict of them."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return [item for item in value if isinstance(item, str)]
    return []


def _span_of_name(node: ast.Call, name: str) -> Span:
    """Where the call spells ``name`` out, else the call itself."""
    found: ast.expr = next((n for n in ast.walk(node)
                            if isinstance(n, ast.Constant) and n.value == name), node)
    return Span(found.lineno, found.col_offset, found.end_lineno or 0,
                found.end_col_offset or 0)


def compile_events(loss: Any, optimizer: Any, node: ast.Call, keras: str,
                   model: str) -> list[Event]:
    """AL108 events for the loss and optimizer names of a ``compile()`` call that Keras
    ``keras`` does not know."""
    events = []
    options = [("loss", name) for name in _names(loss)]
    if isinstance(optimizer, str):
        options.append(("optimizer", optimizer))
    for kind, name in options:
        problem = name_problem(kind, name, keras, kind)
        if problem is not None:
            events.append(Event(INVALID_CONFIG, f"compile(): {problem}",
                                _span_of_name(node, name), model=model))
    return events
