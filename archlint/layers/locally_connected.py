"""LocallyConnected1D and LocallyConnected2D (tf-keras only; Keras 3 removed them): a
convolution whose windows do not share weights, so every output position has its own kernel.

The output has a ConvND's shape; the weights are one ``kernel_size * channels`` by
``filters`` kernel per output position (``implementation=1``, the default, and ``3`` on
'valid' padding), or a dense kernel from every input position to every output one
(``implementation=2``), plus a bias per output position and filter. The spatial sizes must
be known when the layer is built.
"""

from __future__ import annotations

from math import prod
from typing import Any, ClassVar

from archlint.dims import format_shape
from archlint.layers import register
from archlint.layers.base import (
    INVALID_CONFIG,
    UNDEFINED_DIMENSION,
    InputSpec,
    LayerSpec,
    Params,
    Shape,
    ShapeError,
    Unresolved,
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
from archlint.unknown import Unknown


class _LocallyConnected(LayerSpec):
    rank: ClassVar[int]
    positional = ("filters", "kernel_size", "strides", "padding", "data_format", "activation",
                  "use_bias")
    defaults = {"filters": None, "kernel_size": None, "strides": 1, "padding": "valid",
                "data_format": None, "use_bias": True, "implementation": 1}
    tf_keras_class = True

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        name, rank = self.class_name, self.rank
        config["filters"] = positive_int(config["filters"], "filters", name)
        if config["kernel_size"] is None:
            raise ShapeError(INVALID_CONFIG, f"{name} needs a kernel_size")
        config["kernel_size"] = positive_tuple(config["kernel_size"], rank, "kernel_size", name)
        config["strides"] = positive_tuple(config["strides"], rank, "strides", name)
        config["padding"] = normalize_padding(config["padding"], PADDINGS, layer=name)
        config["data_format"] = normalize_data_format(config["data_format"])
        implementation = config["implementation"]
        if implementation not in (1, 2, 3):
            raise ShapeError(INVALID_CONFIG, f"{name} implementation={implementation!r} must "
                             "be 1, 2 or 3")
        if config["padding"] != "valid" and implementation == 1:
            raise ShapeError(INVALID_CONFIG, f"{name} padding='same' needs implementation=2 "
                             "or 3 (implementation=1, the default, supports 'valid' only)")
        config["use_bias"] = bool(config["use_bias"])
        return config

    def _sizes(self, config: dict[str, Any], shape: Shape) -> tuple[list[int], list[int], Any]:
        """The input's spatial sizes, the output's, and the input's channels."""
        name, data_format = self.class_name, config["data_format"]
        axes = spatial_axes(len(shape), data_format)
        channels = shape[channel_axis(len(shape), data_format)]
        for axis in (*axes, channel_axis(len(shape), data_format)):
            if not isinstance(shape[axis], int):
                raise ShapeError(UNDEFINED_DIMENSION, f"{name} needs every axis but the batch "
                                 f"known when it is built, but axis {axis} of its input "
                                 f"{format_shape(shape)} is {shape[axis]}")
        sizes = [shape[a] for a in axes]
        out = [conv_output_length(length, k, config["padding"], s, axis=a)
               for a, length, k, s in zip(axes, sizes, config["kernel_size"],
                                          config["strides"])]
        return sizes, out, channels  # type: ignore[return-value]

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        """A ConvND's output shape.

        >>> spec = LocallyConnected1D()
        >>> config = spec.normalize({"filters": 4, "kernel_size": 3})
        >>> spec.output_shape(config, [(None, 10, 2)]), spec.param_count(config, [(None, 10, 2)])
        ((None, 8, 4), Params(trainable=224, non_trainable=0))
        """
        _, out, _ = self._sizes(config, inputs[0])
        return with_spatial(inputs[0], config["data_format"], tuple(out), config["filters"])

    def param_count(self, config: dict[str, Any], inputs: list[Shape]) -> Params:
        sizes, out, channels = self._sizes(config, inputs[0])
        filters, implementation = config["filters"], config["implementation"]
        if implementation == 2:
            kernel = prod(sizes) * channels * prod(out) * filters
        elif implementation == 1 or config["padding"] == "valid":
            kernel = prod(out) * prod(config["kernel_size"]) * channels * filters
        else:
            raise Unresolved(Unknown(f"{self.class_name} implementation=3 with padding='same' "
                                     "keeps only the window positions inside the input, "
                                     "which archlint does not count"))
        bias = prod(out) * filters if config["use_bias"] else 0
        return Params(kernel + bias)


@register
class LocallyConnected1D(_LocallyConnected):
    """``(batch, steps, channels)`` in (channels first with ``data_format``)."""

    class_name = "LocallyConnected1D"
    rank = 1
    input_spec = InputSpec(ndim=3)


@register
class LocallyConnected2D(_LocallyConnected):
    """``(batch, rows, cols, channels)`` in (channels first with ``data_format``)."""

    class_name = "LocallyConnected2D"
    rank = 2
    input_spec = InputSpec(ndim=4)
