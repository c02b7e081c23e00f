"""Pooling: Max/AveragePooling1D/2D/3D and GlobalMax/GlobalAveragePooling1D/2D/3D.

Windowed pooling follows Keras 3's ``compute_pooling_output_shape`` (tf-keras's
``conv_output_length`` gives the same numbers); global pooling drops the spatial axes or,
with ``keepdims=True``, keeps them with size 1.
"""

from __future__ import annotations

from typing import Any, ClassVar

from archlint.layers import register
from archlint.layers.base import (
    INVALID_CONFIG,
    KERAS3_ONLY,
    InputSpec,
    LayerSpec,
    Shape,
    ShapeError,
)
from archlint.layers.shape_utils import (
    PADDINGS,
    channel_axis,
    normalize_data_format,
    normalize_padding,
    pooling_output_length,
    positive_tuple,
    spatial_axes,
    with_spatial,
)


class _Pooling(LayerSpec):
    """``MaxPoolingND`` / ``AveragePoolingND``: ``strides`` defaults to ``pool_size``."""

    rank: ClassVar[int]
    positional = ("pool_size", "strides", "padding", "data_format")

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        name, rank = self.class_name, self.rank
        if config["pool_size"] is None:
            # Keras 3's AveragePoolingND require it (tf-keras defaults to 2 per axis).
            raise ShapeError(INVALID_CONFIG, f"{name} needs a pool_size: Keras 3 has no "
                             "default for it", refused_by=KERAS3_ONLY)
        config["pool_size"] = positive_tuple(config["pool_size"], rank, "pool_size", name)
        strides = config["strides"]
        # Keras accepts strides=0 when constructing, then fails in the pooling op.
        config["strides"] = (config["pool_size"] if strides is None
                             else positive_tuple(strides, rank, "strides", name))
        padding = config["padding"]
        if isinstance(padding, str) and padding != padding.lower() and padding.lower() in PADDINGS:
            # Keras 3 compares it as written (tf-keras lower-cases it): 'SAME' fails to build.
            raise ShapeError(INVALID_CONFIG, f"{name} padding={padding!r} must be written in "
                             f"lower case ({padding.lower()!r}): Keras 3 refuses other cases",
                             refused_by=KERAS3_ONLY)
        config["padding"] = normalize_padding(padding, PADDINGS, lower=False, layer=name)
        config["data_format"] = normalize_data_format(config["data_format"])
        return config

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        shape = inputs[0]
        data_format = config["data_format"]
        axes = spatial_axes(len(shape), data_format)
        spatial = tuple(
            pooling_output_length(shape[axis], p, config["padding"], s, axis=axis)
            for axis, p, s in zip(axes, config["pool_size"], config["strides"])
        )
        return with_spatial(shape, data_format, spatial, shape[channel_axis(len(shape),
                                                                            data_format)])


def _pooling_defaults(rank: int, pool_size: bool = True) -> dict[str, Any]:
    """MaxPoolingND defaults to a window of 2 per axis; Keras 3's AveragePoolingND has none."""
    return {"pool_size": (2,) * rank if pool_size else None, "strides": None,
            "padding": "valid", "data_format": None}


@register
class MaxPooling1D(_Pooling):
    """MaxPooling1D: ``(batch, steps, features)`` in, pooled steps out.

    >>> from archlint.dims import Sym
    >>> spec = MaxPooling1D()
    >>> config = spec.normalize({"pool_size": 2})
    >>> spec.output_shape(config, [(None, 11, 32)])
    (None, 5, 32)
    >>> spec.output_shape(config, [(None, Sym("T") - 9, 32)])
    (None, (T-9)//2, 32)
    """

    class_name = "MaxPooling1D"
    time_order = "preserves"
    aliases = ("MaxPool1D",)
    rank = 1
    defaults = _pooling_defaults(1)
    input_spec = InputSpec(ndim=3)


@register
class MaxPooling2D(_Pooling):
    """MaxPooling2D on ``(batch, rows, cols, channels)`` (or channels first).

    >>> spec = MaxPooling2D()
    >>> spec.output_shape(spec.normalize({}), [(None, 9, 8, 3)])
    (None, 4, 4, 3)
    """

    class_name = "MaxPooling2D"
    aliases = ("MaxPool2D",)
    rank = 2
    defaults = _pooling_defaults(2)
    input_spec = InputSpec(ndim=4)


