"""Recurrent cells and the layer that runs them: ``RNN(cell)``.

A cell (SimpleRNNCell, GRUCell, LSTMCell) computes one step; ``RNN(cell)`` runs it over the
time axis of ``(batch, timesteps, features)`` exactly as SimpleRNN, GRU and LSTM run theirs,
so the shapes and weights are theirs: ``(batch, units)``, ``(batch, timesteps, units)`` with
``return_sequences``, the final states appended with ``return_state``.

``RNN([cell, cell])`` stacks the cells (``StackedRNNCells``): each reads the output of the
one before, the last gives the output, and the states are every cell's in turn. Keras 3
returns each stacked cell's states in a list of their own: archlint leaves a stack with
``return_state=True`` unknown. A cell class of the script's own is a ``UserCellSpec``
(archlint/frontend/user_cells.py): its declared sizes and the weights its build() makes.
"""

from __future__ import annotations

from typing import Any, ClassVar

from archlint.dims import format_shape
from archlint.layer_types import LayerInstance, label
from archlint.layers import register
from archlint.layers.base import (
    BOTH_VERSIONS,
    INVALID_CONFIG,
    KERAS3_ONLY,
    InputSpec,
    LayerSpec,
    OutputShape,
    Params,
    Shape,
    ShapeError,
    Unresolved,
)
from archlint.layers.recurrent import (
    GRU,
    LSTM,
    RECURRENT_DEFAULTS,
    RecurrentSpec,
    SimpleRNN,
    check_units,
    rnn_params,
)
from archlint.unknown import Unknown

# What RNN adds to its cell: the options of the recurrent layers, without the cell's own.
RNN_DEFAULTS: dict[str, Any] = {k: v for k, v in RECURRENT_DEFAULTS.items()
                                if k not in ("units", "use_bias")}
_CELL_CALLED = ("a recurrent cell computes one step of an RNN; called on its own (on inputs "
                "and states) it is not followed: wrap it in keras.layers.RNN")


class CellSpec(LayerSpec):
    """A step of a recurrent layer: its output width, its states, its weights on a step of
    ``features`` values."""

    def output_size(self, config: dict[str, Any]) -> Any:
        raise NotImplementedError

    def state_sizes(self, config: dict[str, Any]) -> list[Any]:
        """The width of each state, in Keras's order (one list per cell for a stack)."""
        raise NotImplementedError

    def step_params(self, config: dict[str, Any], features: Any) -> int:
        raise NotImplementedError

    def step_weights(self, config: dict[str, Any], features: Any) -> Params:
        """Its weights on a step of ``features`` values, trainable or not."""
        return Params(self.step_params(config, features))

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> OutputShape:
        raise Unresolved(Unknown(_CELL_CALLED))


class _Cell(CellSpec):
    """SimpleRNNCell, GRUCell and LSTMCell: the step of the layer ``layer`` (its gates,
    states and biases)."""

    layer: ClassVar[RecurrentSpec]
    defaults = {"units": None, "use_bias": True}
    sized_options = ("units",)

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        check_units(self.class_name, config["units"])
        config["use_bias"] = bool(config["use_bias"])
        return config

    def output_size(self, config: dict[str, Any]) -> Any:
        return config["units"]

    def state_sizes(self, config: dict[str, Any]) -> list[Any]:
        return [config["units"]] * self.layer.states

    def step_params(self, config: dict[str, Any], features: Any) -> int:
        return rnn_params(config["units"], features, gates=self.layer.gates,
                          biases=self.layer.biases(config))


@register
class SimpleRNNCell(_Cell):
    """The step of SimpleRNN: one state.

    >>> spec = SimpleRNNCell()
    >>> spec.step_params(spec.normalize({"units": 16}), 32)
    784
    """

    class_name = "SimpleRNNCell"
    positional = ("units", "activation", "use_bias")
    layer = SimpleRNN()


@register
class GRUCell(_Cell):
    """The step of GRU: one state; ``reset_after=True`` (the default) adds a recurrent
    bias per gate."""

    class_name = "GRUCell"
    positional = ("units", "activation", "recurrent_activation", "use_bias")
    defaults = {**_Cell.defaults, "reset_after": True}
    layer = GRU()

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        config["reset_after"] = bool(config["reset_after"])
        return config


@register
class LSTMCell(_Cell):
    """The step of LSTM: two states (h and c)."""

    class_name = "LSTMCell"
    positional = ("units", "activation", "recurrent_activation", "use_bias")
    layer = LSTM()


def _cells(value: Any, owner: str, option: str) -> list[LayerInstance]:
    """The cells of ``option``: recurrent cells of the catalog, with their own
    configuration errors re-raised."""
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    if not items:
        # tf-keras's RNN runs an empty stack as a step that returns its input.
        raise ShapeError(INVALID_CONFIG, f"{owner} {option}=[] needs at least one cell",
                         refused_by=KERAS3_ONLY if owner == "RNN" else BOTH_VERSIONS)
    for item in items:
        if not isinstance(item, LayerInstance):
            raise ShapeError(INVALID_CONFIG, f"{owner} {option}={item!r} must be a recurrent "
                             "cell (keras.layers.LSTMCell, GRUCell, SimpleRNNCell)")
        if item.config_error is not None:
            raise item.config_error
        if not isinstance(item.spec, CellSpec):
            raise ShapeError(INVALID_CONFIG, f"{owner} {option}: {label(item)} is not a "
                             "recurrent cell (it has no state_size)")
    return items


