"""Image layers: the random augmentations, which keep an image's shape, and the crops and
resizing, which give it ``height`` by ``width``.

Each takes a batch of images ``(batch, H, W, C)`` or one image ``(H, W, C)`` (whose height
is then the model's batch axis); ``data_format="channels_first"`` puts the channels first.
Keras 3 builds other ranks and fails at the first forward pass; tf-keras refuses them at
once. tf-keras has no ``data_format`` option (its images are channels-last) and none of the
augmentations Keras 3 added (RandomHue, MixUp, RandAugment...). None holds weights.

The options that only steer the randomness (factors, seeds, fill values) never change a
shape: archlint checks the ranges both versions check where it is cheap, not all of them.
"""

from __future__ import annotations

from typing import Any, ClassVar

from archlint.dims import format_shape
from archlint.layers import register
from archlint.layers.base import (
    BOTH_VERSIONS,
    INVALID_CONFIG,
    KERAS3_ONLY,
    NDIM_MISMATCH,
    LayerInstance,
    LayerSpec,
    Shape,
    ShapeError,
    keras3_only,
)
from archlint.layers.categorical import positive_count
from archlint.layers.shape_utils import normalize_data_format

FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5")
# tf-keras's Resizing also takes these; Keras 3's fails on them at the first forward pass.
TF_KERAS_INTERPOLATIONS = ("gaussian", "mitchellcubic")
FLIP_MODES = ("horizontal", "vertical", "horizontal_and_vertical")


def _numbers(value: Any) -> list[float]:
    """The numbers of a factor (one number or a pair); nothing for other values."""
    values = value if isinstance(value, (list, tuple)) else [value]
    return [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]


def image_rank(layer: str, shape: Shape) -> None:
    """An image ``(H, W, C)`` or a batch of them: rank 3 or 4, batch axis included."""
    if len(shape) not in (3, 4):
        raise ShapeError(NDIM_MISMATCH, f"{layer} takes an image (H, W, C) or a batch of "
                         f"images (batch, H, W, C), not an input of rank {len(shape)} "
                         f"{format_shape(shape)}", build_accepts=("3",))


class _ImageLayer(LayerSpec):
    """What every image layer checks: required options, data_format, fill_mode, factor
    ranges, and the options tf-keras lacks."""

    required: ClassVar[tuple[str, ...]] = ()
    # Options tf-keras's class does not take (Keras 3's does).
    keras3_options: ClassVar[tuple[str, ...]] = ("data_format",)
    # Factor options and the closed range both versions accept their numbers in.
    factor_ranges: ClassVar[dict[str, tuple[float, float]]] = {}
    # tf-keras refuses a factor of more than two numbers (its other classes read two).
    keras2_checks_factor_length: ClassVar[bool] = False

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        name = self.class_name
        for option in self.required:
            if config.get(option) is None:
                raise ShapeError(INVALID_CONFIG, f"{name} needs {option}")
        config["data_format"] = normalize_data_format(config.get("data_format"))
        fill_mode = config.get("fill_mode")
        if isinstance(fill_mode, str) and fill_mode not in FILL_MODES:
            raise ShapeError(INVALID_CONFIG, f"{name} fill_mode={fill_mode!r} must be one of "
                             f"{', '.join(repr(m) for m in FILL_MODES)}")
        for option, (low, high) in self.factor_ranges.items():
            value = config.get(option)
            self._check_factor_form(option, value)
            if any(not low <= v <= high for v in _numbers(value)):
                raise ShapeError(INVALID_CONFIG, f"{name} {option}={value!r} must be a number "
                                 f"or a pair of numbers in [{low}, {high}]")
        return config

    def _check_factor_form(self, option: str, value: Any) -> None:
        """A factor is a number or a pair: both versions fail on a string, a dict or a
        shorter sequence; tf-keras reads the first two of a longer one (but RandomBrightness)."""
        if isinstance(value, str | dict) or (isinstance(value, list | tuple) and len(value) < 2):
            raise ShapeError(INVALID_CONFIG, f"{self.class_name} {option}={value!r} must be a "
                             "number or a pair of numbers")
        if isinstance(value, list | tuple) and len(value) > 2:
            raise ShapeError(INVALID_CONFIG, f"{self.class_name} {option}={value!r} must be a "
                             f"number or a pair of numbers, not {len(value)} numbers",
                             refused_by=BOTH_VERSIONS if self.keras2_checks_factor_length
                             else KERAS3_ONLY)

    def keras2_refusal(self, instance: LayerInstance, inputs: list[Shape]) -> str | None:
        if self.keras3_class:
            return f"tf-keras has no {self.class_name} layer (Keras 3 has)"
        for option in self.keras3_options:
            if option in instance.explicit:
                return f"tf-keras's {self.class_name} takes no {option} option (Keras 3's does)"
        return None


