"""Recurrent layers: SimpleRNN, GRU, LSTM and ConvLSTM1D/2D/3D.

Each reads a 3-D input ``(batch, timesteps, features)`` and returns the last output
``(batch, units)`` or, with ``return_sequences=True``, every output ``(batch, timesteps,
units)``; ``return_state=True`` appends the final states (one ``(batch, units)`` state, two
for LSTM), so the output becomes a list of shapes.

Parameters are ``gates * (units * (features + units) + biases)``: a kernel, a recurrent kernel
and a bias per gate (GRU with ``reset_after=True`` has a second, recurrent bias).

ConvLSTM replaces the products by convolutions: each step ``(batch, *spatial, channels)`` is
convolved like a ConvND (``kernel_size``, ``strides``, ``padding``, ``dilation_rate``) and
the state, of the step's output shape, by a 'same' convolution.
"""

from __future__ import annotations

from math import prod
from typing import Any, ClassVar

from archlint.dims import Dim, format_shape, is_fixed
from archlint.layers import register
from archlint.layers.base import (
    INVALID_CONFIG,
    KERAS3_ONLY,
    NDIM_MISMATCH,
    NONPOSITIVE_TIMESTEPS,
    UNDEFINED_DIMENSION,
    InputSpec,
    LayerSpec,
    OutputShape,
    Params,
    Shape,
    ShapeError,
    is_named,
    keras3_only,
    require_known,
)
from archlint.layers.shape_utils import (
    PADDINGS,
    channel_axis,
    conv_output_length,
    normalize_data_format,
    normalize_padding,
    positive_int,
    positive_tuple,
    spatial_axes,
    with_spatial,
)

# Options every recurrent layer reads (Keras's defaults).
RECURRENT_DEFAULTS: dict[str, Any] = {
    "units": None,
    "use_bias": True,
    "return_sequences": False,
    "return_state": False,
    "go_backwards": False,
    "stateful": False,
    "unroll": False,
}

_BOOL_OPTIONS = ("use_bias", "return_sequences", "return_state", "go_backwards", "stateful",
                 "unroll")

# Appended to the engine's rank message: "... expects ndim=3, but its input has ndim=2 ...".
RNN_NDIM_HINT = (
    "an RNN reads (batch, timesteps, features); a 2-D input usually means the previous "
    "recurrent layer needs return_sequences=True"
)


def rnn_params(units: int, features: int, *, gates: int, biases: int) -> int:
    """Weights of a recurrent layer: per gate a kernel, a recurrent kernel and ``biases``.

    ``biases`` is the number of bias vectors per gate (0 without bias, 2 for GRU with
    ``reset_after=True``).

    >>> rnn_params(24, 32, gates=4, biases=1)  # LSTM(24) on 32 features
    5472
    >>> rnn_params(16, 32, gates=3, biases=2)  # GRU(16), reset_after=True
    2400
    >>> rnn_params(16, 32, gates=1, biases=0)  # SimpleRNN(16, use_bias=False)
    768
    """
    return gates * (units * (features + units) + biases * units)


def check_units(class_name: str, units: Any) -> None:
    """Keras refuses a non-positive ``units`` at construction."""
    if is_named(units):
        return
    if isinstance(units, bool) or not isinstance(units, int):
        raise ShapeError(INVALID_CONFIG,
                         f"{class_name} units={units!r} must be a positive integer")
    if units <= 0:
        raise ShapeError(INVALID_CONFIG,
                         f"{class_name} units={units} must be a positive integer")


