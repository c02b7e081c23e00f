"""FLOPs and MACs of ConvLSTM1D/2D/3D: the cost of one step times the number of steps
(``T*...`` where the length is symbolic).

Each step of Keras 3's ConvLSTMCell convolves the step's input four times (one per gate,
with the layer's kernel, strides, padding and dilation, and a bias added by an AddV2) and
the previous output four times (the same kernel size, stride 1, 'same' padding, no bias),
then, on each of its output elements, adds the two convolutions of each gate (4 AddV2)
and makes the new carry and output (3 Mul and 1 AddV2). Sigmoid and Tanh count 0. As for
the other recurrent layers the profiler cannot see the steps of the ``while_loop``: the
per-step figure is checked on graphs unrolled by ``unroll=True``.

tf-keras builds another graph: before the loop, an initial state from a sum over the time
axis of zeros like the input (``(T - 1) * step elements``) convolved with a zero kernel (the
input convolution without its bias); in each step, a BiasAdd instead of the AddV2, and its
default ``hard_sigmoid`` as clip_by_value (a Mul, an AddV2, a Minimum and a Maximum on each
element of the three gates it squashes). It refuses ``unroll=True``: its per-step figure
is checked on the cell's own graph (the loop's body).
"""

from __future__ import annotations

from typing import Any

from archlint.cost.base import CallCost, NotCosted, area, elements, size
from archlint.cost.conv import counted_positions
from archlint.cost.poly import cost_add, cost_mul
from archlint.layer_types import Shape
from archlint.layers.shape_utils import channel_axis, spatial_axes
from archlint.rule_helpers import activation_name

# AddV2 and Mul per output element of a step, with a bias and without one.
_ELEMENTWISE = {True: 12, False: 8}


def conv_lstm_cost(config: dict[str, Any], inputs: list[Shape], output: Shape) -> CallCost:
    """ConvLSTMND as Keras 3 builds it, with its default activations (tanh and sigmoid).

    >>> conv_lstm_cost({"filters": 3, "kernel_size": (3, 3), "strides": (1, 1),
    ...                 "padding": "valid", "dilation_rate": (1, 1),
    ...                 "data_format": "channels_last", "use_bias": True,
    ...                 "return_sequences": False}, [(None, 1, 6, 7, 2)], (None, 4, 5, 3))
    CallCost(flops=22320, macs=10800)
    """
    return _steps_cost(config, inputs, output, "sigmoid", tf_keras=False)


def tf_keras_conv_lstm_cost(config: dict[str, Any], inputs: list[Shape], output: Shape
                            ) -> CallCost:
    """ConvLSTMND as tf-keras builds it: ``hard_sigmoid`` by default, and the initial state.

    >>> tf_keras_conv_lstm_cost({"filters": 3, "kernel_size": (3, 3), "strides": (1, 1),
    ...                          "padding": "valid", "dilation_rate": (1, 1),
    ...                          "data_format": "channels_last", "use_bias": True,
    ...                          "return_sequences": False}, [(None, 1, 6, 7, 2)],
    ...                         (None, 4, 5, 3))
    CallCost(flops=25200, macs=10800)
    """
    return _steps_cost(config, inputs, output, "hard_sigmoid", tf_keras=True)


# FLOPs per element of tf-keras's recurrent activations: clip_by_value(0.2 * x + 0.5).
_TF_KERAS_RECURRENT = {"sigmoid": 0, "hard_sigmoid": 4}


def _steps_cost(config: dict[str, Any], inputs: list[Shape], output: Shape,
                default_recurrent: str, tf_keras: bool) -> CallCost:
    activation = activation_name(config.get("activation", "tanh"))
    recurrent = activation_name(config.get("recurrent_activation", default_recurrent))
    allowed = _TF_KERAS_RECURRENT if tf_keras else {"sigmoid": 0}
    if activation != "tanh" or recurrent not in allowed:
        raise NotCosted(f"the cost of a ConvLSTM with activation={activation!r} and "
                        f"recurrent_activation={recurrent!r} is not checked against "
                        "TensorFlow's profiler")
    source = inputs[0]
    steps = source[1]
    step_in = (source[0], *source[2:])
    step_out = (output[0], *output[2:]) if config["return_sequences"] else output
    data_format = config["data_format"]
    channels = step_in[channel_axis(len(step_in), data_format)]
    filters = size(config["filters"])
    kernel = area(tuple(size(k) for k in config["kernel_size"]))
    positions = cost_mul(*(step_out[a] for a in spatial_axes(len(step_out), data_format)))
    # One input convolution (its padded blocks when dilated), and one of the previous
    # output (stride 1, 'same', so the output's positions).
    input_conv = cost_mul(2, counted_positions(config, step_in, step_out), filters, kernel,
                          channels)
    recurrent_conv = cost_mul(2, positions, filters, kernel, filters)
    per_element = _ELEMENTWISE[bool(config.get("use_bias", True))] + \
        3 * (_TF_KERAS_RECURRENT[recurrent] if tf_keras else 0)
    step = cost_add(cost_mul(4, cost_add(input_conv, recurrent_conv)),
                    cost_mul(per_element, positions, filters))
    flops = cost_mul(steps, step)
    if tf_keras:  # the initial state: a sum over time, and a convolution
        flops = cost_add(flops, input_conv, cost_mul(cost_add(steps, -1), elements(step_in)))
    macs = cost_mul(4, positions, filters, kernel, cost_add(channels, filters))
    return CallCost(flops, cost_mul(steps, macs))