class _Augmentation(_ImageLayer):
    """A random augmentation: the output has the input's shape."""

    defaults = {"data_format": None}

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        image_rank(self.class_name, inputs[0])
        return inputs[0]


def _augmentation(name: str, positional: tuple[str, ...], *, required: tuple[str, ...] = (),
                  keras3_options: tuple[str, ...] = ("data_format",),
                  factor_ranges: dict[str, tuple[float, float]] | None = None,
                  keras3_class: bool = True,
                  keras2_checks_factor_length: bool = False) -> type[_Augmentation]:
    """A registered shape-keeping augmentation (Keras 3's constructor order)."""
    doc = (f"{name}: keeps the image's shape" + (" (Keras 3 only)." if keras3_class else "."))
    cls = type(name, (_Augmentation,), {
        "__doc__": doc, "class_name": name, "positional": positional, "required": required,
        "keras3_options": keras3_options, "reads": keras3_options,
        "factor_ranges": factor_ranges or {},
        "keras3_class": keras3_class, "__module__": __name__,
        "keras2_checks_factor_length": keras2_checks_factor_length})
    return register(cls)  # type: ignore[return-value]


@register
class RandomFlip(_Augmentation):
    """Flips images: ``mode`` is ``"horizontal"``, ``"vertical"`` or both (the default).
    Keras 3 takes any other mode until it flips in training; tf-keras refuses it.

    >>> spec = RandomFlip()
    >>> spec.output_shape(spec.normalize({}), [(None, 32, 32, 3)])
    (None, 32, 32, 3)
    """

    class_name = "RandomFlip"
    positional = ("mode", "seed")

    def keras2_refusal(self, instance: LayerInstance, inputs: list[Shape]) -> str | None:
        mode = instance.config.get("mode", "horizontal_and_vertical")
        if isinstance(mode, str) and mode not in FLIP_MODES:
            return (f"tf-keras's RandomFlip refuses mode={mode!r} (one of "
                    f"{', '.join(repr(m) for m in FLIP_MODES)})")
        return super().keras2_refusal(instance, inputs)


@register
class RandomZoom(_Augmentation):
    """Zooms images by ``height_factor`` (and ``width_factor``), numbers or pairs in
    (-1, 1]; tf-keras checks only height_factor, in [-1, 1].

    >>> spec = RandomZoom()
    >>> spec.output_shape(spec.normalize({"height_factor": 0.2}), [(None, 8, 8, 3)])
    (None, 8, 8, 3)
    """

    class_name = "RandomZoom"
    positional = ("height_factor", "width_factor", "fill_mode", "interpolation", "seed",
                  "fill_value")
    required = ("height_factor",)
    factor_ranges = {"height_factor": (-1.0, 1.0)}

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        self._check_factor_form("width_factor", config.get("width_factor"))
        for option in ("height_factor", "width_factor"):
            value = config.get(option)
            # tf-keras checks height_factor only, and takes -1.
            with keras3_only():
                if any(not -1.0 < v <= 1.0 for v in _numbers(value)):
                    raise ShapeError(INVALID_CONFIG, f"RandomZoom {option}={value!r} must be a "
                                     "number or a pair of numbers in (-1, 1]")
        return config


_augmentation("RandomRotation", ("factor", "fill_mode", "interpolation", "seed", "fill_value"),
              required=("factor",), keras3_class=False)
_augmentation("RandomTranslation", ("height_factor", "width_factor", "fill_mode",
                                    "interpolation", "seed", "fill_value"),
              required=("height_factor", "width_factor"), keras3_class=False,
              factor_ranges={"height_factor": (-1.0, 1.0), "width_factor": (-1.0, 1.0)})
# tf-keras's RandomContrast is (factor, seed): value_range is Keras 3's.
_augmentation("RandomContrast", ("factor",), required=("factor",), keras3_class=False,
              keras3_options=("data_format", "value_range"), factor_ranges={"factor": (0, 1)})
_augmentation("RandomBrightness", ("factor", "value_range", "seed"), required=("factor",),
              keras3_class=False, factor_ranges={"factor": (-1.0, 1.0)},
              keras2_checks_factor_length=True)
_VALUE_RANGE = ("factor", "value_range", "data_format", "seed")
_augmentation("RandomGrayscale", ("factor", "data_format", "seed"))
_augmentation("RandomHue", _VALUE_RANGE, required=("factor",))
_augmentation("RandomSaturation", _VALUE_RANGE, required=("factor",))
_augmentation("RandomSharpness", _VALUE_RANGE, required=("factor",))
_augmentation("RandomPosterization", _VALUE_RANGE, required=("factor",))
_augmentation("RandomShear", ("x_factor", "y_factor", "interpolation", "fill_mode",
                              "fill_value", "data_format", "seed"))
