"""Which input steps each output step of a layer reads, along one axis.

A ``StepMap`` is periodic: output step ``period*m + r`` reads the input steps ``m*jump + t``
for ``t`` in ``taps[r]``. A convolution or pooling has period 1 and jump its stride; an
upsampling by ``s`` has period ``s`` and jump 1 (``s`` output steps per input step); a
transposed convolution of stride ``s`` too, its taps found from the kernel, dilation and
the padding TensorFlow crops. Cropping and padding move the steps by a constant.

>>> sliding_map(kernel=3, stride=2, dilation=1, left=1)
StepMap(period=1, jump=2, taps=((-1, 0, 1),), aligned=True)
>>> repeat_map(2).taps, bilinear_map(2).taps
(((0,), (0,)), ((-1, 0), (0, 1)))
"""

from __future__ import annotations

from typing import Any

from archlint.layers.shape_utils import deconv_output_length
from archlint.records import record


@record(frozen=True)
class StepMap:
    """Output step ``period*m + r`` reads input steps ``m*jump + t``, ``t`` in ``taps[r]``
    (sorted; empty where an output step reads no input step). Not ``aligned``: the taps
    are known up to one shift that the input length decides."""

    period: int
    jump: int
    taps: tuple[tuple[int, ...], ...]
    aligned: bool = True

    def reads(self, step: int) -> tuple[int, ...]:
        """The input steps output step ``step`` reads (past the edges included)."""
        m, r = divmod(step, self.period)
        return tuple(m * self.jump + t for t in self.taps[r])


def left_padding(padding: str, kernel: int, dilation: int, stride: int,
                 length: Any) -> int | None:
    """Steps of padding before the first step, as TensorFlow pads.

    >>> left_padding("same", 3, 1, 1, None), left_padding("causal", 3, 2, 1, 9)
    (1, 4)
    >>> left_padding("same", 4, 1, 2, 10), left_padding("same", 4, 1, 2, None)
    (1, None)
    """
    effective = (kernel - 1) * dilation + 1
    if padding == "valid":
        return 0
    if padding == "causal":
        return effective - 1
    if stride == 1:
        return (effective - 1) // 2
    if not isinstance(length, int):
        return None
    out = -(-length // stride)
    return max((out - 1) * stride + effective - length, 0) // 2


def sliding_map(*, kernel: int, stride: int, dilation: int, left: int | None) -> StepMap:
    """A convolution or pooling window; ``left`` None: the padding depends on the length."""
    start = -left if left is not None else 0
    return StepMap(1, stride, (tuple(start + m * dilation for m in range(kernel)),),
                   left is not None)


def transposed_map(*, kernel: int, stride: int, dilation: int, padding: str,
                   output_padding: int | None) -> StepMap:
    """A transposed convolution: input step ``j`` reaches output steps ``j*stride - crop +
    m*dilation``, where ``crop`` is the padding TensorFlow's gradient of the forward
    convolution takes off the start (the output length minus ``(L-1)*stride`` does not
    depend on ``L``, so neither does the crop).

    >>> transposed_map(kernel=4, stride=2, dilation=1, padding="same", output_padding=None)
    StepMap(period=2, jump=1, taps=((-1, 0), (0, 1)), aligned=True)
    >>> transposed_map(kernel=2, stride=4, dilation=1, padding="valid", output_padding=None).taps
    ((0,), (0,), (), ())
    """
    span = (kernel - 1) * dilation + 1
    extra = deconv_output_length(1, kernel, padding, stride, output_padding, dilation)
    assert isinstance(extra, int)
    crop = max(span - extra, 0) // 2
    taps = []
    for r in range(stride):
        reached = {(r + crop - m * dilation) // stride for m in range(kernel)
                   if (r + crop - m * dilation) % stride == 0}
        taps.append(tuple(sorted(reached)))
    return StepMap(stride, 1, tuple(taps))


def repeat_map(size: int) -> StepMap:
    """Each input step repeated ``size`` times (nearest upsampling, a depth multiplier)."""
    return StepMap(size, 1, ((0,),) * size)


def bilinear_map(size: int) -> StepMap:
    """Bilinear upsampling by ``size`` with half-pixel centres (TensorFlow's resize): output
    step ``i`` sits at input coordinate ``(2i + 1 - size) / (2*size)`` and reads the two
    steps around it, one where it falls on a step (the edges repeat the end steps)."""
    taps = []
    for r in range(size):
        below, exact = divmod(2 * r + 1 - size, 2 * size)
        taps.append((below,) if exact == 0 else (below, below + 1))
    return StepMap(size, 1, tuple(taps))


def shift_map(offset: int) -> StepMap:
    """Output step ``i`` is input step ``i + offset`` (cropping: +, zero padding: -)."""
    return StepMap(1, 1, ((offset,),))


IDENTITY = shift_map(0)
