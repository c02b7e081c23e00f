"""FLOPs and MACs of convolutions and pooling, as TensorFlow's profiler counts the ops
Keras 3 builds for them.

Profiler conventions met here (each checked on real builds by tests/test_cost_keras.py):

* Conv: ``2 * output elements * kernel area * input channels``; a dilated convolution runs
  through SpaceToBatchND, so the profiler counts the padded blocks it convolves:
  ``rate * ceil(length / rate)`` positions for 'same' and 'causal', ``rate *
  (ceil(length / rate) - kernel + 1)`` for 'valid', along each axis. A dilated depthwise
  pass (DepthwiseConv, the first half of SeparableConv) counts its positions the same way.
* Transposed conv (Conv2DBackpropInput): ``2 * output elements * kernel area * input
  channels / product(strides)``, truncated to an integer as the profiler does; Keras 3
  passes a dilation to the op, which the profiler's formula leaves out. A Conv3DTranspose
  runs Conv3DBackpropInputV2, which is not in the profiler's table: 0, only its bias and
  activation count.
* A grouped convolution runs in a nested compiled function (XLA) the profiler's total
  does not look into: it counts the bias alone. Its FLOPs are unknown here, its MACs are
  known.
* MaxPool and AvgPool: ``pool area * output elements``; the 3D poolings and the global
  max (MaxPool3D, AvgPool3D, Max) are not in the profiler's table: 0. A global average
  is a Mean: one FLOP per input element.
"""

from __future__ import annotations

from typing import Any

from archlint.cost.activations import activation_flops_per_element
from archlint.cost.base import CallCost, NotCosted, area, elements, size
from archlint.cost.poly import Cost, cost_add, cost_floor_div, cost_mul
from archlint.dims import Dim, ceil_div
from archlint.layer_types import Shape
from archlint.layers.shape_utils import channel_axis, spatial_axes
from archlint.unknown import Unknown


def _channels(shape: Shape, config: dict[str, Any]) -> Dim:
    return shape[channel_axis(len(shape), config["data_format"])]


def _spatial(shape: Shape, config: dict[str, Any]) -> tuple[Dim, ...]:
    return tuple(shape[a] for a in spatial_axes(len(shape), config["data_format"]))


def _epilogue(config: dict[str, Any], output: Shape) -> Cost:
    """The bias add (one per output element) and the activation after a convolution."""
    per_element = (1 if config.get("use_bias", True) else 0) + \
        activation_flops_per_element(config.get("activation"))
    return cost_mul(per_element, elements(output))


def _dilated_positions(length: Dim, kernel: int, rate: int, padding: str) -> Cost:
    """Output positions the profiler counts along one axis of a dilated convolution."""
    blocks = ceil_div(length, rate)
    if padding == "valid":
        blocks = blocks - (kernel - 1)  # type: ignore[operator]
    return cost_mul(rate, blocks)


def conv_cost(config: dict[str, Any], source: Shape, output: Shape) -> CallCost:
    """ConvND (N = 1, 2, 3).

    >>> conv_cost({"kernel_size": (3,), "dilation_rate": (1,), "padding": "valid",
    ...            "data_format": "channels_last", "groups": 1, "use_bias": True},
    ...           (None, 20, 2), (None, 18, 4))
    CallCost(flops=936, macs=432)
    """
    if config.get("lora_rank") or config.get("quantized") is not None:
        raise NotCosted("the cost of a LoRA or quantized convolution is not checked against "
                        "TensorFlow's profiler")
    kernel = tuple(size(k) for k in config["kernel_size"])
    cin, groups = _channels(source, config), size(config.get("groups", 1))
    cout = _channels(output, config)
    macs = cost_mul(elements(output), area(kernel), cin)
    if groups > 1:
        macs = cost_floor_div(macs, groups)
        return CallCost(_GROUPED, macs)
    conv = cost_mul(2, counted_positions(config, source, output), cout, area(kernel), cin)
    return CallCost(cost_add(conv, _epilogue(config, output)), macs)


_GROUPED = Unknown("TensorFlow's profiler does not count a grouped convolution: Keras runs "
                   "it in a nested compiled function the profiler's total leaves out (it "
                   "counts the bias alone), so there is no figure to follow")