_augmentation("RandomColorJitter", ("value_range", "brightness_factor", "contrast_factor",
                                    "saturation_factor", "hue_factor", "seed", "data_format"))
_augmentation("RandomInvert", ("factor", "value_range", "seed", "data_format"))
_augmentation("RandomErasing", ("factor", "scale", "fill_value", "value_range", "seed",
                                "data_format"))
_augmentation("RandomGaussianBlur", ("factor", "kernel_size", "sigma", "value_range",
                                     "data_format", "seed"))
_augmentation("RandomPerspective", ("factor", "scale", "interpolation", "fill_value", "seed",
                                    "data_format"))
_augmentation("RandomElasticTransform", ("factor", "scale", "interpolation", "fill_mode",
                                         "fill_value", "value_range", "seed", "data_format"))
_augmentation("AutoContrast", ("value_range",))
_augmentation("Equalization", ("value_range", "bins", "data_format"))
_augmentation("Solarization", ("addition_factor", "threshold_factor", "value_range", "seed"))
_augmentation("MixUp", ("alpha", "data_format", "seed"))
_augmentation("CutMix", ("factor", "seed", "data_format"))
_augmentation("AugMix", ("value_range", "num_chains", "chain_depth", "factor", "alpha",
                         "all_ops", "interpolation", "seed", "data_format"))
_augmentation("RandAugment", ("value_range", "num_ops", "factor", "interpolation", "seed",
                              "data_format"))


class _Sized(_ImageLayer):
    """RandomCrop, CenterCrop and Resizing: images of ``height`` by ``width`` (a crop of
    an image smaller than that resizes it first), channels kept."""

    required = ("height", "width")
    defaults = {"height": None, "width": None, "data_format": None}
    sized_options = ("height", "width")

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        for option in ("height", "width"):
            config[option] = positive_count(config[option], option, self.class_name)
        return config

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        shape = inputs[0]
        image_rank(self.class_name, shape)
        size = (config["height"], config["width"])
        batch = shape[:-3]  # an unbatched image's height is the model's batch axis
        if config["data_format"] == "channels_first":
            return (*batch, shape[-3], *size)
        return (*batch, *size, shape[-1])


@register
class RandomCrop(_Sized):
    """Crops a random ``height`` by ``width`` window (the central one at inference).

    >>> spec = RandomCrop()
    >>> config = spec.normalize({"height": 6, "width": 8})
    >>> spec.output_shape(config, [(None, 10, 12, 3)]), spec.output_shape(config, [(None, 12, 3)])
    ((None, 6, 8, 3), (6, 8, 3))
    """

    class_name = "RandomCrop"
    positional = ("height", "width", "seed")


@register
class CenterCrop(_Sized):
    """Crops the central ``height`` by ``width`` window.

    >>> spec = CenterCrop()
    >>> config = spec.normalize({"height": 6, "width": 8, "data_format": "channels_first"})
    >>> spec.output_shape(config, [(None, 3, 10, 12)])
    (None, 3, 6, 8)
    """

    class_name = "CenterCrop"
    positional = ("height", "width")


@register
class Resizing(_Sized):
    """Resizes images to ``height`` by ``width`` (cropping or, Keras 3 only, padding them
    to that aspect ratio first). Keras 3 checks ``interpolation`` and the two aspect-ratio
    options only at the first forward pass; tf-keras when the layer is constructed.

    >>> spec = Resizing()
    >>> spec.output_shape(spec.normalize({"height": 6, "width": 8}), [(None, 10, 12, 3)])
    (None, 6, 8, 3)
    """

    class_name = "Resizing"
    positional = ("height", "width", "interpolation", "crop_to_aspect_ratio")
    keras3_options = ("data_format", "pad_to_aspect_ratio", "fill_mode", "fill_value",
                      "antialias")
    reads = keras3_options

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        interpolation = config.get("interpolation", "bilinear")
        if isinstance(interpolation, str) and interpolation not in INTERPOLATIONS:
            refused_by = (KERAS3_ONLY if interpolation in TF_KERAS_INTERPOLATIONS
                          else ("3", "2"))
            raise ShapeError(INVALID_CONFIG, f"Resizing interpolation={interpolation!r} must "
                             f"be one of {', '.join(repr(i) for i in INTERPOLATIONS)}",
                             build_accepts=("3",), refused_by=refused_by)
        if config.get("pad_to_aspect_ratio") is True and config.get(
                "crop_to_aspect_ratio") is True:
            raise ShapeError(INVALID_CONFIG, "Resizing pad_to_aspect_ratio=True and "
                             "crop_to_aspect_ratio=True: give one of them",
                             build_accepts=("3",))
        return config
