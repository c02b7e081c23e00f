"""Keras's automatic layer and model names, reproduced without Keras.

Keras 3 names an unnamed object after its class in snake case and appends ``_1``, ``_2``...
from the second object of the same base name on; ``clear_session()`` resets the counters.
Names given explicitly do not advance the counters.

Keras 2 (``tf_keras``) differs for inputs and models: ``Input()`` is ``input_1``,
``input_2``...; a functional model is ``model``; a Sequential's implicit input layer is
named after its first layer (``dense_input``); and building a Sequential names nothing.
"""

from __future__ import annotations

import re
from collections import defaultdict

KERAS3 = "keras3"
KERAS2 = "keras2"


def to_snake_case(name: str) -> str:
    """Keras's ``to_snake_case``.

    >>> [to_snake_case(n) for n in ("Conv1D", "MaxPooling1D", "LSTM", "PReLU", "InputLayer")]
    ['conv1d', 'max_pooling1d', 'lstm', 'p_re_lu', 'input_layer']
    """
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


class NameCounter:
    """``auto_name``: the first ``conv1d``, then ``conv1d_1``, ``conv1d_2``...

    >>> names = NameCounter()
    >>> names.auto("Conv1D"), names.auto("Conv1D"), names.auto("Functional")
    ('conv1d', 'conv1d_1', 'functional')
    >>> names.input_layer(), names.functional_model(), names.input_layer()
    ('input_layer', 'functional_1', 'input_layer_1')
    >>> legacy = NameCounter(KERAS2)
    >>> legacy.input_layer(), legacy.input_layer(), legacy.functional_model()
    ('input_1', 'input_2', 'model')
    """

    def __init__(self, dialect: str = KERAS3) -> None:
        self.dialect = dialect
        self._uids: defaultdict[str, int] = defaultdict(int)

    def auto(self, class_name: str) -> str:
        return self._unique(to_snake_case(class_name))

    def _unique(self, base: str) -> str:
        name = f"{base}_{self._uids[base]}" if base in self._uids else base
        self._uids[base] += 1
        return name

    def input_layer(self) -> str:
        """An unnamed ``Input()`` or ``InputLayer()``."""
        if self.dialect == KERAS2:
            self._uids["input"] += 1  # Keras 2 counts inputs from 1
            return f"input_{self._uids['input']}"
        return self.auto("InputLayer")

    def sequential_input_layer(self, first_layer_name: str) -> str:
        """The input layer a Sequential makes from ``input_shape=`` or ``build()``."""
        if self.dialect == KERAS2:
            return f"{first_layer_name}_input"
        return self.auto("InputLayer")

    def functional_model(self) -> str:
        return self.auto("Model" if self.dialect == KERAS2 else "Functional")

    def sequential_model(self) -> str:
        return self.auto("Sequential")

    def sequential_built(self) -> None:
        """Keras 3 builds a Sequential into an unnamed Functional each time its first
        item is an input and it has another layer: that takes a ``functional`` name."""
        if self.dialect == KERAS3:
            self.auto("Functional")

    def reset(self) -> None:
        self._uids.clear()
