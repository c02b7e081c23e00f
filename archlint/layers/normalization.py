"""Normalization layers: BatchNormalization, LayerNormalization, GroupNormalization,
UnitNormalization and (Keras 3 only) RMSNormalization. None changes the shape; their
parameters are vectors over the normalized axes, whose sizes must be known at build time.
"""

from __future__ import annotations

from math import prod
from typing import Any

from archlint.dims import Expr, format_shape
from archlint.layers import register
from archlint.layers.base import (
    INVALID_CONFIG,
    InputSpec,
    LayerSpec,
    Params,
    Shape,
    ShapeError,
    Unresolved,
    keras3_only,
    require_known,
)
from archlint.unknown import Unknown


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _axes_option(value: Any, layer: str, *, allow_list: bool = True) -> int | tuple[int, ...]:
    """``axis``: an int, or (where the layer accepts it) a list or tuple of ints."""
    if _is_int(value):
        return value
    if allow_list and isinstance(value, (list, tuple)) and value and all(map(_is_int, value)):
        return tuple(value)
    if allow_list:
        raise ShapeError(INVALID_CONFIG, f"{layer} axis={value!r} must be an int or a list "
                         "of ints")
    extra = " (Keras 3 refuses a list, which tf-keras accepted)" if isinstance(
        value, (list, tuple)) and layer == "BatchNormalization" else ""
    raise ShapeError(INVALID_CONFIG, f"{layer} axis={value!r} must be an int{extra}")


def resolve_axes(axis: int | tuple[int, ...], shape: Shape, layer: str) -> tuple[int, ...]:
    """Axis indices (batch axis 0 included) in increasing order; out of range or repeated
    axes are refused (by both versions, at build or at the first forward pass).

    >>> resolve_axes((-1, 1), (None, 3, 4), "LayerNormalization")
    (1, 2)
    >>> resolve_axes(3, (None, 3, 4), "LayerNormalization")
    Traceback (most recent call last):
    archlint.layers.base.ShapeError: LayerNormalization axis=3 is out of range for an \
input of rank 3 (None, 3, 4)
    """
    axes = (axis,) if isinstance(axis, int) else axis
    ndim = len(shape)
    for a in axes:
        if not -ndim <= a < ndim:
            raise ShapeError(INVALID_CONFIG, f"{layer} axis={axis} is out of range for an "
                             f"input of rank {ndim} {format_shape(shape)}")
    resolved = sorted(a % ndim for a in axes)
    if len(set(resolved)) != len(resolved):
        raise ShapeError(INVALID_CONFIG, f"{layer} axis={axis} names the same axis twice "
                         f"for an input of rank {ndim}")
    return tuple(resolved)


def _axes_size(config: dict[str, Any], shape: Shape, layer: str) -> int:
    """Number of elements of one parameter vector: the product of the normalized axes."""
    axes = resolve_axes(config["axis"], shape, layer)
    return prod(require_known(shape[a], f"Axis {a} of a {layer} input (axis={config['axis']})")
                for a in axes)


class _SameShape(LayerSpec):
    input_spec = InputSpec(min_ndim=1)

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        self.param_count(config, inputs)  # the same checks Keras makes when it builds
        return inputs[0]


@register
class BatchNormalization(_SameShape):
    """Per-feature normalization over ``axis``: ``gamma`` (``scale``) and ``beta``
    (``center``) are trainable, ``moving_mean`` and ``moving_variance`` are not; ``renorm``
    adds three more non-trainable vectors (moving stddev, renorm mean and stddev).

    Keras 3 takes a single int ``axis``; tf-keras also accepts a list of axes (its parameters
    then have one entry per element of those axes), which Keras 3 refuses: archlint follows
    Keras 3.

    >>> spec = BatchNormalization()
    >>> spec.param_count(spec.normalize({}), [(None, 10, 64)])
    Params(trainable=128, non_trainable=128)
    >>> spec.param_count(spec.normalize({"axis": 1, "center": False}), [(None, 10, 64)])
    Params(trainable=10, non_trainable=20)
    """

    # tf-keras's ghost batch normalization reshapes the batch into virtual batches.
    unmodelled = {"virtual_batch_size": None}

    class_name = "BatchNormalization"
    time_order = "preserves"
    positional = ("axis", "momentum", "epsilon", "center", "scale")
    defaults = {"axis": -1, "center": True, "scale": True, "renorm": False}

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        # tf-keras accepts a list of axes here.
        with keras3_only(isinstance(config["axis"], (list, tuple))):
            config["axis"] = _axes_option(config["axis"], self.class_name, allow_list=False)
        return config

    def param_count(self, config: dict[str, Any], inputs: list[Shape]) -> Params:
        size = _axes_size(config, inputs[0], self.class_name)
        trainable = size * (bool(config["scale"]) + bool(config["center"]))
        return Params(trainable, size * (5 if config["renorm"] else 2))


