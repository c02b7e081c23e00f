"""Shared formulas of the windowed layers (convolutions and pooling): output lengths along
one spatial axis, spatial axes for a data format, and canonical options.

Lengths may be ints, None, symbolic expressions (``Sym("T") - 9``) or Unknown. A concrete
length that comes out <= 0 raises ``ShapeError(AL101)``, because both Keras versions refuse
it when the model is built; a symbolic length is returned as an expression for the engine
to check later.
"""

from __future__ import annotations

from typing import Any, TypeGuard

from archlint.dims import Dim, Expr, ceil_div, floor_div
from archlint.layers.base import (
    INVALID_CONFIG,
    NONPOSITIVE_TIMESTEPS,
    ShapeError,
    as_tuple,
)
from archlint.unknown import Unknown

PADDINGS = ("valid", "same")
DATA_FORMATS = ("channels_last", "channels_first")


def _where(axis: int | None) -> str:
    return "an input length of" if axis is None else f"input axis {axis} of length"


def conv_output_length(length: Dim, kernel: int, padding: str, stride: int,
                       dilation: int = 1, *, axis: int | None = None) -> Dim:
    """Output length of a convolution along one axis, as Keras computes it.

    ``valid``: ``(L - dilation*(kernel-1) - 1)//stride + 1``, kept as the equal
    ``(L - span + stride)//stride`` so that expressions stay short; ``same`` and ``causal``:
    ``ceil(L/stride)`` (causal pads ``dilation*(kernel-1)`` on the left, then is valid).

    >>> from archlint.dims import Sym
    >>> conv_output_length(20, 10, "valid", 1), conv_output_length(Sym("T"), 10, "valid", 1)
    (11, T-9)
    >>> conv_output_length(Sym("T"), 3, "same", 2), conv_output_length(9, 3, "causal", 1, 4)
    ((T+1)//2, 9)
    >>> conv_output_length(9, 10, "valid", 1)
    Traceback (most recent call last):
    archlint.layers.base.ShapeError: kernel_size=10 with strides=1, dilation_rate=1 and \
padding='valid' on an input length of 9 leaves 0 (the window spans 10)
    """
    if padding in ("same", "causal"):
        return ceil_div(length, stride)
    span = dilation * (kernel - 1) + 1
    out = floor_div(length - span + stride, stride) if _is_dim_value(length) else length
    if isinstance(out, int) and out <= 0:
        raise ShapeError(
            NONPOSITIVE_TIMESTEPS,
            f"kernel_size={kernel} with strides={stride}, dilation_rate={dilation} and "
            f"padding='{padding}' on {_where(axis)} {length} leaves {out} "
            f"(the window spans {span})",
        )
    return out


# TensorFlow's CPU pooling divides by zero on a window larger than its input.
POOLING_CRASH = "tensorflow/tensorflow#125509"


def pooling_output_length(length: Dim, pool: int, padding: str, stride: int, *,
                          axis: int | None = None) -> Dim:
    """Output length of a pooling window along one axis.

    ``valid``: ``(L - pool)//stride + 1`` (as ``(L - pool + stride)//stride``);
    ``same``: ``ceil(L/stride)``.

    >>> from archlint.dims import Sym
    >>> pooling_output_length(11, 2, "valid", 2), pooling_output_length(Sym("T") - 9, 2, "valid", 2)
    (5, (T-9)//2)
    >>> pooling_output_length(9, 2, "same", 3)
    3
    >>> pooling_output_length(2, 3, "valid", 3)
    Traceback (most recent call last):
    archlint.layers.base.ShapeError: pool_size=3 with strides=3 and padding='valid' on an \
input length of 2 leaves 0 (the window spans 3); on TensorFlow's CPU a forward pass on it \
crashes the process instead of raising (tensorflow/tensorflow#125509)
    """
    if padding == "same":
        return ceil_div(length, stride)
    out = floor_div(length - pool + stride, stride) if _is_dim_value(length) else length
    if isinstance(out, int) and out <= 0:
        raise ShapeError(
            NONPOSITIVE_TIMESTEPS,
            f"pool_size={pool} with strides={stride} and padding='{padding}' on "
            f"{_where(axis)} {length} leaves {out} (the window spans {pool}); on TensorFlow's "
            f"CPU a forward pass on it crashes the process instead of raising ({POOLING_CRASH})",
        )
    return out