class RecurrentSpec(LayerSpec):
    """What SimpleRNN, GRU and LSTM share; subclasses set ``gates`` and ``states``."""

    gates: ClassVar[int] = 1
    # Number of state tensors returned with return_state=True.
    states: ClassVar[int] = 1
    # A hint the engine may append to its ndim-mismatch message.
    ndim_hint: ClassVar[str] = RNN_NDIM_HINT
    positional: ClassVar[tuple[str, ...]] = ("units", "activation", "use_bias")
    defaults = RECURRENT_DEFAULTS
    reads = ("time_major",)
    input_spec = InputSpec(ndim=3)
    sized_options: ClassVar[tuple[str, ...]] = ("units",)

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        if "time_major" in config:
            # tf-keras only: Keras 3 rejects the keyword at construction.
            raise ShapeError(
                INVALID_CONFIG,
                f"{self.class_name} time_major={config['time_major']!r} is a tf-keras option; "
                "Keras 3 refuses it (Unrecognized keyword arguments)",
                refused_by=KERAS3_ONLY,
            )
        config = super().normalize(config)
        check_units(self.class_name, config["units"])
        for option in _BOOL_OPTIONS:
            config[option] = bool(config[option])
        return config

    def biases(self, config: dict[str, Any]) -> int:
        """Bias vectors per gate."""
        return 1 if config["use_bias"] else 0

    def check_sequence(self, config: dict[str, Any], shape: Shape) -> int:
        """Keras's checks on the sequence input; returns the feature width."""
        if len(shape) != 3:
            raise ShapeError(
                NDIM_MISMATCH,
                f"{self.class_name} expects ndim=3, but its input has ndim={len(shape)} "
                f"{format_shape(shape)}; {RNN_NDIM_HINT}",
            )
        batch, steps, features = shape
        width = require_known(features, f"The feature axis of the {self.class_name} input")
        if isinstance(steps, int) and steps <= 0:
            # Both Keras versions fail slicing the first timestep of an empty sequence.
            raise ShapeError(
                NONPOSITIVE_TIMESTEPS,
                f"{self.class_name} on {steps} timesteps {format_shape(shape)}: "
                "a recurrent layer needs at least 1 timestep",
            )
        if config["stateful"] and (batch is None or not isinstance(batch, int)):
            raise ShapeError(
                UNDEFINED_DIMENSION,
                f"{self.class_name} stateful=True needs a fixed batch size, but the input "
                f"{format_shape(shape)} has an undefined batch axis (give the Input a "
                "batch_size)",
            )
        if config["unroll"] and not is_fixed(steps):
            # tf-keras refuses at build; Keras 3 when its call is traced on this input.
            raise ShapeError(
                UNDEFINED_DIMENSION,
                f"{self.class_name} unroll=True needs a fixed number of timesteps, but the "
                f"input {format_shape(shape)} has {steps} timesteps",
            )
        return width

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> OutputShape:
        """``(batch, units)``, ``(batch, timesteps, units)`` with return_sequences, and the
        final states appended with return_state.

        >>> spec = LSTM()
        >>> spec.output_shape(spec.normalize({"units": 8, "return_state": True}),
        ...                   [(None, 5, 32)])
        [(None, 8), (None, 8), (None, 8)]
        """
        shape = inputs[0]
        self.check_sequence(config, shape)
        batch, steps = shape[0], shape[1]
        units = config["units"]
        output: Shape = (batch, steps, units) if config["return_sequences"] else (batch, units)
        if config["return_state"]:
            state: tuple[Dim, ...] = (batch, units)
            return [output] + [state] * self.states
        return output

    def output_count(self, config: dict[str, Any]) -> int | None:
        return 1 + self.states if config["return_state"] else 1

    def param_count(self, config: dict[str, Any], inputs: list[Shape]) -> Params:
        width = self.check_sequence(config, inputs[0])
        return Params(rnn_params(config["units"], width, gates=self.gates,
                                 biases=self.biases(config)))


@register
class SimpleRNN(RecurrentSpec):
    """A fully-connected RNN: ``units * (features + units) + units`` parameters.

    >>> spec = SimpleRNN()
    >>> spec.param_count(spec.normalize({"units": 16}), [(None, 5, 32)])
    Params(trainable=784, non_trainable=0)
    """

    class_name = "SimpleRNN"
    recurrent = True
    gates = 1
    # Keras 3 and tf-keras agree on this order up to unroll.
    positional = ("units", "activation", "use_bias", "dropout", "recurrent_dropout",
                  "return_sequences", "return_state", "go_backwards", "stateful", "unroll")
    gates = 1
    states = 1