@register
class LayerNormalization(_SameShape):
    """Per-sample normalization over ``axis`` (an int or a list): ``gamma`` and ``beta``
    each have one entry per element of those axes. Keras 3's deprecated ``rms_scaling=True``
    keeps ``gamma`` only (tf-keras has no such option).

    >>> spec = LayerNormalization()
    >>> spec.param_count(spec.normalize({"axis": [1, 2]}), [(None, 3, 4)])
    Params(trainable=24, non_trainable=0)
    """

    class_name = "LayerNormalization"
    time_order = "preserves"
    positional = ("axis", "epsilon", "center", "scale")
    defaults = {"axis": -1, "center": True, "scale": True, "rms_scaling": False}

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        config["axis"] = _axes_option(config["axis"], self.class_name)
        return config

    def param_count(self, config: dict[str, Any], inputs: list[Shape]) -> Params:
        size = _axes_size(config, inputs[0], self.class_name)
        rms = bool(config["rms_scaling"])
        gamma = bool(config["scale"]) or rms
        beta = bool(config["center"]) and not rms
        return Params(size * (gamma + beta))


@register
class RMSNormalization(_SameShape):
    """Keras 3 only: root-mean-square normalization over ``axis`` with one trainable
    ``scale`` vector.

    >>> spec = RMSNormalization()
    >>> spec.param_count(spec.normalize({}), [(None, 7, 16)])
    Params(trainable=16, non_trainable=0)
    """

    class_name = "RMSNormalization"
    time_order = "preserves"
    positional = ("axis", "epsilon")
    defaults = {"axis": -1}

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        config["axis"] = _axes_option(config["axis"], self.class_name)
        return config

    def param_count(self, config: dict[str, Any], inputs: list[Shape]) -> Params:
        return Params(_axes_size(config, inputs[0], self.class_name))


@register
class GroupNormalization(_SameShape):
    """Normalization over ``groups`` groups of the channels on ``axis`` (``groups=-1``: one
    group per channel). The groups must divide the channels; ``gamma`` and ``beta`` have
    one entry per channel.

    >>> spec = GroupNormalization()
    >>> spec.param_count(spec.normalize({"groups": 4}), [(None, 10, 8)])
    Params(trainable=16, non_trainable=0)
    >>> spec.param_count(spec.normalize({"groups": 3}), [(None, 10, 8)])
    Traceback (most recent call last):
    archlint.layers.base.ShapeError: GroupNormalization groups=3 must divide the 8 channels \
of axis 2
    """

    class_name = "GroupNormalization"
    time_order = "preserves"
    positional = ("groups", "axis", "epsilon", "center", "scale")
    defaults = {"groups": 32, "axis": -1, "center": True, "scale": True}

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        groups = config["groups"]
        if not _is_int(groups) or (groups <= 0 and groups != -1):
            raise ShapeError(INVALID_CONFIG, f"GroupNormalization groups={groups!r} must be a "
                             "positive integer (or -1 for one group per channel)")
        config["axis"] = _axes_option(config["axis"], self.class_name, allow_list=False)
        return config

    def param_count(self, config: dict[str, Any], inputs: list[Shape]) -> Params:
        shape = inputs[0]
        (axis,) = resolve_axes(config["axis"], shape, self.class_name)
        channels = require_known(shape[axis], f"Axis {axis} of a GroupNormalization input")
        groups = channels if config["groups"] == -1 else config["groups"]
        if isinstance(channels, Expr) and groups != channels:
            raise Unresolved(Unknown(f"whether groups={groups} divides the {channels} "
                                     "channels depends on a named size"))
        if channels < groups or channels % groups:
            raise ShapeError(INVALID_CONFIG, f"GroupNormalization groups={groups} must divide "
                             f"the {channels} channels of axis {axis}")
        return Params(channels * (bool(config["scale"]) + bool(config["center"])))


@register
class UnitNormalization(_SameShape):
    """Scale each sample to unit L2 norm over ``axis`` (an int or a list). No parameters.

    >>> spec = UnitNormalization()
    >>> spec.output_shape(spec.normalize({"axis": [1, 2]}), [(None, 3, 4)])
    (None, 3, 4)
    """

    class_name = "UnitNormalization"
    time_order = "preserves"
    positional = ("axis",)
    defaults = {"axis": -1}

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        config["axis"] = _axes_option(config["axis"], self.class_name)
        return config

    def param_count(self, config: dict[str, Any], inputs: list[Shape]) -> Params:
        resolve_axes(config["axis"], inputs[0], self.class_name)
        return Params(0)