def deconv_output_length(length: Dim, kernel: int, padding: str, stride: int,
                         output_padding: int | None = None, dilation: int = 1) -> Dim:
    """Output length of a transposed convolution along one axis (both Keras versions).

    Without ``output_padding``: ``valid`` gives ``L*stride + max(span - stride, 0)``, ``same``
    gives ``L*stride``; with it, ``(L-1)*stride + span - 2*pad + output_padding`` where ``pad``
    is 0 for valid and ``span//2`` for same.

    >>> from archlint.dims import Sym
    >>> deconv_output_length(5, 3, "valid", 2), deconv_output_length(Sym("T"), 3, "same", 2)
    (11, 2*T)
    >>> deconv_output_length(5, 3, "same", 2, output_padding=1)
    10
    """
    if not _is_dim_value(length):
        return length
    span = dilation * (kernel - 1) + 1
    if output_padding is None:
        if padding == "valid":
            return length * stride + max(span - stride, 0)
        return length * stride
    pad = 0 if padding == "valid" else span // 2
    return (length - 1) * stride + span - 2 * pad + output_padding


def _is_dim_value(length: Dim) -> TypeGuard[int | Expr]:
    # None and Unknown pass through the formulas unchanged.
    return length is not None and not isinstance(length, Unknown)


def spatial_axes(ndim: int, data_format: str) -> tuple[int, ...]:
    """Indices of the spatial axes of an input of rank ``ndim`` (batch axis included).

    >>> spatial_axes(4, "channels_last"), spatial_axes(4, "channels_first")
    ((1, 2), (2, 3))
    """
    if data_format == "channels_first":
        return tuple(range(2, ndim))
    return tuple(range(1, ndim - 1))


def channel_axis(ndim: int, data_format: str) -> int:
    """Index of the channel axis (batch axis included).

    >>> channel_axis(3, "channels_last"), channel_axis(3, "channels_first")
    (2, 1)
    """
    return 1 if data_format == "channels_first" else ndim - 1


def with_spatial(shape: tuple[Dim, ...], data_format: str, spatial: tuple[Dim, ...],
                 channels: Dim) -> tuple[Dim, ...]:
    """``(batch, *spatial, channels)`` or ``(batch, channels, *spatial)``.

    >>> with_spatial((None, 3, 9, 9), "channels_first", (4, 4), 8)
    (None, 8, 4, 4)
    """
    if data_format == "channels_first":
        return (shape[0], channels, *spatial)
    return (shape[0], *spatial, channels)


def normalize_data_format(value: Any) -> str:
    """Keras's ``standardize_data_format``: None is the default ``channels_last``;
    any case is accepted.

    >>> normalize_data_format(None), normalize_data_format("Channels_First")
    ('channels_last', 'channels_first')
    """
    if value is None:
        return "channels_last"
    text = str(value).lower()
    if text not in DATA_FORMATS:
        raise ShapeError(
            INVALID_CONFIG,
            f"data_format={value!r} must be 'channels_last' or 'channels_first'",
        )
    return text


def normalize_padding(value: Any, allowed: tuple[str, ...] = PADDINGS, *,
                      lower: bool = True, layer: str = "") -> str:
    """A padding string; ``lower=False`` for the Keras 3 pooling layers, which compare it
    case-sensitively.

    >>> normalize_padding("SAME"), normalize_padding("causal", ("valid", "same", "causal"))
    ('same', 'causal')
    """
    text = value.lower() if isinstance(value, str) and lower else value
    if not isinstance(text, str) or text not in allowed:
        options = ", ".join(repr(a) for a in allowed)
        owner = f"{layer} " if layer else ""
        raise ShapeError(INVALID_CONFIG, f"{owner}padding={value!r} must be one of {options}")
    return text


def positive_tuple(value: Any, n: int, option: str, layer: str = "") -> tuple[int, ...]:
    """``as_tuple`` that also requires every entry to be > 0.

    >>> positive_tuple(3, 2, "kernel_size")
    (3, 3)
    >>> positive_tuple((2, 0), 2, "strides")
    Traceback (most recent call last):
    archlint.layers.base.ShapeError: strides=(2, 0) must contain only positive integers
    """
    owner = f"{layer} " if layer else ""
    try:
        values = as_tuple(value, n, option)
    except ShapeError as error:
        raise ShapeError(INVALID_CONFIG, owner + error.message) from None
    if any(v <= 0 for v in values):
        raise ShapeError(INVALID_CONFIG,
                         f"{owner}{option}={value!r} must contain only positive integers")
    return values


def positive_int(value: Any, option: str, layer: str = "") -> int:
    """An option that must be a positive int (``filters``, ``groups``).

    >>> positive_int(0, "filters", "Conv1D")
    Traceback (most recent call last):
    archlint.layers.base.ShapeError: Conv1D filters=0 must be a positive integer
    """
    if isinstance(value, Expr) and value.fixed():
        return value  # type: ignore[return-value]  # a named size: Keras checks it at build
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        owner = f"{layer} " if layer else ""
        raise ShapeError(INVALID_CONFIG, f"{owner}{option}={value!r} must be a positive integer")
    return value
