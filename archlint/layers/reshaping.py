"""Reshaping layers: Flatten, Reshape, Permute, RepeatVector, Cropping1D/2D/3D,
ZeroPadding1D/2D/3D and UpSampling1D/2D/3D.

Where an axis is symbolic (``T``), Keras declares ``None`` for everything that depends on
it (Flatten over ``(T, 3)`` declares ``(None, None)``); archlint keeps the expression the
forward pass produces (``3*T``), and layers that need the size defined (Dense) still refuse
it. A product of two symbolic axes cannot be written as an expression and is ``None``.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeGuard

from archlint.dims import Dim, Expr, Lin, dim_mul, floor_div, format_dim, format_shape
from archlint.layers import register
from archlint.layers.base import (
    BOTH_VERSIONS,
    INVALID_CONFIG,
    KERAS3_ONLY,
    NDIM_MISMATCH,
    NONPOSITIVE_TIMESTEPS,
    InputSpec,
    LayerSpec,
    Shape,
    ShapeError,
    keras3_only,
)
from archlint.layers.shape_utils import normalize_data_format, positive_tuple, spatial_axes
from archlint.unknown import Unknown


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _non_negative_pair(value: Any, option: str, layer: str) -> tuple[int, int]:
    """Keras's ``standardize_tuple(value, 2, allow_zero=True)``: an int or two ints >= 0.

    >>> _non_negative_pair(2, "padding", "ZeroPadding1D"), _non_negative_pair([0, 3], "c", "L")
    ((2, 2), (0, 3))
    """
    if _is_int(value):
        pair = (value, value)
    elif isinstance(value, (list, tuple)) and len(value) == 2 and all(map(_is_int, value)):
        pair = (value[0], value[1])
    else:
        raise ShapeError(INVALID_CONFIG,
                         f"{layer} {option}={value!r} must be an int or a tuple of 2 ints")
    if min(pair) < 0:
        raise ShapeError(INVALID_CONFIG,
                         f"{layer} {option}={value!r} must not contain negative values")
    return pair


def _positive(value: Any, option: str, layer: str) -> int:
    if not _is_int(value) or value <= 0:
        raise ShapeError(INVALID_CONFIG,
                         f"{layer} {option}={value!r} must be a positive integer")
    return value


def product(dims: tuple[Dim, ...]) -> Dim:
    """Number of elements of the non-batch axes ``dims``: an int, one symbolic axis times
    an int, or None (undefined, or two symbolic axes).

    >>> from archlint.dims import Sym
    >>> product((4, 5)), product((Sym("T"), 3)), product((Sym("T"), Sym("T"))), product(())
    (20, 3*T, None, 1)
    """
    total: Dim = 1
    for d in dims:
        total = dim_mul(total, d)
    return total


@register
class Flatten(LayerSpec):
    """Flatten: ``(batch, d1, ..., dn)`` to ``(batch, d1*...*dn)``; ``(batch,)`` to
    ``(batch, 1)``. ``data_format`` only reorders the elements.

    >>> from archlint.dims import Sym
    >>> spec = Flatten()
    >>> spec.output_shape(spec.normalize({}), [(None, 4, 5, 2)])
    (None, 40)
    >>> spec.output_shape(spec.normalize({}), [(None, Sym("T") - 9, 32)])
    (None, 32*T-288)
    """

    class_name = "Flatten"
    positional = ("data_format",)
    input_spec = InputSpec(min_ndim=1)

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        # data_format only orders the elements, so an unresolved value is harmless.
        if not isinstance(config.get("data_format"), Unknown):
            config["data_format"] = normalize_data_format(config.get("data_format"))
        return config

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        shape = inputs[0]
        return (shape[0], product(tuple(shape[1:])))


def _divide_exactly(size: Dim, known: int) -> Dim | None:
    """``size // known`` when ``known`` divides ``size`` for every value of its symbols,
    else None.

    >>> from archlint.dims import Sym
    >>> _divide_exactly(4 * Sym("T"), 2), _divide_exactly(3 * Sym("T"), 2), _divide_exactly(9, 3)
    (2*T, None, 3)
    """
    if isinstance(size, int):
        return size // known if size % known == 0 else None
    if isinstance(size, Lin):
        exact = size.const % known == 0 and all(c % known == 0 for _, c in size.terms)
    else:
        exact = known == 1
    return floor_div(size, known) if exact else None


@register
class Reshape(LayerSpec):
    """Reshape the non-batch axes to ``target_shape``, where one entry may be -1 (inferred).

    The number of elements must not change; Keras checks it at build time for fixed sizes
    and at the forward pass otherwise. With a symbolic input size, the -1 entry is an
    expression when it divides exactly for every length (``(T, 4)`` to ``(-1, 2)`` gives
    ``2*T``); otherwise the reshape only works for some lengths, and the error carries them.

    >>> from archlint.dims import Sym
    >>> spec = Reshape()
    >>> spec.output_shape(spec.normalize({"target_shape": (-1, 2)}), [(None, Sym("T"), 4)])
    (None, 2*T, 2)
    >>> spec.output_shape(spec.normalize({"target_shape": (4, 4)}), [(None, 3, 5)])
    Traceback (most recent call last):
    archlint.layers.base.ShapeError: Reshape target_shape=(4, 4) holds 16 elements, but the \