@register
class GRU(RecurrentSpec):
    """GRU: 3 gates; ``reset_after=True`` (the default) adds a recurrent bias per gate.

    >>> spec = GRU()
    >>> spec.param_count(spec.normalize({"units": 16, "reset_after": False}), [(None, 5, 32)])
    Params(trainable=2352, non_trainable=0)
    """

    class_name = "GRU"
    recurrent = True
    gates = 3
    # Keras 3 inserts seed after recurrent_dropout; tf-keras does not: stop there.
    positional = ("units", "activation", "recurrent_activation", "use_bias", "dropout",
                  "recurrent_dropout")
    gates = 3
    states = 1
    defaults = {**RECURRENT_DEFAULTS, "reset_after": True}

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        config["reset_after"] = bool(config["reset_after"])
        return config

    def biases(self, config: dict[str, Any]) -> int:
        if not config["use_bias"]:
            return 0
        return 2 if config["reset_after"] else 1


@register
class LSTM(RecurrentSpec):
    """LSTM: 4 gates, two states (h and c).

    >>> spec = LSTM()
    >>> spec.param_count(spec.normalize({"units": 24}), [(None, 5, 32)])
    Params(trainable=5472, non_trainable=0)
    """

    class_name = "LSTM"
    recurrent = True
    gates = 4
    # Keras 3 inserts seed after recurrent_dropout; tf-keras does not: stop there.
    positional = ("units", "activation", "recurrent_activation", "use_bias",
                  "unit_forget_bias", "dropout", "recurrent_dropout")
    gates = 4
    states = 2


