"""Saved Keras models read as layer graphs, without TensorFlow and without their weights.

``saved_files.py`` opens a ``model.keras`` archive (or its extracted directory) or a
``model.to_json()`` file and reads the model config; ``saved_graph.py`` turns that config
into the layers, calls and models the script front end builds, with ``saved_options.py``
keeping the options of each layer that archlint reads. This module is their entry point.
"""

from __future__ import annotations

from pathlib import Path

from archlint.diagnostics import Event
from archlint.frontend.saved_files import SavedModelError, load_config
from archlint.frontend.saved_graph import models_from_config
from archlint.graph import Model

__all__ = ["SavedModelError", "load_config", "models_from_config", "read_models"]


def read_models(path: str | Path) -> tuple[list[Model], list[Event]]:
    """``load_config`` then ``models_from_config``: the models of a saved file and the
    events of what cannot be analysed. Raises SavedModelError."""
    events: list[Event] = []
    models = models_from_config(load_config(path), events)
    return models, events
