"""Keras 3's image layers that keep an image's shape but check more than the random
augmentations: RandomColorDegeneration (RGB images only),
ContrastLimitedAdaptiveHistogramEqualization, and MaxNumBoundingBoxes (which pads or cuts
the bounding boxes that travel with the images, and passes the images through).

None exists in tf-keras; none holds weights.
"""

from __future__ import annotations

from typing import Any

from archlint.dims import format_shape
from archlint.layers import register
from archlint.layers.augmentation import _Augmentation, image_rank
from archlint.layers.base import INVALID_CONFIG, Shape, ShapeError, keras3_only
from archlint.layers.shape_utils import channel_axis


@register
class RandomColorDegeneration(_Augmentation):
    """Blends each image with its grayscale version: the shape is kept, and Keras refuses
    images of other than 3 channels when it builds the layer.

    >>> spec = RandomColorDegeneration()
    >>> spec.output_shape(spec.normalize({"factor": 0.5}), [(None, 8, 8, 3)])
    (None, 8, 8, 3)
    """

    class_name = "RandomColorDegeneration"
    positional = ("factor", "value_range", "data_format", "seed")
    required = ("factor",)
    keras3_class = True

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        shape = inputs[0]
        image_rank(self.class_name, shape)
        channels = shape[channel_axis(len(shape), config["data_format"])]
        if isinstance(channels, int) and channels != 3:
            raise ShapeError(INVALID_CONFIG, f"RandomColorDegeneration takes RGB images (3 "
                             f"channels), but its input {format_shape(shape)} has {channels}")
        return shape


@register
class ContrastLimitedAdaptiveHistogramEqualization(_Augmentation):
    """Equalizes each tile of a ``tile_grid_size`` grid: the shape is kept.

    >>> spec = ContrastLimitedAdaptiveHistogramEqualization()
    >>> spec.output_shape(spec.normalize({}), [(None, 16, 16, 3)])
    (None, 16, 16, 3)
    """

    class_name = "ContrastLimitedAdaptiveHistogramEqualization"
    positional = ("value_range", "clip_limit", "tile_grid_size", "data_format")
    keras3_class = True


@register
class MaxNumBoundingBoxes(_Augmentation):
    """Pads or cuts the bounding boxes given with the images to ``max_number``; the images
    (all archlint follows through a model) pass unchanged.

    >>> spec = MaxNumBoundingBoxes()
    >>> spec.output_shape(spec.normalize({"max_number": 4}), [(None, 8, 8, 3)])
    (None, 8, 8, 3)
    """

    class_name = "MaxNumBoundingBoxes"
    positional = ("max_number", "fill_value")
    required = ("max_number",)
    keras3_options = ()
    keras3_class = True

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        with keras3_only():
            for option in ("max_number", "fill_value"):
                value = config.get(option)
                if value is not None and (isinstance(value, bool) or not isinstance(
                        value, (int, float))):
                    raise ShapeError(INVALID_CONFIG, f"MaxNumBoundingBoxes {option}={value!r} "
                                     "must be a number (Keras takes int() of it)")
        return config
