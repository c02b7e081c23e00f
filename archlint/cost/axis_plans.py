"""Where each axis of a layer's output comes from: the plan both receptive-field walks
follow (forwards for the fields, backwards for the steps no output reads).

A ``Plan`` has one entry per non-batch axis of the output: ``Carry(source, steps)`` when
the axis is the input's axis ``source`` read through ``steps`` (a ``StepMap``, or ``ALL``
/``PAST``/``FUTURE``), None when it is a new axis (a Dense's units, a convolution's
filters). An input axis no entry carries is mixed: every output element reads all of it.
``scrambled`` lists the input axes a Reshape folds into others, whose steps no single
output axis follows.

>>> Plan((Carry(1, IDENTITY), Carry(0, IDENTITY))).carries[0].source  # Permute((2, 1))
1
"""

from __future__ import annotations

from typing import Any

from archlint.cost.step_maps import (
    IDENTITY,
    StepMap,
    bilinear_map,
    left_padding,
    repeat_map,
    shift_map,
    sliding_map,
    transposed_map,
)
from archlint.graph import Call
from archlint.records import record
from archlint.unknown import Unknown

ALL, PAST, FUTURE = "all", "all earlier", "all later"

POINTWISE = frozenset({
    "Activation", "ReLU", "LeakyReLU", "PReLU", "ELU", "ThresholdedReLU", "Softmax",
    "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise",
    "GaussianDropout", "AlphaDropout", "ActivityRegularization", "Identity", "Masking",
    "BatchNormalization", "LayerNormalization", "Rescaling", "Dense", "EinsumDense",
})
POOLING = frozenset({
    "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D",
    "AveragePooling3D",
})
DEPTHWISE = frozenset({"DepthwiseConv1D", "DepthwiseConv2D"})
SLIDING = POOLING | DEPTHWISE | frozenset({
    "Conv1D", "Conv2D", "Conv3D", "SeparableConv1D", "SeparableConv2D"})
TRANSPOSED = frozenset({"Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose"})
UPSAMPLING = frozenset({"UpSampling1D", "UpSampling2D", "UpSampling3D"})
GLOBAL_POOLING = frozenset({
    "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D",
    "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D"})
GLOBAL = GLOBAL_POOLING | frozenset({"Attention", "AdditiveAttention", "MultiHeadAttention"})
MERGES = frozenset({"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum",
                    "Concatenate"})
RECURRENT = frozenset({"LSTM", "GRU", "SimpleRNN", "RNN", "ConvLSTM1D"})
CROPPING = frozenset({"Cropping1D", "Cropping2D", "Cropping3D"})
PADDING = frozenset({"ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D"})
# Layers whose data_format (or fixed layout) says which axes are time or space.
SPATIAL = SLIDING | TRANSPOSED | UPSAMPLING | GLOBAL_POOLING | CROPPING | PADDING

AxisMap = StepMap | str
SOFTMAX = ("softmax", "log_softmax")


@record(frozen=True)
class Carry:
    """An output axis that is the input's axis ``source``, read through ``steps``."""

    source: int
    steps: AxisMap


@record(frozen=True)
class Plan:
    carries: tuple[Carry | None, ...]
    scrambled: tuple[int, ...] = ()


def spatial_axes_of(name: str, config: dict[str, Any], rank: int) -> tuple[int, ...]:
    """The non-batch axes (from 0) a layer of the SPATIAL kinds slides, pools or resizes
    over, for an input of ``rank`` non-batch axes."""
    if config.get("data_format", "channels_last") == "channels_first":
        return tuple(range(1, rank))
    return tuple(range(rank - 1))


def plan_axes(call: Call, shape: Any) -> Plan | Unknown:
    """The plan of one call of a single-input layer (or one input of an attention layer),
    for an input of ``shape``; Unknown with the reason where it is not modelled."""
    plan = _plan(call, shape)
    instance = call.layer.instance
    activation = instance.config.get("activation") if instance is not None else None
    if isinstance(plan, Plan) and plan.carries and activation in SOFTMAX:
        *rest, last = plan.carries  # a softmax mixes the last axis, whatever it holds
        return Plan((*rest, last and Carry(last.source, ALL)), plan.scrambled)
    return plan