def counted_positions(config: dict[str, Any], source: Shape, output: Shape) -> Cost:
    """The positions the profiler counts for a convolution's kernel: the output's, or the
    padded blocks of a dilated one."""
    rates = tuple(size(r) for r in config.get("dilation_rate", ()))
    if not any(r > 1 for r in rates):
        return cost_mul(*_spatial(output, config))
    kernel = tuple(size(k) for k in config["kernel_size"])
    return cost_mul(*(_dilated_positions(n, k, r, config["padding"])
                      for n, k, r in zip(_spatial(source, config), kernel, rates)))


def depthwise_cost(config: dict[str, Any], source: Shape, output: Shape) -> CallCost:
    """DepthwiseConv1D/2D: ``2 * output elements * kernel area`` (dilated: the padded
    blocks' positions times the output channels).

    >>> depthwise_cost({"kernel_size": (3,), "dilation_rate": (2,), "padding": "same",
    ...                 "data_format": "channels_last", "use_bias": True},
    ...                (None, 9, 3), (None, 9, 6))
    CallCost(flops=414, macs=162)
    """
    kernel = area(tuple(size(k) for k in config["kernel_size"]))
    macs = cost_mul(elements(output), kernel)
    positions = counted_positions(config, source, output)
    conv = cost_mul(2, positions, _channels(output, config), kernel)
    return CallCost(cost_add(conv, _epilogue(config, output)), macs)


def separable_cost(config: dict[str, Any], source: Shape, output: Shape) -> CallCost:
    """SeparableConv1D/2D: a depthwise pass to ``channels * depth_multiplier``, then a
    pointwise (1x1) convolution."""
    kernel = area(tuple(size(k) for k in config["kernel_size"]))
    middle = cost_mul(_channels(source, config), size(config["depth_multiplier"]))
    depthwise = cost_mul(cost_mul(*_spatial(output, config)), middle, kernel)
    pointwise = cost_mul(elements(output), middle)
    counted = cost_mul(counted_positions(config, source, output), middle, kernel)
    conv = cost_mul(2, cost_add(counted, pointwise))
    return CallCost(cost_add(conv, _epilogue(config, output)),
                    cost_add(depthwise, pointwise))


def transpose_cost(config: dict[str, Any], source: Shape, output: Shape) -> CallCost:
    """Conv1DTranspose/Conv2DTranspose (Conv2DBackpropInput in the graph), and
    Conv3DTranspose, whose Conv3DBackpropInputV2 the profiler counts 0.

    >>> transpose_cost({"kernel_size": (2, 2, 2), "strides": (2, 2, 2),
    ...                 "data_format": "channels_last", "use_bias": True},
    ...                (None, 2, 2, 2, 3), (None, 4, 4, 4, 5))
    CallCost(flops=320, macs=960)
    """
    kernel = area(tuple(size(k) for k in config["kernel_size"]))
    cin, cout = _channels(source, config), _channels(output, config)
    macs = cost_mul(*_spatial(source, config), kernel, cin, cout)
    if len(config["kernel_size"]) == 3:  # Conv3DBackpropInputV2: not in the table
        return CallCost(_epilogue(config, output), macs)
    strides = area(tuple(size(s) for s in config["strides"]))
    conv = cost_floor_div(cost_mul(2, elements(output), kernel, cin), strides)
    return CallCost(cost_add(conv, _epilogue(config, output)), macs)


def tf_keras_builds_otherwise(class_name: str, config: dict[str, Any]) -> str | None:
    """What of a convolution tf-keras builds from other operations than Keras 3, or None:
    a dilated Conv2DTranspose (``atrous_conv2d_transpose``: a SpaceToBatchND and shape
    arithmetic), and Conv3DTranspose (its output shape computed by ops on the input's)."""
    if class_name == "Conv3DTranspose":
        return class_name
    rates = config.get("dilation_rate", ())
    if class_name == "Conv2DTranspose" and any(isinstance(r, int) and r > 1 for r in rates):
        return "a dilated Conv2DTranspose"
    return None


def pooling_cost(config: dict[str, Any], source: Shape, output: Shape, rank: int) -> CallCost:
    if rank == 3:  # MaxPool3D and AvgPool3D have no entry in the profiler's table
        return CallCost(0, 0)
    pool = area(tuple(size(p) for p in config["pool_size"]))
    return CallCost(cost_mul(pool, elements(output)), 0)


def global_pooling_cost(average: bool, source: Shape) -> CallCost:
    # Mean counts one FLOP per input element; Max is not in the profiler's table.
    return CallCost(elements(source) if average else 0, 0)
