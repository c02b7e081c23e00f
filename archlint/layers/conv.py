"""Convolutions: Conv1D/2D/3D, SeparableConv1D/2D, DepthwiseConv1D/2D and
Conv1D/2D/3DTranspose (and their Convolution* aliases).

Shapes follow Keras 3's ``compute_conv_output_shape`` and
``compute_conv_transpose_output_shape`` (tf-keras's ``conv_output_length`` and
``deconv_output_length`` give the same numbers): ``valid`` shrinks each spatial axis by the
dilated kernel span, ``same`` and ``causal`` give ``ceil(L/stride)``. Where the two Keras
versions disagree on what they accept, these formulas follow Keras 3 (see the comments).
"""

from __future__ import annotations

from math import prod
from typing import Any, ClassVar

from archlint.dims import Dim, Expr
from archlint.layers import register
from archlint.layers.base import (
    INVALID_CONFIG,
    InputSpec,
    LayerInstance,
    LayerSpec,
    Params,
    Shape,
    ShapeError,
    Unresolved,
    as_tuple,
    keras3_only,
    require_known,
)
from archlint.layers.quantization import check_lora_rank, lora_weights
from archlint.layers.shape_utils import (
    PADDINGS,
    channel_axis,
    conv_output_length,
    deconv_output_length,
    normalize_data_format,
    normalize_padding,
    positive_int,
    positive_tuple,
    spatial_axes,
    with_spatial,
)
from archlint.unknown import Unknown


class _Windowed(LayerSpec):
    """What every convolution shares: kernel_size, strides, dilation_rate, padding,
    data_format and use_bias, and a kernel that needs the input's channel count."""

    # tf-keras's base Conv takes a conv_op (a custom convolution function).
    unmodelled: ClassVar[dict[str, Any]] = {"conv_op": None}
    # groups, which classes other than ConvND refuse (Keras 3) or ignore (tf-keras).
    reads: ClassVar[tuple[str, ...]] = ("groups",)

    rank: ClassVar[int]
    # Only Conv1D takes 'causal' in Keras 3 (tf-keras also lets SeparableConv1D take it).
    allow_causal: ClassVar[bool] = False
    keras2_allows_causal: ClassVar[bool] = False
    # ConvND and ConvNDTranspose refuse strides > 1 with dilation_rate > 1 in both versions;
    # Keras 3's depthwise and separable convolutions decompose the pair and accept it.
    strides_with_dilation: ClassVar[bool] = False
    # Keras 3 passes no `groups` to these layers and refuses the keyword (tf-keras ignores it).
    accepts_groups: ClassVar[bool] = False

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        name, rank = self.class_name, self.rank
        if not self.accepts_groups and "groups" in config:
            with keras3_only():  # tf-keras takes the keyword and ignores it
                raise ShapeError(INVALID_CONFIG, f"{name} takes no groups option "
                                 f"(groups={config['groups']!r})")
        if config["kernel_size"] is None:
            raise ShapeError(INVALID_CONFIG, f"{name} needs a kernel_size")
        for option in ("kernel_size", "strides", "dilation_rate"):
            config[option] = positive_tuple(config[option], rank, option, name)
        allowed = (*PADDINGS, "causal") if self.allow_causal else PADDINGS
        causal = str(config["padding"]).lower() == "causal"
        with keras3_only(causal and self.keras2_allows_causal):
            config["padding"] = normalize_padding(config["padding"], allowed, layer=name)
        config["data_format"] = normalize_data_format(config["data_format"])
        strides, dilation = config["strides"], config["dilation_rate"]
        if not self.strides_with_dilation and max(strides) > 1 and max(dilation) > 1:
            raise ShapeError(INVALID_CONFIG, f"{name} strides={strides} > 1 cannot be "
                             f"combined with dilation_rate={dilation} > 1")
        config["use_bias"] = bool(config["use_bias"])
        return config

    def keras2_refusal(self, instance: LayerInstance, inputs: list[Shape]) -> str | None:
        strides, dilation = instance.config["strides"], instance.config["dilation_rate"]
        if self.strides_with_dilation and max(strides) > 1 and max(dilation) > 1:
            return (f"{self.class_name} strides={strides} > 1 cannot be combined with "
                    f"dilation_rate={dilation} > 1")
        return None

    def in_channels(self, config: dict[str, Any], shape: Shape) -> int:
        """The input's channel count, which the kernel's shape needs."""
        axis = channel_axis(len(shape), config["data_format"])
        return require_known(
            shape[axis], f"The channel axis (axis {axis}) of a {self.class_name} input")

    def spatial_shape(self, config: dict[str, Any], shape: Shape) -> tuple[Dim, ...]:
        axes = spatial_axes(len(shape), config["data_format"])
        return tuple(
            conv_output_length(shape[axis], k, config["padding"], s, d, axis=axis)
            for axis, k, s, d in zip(axes, config["kernel_size"], config["strides"],
                                     config["dilation_rate"])
        )