class _ConvLSTM(LayerSpec):
    """``ConvLSTMND``: input ``(batch, timesteps, *spatial, channels)`` (channels_last) or
    ``(batch, timesteps, channels, *spatial)``; the output (and each of the 2 states) is the
    ConvND output of one step, with the time axis kept under ``return_sequences=True``.

    Parameters: ``4 * filters * prod(kernel_size) * (channels + filters)``, plus
    ``4 * filters`` with a bias.
    """

    # tf-keras's ConvRNN takes time_major (time first).
    unmodelled = {"time_major": False}

    rank: ClassVar[int]
    ndim_hint: ClassVar[str] = (
        "expects an input (batch, timesteps, *spatial, channels): one axis more than the "
        "ConvND it applies at each step"
    )
    # Keras 3 and tf-keras agree on this order up to unit_forget_bias.
    positional = ("filters", "kernel_size", "strides", "padding", "data_format",
                  "dilation_rate", "activation", "recurrent_activation", "use_bias",
                  "unit_forget_bias")
    defaults = {"filters": None, "kernel_size": None, "strides": 1, "padding": "valid",
                "data_format": None, "dilation_rate": 1, "use_bias": True,
                "return_sequences": False, "return_state": False, "go_backwards": False,
                "stateful": False}

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        name, rank = self.class_name, self.rank
        config["filters"] = positive_int(config["filters"], "filters", name)
        if config["kernel_size"] is None:
            raise ShapeError(INVALID_CONFIG, f"{name} needs a kernel_size")
        for option in ("kernel_size", "strides", "dilation_rate"):
            config[option] = positive_tuple(config[option], rank, option)
        # Neither version takes 'causal' here, not even ConvLSTM1D.
        config["padding"] = normalize_padding(config["padding"], PADDINGS, layer=name)
        config["data_format"] = normalize_data_format(config["data_format"])
        if max(config["strides"]) > 1 and max(config["dilation_rate"]) > 1:
            raise ShapeError(INVALID_CONFIG, f"{name} strides={config['strides']} > 1 cannot "
                             f"be combined with dilation_rate={config['dilation_rate']} > 1")
        for option in _BOOL_OPTIONS:
            if option in config:
                config[option] = bool(config[option])
        return config

    def _step(self, config: dict[str, Any], shape: Shape) -> tuple[Shape, int]:
        """The output shape of one step (batch axis first) and the input channel count."""
        name = self.class_name
        if len(shape) != self.rank + 3:
            raise ShapeError(
                NDIM_MISMATCH,
                f"{name} {self.ndim_hint}, ndim={self.rank + 3}, but its input has "
                f"ndim={len(shape)} {format_shape(shape)}",
            )
        step = (shape[0], *shape[2:])
        data_format = config["data_format"]
        axis = channel_axis(len(step), data_format)
        channels = require_known(step[axis], f"The channel axis of the {name} input")
        # Axes of the full input (the time axis sits before the step's axes).
        axes = [i + 1 for i in spatial_axes(len(step), data_format)]
        # Keras 3 refuses undefined spatial sizes (tf-keras would leave them None).
        with keras3_only():
            spatial_in = [require_known(shape[a], f"Spatial axis {a} of the {name} input")
                          for a in axes]
        steps = shape[1]
        if isinstance(steps, int) and steps <= 0:
            raise ShapeError(
                NONPOSITIVE_TIMESTEPS,
                f"{name} on {steps} timesteps {format_shape(shape)}: a recurrent layer needs "
                "at least 1 timestep",
            )
        if config["stateful"] and not isinstance(shape[0], int):
            raise ShapeError(
                UNDEFINED_DIMENSION,
                f"{name} stateful=True needs a fixed batch size, but the input "
                f"{format_shape(shape)} has an undefined batch axis (give the Input a "
                "batch_size)",
            )
        spatial = tuple(
            conv_output_length(length, k, config["padding"], s, d, axis=a)
            for a, length, k, s, d in zip(axes, spatial_in, config["kernel_size"],
                                          config["strides"], config["dilation_rate"])
        )
        return with_spatial(step, data_format, spatial, config["filters"]), channels

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> OutputShape:
        """The step output, with the time axis under return_sequences; 2 states.

        >>> spec = ConvLSTM2D()
        >>> spec.output_shape(spec.normalize({"filters": 4, "kernel_size": 3,
        ...                                   "return_sequences": True}), [(None, 3, 8, 9, 2)])
        (None, 3, 6, 7, 4)
        """
        shape = inputs[0]
        state, _ = self._step(config, shape)
        output = (state[0], shape[1], *state[1:]) if config["return_sequences"] else state
        if config["return_state"]:
            return [output, state, state]
        return output

    def output_count(self, config: dict[str, Any]) -> int | None:
        return 3 if config["return_state"] else 1

    def param_count(self, config: dict[str, Any], inputs: list[Shape]) -> Params:
        _, channels = self._step(config, inputs[0])
        filters = config["filters"]
        kernel = prod(config["kernel_size"])
        bias = 4 * filters if config["use_bias"] else 0
        return Params(4 * filters * kernel * (channels + filters) + bias)


@register
class ConvLSTM1D(_ConvLSTM):
    """ConvLSTM1D: ``(batch, timesteps, steps, channels)`` in.

    >>> spec = ConvLSTM1D()
    >>> config = spec.normalize({"filters": 5, "kernel_size": 3})
    >>> spec.output_shape(config, [(None, 4, 10, 3)]), spec.param_count(config, [(None, 4, 10, 3)])
    ((None, 8, 5), Params(trainable=500, non_trainable=0))
    """

    class_name = "ConvLSTM1D"
    recurrent = True
    rank = 1
    input_spec = InputSpec(ndim=4)


@register
class ConvLSTM2D(_ConvLSTM):
    """ConvLSTM2D: ``(batch, timesteps, rows, cols, channels)`` in."""

    class_name = "ConvLSTM2D"
    recurrent = True
    rank = 2
    input_spec = InputSpec(ndim=5)


@register
class ConvLSTM3D(_ConvLSTM):
    """ConvLSTM3D: ``(batch, timesteps, dim1, dim2, dim3, channels)`` in."""

    class_name = "ConvLSTM3D"
    recurrent = True
    rank = 3
    input_spec = InputSpec(ndim=6)