@register
class MaxPooling3D(_Pooling):
    class_name = "MaxPooling3D"
    aliases = ("MaxPool3D",)
    rank = 3
    defaults = _pooling_defaults(3)
    input_spec = InputSpec(ndim=5)


@register
class AveragePooling1D(_Pooling):
    """AveragePooling1D: the same shapes as MaxPooling1D.

    >>> spec = AveragePooling1D()
    >>> spec.output_shape(spec.normalize({"pool_size": 3, "strides": 2, "padding": "same"}),
    ...                   [(None, 10, 4)])
    (None, 5, 4)
    """

    class_name = "AveragePooling1D"
    time_order = "preserves"
    aliases = ("AvgPool1D",)
    rank = 1
    defaults = _pooling_defaults(1, pool_size=False)
    keras2_defaults = {"pool_size": (2,)}
    input_spec = InputSpec(ndim=3)


@register
class AveragePooling2D(_Pooling):
    class_name = "AveragePooling2D"
    aliases = ("AvgPool2D",)
    rank = 2
    defaults = _pooling_defaults(2, pool_size=False)
    keras2_defaults = {"pool_size": (2, 2)}
    input_spec = InputSpec(ndim=4)


@register
class AveragePooling3D(_Pooling):
    class_name = "AveragePooling3D"
    aliases = ("AvgPool3D",)
    rank = 3
    defaults = _pooling_defaults(3, pool_size=False)
    keras2_defaults = {"pool_size": (2, 2, 2)}
    input_spec = InputSpec(ndim=5)


class _GlobalPooling(LayerSpec):
    """``GlobalMax/GlobalAveragePoolingND``: reduces every spatial axis."""

    rank: ClassVar[int]
    positional = ("data_format", "keepdims")
    defaults = {"data_format": None, "keepdims": False}

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        config["data_format"] = normalize_data_format(config["data_format"])
        config["keepdims"] = bool(config["keepdims"])
        return config

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        shape = inputs[0]
        data_format = config["data_format"]
        channels = shape[channel_axis(len(shape), data_format)]
        if config["keepdims"]:
            return with_spatial(shape, data_format, (1,) * self.rank, channels)
        return (shape[0], channels)


@register
class GlobalMaxPooling1D(_GlobalPooling):
    """GlobalMaxPooling1D: ``(batch, steps, features)`` to ``(batch, features)``.

    >>> spec = GlobalMaxPooling1D()
    >>> spec.output_shape(spec.normalize({}), [(None, 7, 4)])
    (None, 4)
    >>> spec.output_shape(spec.normalize({"keepdims": True}), [(None, 7, 4)])
    (None, 1, 4)
    """

    class_name = "GlobalMaxPooling1D"
    time_order = "ignores"
    aliases = ("GlobalMaxPool1D",)
    rank = 1
    input_spec = InputSpec(ndim=3)


@register
class GlobalMaxPooling2D(_GlobalPooling):
    class_name = "GlobalMaxPooling2D"
    aliases = ("GlobalMaxPool2D",)
    rank = 2
    input_spec = InputSpec(ndim=4)


@register
class GlobalMaxPooling3D(_GlobalPooling):
    class_name = "GlobalMaxPooling3D"
    aliases = ("GlobalMaxPool3D",)
    rank = 3
    input_spec = InputSpec(ndim=5)


@register
class GlobalAveragePooling1D(_GlobalPooling):
    """GlobalAveragePooling1D; channels first reduces the last axis.

    >>> spec = GlobalAveragePooling1D()
    >>> spec.output_shape(spec.normalize({"data_format": "channels_first", "keepdims": True}),
    ...                   [(None, 7, 4)])
    (None, 7, 1)
    """

    class_name = "GlobalAveragePooling1D"
    time_order = "ignores"
    aliases = ("GlobalAvgPool1D",)
    rank = 1
    input_spec = InputSpec(ndim=3)


@register
class GlobalAveragePooling2D(_GlobalPooling):
    class_name = "GlobalAveragePooling2D"
    aliases = ("GlobalAvgPool2D",)
    rank = 2
    input_spec = InputSpec(ndim=4)


@register
class GlobalAveragePooling3D(_GlobalPooling):
    class_name = "GlobalAveragePooling3D"
    aliases = ("GlobalAvgPool3D",)
    rank = 3
    input_spec = InputSpec(ndim=5)