def _plan(call: Call, shape: Any) -> Plan | Unknown:
    layer = call.layer
    name = layer.class_name
    out = call.output_at(0)
    if layer.instance is None or not isinstance(shape, tuple):
        return Unknown(f"the receptive field of {name} '{layer.name}' is not modelled")
    config = layer.instance.config
    rank = len(shape) - 1
    if name in SPATIAL:  # the output's axes are the input's: a refused call's too
        return _spatial(name, config, shape, layer.name)
    if not isinstance(out, tuple):
        return Unknown(f"the output of {name} '{layer.name}' is unknown")
    out_rank = len(out) - 1
    if (name in GLOBAL and name not in GLOBAL_POOLING) or name == "Flatten":
        return Plan((None,) * out_rank)
    if name in POINTWISE or name == "Embedding":
        return _pointwise(name, config, rank, out_rank, layer.name)
    if name in RECURRENT or name == "Bidirectional":
        return _recurrent(name, config, out_rank, layer.name)
    if name == "Permute":
        return Plan(tuple(Carry(d - 1, IDENTITY) for d in config["dims"]))
    if name == "RepeatVector":
        return Plan((None, Carry(0, IDENTITY)))
    if name == "Reshape":
        return _reshape(shape[1:], out[1:])
    return Unknown(f"the receptive field of {name} '{layer.name}' is not modelled")


def _pointwise(name: str, config: dict[str, Any], rank: int, out_rank: int,
               layer: str) -> Plan | Unknown:
    keep = [Carry(a, IDENTITY) for a in range(rank)]
    if name == "Embedding":
        return Plan((*keep, None))
    if name in ("Dense", "EinsumDense"):
        if out_rank != rank:
            return Unknown(f"'{layer}' changes the rank: its axes are not followed")
        return Plan((*keep[:-1], None))  # the last axis is mixed into the units
    mixed: Any = ()
    if name in ("LayerNormalization", "Softmax"):
        mixed = config.get("axis", -1)
    elif name == "Masking":
        mixed = -1  # a step is masked when all its features equal the mask value
    mixed = mixed if isinstance(mixed, (list, tuple)) else (mixed,)
    if not all(isinstance(a, int) and -rank - 1 <= a <= rank and a != 0 for a in mixed):
        return Unknown(f"'{layer}' has an axis option archlint cannot read")
    for a in mixed:
        index = a - 1 if a > 0 else rank + a
        keep[index] = Carry(index, ALL)
    return Plan(tuple(keep))


def _recurrent(name: str, config: dict[str, Any], out_rank: int, layer: str) -> Plan | Unknown:
    if name == "ConvLSTM1D":
        # Its recurrent kernel widens the window over rows at every time step.
        return Unknown(f"the receptive field of ConvLSTM1D '{layer}' over rows grows with "
                       "each time step")
    if name == "Bidirectional":
        inner = config.get("layer")
        sequences = bool(getattr(inner, "config", {}).get("return_sequences"))
        seen = ALL
    else:
        sequences = bool(config.get("return_sequences"))
        seen = FUTURE if config.get("go_backwards") else PAST
    if not sequences:
        return Plan((None,) * out_rank)
    return Plan((Carry(0, seen), *(None,) * (out_rank - 1)))


def _reshape(source: tuple[Any, ...], target: tuple[Any, ...]) -> Plan:
    """The leading axes whose sizes provably stay are kept; the rest are folded."""
    kept = 0
    while kept < min(len(source), len(target)) and source[kept] is not None and \
            not isinstance(source[kept], Unknown) and source[kept] == target[kept]:
        kept += 1
    carries = (*(Carry(a, IDENTITY) for a in range(kept)), *(None,) * (len(target) - kept))
    return Plan(carries, tuple(a for a in range(kept, len(source)) if source[a] != 1))


