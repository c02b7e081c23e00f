"""Adaptive pooling (Keras 3 only): Adaptive{Average,Max}Pooling1D/2D/3D pool each spatial
axis to the size ``output_size`` asks, whatever the input's size: the output is
``(batch, *output_size, channels)`` (channels first with ``data_format="channels_first"``).

The windows are ``ceil(size / output)`` or one more; TensorFlow's max-pooling kernel crashes
when the longer one exceeds the last spatial axis (an output of 1 on it, say). No weights.
"""

from __future__ import annotations

from typing import Any, ClassVar

from archlint.dims import format_shape
from archlint.layers import register
from archlint.layers.base import (
    INVALID_CONFIG,
    LayerSpec,
    Shape,
    ShapeError,
    Unresolved,
    as_tuple,
)
from archlint.layers.shape_utils import channel_axis, normalize_data_format, spatial_axes
from archlint.unknown import Unknown


class _AdaptivePooling(LayerSpec):
    """What the six classes share; subclasses set ``rank``."""

    rank: ClassVar[int]
    # Max pooling (TensorFlow's kernel crashes on a window longer than the last axis).
    maximum: ClassVar[bool] = False
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
        shape, name, sizes = inputs[0], self.class_name, config["output_size"]
        if len(shape) != self.rank + 2:
            # Keras 3 pools by the input's rank, not the class's, and declares the class's.
            raise Unresolved(Unknown(
                f"{name} on an input of rank {len(shape)} {format_shape(shape)}: Keras 3 pools "
                f"it as a {len(shape) - 2}-D input and declares a {self.rank}-D output"))
        if min(sizes) <= 0:
            raise ShapeError(INVALID_CONFIG, f"{name} output_size={sizes} must be positive",
                             build_accepts=("3",))
        data_format = config["data_format"]
        last = shape[spatial_axes(len(shape), data_format)[-1]]
        if self.maximum and isinstance(last, int) and -(-last // sizes[-1]) + 1 > last:
            raise ShapeError(
                INVALID_CONFIG,
                f"{name} output_size={sizes} on {format_shape(shape)}: pooling the last "
                f"spatial axis of size {last} into {sizes[-1]} takes a window of "
                f"{-(-last // sizes[-1]) + 1}, longer than the axis, and TensorFlow's kernel "
                "crashes (floating point exception)", build_accepts=("3",))
        channels = shape[channel_axis(len(shape), data_format)]
        if data_format == "channels_first":
            return (shape[0], channels, *sizes)
        return (shape[0], *sizes, channels)


@register
class AdaptiveAveragePooling1D(_AdaptivePooling):
    """The average of 1-D windows that give ``output_size``."""

    class_name = "AdaptiveAveragePooling1D"
    rank = 1


@register
class AdaptiveMaxPooling1D(_AdaptivePooling):
    """The maximum of 1-D windows that give ``output_size``."""

    maximum = True
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

    maximum = True
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

    maximum = True
    class_name = "AdaptiveMaxPooling3D"
    rank = 3
