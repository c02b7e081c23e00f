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
  passes a dilation to the op, which the profiler's formula leaves out, and the profiler
  counts 0 for the op in channels_first (its formula takes NHWC only). A Conv3DTranspose
  runs Conv3DBackpropInputV2, which is not in the profiler's table: 0, only its bias and
  activation count. tf-keras builds them otherwise (``tf_keras_transpose_cost``).
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
    """Conv1D/2D/3DTranspose as Keras 3 builds them: Conv2DBackpropInput, which the
    profiler counts for channels_last only, and Conv3DBackpropInputV2, which it counts 0:
    FLOPs unknown there.

    >>> transpose_cost({"kernel_size": (2, 2, 2), "strides": (2, 2, 2),
    ...                 "data_format": "channels_last", "use_bias": True},
    ...                (None, 2, 2, 2, 3), (None, 4, 4, 4, 5)).macs
    960
    """
    macs = _transpose_macs(config, source, output)
    if len(config["kernel_size"]) == 3 or config["data_format"] != "channels_last":
        return CallCost(_UNCOUNTED_TRANSPOSE, macs)
    conv = _backprop_input(config, source, output)
    return CallCost(cost_add(conv, _epilogue(config, output)), macs)


# A figure with the convolution counted 0 would be wrong, one with it counted unchecked.
_UNCOUNTED_TRANSPOSE = Unknown(
    "TensorFlow's profiler counts this transposed convolution 0 (Conv3DBackpropInputV2 has "
    "no entry in its table; Conv2DBackpropInput is counted for channels_last only): its "
    "FLOPs cannot be checked (the MACs are known)")


def tf_keras_transpose_cost(config: dict[str, Any], source: Shape, output: Shape
                            ) -> CallCost:
    """Conv1D/2D/3DTranspose as tf-keras builds them: Conv1DTranspose and Conv3DTranspose
    compute their output shape with ops on the input's (a Mul per axis, an AddV2 more with
    'valid', five ops with an output_padding); Conv2DTranspose transposes channels_first
    itself, and runs a dilated convolution through ``atrous_conv2d_transpose``.

    >>> tf_keras_transpose_cost({"kernel_size": (3,), "strides": (2,), "padding": "same",
    ...                          "output_padding": None, "dilation_rate": (1,),
    ...                          "data_format": "channels_last", "use_bias": True},
    ...                         (None, 20, 2), (None, 40, 4))
    CallCost(flops=1121, macs=480)
    """
    rank = len(config["kernel_size"])
    if rank == 2:
        dilated = any(size(r) > 1 for r in config["dilation_rate"])
        conv = _atrous(config, source, output) if dilated else \
            _backprop_input(config, source, output)
    else:
        if rank == 3 and any(size(r) > 1 for r in config["dilation_rate"]):
            raise NotCosted("tf-keras's dilated Conv3DTranspose leaves the dilation out of "
                            "its output shape; its cost is not checked against "
                            "TensorFlow's profiler")
        if rank == 3 or config["data_format"] != "channels_last":
            return CallCost(_UNCOUNTED_TRANSPOSE, _transpose_macs(config, source, output))
        shape_ops = 5 if config.get("output_padding") is not None else \
            {"valid": 2, "same": 1}[config["padding"]]
        conv = cost_add(_backprop_input(config, source, output), rank * shape_ops)
    macs = _transpose_macs(config, source, output)
    return CallCost(cost_add(conv, _epilogue(config, output)), macs)


def _transpose_macs(config: dict[str, Any], source: Shape, output: Shape) -> Cost:
    kernel = area(tuple(size(k) for k in config["kernel_size"]))
    return cost_mul(*_spatial(source, config), kernel, _channels(source, config),
                    _channels(output, config))


def _backprop_input(config: dict[str, Any], source: Shape, output: Shape) -> Cost:
    """Conv2DBackpropInput: ``2 * output elements * kernel area * input channels /
    product(strides)``, truncated; the profiler's formula leaves a dilation out."""
    kernel = area(tuple(size(k) for k in config["kernel_size"]))
    strides = area(tuple(size(s) for s in config["strides"]))
    return cost_floor_div(cost_mul(2, elements(output), kernel, _channels(source, config)),
                          strides)


# Scalar AddV2, Sub and Mul on the output shape in atrous_conv2d_transpose.
_ATROUS_SHAPE_OPS = 11


def _atrous(config: dict[str, Any], source: Shape, output: Shape) -> Cost:
    """tf-keras's dilated Conv2DTranspose: a Conv2DBackpropInput on the ``rate**2`` blocks
    of the output padded by the dilated kernel ('same') and up to a multiple of the rate."""
    rates = {size(r) for r in config["dilation_rate"]}
    if len(rates) != 1:
        raise NotCosted("tf-keras takes only equal dilation rates in a Conv2DTranspose")
    rate = rates.pop()
    kernel = tuple(size(k) for k in config["kernel_size"])
    pads = [(k - 1) * rate if config["padding"] == "same" else 0 for k in kernel]
    blocks = [ceil_div(n + pad, rate) if n is not None else None
              for n, pad in zip(_spatial(output, config), pads)]
    conv = cost_mul(2, rate * rate, *blocks, _channels(output, config), area(kernel),
                    _channels(source, config))
    return cost_add(conv, _ATROUS_SHAPE_OPS)


def pooling_cost(config: dict[str, Any], source: Shape, output: Shape, rank: int) -> CallCost:
    if rank == 3:  # MaxPool3D and AvgPool3D have no entry in the profiler's table
        return CallCost(0, 0)
    pool = area(tuple(size(p) for p in config["pool_size"]))
    return CallCost(cost_mul(pool, elements(output)), 0)


def global_pooling_cost(average: bool, source: Shape) -> CallCost:
    # Mean counts one FLOP per input element; Max is not in the profiler's table.
    return CallCost(elements(source) if average else 0, 0)