@register
class StackedRNNCells(CellSpec):
    """Cells applied in turn at each step: the output is the last cell's, the states are
    every cell's, the weights are every cell's on the output of the cell before.

    >>> from archlint.layer_eval import instantiate
    >>> cell = {"class_name": "LSTMCell", "config": {"units": 8}}
    >>> gru = {"class_name": "GRUCell", "config": {"units": 4}}
    >>> stack = instantiate("StackedRNNCells", {"cells": [cell, gru]}, "stack")
    >>> stack.spec.step_params(stack.config, 6), stack.spec.state_sizes(stack.config)
    (648, [[8, 8], 4])
    """

    class_name = "StackedRNNCells"
    positional = ("cells",)
    defaults = {"cells": None}
    nested = ("cells",)

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        config["cells"] = _cells(config["cells"], self.class_name, "cells")
        return config

    def output_size(self, config: dict[str, Any]) -> Any:
        last: LayerInstance = config["cells"][-1]
        return last.spec.output_size(last.config)  # type: ignore[attr-defined]

    def state_sizes(self, config: dict[str, Any]) -> list[Any]:
        sizes = []
        for cell in config["cells"]:
            own = cell.spec.state_sizes(cell.config)
            sizes.append(own[0] if len(own) == 1 and cell.class_name != "StackedRNNCells"
                         else own)
        return sizes

    def step_params(self, config: dict[str, Any], features: Any) -> int:
        return self.step_weights(config, features).total

    def step_weights(self, config: dict[str, Any], features: Any) -> Params:
        total = Params(0)
        for cell in config["cells"]:
            total += cell.spec.step_weights(cell.config, features)
            features = cell.spec.output_size(cell.config)
        return total


@register
class RNN(RecurrentSpec):
    """Runs ``cell`` (or a list of cells, stacked) over the time axis.

    >>> from archlint.layer_eval import instantiate
    >>> cell = {"class_name": "GRUCell", "config": {"units": 16}}
    >>> rnn = instantiate("RNN", {"cell": cell, "return_state": True}, "rnn")
    >>> rnn.spec.output_shape(rnn.config, [(None, 5, 32)])
    [(None, 16), (None, 16)]
    >>> rnn.spec.param_count(rnn.config, [(None, 5, 32)])
    Params(trainable=2400, non_trainable=0)
    """

    class_name = "RNN"
    recurrent = True
    gates = None  # type: ignore[assignment]  # the cell's, not the layer's
    positional = ("cell", "return_sequences", "return_state", "go_backwards", "stateful",
                  "unroll", "zero_output_for_mask")
    defaults = {"cell": None, **RNN_DEFAULTS}
    nested = ("cell",)
    input_spec = InputSpec(ndim=3)
    sized_options = ()

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        cell = config.get("cell")
        if isinstance(cell, (list, tuple)):
            # Keras wraps a list of cells in StackedRNNCells.
            stack = _cells(cell, self.class_name, "cell")
            config = {**config, "cell": LayerInstance(
                spec=StackedRNNCells(), config={"cells": stack}, name="stacked_rnn_cells",
                explicit=frozenset({"cells"}))}
        config = LayerSpec.normalize(self, config)
        for option in RNN_DEFAULTS:
            config[option] = bool(config[option])
        _cells(config["cell"], self.class_name, "cell")
        return config

    def _cell(self, config: dict[str, Any]) -> tuple[CellSpec, dict[str, Any]]:
        cell: LayerInstance = config["cell"]
        return cell.spec, cell.config  # type: ignore[return-value]

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> OutputShape:
        shape = inputs[0]
        self.check_sequence(config, shape)
        spec, cell = self._cell(config)
        batch, steps, units = shape[0], shape[1], spec.output_size(cell)
        output: Shape = (batch, steps, units) if config["return_sequences"] else (batch, units)
        if not config["return_state"]:
            return output
        if isinstance(spec, StackedRNNCells):
            raise Unresolved(Unknown(
                f"RNN return_state=True with stacked cells on {format_shape(shape)}: Keras 3 "
                "returns each cell's states in a list of their own (tf-keras does for a cell "
                "of two states), which archlint does not model"))
        return [output, *((batch, size) for size in spec.state_sizes(cell))]

    def output_count(self, config: dict[str, Any]) -> int | None:
        if not config["return_state"]:
            return 1
        spec, cell = self._cell(config)
        if isinstance(spec, StackedRNNCells):
            return None
        try:
            return 1 + len(spec.state_sizes(cell))
        except Unresolved:  # a cell of the script's own archlint does not follow
            return None

    def param_count(self, config: dict[str, Any], inputs: list[Shape]) -> Params:
        features = self.check_sequence(config, inputs[0])
        spec, cell = self._cell(config)
        return spec.step_weights(cell, features)
