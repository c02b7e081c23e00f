"""FLOPs and MACs of ConvLSTM1D/2D/3D: the cost of one step times the number of steps
(``T*...`` where the length is symbolic).

Each step of Keras 3's ConvLSTMCell convolves the step's input four times (one per gate,
with the layer's kernel, strides, padding and dilation, and a bias added by an AddV2) and
the previous output four times (the same kernel size, stride 1, 'same' padding, no bias),
then, on each of its output elements, adds the two convolutions of each gate (4 AddV2)
and makes the new carry and output (3 Mul and 1 AddV2). Sigmoid and Tanh count 0. As for
the other recurrent layers the profiler cannot see the steps of the ``while_loop``: the
per-step figure is checked on graphs unrolled by ``unroll=True``.

tf-keras builds another graph (its initial state from a convolution of zeros, a sum over
the time axis, ``hard_sigmoid`` by default) and refuses ``unroll=True``: its cost is
unknown.
"""

from __future__ import annotations

from typing import Any

from archlint.cost.base import CallCost, NotCosted, area, size
from archlint.cost.conv import counted_positions
from archlint.cost.poly import cost_add, cost_mul
from archlint.layer_types import Shape
from archlint.layers.shape_utils import channel_axis, spatial_axes
from archlint.rule_helpers import activation_name

# AddV2 and Mul per output element of a step, with a bias and without one.
_ELEMENTWISE = {True: 12, False: 8}


def conv_lstm_cost(config: dict[str, Any], inputs: list[Shape], output: Shape) -> CallCost:
    """ConvLSTMND with the default activations (tanh and sigmoid).

    >>> conv_lstm_cost({"filters": 3, "kernel_size": (3, 3), "strides": (1, 1),
    ...                 "padding": "valid", "dilation_rate": (1, 1),
    ...                 "data_format": "channels_last", "use_bias": True,
    ...                 "return_sequences": False}, [(None, 1, 6, 7, 2)], (None, 4, 5, 3))
    CallCost(flops=22320, macs=10800)
    """
    activation = activation_name(config.get("activation", "tanh"))
    recurrent = activation_name(config.get("recurrent_activation", "sigmoid"))
    if activation != "tanh" or recurrent != "sigmoid":
        raise NotCosted("the cost of a ConvLSTM with other activations than tanh and "
                        "sigmoid is not checked against TensorFlow's profiler")
    source = inputs[0]
    steps = source[1]
    step_in = (source[0], *source[2:])
    step_out = (output[0], *output[2:]) if config["return_sequences"] else output
    data_format = config["data_format"]
    channels = step_in[channel_axis(len(step_in), data_format)]
    filters = size(config["filters"])
    kernel = area(tuple(size(k) for k in config["kernel_size"]))
    positions = cost_mul(*(step_out[a] for a in spatial_axes(len(step_out), data_format)))
    # Four gates: the input's convolutions (their padded blocks when dilated), the
    # previous output's (stride 1, 'same', so the output's positions).
    inputs_conv = cost_mul(8, counted_positions(config, step_in, step_out), filters, kernel,
                           channels)
    recurrent_conv = cost_mul(8, positions, filters, kernel, filters)
    elementwise = cost_mul(_ELEMENTWISE[bool(config.get("use_bias", True))], positions,
                           filters)
    flops = cost_add(inputs_conv, recurrent_conv, elementwise)
    macs = cost_mul(4, positions, filters, kernel, cost_add(channels, filters))
    return CallCost(cost_mul(steps, flops), cost_mul(steps, macs))
