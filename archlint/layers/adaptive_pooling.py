"""Adaptive pooling (Keras 3 only): Adaptive{Average,Max}Pooling1D/2D/3D pool each spatial
axis to the size ``output_size`` asks, whatever the input's size: the output is
``(batch, *output_size, channels)`` (channels first with ``data_format="channels_first"``).

The TensorFlow kernel computes its windows from the spatial sizes, so it needs them known
(a variable length builds, then fails at the first forward pass); no weights.
"""

from __future__ import annotations

from typing import Any, ClassVar

from archlint.dims import format_shape
from archlint.layers import register
from archlint.layers.base import (
    INVALID_CONFIG,
    NDIM_MISMATCH,
    UNDEFINED_DIMENSION,
    LayerSpec,
    Shape,
    ShapeError,
    as_tuple,
)
from archlint.layers.shape_utils import channel_axis, normalize_data_format, spatial_axes


class _AdaptivePooling(LayerSpec):
    """What the six classes share; subclasses set ``rank``."""

    rank: ClassVar[int]
    positional = ("output_size", "data_format")
    defaults = {"output_size": None, "data_format": None}
    keras3_class = True

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        name, size = self.class_name, config["output_size"]
        try:
            config["output_size"] = as_tuple(size, self.rank, "output_size")
        except ShapeError:
            raise ShapeError(INVALID_CONFIG, f"{name} output_size={size!r} must be an integer "
                             f"or a tuple of {self.rank} integers") from None
        config["data_format"] = normalize_data_format(config["data_format"])
        return config

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        """``output_size`` in place of the spatial axes.

        >>> spec = AdaptiveAveragePooling2D()
        >>> spec.output_shape(spec.normalize({"output_size": (3, 4)}), [(None, 9, 17, 5)])
        (None, 3, 4, 5)
        """
        shape, name = inputs[0], self.class_name
        if len(shape) != self.rank + 2:
            raise ShapeError(NDIM_MISMATCH, f"{name} expects ndim={self.rank + 2}, but its "
                             f"input has ndim={len(shape)} {format_shape(shape)}")
        data_format = config["data_format"]
        for axis in spatial_axes(len(shape), data_format):
            if not isinstance(shape[axis], int):
                raise ShapeError(
                    UNDEFINED_DIMENSION,
                    f"{name} needs every spatial size known, but axis {axis} of its input "
                    f"{format_shape(shape)} is {shape[axis]} (its windows are computed from "
                    "the sizes)", build_accepts=("3",))
        channels = shape[channel_axis(len(shape), data_format)]
        if data_format == "channels_first":
            return (shape[0], channels, *config["output_size"])
        return (shape[0], *config["output_size"], channels)


@register
class AdaptiveAveragePooling1D(_AdaptivePooling):
    """The average of 1-D windows that give ``output_size``."""

    class_name = "AdaptiveAveragePooling1D"
    rank = 1


@register
class AdaptiveMaxPooling1D(_AdaptivePooling):
    """The maximum of 1-D windows that give ``output_size``."""

    class_name = "AdaptiveMaxPooling1D"
    rank = 1


@register
class AdaptiveAveragePooling2D(_AdaptivePooling):
    """The average of 2-D windows that give ``output_size``."""

    class_name = "AdaptiveAveragePooling2D"
    rank = 2


@register
class AdaptiveMaxPooling2D(_AdaptivePooling):
    """The maximum of 2-D windows that give ``output_size``."""

    class_name = "AdaptiveMaxPooling2D"
    rank = 2


@register
class AdaptiveAveragePooling3D(_AdaptivePooling):
    """The average of 3-D windows that give ``output_size``."""

    class_name = "AdaptiveAveragePooling3D"
    rank = 3


@register
class AdaptiveMaxPooling3D(_AdaptivePooling):
    """The maximum of 3-D windows that give ``output_size``."""

    class_name = "AdaptiveMaxPooling3D"
    rank = 3