def _equal_strides(name: str, strides: tuple[int, ...]) -> None:
    # TensorFlow's depthwise kernel (also the first step of a separable convolution) refuses
    # "strides" that differ between rows and columns, in both Keras versions, at the first call;
    # only its oneDNN CPU kernel (TF_ENABLE_ONEDNN_OPTS=1) accepts them.
    if len(set(strides)) > 1:
        raise ShapeError(INVALID_CONFIG, f"{name} strides={strides} must be equal on both "
                         "axes: TensorFlow's depthwise convolution supports only equal strides "
                         "(except its oneDNN CPU kernel)")


class _Conv(_Windowed):
    """``ConvND``: ``filters`` outputs per position, ``kernel_size`` window per spatial axis.

    Parameters: ``prod(kernel_size) * (in_channels // groups) * filters`` (+ ``filters``
    with a bias). Keras 3's ``lora_rank`` freezes that kernel and adds two trainable
    factors of ``prod(kernel_size) * (in_channels // groups) * rank`` and ``rank * filters``.
    """

    positional = ("filters", "kernel_size", "strides", "padding", "data_format",
                  "dilation_rate", "groups", "activation", "use_bias")
    defaults = {"filters": None, "kernel_size": None, "strides": 1, "padding": "valid",
                "data_format": None, "dilation_rate": 1, "groups": 1, "use_bias": True,
                "lora_rank": None, "lora_alpha": None}
    accepts_groups = True
    sized_options = ("filters",)
    keras2_folds_leading_axes = True

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        name = self.class_name
        filters = config["filters"]
        # tf-keras truncates a float (int(filters)); Keras 3 fails to create the kernel.
        with keras3_only(isinstance(filters, float) and filters >= 1):
            config["filters"] = positive_int(filters, "filters", name)
        # tf-keras reads groups=0 as 1 ("groups or 1"); Keras 3 refuses it, as here.
        with keras3_only(config["groups"] == 0):
            groups = config["groups"] = positive_int(config["groups"], "groups", name)
        if groups > 1 and isinstance(config["filters"], Expr):
            raise ShapeError(INVALID_CONFIG, f"{name} filters={config['filters']} with "
                             f"groups={groups}: archlint cannot check that groups divides a "
                             "named size", condition=f"({config['filters']}) % {groups} != 0")
        if groups > 1 and config["filters"] % groups:
            raise ShapeError(INVALID_CONFIG, f"{name} filters={config['filters']} must be "
                             f"divisible by groups={groups}")
        config["lora_rank"] = check_lora_rank(name, config["lora_rank"])
        if config["lora_rank"] and config.get("kernel_constraint") is not None:
            raise ShapeError(INVALID_CONFIG, f"{name} lora_rank with a kernel_constraint: "
                             "Keras refuses LoRA on a constrained kernel")
        return config

    def in_channels(self, config: dict[str, Any], shape: Shape) -> int:
        channels = super().in_channels(config, shape)
        groups = config["groups"]
        if groups > 1 and isinstance(channels, Expr):
            raise Unresolved(Unknown(f"whether groups={groups} divides the {channels} input "
                                     "channels depends on a named size"))
        if groups > 1 and channels % groups:
            axis = channel_axis(len(shape), config["data_format"])
            raise ShapeError(INVALID_CONFIG, f"{self.class_name} groups={groups} must divide "
                             f"the {channels} input channels (axis {axis})")
        return channels

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        shape = inputs[0]
        self.in_channels(config, shape)
        return with_spatial(shape, config["data_format"], self.spatial_shape(config, shape),
                            config["filters"])

    def param_count(self, config: dict[str, Any], inputs: list[Shape]) -> Params:
        channels = self.in_channels(config, inputs[0])
        filters = config["filters"]
        fan_in = prod(config["kernel_size"]) * (channels // config["groups"])
        bias = filters if config["use_bias"] else 0
        rank = config["lora_rank"]
        if rank:  # LoRA freezes the kernel
            return Params(lora_weights(fan_in, filters, rank) + bias, fan_in * filters)
        return Params(fan_in * filters + bias)


@register
class Conv1D(_Conv):
    """Conv1D: ``(batch, steps, channels)`` in, ``(batch, new_steps, filters)`` out.

    >>> from archlint.dims import Sym
    >>> spec = Conv1D()
    >>> config = spec.normalize({"filters": 32, "kernel_size": 10})
    >>> spec.output_shape(config, [(None, 20, 6)]), spec.param_count(config, [(None, 20, 6)])
    ((None, 11, 32), Params(trainable=1952, non_trainable=0))
    >>> spec.output_shape(config, [(None, Sym("T"), 6)])
    (None, T-9, 32)
    """

    class_name = "Conv1D"
    time_order = "preserves"
    default_activation = "linear"
    aliases = ("Convolution1D",)
    rank = 1
    allow_causal = True
    input_spec = InputSpec(ndim=3)


@register
class Conv2D(_Conv):
    """Conv2D on ``(batch, rows, cols, channels)`` (or channels first).

    >>> spec = Conv2D()
    >>> config = spec.normalize({"filters": 8, "kernel_size": 3, "strides": 2,
    ...                          "padding": "same"})
    >>> spec.output_shape(config, [(None, 9, 8, 3)]), spec.param_count(config, [(None, 9, 8, 3)])
    ((None, 5, 4, 8), Params(trainable=224, non_trainable=0))
    """

    class_name = "Conv2D"
    default_activation = "linear"
    aliases = ("Convolution2D",)
    rank = 2
    input_spec = InputSpec(ndim=4)


@register
class Conv3D(_Conv):
    """Conv3D on ``(batch, d1, d2, d3, channels)`` (or channels first).

    >>> spec = Conv3D()
    >>> config = spec.normalize({"filters": 4, "kernel_size": 3, "groups": 2})
    >>> spec.output_shape(config, [(None, 5, 5, 5, 4)])
    (None, 3, 3, 3, 4)
    >>> spec.param_count(config, [(None, 5, 5, 5, 4)])
    Params(trainable=220, non_trainable=0)
    """

    class_name = "Conv3D"
    default_activation = "linear"
    aliases = ("Convolution3D",)
    rank = 3
    input_spec = InputSpec(ndim=5)


class _DepthwiseConv(_Windowed):
    """``DepthwiseConvND``: ``depth_multiplier`` outputs per input channel.

    Parameters: ``prod(kernel_size) * in_channels * depth_multiplier`` (+ the
    ``in_channels * depth_multiplier`` outputs with a bias).
    """


    positional = ("kernel_size", "strides", "padding", "depth_multiplier", "data_format",
                  "dilation_rate", "activation", "use_bias")
    defaults = {"kernel_size": None, "strides": 1, "padding": "valid", "depth_multiplier": 1,
                "data_format": None, "dilation_rate": 1, "use_bias": True}
    # tf-keras refuses strides > 1 with dilation_rate > 1 here too.
    strides_with_dilation = True

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        # tf-keras builds depth_multiplier=0 (0 output channels), then its forward pass
        # fails ("filter must not have zero elements"): both refuse.
        config["depth_multiplier"] = positive_int(config["depth_multiplier"],
                                                  "depth_multiplier", self.class_name)
        _equal_strides(self.class_name, config["strides"])
        return config

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        shape = inputs[0]
        channels = self.in_channels(config, shape)
        return with_spatial(shape, config["data_format"], self.spatial_shape(config, shape),
                            channels * config["depth_multiplier"])

    def param_count(self, config: dict[str, Any], inputs: list[Shape]) -> Params:
        outputs = self.in_channels(config, inputs[0]) * config["depth_multiplier"]
        bias = outputs if config["use_bias"] else 0
        return Params(prod(config["kernel_size"]) * outputs + bias)


@register
class DepthwiseConv1D(_DepthwiseConv):
    """DepthwiseConv1D: ``(batch, steps, channels)`` to ``channels * depth_multiplier``.

    >>> spec = DepthwiseConv1D()
    >>> config = spec.normalize({"kernel_size": 3, "depth_multiplier": 2})
    >>> spec.output_shape(config, [(None, 9, 3)]), spec.param_count(config, [(None, 9, 3)])
    ((None, 7, 6), Params(trainable=24, non_trainable=0))
    """

    class_name = "DepthwiseConv1D"
    time_order = "preserves"
    default_activation = "linear"
    rank = 1
    input_spec = InputSpec(ndim=3)


@register
class DepthwiseConv2D(_DepthwiseConv):
    class_name = "DepthwiseConv2D"
    default_activation = "linear"
    rank = 2
    input_spec = InputSpec(ndim=4)


class _SeparableConv(_Windowed):
    """``SeparableConvND``: a depthwise step then a 1x1 convolution to ``filters``.

    Parameters: ``prod(kernel_size) * in_channels * depth_multiplier`` (depthwise) +
    ``in_channels * depth_multiplier * filters`` (pointwise) (+ ``filters`` with a bias).
    """


    positional = ("filters", "kernel_size", "strides", "padding", "data_format",
                  "dilation_rate", "depth_multiplier", "activation", "use_bias")
    defaults = {"filters": None, "kernel_size": None, "strides": 1, "padding": "valid",
                "data_format": None, "dilation_rate": 1, "depth_multiplier": 1,
                "use_bias": True}
    # tf-keras refuses strides > 1 with dilation_rate > 1 here too.
    strides_with_dilation = True

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        name = self.class_name
        config["filters"] = positive_int(config["filters"], "filters", name)
        config["depth_multiplier"] = positive_int(config["depth_multiplier"],
                                                  "depth_multiplier", name)
        _equal_strides(name, config["strides"])
        return config

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        shape = inputs[0]
        self.in_channels(config, shape)
        return with_spatial(shape, config["data_format"], self.spatial_shape(config, shape),
                            config["filters"])

    def param_count(self, config: dict[str, Any], inputs: list[Shape]) -> Params:
        middle = self.in_channels(config, inputs[0]) * config["depth_multiplier"]
        filters = config["filters"]
        bias = filters if config["use_bias"] else 0
        return Params(prod(config["kernel_size"]) * middle + middle * filters + bias)


@register
class SeparableConv1D(_SeparableConv):
    """SeparableConv1D.

    >>> spec = SeparableConv1D()
    >>> config = spec.normalize({"filters": 4, "kernel_size": 3, "depth_multiplier": 2})
    >>> spec.output_shape(config, [(None, 9, 3)]), spec.param_count(config, [(None, 9, 3)])
    ((None, 7, 4), Params(trainable=46, non_trainable=0))
    """

    class_name = "SeparableConv1D"
    time_order = "preserves"
    default_activation = "linear"
    aliases = ("SeparableConvolution1D",)
    rank = 1
    keras2_allows_causal = True
    input_spec = InputSpec(ndim=3)


@register
class SeparableConv2D(_SeparableConv):
    class_name = "SeparableConv2D"
    default_activation = "linear"
    aliases = ("SeparableConvolution2D",)
    rank = 2
    input_spec = InputSpec(ndim=4)


class _ConvTranspose(_Windowed):
    """``ConvNDTranspose``: each spatial axis grows to about ``L * stride``.

    Parameters: ``prod(kernel_size) * filters * in_channels`` (+ ``filters`` with a bias).
    """


    positional = ("filters", "kernel_size", "strides", "padding", "output_padding",
                  "data_format", "dilation_rate", "activation", "use_bias")
    defaults = {"filters": None, "kernel_size": None, "strides": 1, "padding": "valid",
                "output_padding": None, "data_format": None, "dilation_rate": 1,
                "use_bias": True}

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        name = self.class_name
        config["filters"] = positive_int(config["filters"], "filters", name)
        padding = config["output_padding"]
        if padding is None:
            return config
        padding = config["output_padding"] = as_tuple(padding, self.rank, "output_padding")
        for p, s, k, d in zip(padding, config["strides"], config["kernel_size"],
                              config["dilation_rate"]):
            if not 0 <= p < s:
                raise ShapeError(INVALID_CONFIG, f"{name} output_padding={padding} must be "
                                 f">= 0 and less than strides={config['strides']}")
            # With 'same', the output is (L-1)*stride + span%2 + output_padding; when that
            # is (L-1)*stride, TensorFlow's op finds it does not convolve back to L and
            # refuses the first call (both versions): "Size of out_backprop doesn't match".
            if config["padding"] == "same" and p == 0 and (d * (k - 1) + 1) % 2 == 0:
                raise ShapeError(INVALID_CONFIG, f"{name} output_padding={padding} with "
                                 f"padding='same' and an even kernel span (kernel_size="
                                 f"{config['kernel_size']}, dilation_rate="
                                 f"{config['dilation_rate']}) gives an output TensorFlow "
                                 "cannot compute: use output_padding >= 1 or None")
        return config

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        shape = inputs[0]
        self.in_channels(config, shape)
        axes = spatial_axes(len(shape), config["data_format"])
        padding = config["output_padding"] or (None,) * self.rank
        spatial = tuple(
            deconv_output_length(shape[axis], k, config["padding"], s, p, d)
            for axis, k, s, p, d in zip(axes, config["kernel_size"], config["strides"],
                                        padding, config["dilation_rate"])
        )
        return with_spatial(shape, config["data_format"], spatial, config["filters"])

    def param_count(self, config: dict[str, Any], inputs: list[Shape]) -> Params:
        channels = self.in_channels(config, inputs[0])
        filters = config["filters"]
        bias = filters if config["use_bias"] else 0
        return Params(prod(config["kernel_size"]) * filters * channels + bias)


@register
class Conv1DTranspose(_ConvTranspose):
    """Conv1DTranspose.

    >>> from archlint.dims import Sym
    >>> spec = Conv1DTranspose()
    >>> config = spec.normalize({"filters": 4, "kernel_size": 3, "strides": 2})
    >>> spec.output_shape(config, [(None, Sym("T"), 3)]), spec.param_count(config, [(None, 9, 3)])
    ((None, 2*T+1, 4), Params(trainable=40, non_trainable=0))
    """

    class_name = "Conv1DTranspose"
    default_activation = "linear"
    aliases = ("Convolution1DTranspose",)
    rank = 1
    input_spec = InputSpec(ndim=3)


@register
class Conv2DTranspose(_ConvTranspose):
    class_name = "Conv2DTranspose"
    default_activation = "linear"
    aliases = ("Convolution2DTranspose",)
    rank = 2
    input_spec = InputSpec(ndim=4)


@register
class Conv3DTranspose(_ConvTranspose):
    class_name = "Conv3DTranspose"
    default_activation = "linear"
    aliases = ("Convolution3DTranspose",)
    rank = 3
    # Keras 3 puts data_format before output_padding here (tf-keras: after, as in 1D/2D).
    positional = ("filters", "kernel_size", "strides", "padding", "data_format",
                  "output_padding", "dilation_rate", "activation", "use_bias")
    input_spec = InputSpec(ndim=5)