input (None, 3, 5) holds 15
    """

    class_name = "Reshape"
    positional = ("target_shape",)
    defaults = {"target_shape": None}
    input_spec = InputSpec(min_ndim=1)

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        target = config["target_shape"]
        if _is_int(target):
            target = (target,)
        if not isinstance(target, (list, tuple)) or not all(map(_is_int, target)):
            raise ShapeError(INVALID_CONFIG,
                             f"Reshape target_shape={target!r} must be a tuple of ints")
        target = tuple(target)
        # Keras 3 refuses these when the layer is created; tf-keras builds a lone negative
        # as -1, then its forward pass fails ("Size 1 must be non-negative, not -2").
        if any(d < -1 for d in target) or target.count(-1) > 1:
            raise ShapeError(INVALID_CONFIG, f"Reshape target_shape={target} must hold "
                             "non-negative sizes and at most one -1")
        config["target_shape"] = target
        return config

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        shape = inputs[0]
        target: tuple[int, ...] = config["target_shape"]
        size = product(tuple(shape[1:]))
        known = 1
        for d in target:
            if d != -1:
                known *= d
        head = f"Reshape target_shape={target}"
        where = f"the input {format_shape(shape)} holds {format_dim(size)}"
        if -1 not in target:
            if isinstance(size, int) and size != known:
                raise ShapeError(INVALID_CONFIG, f"{head} holds {known} elements, but {where}")
            if isinstance(size, Expr):
                raise ShapeError(INVALID_CONFIG, f"{head} holds {known} elements, but {where}",
                                 condition=f"{size} != {known}")
            return (shape[0], *target)
        inferred: Dim
        if size is None or isinstance(size, Unknown):
            inferred = size
        elif known == 0:
            raise ShapeError(INVALID_CONFIG, f"{head} cannot infer its -1 entry: the other "
                             f"entries hold 0 elements and {where}")
        else:
            inferred = _divide_exactly(size, known)
            if inferred is None:
                condition = f"({size}) % {known} != 0" if isinstance(size, Expr) else None
                raise ShapeError(INVALID_CONFIG, f"{head} cannot infer its -1 entry: {where} "
                                 f"elements, not a multiple of {known}", condition=condition)
        return (shape[0], *(inferred if d == -1 else d for d in target))


@register
class Permute(LayerSpec):
    """Permute the non-batch axes: ``dims`` is a permutation of ``1..n`` (1-based) and the
    input must have ``n`` non-batch axes.

    >>> spec = Permute()
    >>> spec.output_shape(spec.normalize({"dims": (2, 1)}), [(None, 10, 64)])
    (None, 64, 10)
    """

    class_name = "Permute"
    positional = ("dims",)
    defaults = {"dims": None}
    input_spec = InputSpec(min_ndim=2)

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        dims = config["dims"]
        if (not isinstance(dims, (list, tuple)) or not all(map(_is_int, dims))
                or sorted(dims) != list(range(1, len(dims) + 1))):
            raise ShapeError(INVALID_CONFIG, f"Permute dims={dims!r} must be a permutation of "
                             "1..n (the batch axis 0 is not permuted)")
        config["dims"] = tuple(dims)
        return config

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        shape, dims = inputs[0], config["dims"]
        if len(shape) != len(dims) + 1:
            raise ShapeError(NDIM_MISMATCH, f"Permute dims={dims} expects ndim={len(dims) + 1}, "
                             f"but its input has ndim={len(shape)} {format_shape(shape)}")
        return (shape[0], *(shape[d] for d in dims))


@register
class RepeatVector(LayerSpec):
    """``(batch, features)`` to ``(batch, n, features)``.

    >>> spec = RepeatVector()
    >>> spec.output_shape(spec.normalize({"n": 3}), [(None, 8)])
    (None, 3, 8)
    """

    class_name = "RepeatVector"
    positional = ("n",)
    defaults = {"n": None}
    input_spec = InputSpec(ndim=2)

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        # Keras 3 refuses n <= 0; tf-keras builds n=0 (an empty time axis).
        with keras3_only(config["n"] == 0):
            config["n"] = _positive(config["n"], "n", "RepeatVector")
        return config

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        shape = inputs[0]
        return (shape[0], config["n"], shape[1])


@register
class Cropping1D(LayerSpec):
    """Remove ``cropping[0]`` steps at the start and ``cropping[1]`` at the end of the time
    axis. Both versions refuse a crop that leaves no step.

    >>> from archlint.dims import Sym
    >>> spec = Cropping1D()
    >>> spec.output_shape(spec.normalize({"cropping": (2, 3)}), [(None, Sym("T"), 4)])
    (None, T-5, 4)
    >>> spec.output_shape(spec.normalize({"cropping": (2, 3)}), [(None, 5, 4)])
    Traceback (most recent call last):
    archlint.layers.base.ShapeError: Cropping1D cropping=(2, 3) on an input length of 5 \
