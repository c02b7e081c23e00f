"""Regularization layers: Dropout, SpatialDropout1D/2D/3D, GaussianNoise, GaussianDropout,
AlphaDropout and ActivityRegularization. None changes the shape or has parameters; what can
go wrong is an option value Keras refuses when the layer is created, or (SpatialDropout) an
input of the wrong rank.

Keras 3 checks more than tf-keras: it refuses a ``stddev`` (GaussianNoise) or ``rate``
(GaussianDropout, AlphaDropout) outside [0, 1] and a ``noise_shape`` entry <= 0, which
tf-keras accepts; archlint follows Keras 3. Both refuse a Dropout ``rate`` outside [0, 1].
"""

from __future__ import annotations

from typing import Any, ClassVar

from archlint.layers import register
from archlint.layers.base import (
    BOTH_VERSIONS,
    INVALID_CONFIG,
    KERAS3_ONLY,
    InputSpec,
    LayerSpec,
    Shape,
    ShapeError,
    keras3_only,
)
from archlint.layers.shape_utils import normalize_data_format
from archlint.unknown import Unknown


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _Identity(LayerSpec):
    """The output is the input (at inference; training only changes values)."""

    input_spec = InputSpec(min_ndim=1)
    # The option that must lie in [0, 1], if any.
    unit_option: ClassVar[str | None] = None
    # Whether tf-keras checks it too (Dropout does; the noise layers do not).
    keras2_checks_unit: ClassVar[bool] = False

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        return self._normalized(config, keras3_checks=True)

    def keras2_accepted(self, config: dict[str, Any]) -> dict[str, Any] | None:
        # tf-keras checks none of what Keras 3 alone refuses here; the shape is the input's.
        if type(self).normalize is not _Identity.normalize:
            return None
        return self._normalized(config, keras3_checks=False)

    def _normalized(self, config: dict[str, Any], keras3_checks: bool) -> dict[str, Any]:
        config = super().normalize(config)
        option = self.unit_option
        if option is not None and option in config and (keras3_checks or
                                                         self.keras2_checks_unit):
            value = config[option]
            # Unresolved values cannot be checked; the shape does not depend on them.
            if _number(value) and not 0 <= value <= 1:
                raise ShapeError(INVALID_CONFIG, f"{self.class_name} {option}={value} must be "
                                 "between 0 and 1",
                                 refused_by=BOTH_VERSIONS if self.keras2_checks_unit
                                 else KERAS3_ONLY)
        if "noise_shape" in config and keras3_checks:
            with keras3_only():
                _check_noise_shape(config["noise_shape"], self.class_name)
        return config

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        return inputs[0]


def _check_noise_shape(value: Any, layer: str) -> None:
    """Keras 3: None, or a sequence of positive ints and Nones."""
    if value is None or not isinstance(value, (list, tuple, str)):
        return
    entries_ok = not isinstance(value, str) and all(
        v is None or isinstance(v, Unknown)
        or (isinstance(v, int) and not isinstance(v, bool) and v > 0) for v in value)
    if not entries_ok:
        raise ShapeError(INVALID_CONFIG, f"{layer} noise_shape={value!r} must hold positive "
                         "integers or None")


@register
class Dropout(_Identity):
    """Dropout: same shape, no parameters; ``rate`` in [0, 1].

    >>> Dropout().normalize({"rate": 1.5})
    Traceback (most recent call last):
    archlint.layers.base.ShapeError: Dropout rate=1.5 must be between 0 and 1
    """

    class_name = "Dropout"
    time_order = "preserves"
    positional = ("rate", "noise_shape", "seed")
    unit_option = "rate"
    keras2_checks_unit = True


class _SpatialDropout(_Identity):
    positional: ClassVar[tuple[str, ...]] = ("rate",)
    unit_option = "rate"
    keras2_checks_unit = True

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        if "data_format" in config and not isinstance(config["data_format"], Unknown):
            config["data_format"] = normalize_data_format(config["data_format"])
        return config


@register
class SpatialDropout1D(_SpatialDropout):
    """Drops whole channels of a ``(batch, steps, channels)`` input.

    >>> SpatialDropout1D().output_shape({"rate": 0.5}, [(None, 7, 4)])
    (None, 7, 4)
    """

    class_name = "SpatialDropout1D"
    time_order = "preserves"
    input_spec = InputSpec(ndim=3)


@register
class SpatialDropout2D(_SpatialDropout):
    """Drops whole feature maps of a 4D input (``data_format`` says where the channels are).

    >>> SpatialDropout2D().output_shape({"rate": 0.5}, [(None, 7, 7, 4)])
    (None, 7, 7, 4)
    """

    class_name = "SpatialDropout2D"
    positional = ("rate", "data_format")
    input_spec = InputSpec(ndim=4)


@register
class SpatialDropout3D(_SpatialDropout):
    """Drops whole feature volumes of a 5D input.

    >>> SpatialDropout3D().output_shape({"rate": 0.5}, [(None, 3, 3, 3, 4)])
    (None, 3, 3, 3, 4)
    """

    class_name = "SpatialDropout3D"
    positional = ("rate", "data_format")
    input_spec = InputSpec(ndim=5)


@register
class GaussianNoise(_Identity):
    """Adds zero-mean noise of ``stddev`` (in [0, 1] for Keras 3) while training.

    >>> GaussianNoise().output_shape({"stddev": 0.1}, [(None, 3)])
    (None, 3)
    """

    class_name = "GaussianNoise"
    time_order = "preserves"
    positional = ("stddev", "seed")
    unit_option = "stddev"


@register
class GaussianDropout(_Identity):
    """Multiplies by one-mean noise while training; ``rate`` in [0, 1] for Keras 3.

    >>> GaussianDropout().output_shape({"rate": 0.1}, [(None, 3)])
    (None, 3)
    """

    class_name = "GaussianDropout"
    time_order = "preserves"
    positional = ("rate", "seed")
    unit_option = "rate"


@register
class AlphaDropout(_Identity):
    """Dropout that keeps the mean and variance (for SELU networks); ``rate`` in [0, 1] for
    Keras 3.

    >>> AlphaDropout().output_shape({"rate": 0.1}, [(None, 3)])
    (None, 3)
    """

    class_name = "AlphaDropout"
    time_order = "preserves"
    positional = ("rate", "noise_shape", "seed")
    unit_option = "rate"


@register
class ActivityRegularization(_Identity):
    """Adds an L1/L2 penalty on its input to the loss; the output is the input.

    >>> ActivityRegularization().output_shape({"l1": 0.01}, [(None, 3)])
    (None, 3)
    """

    class_name = "ActivityRegularization"
    time_order = "preserves"
    positional = ("l1", "l2")