def _spatial(name: str, config: dict[str, Any], shape: tuple[Any, ...],
             layer: str) -> Plan | Unknown:
    rank = len(shape) - 1
    axes = spatial_axes_of(name, config, rank)
    channel = 0 if axes and axes[0] == 1 else rank - 1
    maps = _spatial_maps(name, config, [shape[a + 1] for a in axes], layer)
    if isinstance(maps, Unknown):
        return maps
    if len(maps) != len(axes):
        return Unknown(f"'{layer}' works on other axes than its input's")
    if name in GLOBAL_POOLING:
        keep = {channel: Carry(channel, IDENTITY)}
        if not config.get("keepdims"):
            return Plan((keep[channel],))
        return Plan(tuple(keep.get(a) for a in range(rank)))
    carries: dict[int, Carry | None] = {a: Carry(a, m) for a, m in zip(axes, maps)}
    if name in DEPTHWISE:
        multiplier = config.get("depth_multiplier", 1)
        if not isinstance(multiplier, int):
            return Unknown(f"'{layer}' has a depth_multiplier archlint cannot read")
        carries[channel] = Carry(channel, repeat_map(multiplier))
    elif (name in SLIDING and name not in POOLING) or name in TRANSPOSED:
        carries[channel] = None  # the filters mix every input channel
    else:
        carries[channel] = Carry(channel, IDENTITY)
    return Plan(tuple(carries[a] for a in range(rank)))


def _ints(value: Any, count: int) -> tuple[int, ...]:
    values = value if isinstance(value, (tuple, list)) else (value,) * count
    if len(values) != count or not all(isinstance(v, int) for v in values):
        raise ValueError(f"{value!r} is not {count} integer(s)")
    return tuple(values)


def _spatial_maps(name: str, config: dict[str, Any], lengths: list[Any],
                  layer: str) -> list[StepMap] | Unknown:
    count = len(lengths)
    if name in GLOBAL_POOLING:
        return [IDENTITY] * count  # unused: the axes are mixed
    if name in UPSAMPLING:
        sizes = _ints(config.get("size", 2), count)
        method = config.get("interpolation", "nearest")
        if method == "bilinear":
            return [bilinear_map(s) for s in sizes]
        if method != "nearest":
            return Unknown(f"'{layer}' resizes with interpolation={method!r}, whose steps "
                           "read are not modelled")
        return [repeat_map(s) for s in sizes]
    if name in CROPPING or name in PADDING:
        amounts: Any = config.get("cropping" if name in CROPPING else "padding")
        if count == 1 and isinstance(amounts, (tuple, list)) and len(amounts) == 2 and \
                all(isinstance(a, int) for a in amounts):
            amounts = (amounts,)
        pairs = [_ints(a, 2) for a in _ints_or_pairs(amounts, count)]
        sign = 1 if name in CROPPING else -1
        return [shift_map(sign * before) for before, _ in pairs]
    kernels = _ints(config.get("kernel_size") or config.get("pool_size"), count)
    strides = _ints(config.get("strides") or kernels, count)
    dilations = _ints(config.get("dilation_rate") or 1, count)
    padding = config.get("padding", "valid")
    if name in TRANSPOSED:
        extra: Any = config.get("output_padding") or (None,) * count
        return [transposed_map(kernel=k, stride=s, dilation=d, padding=padding,
                               output_padding=p)
                for k, s, d, p in zip(kernels, strides, dilations, extra)]
    return [sliding_map(kernel=k, stride=s, dilation=d,
                        left=left_padding(padding, k, d, s, n))
            for k, s, d, n in zip(kernels, strides, dilations, lengths)]


def _ints_or_pairs(amounts: Any, count: int) -> tuple[Any, ...]:
    if isinstance(amounts, int):
        return ((amounts, amounts),) * count
    if not isinstance(amounts, (tuple, list)) or len(amounts) != count:
        raise ValueError(f"{amounts!r} does not give {count} axis amount(s)")
    return tuple((a, a) if isinstance(a, int) else a for a in amounts)