leaves 0
    """

    class_name = "Cropping1D"
    time_order = "preserves"
    positional = ("cropping",)
    defaults = {"cropping": (1, 1)}
    input_spec = InputSpec(ndim=3)

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        config["cropping"] = _non_negative_pair(config["cropping"], "cropping", "Cropping1D")
        return config

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        shape = inputs[0]
        start, end = config["cropping"]
        length = shape[1]
        if length is not None and not isinstance(length, Unknown):
            length = length - start - end
            if isinstance(length, int) and length <= 0:
                raise ShapeError(NONPOSITIVE_TIMESTEPS,
                                 f"Cropping1D cropping={config['cropping']} on an input length "
                                 f"of {shape[1]} leaves {length}")
        return (shape[0], length, shape[2])


@register
class ZeroPadding1D(LayerSpec):
    """Add ``padding[0]`` zero steps at the start and ``padding[1]`` at the end of the time
    axis (axis 2 with Keras 3's ``data_format='channels_first'``; tf-keras has no
    ``data_format`` here and refuses the option).

    >>> from archlint.dims import Sym
    >>> spec = ZeroPadding1D()
    >>> spec.output_shape(spec.normalize({"padding": (1, 2)}), [(None, Sym("T"), 4)])
    (None, T+3, 4)
    """

    class_name = "ZeroPadding1D"
    time_order = "preserves"
    positional = ("padding", "data_format")
    defaults = {"padding": 1, "data_format": None}
    input_spec = InputSpec(ndim=3)

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        config["padding"] = _non_negative_pair(config["padding"], "padding", "ZeroPadding1D")
        config["data_format"] = normalize_data_format(config["data_format"])
        return config

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        out = list(inputs[0])
        axis = 2 if config["data_format"] == "channels_first" else 1
        if out[axis] is not None:
            out[axis] = out[axis] + sum(config["padding"])
        return tuple(out)


@register
class UpSampling1D(LayerSpec):
    """Repeat each time step ``size`` times.

    >>> from archlint.dims import Sym
    >>> spec = UpSampling1D()
    >>> spec.output_shape(spec.normalize({}), [(None, Sym("T") - 1, 4)])
    (None, 2*T-2, 4)
    """

    class_name = "UpSampling1D"
    time_order = "preserves"
    positional = ("size",)
    defaults = {"size": 2}
    input_spec = InputSpec(ndim=3)

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        config["size"] = _positive(config["size"], "size", "UpSampling1D")
        return config

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        shape = inputs[0]
        return (shape[0], dim_mul(shape[1], config["size"]), shape[2])


_ORDINALS = ("1st", "2nd", "3rd")


def _pairs(value: Any, n: int, option: str, layer: str) -> tuple[tuple[int, int], ...]:
    """One ``(start, end)`` pair per spatial axis, as the 2D/3D layers read ``cropping`` and
    ``padding``: an int for every side, ``n`` ints (symmetric per axis), or ``n`` pairs (an
    int and a pair may be mixed).

    >>> _pairs(1, 2, "padding", "ZeroPadding2D"), _pairs((2, (0, 3)), 2, "c", "L")
    (((1, 1), (1, 1)), ((2, 2), (0, 3)))
    """
    if _is_int(value):
        if value < 0:
            raise ShapeError(INVALID_CONFIG, f"{layer} {option}={value!r} must not be negative")
        return ((value, value),) * n
    if not isinstance(value, (list, tuple)) or len(value) != n:
        raise ShapeError(INVALID_CONFIG, f"{layer} {option}={value!r} must be an int, a tuple "
                         f"of {n} ints or a tuple of {n} pairs of ints")
    pairs = []
    for ordinal, entry in zip(_ORDINALS, value):
        try:
            pairs.append(_non_negative_pair(entry, option, layer))
        except ShapeError:
            raise ShapeError(INVALID_CONFIG, f"{layer} {option}={value!r}: the {ordinal} entry "
                             f"{entry!r} must be an int or a tuple of 2 ints, none negative"
                             ) from None
    return tuple(pairs)


def _is_length(dim: Dim) -> TypeGuard[int | Expr]:
    # None and Unknown axes stay as they are.
    return dim is not None and not isinstance(dim, Unknown)


class _SpatialPairs(LayerSpec):
    """Layers with a ``(start, end)`` pair per spatial axis in option ``option``."""

    rank: ClassVar[int]
    option: ClassVar[str]

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        config[self.option] = _pairs(config[self.option], self.rank, self.option,
                                     self.class_name)
        config["data_format"] = normalize_data_format(config["data_format"])
        return config


class _CroppingND(_SpatialPairs):
    """Cropping2D and Cropping3D: remove ``start`` and ``end`` steps on each spatial axis."""

    option = "cropping"
    # tf-keras's Cropping3D slices an over-cropped axis down to 0 steps.
    keras2_checks_crop: ClassVar[bool] = True

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        shape = inputs[0]
        out = list(shape)
        axes = spatial_axes(len(shape), config["data_format"])
        for axis, (start, end) in zip(axes, config["cropping"]):
            length = shape[axis]
            if not _is_length(length):
                continue
            cropped = out[axis] = length - start - end
            # Keras 3 refuses a crop that leaves nothing on a known axis (tf-keras 2D too).
            if isinstance(cropped, int) and cropped <= 0:
                raise ShapeError(NONPOSITIVE_TIMESTEPS,
                                 f"{self.class_name} cropping={config['cropping']} with "
                                 f"data_format='{config['data_format']}' on input axis {axis} "
                                 f"of length {length} leaves {cropped}",
                                 refused_by=BOTH_VERSIONS if self.keras2_checks_crop
                                 else KERAS3_ONLY)
        return tuple(out)


@register
class Cropping2D(_CroppingND):
    """Crop the two spatial axes (rows, then columns). ``cropping`` is an int, a pair of ints
    (symmetric per axis) or a pair of ``(start, end)`` pairs; a crop that leaves no row or
    column is refused.

    >>> from archlint.dims import Sym
    >>> spec = Cropping2D()
    >>> config = spec.normalize({"cropping": ((1, 2), 3)})
    >>> spec.output_shape(config, [(None, Sym("T"), 32, 3)])
    (None, T-3, 26, 3)
    >>> spec.output_shape(config, [(None, 3, 32, 3)])
    Traceback (most recent call last):
    archlint.layers.base.ShapeError: Cropping2D cropping=((1, 2), (3, 3)) with \
data_format='channels_last' on input axis 1 of length 3 leaves 0
    """

    class_name = "Cropping2D"
    rank = 2
    positional = ("cropping", "data_format")
    defaults = {"cropping": ((0, 0), (0, 0)), "data_format": None}
    input_spec = InputSpec(ndim=4)


@register
class Cropping3D(_CroppingND):
    """Crop the three spatial axes; ``cropping`` as in Cropping2D, with three entries.

    tf-keras 3D checks nothing and slices an over-cropped axis down to 0 steps (a negative
    int crops to nothing as well); Keras 3 refuses both, as archlint does.

    >>> from archlint.dims import Sym
    >>> spec = Cropping3D()
    >>> config = spec.normalize({"data_format": "channels_first"})
    >>> spec.output_shape(config, [(None, 2, Sym("T"), 8, 8)])
    (None, 2, T-2, 6, 6)
    """

    class_name = "Cropping3D"
    rank = 3
    keras2_checks_crop = False
    positional = ("cropping", "data_format")
    defaults = {"cropping": ((1, 1), (1, 1), (1, 1)), "data_format": None}
    input_spec = InputSpec(ndim=5)


class _ZeroPaddingND(_SpatialPairs):
    """ZeroPadding2D and ZeroPadding3D: add ``start`` and ``end`` zeros on each spatial axis.
    (Both versions take a negative int, but tf.pad refuses it when the layer runs.)"""

    option = "padding"

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        shape = inputs[0]
        out = list(shape)
        axes = spatial_axes(len(shape), config["data_format"])
        for axis, (start, end) in zip(axes, config["padding"]):
            if _is_length(shape[axis]):
                out[axis] = shape[axis] + start + end
        return tuple(out)


@register
class ZeroPadding2D(_ZeroPaddingND):
    """Pad the two spatial axes with zeros. ``padding`` is an int, a pair of ints (symmetric
    per axis) or a pair of ``(start, end)`` pairs.

    >>> from archlint.dims import Sym
    >>> spec = ZeroPadding2D()
    >>> spec.output_shape(spec.normalize({"padding": ((0, 1), 2)}), [(None, Sym("T"), 5, 3)])
    (None, T+1, 9, 3)
    """

    class_name = "ZeroPadding2D"
    rank = 2
    positional = ("padding", "data_format")
    defaults = {"padding": (1, 1), "data_format": None}
    input_spec = InputSpec(ndim=4)


@register
class ZeroPadding3D(_ZeroPaddingND):
    """Pad the three spatial axes with zeros; ``padding`` as in ZeroPadding2D, with three
    entries.

    >>> from archlint.dims import Sym
    >>> spec = ZeroPadding3D()
    >>> config = spec.normalize({"padding": 2, "data_format": "channels_first"})
    >>> spec.output_shape(config, [(None, 3, Sym("T"), 4, 4)])
    (None, 3, T+4, 8, 8)
    """

    class_name = "ZeroPadding3D"
    rank = 3
    positional = ("padding", "data_format")
    defaults = {"padding": ((1, 1), (1, 1), (1, 1)), "data_format": None}
    input_spec = InputSpec(ndim=5)


# What Keras 3's image resize accepts; tf-keras also takes "gaussian" and "mitchellcubic".
INTERPOLATIONS = ("bilinear", "nearest", "lanczos3", "lanczos5", "bicubic", "area")
KERAS2_INTERPOLATIONS = ("gaussian", "mitchellcubic")


class _UpSamplingND(LayerSpec):
    """UpSampling2D and UpSampling3D: multiply each spatial axis by its ``size`` factor."""

    rank: ClassVar[int]

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        config["size"] = positive_tuple(config["size"], self.rank, "size", self.class_name)
        config["data_format"] = normalize_data_format(config["data_format"])
        return config

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        shape = inputs[0]
        out = list(shape)
        for axis, factor in zip(spatial_axes(len(shape), config["data_format"]), config["size"]):
            out[axis] = dim_mul(shape[axis], factor)
        return tuple(out)


@register
class UpSampling2D(_UpSamplingND):
    """Repeat rows and columns ``size`` times (or resize by that factor with another
    ``interpolation``, which leaves the shape the same).

    ``interpolation`` is lower-cased; Keras 3 refuses any value its image resize does not
    know at the first forward pass (tf-keras also accepts 'gaussian' and 'mitchellcubic'):
    archlint follows Keras 3.

    >>> from archlint.dims import Sym
    >>> spec = UpSampling2D()
    >>> spec.output_shape(spec.normalize({"size": (2, 3)}), [(None, Sym("T") - 1, 5, 3)])
    (None, 2*T-2, 15, 3)
    """

    class_name = "UpSampling2D"
    rank = 2
    positional = ("size", "data_format", "interpolation")
    # interpolation never changes the shape: an unresolved value is harmless.
    defaults = {"size": (2, 2), "data_format": None}
    input_spec = InputSpec(ndim=4)

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        method = config.get("interpolation", "nearest")
        if not isinstance(method, Unknown):
            text = method.lower() if isinstance(method, str) else method
            if text not in INTERPOLATIONS:
                options = ", ".join(repr(m) for m in INTERPOLATIONS)
                raise ShapeError(INVALID_CONFIG, f"UpSampling2D interpolation={method!r} must "
                                 f"be one of {options}",
                                 refused_by=KERAS3_ONLY if text in KERAS2_INTERPOLATIONS
                                 else BOTH_VERSIONS)
            config["interpolation"] = text
        return config


@register
class UpSampling3D(_UpSamplingND):
    """Repeat each step of the three spatial axes ``size`` times.

    >>> from archlint.dims import Sym
    >>> spec = UpSampling3D()
    >>> spec.output_shape(spec.normalize({"size": (1, 2, 3)}), [(None, Sym("T"), 4, 5, 2)])
    (None, T, 8, 15, 2)
    """

    class_name = "UpSampling3D"
    rank = 3
    positional = ("size", "data_format")
    defaults = {"size": (2, 2, 2), "data_format": None}
    input_spec = InputSpec(ndim=5)
