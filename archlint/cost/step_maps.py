"""Which input steps each output step of a layer reads, along one axis.

A ``StepMap`` is periodic: output step ``period*m + r`` reads the input steps ``m*jump + t``
for ``t`` in ``taps[r]``. A convolution or pooling has period 1 and jump its stride; an
upsampling by ``s`` has period ``s`` and jump 1 (``s`` output steps per input step); a
transposed convolution of stride ``s`` too, its taps found from the kernel, dilation and
the padding TensorFlow crops. Cropping and padding move the steps by a constant.

>>> sliding_map(kernel=3, stride=2, dilation=1, left=1)
StepMap(period=1, jump=2, taps=(range(-1, 2),), aligned=True)
>>> [list(t) for t in repeat_map(2).taps], [list(t) for t in bilinear_map(2).taps]
([[0], [0]], [[-1, 0], [0, 1]])
"""

from __future__ import annotations

from math import gcd
from typing import Any

from archlint.layers.shape_utils import deconv_output_length
from archlint.records import record

# Past this many output steps per input step (an upsampling or a transposed stride) the
# steps are not followed: no real model repeats them so often.
MAX_PERIOD = 4096


@record(frozen=True)
class StepMap:
    """Output step ``period*m + r`` reads input steps ``m*jump + t``, ``t`` in ``taps[r]``
    (a range, never built as a list: a kernel may be long; empty where an output step
    reads no input step). Not ``aligned``: the taps are known up to one shift that the
    input length decides."""

    period: int
    jump: int
    taps: tuple[range, ...]
    aligned: bool = True

    def reads(self, step: int) -> range:
        """The input steps output step ``step`` reads (past the edges included)."""
        m, r = divmod(step, self.period)
        taps = self.taps[r]
        return range(m * self.jump + taps.start, m * self.jump + taps.stop, taps.step)


def _period(size: int) -> int:
    if size > MAX_PERIOD:
        raise ValueError(f"{size} output steps per input step is past {MAX_PERIOD}")
    return size


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
    return StepMap(1, stride, (range(start, start + (kernel - 1) * dilation + 1, dilation),),
                   left is not None)


def transposed_map(*, kernel: int, stride: int, dilation: int, padding: str,
                   output_padding: int | None) -> StepMap:
    """A transposed convolution: input step ``j`` reaches output steps ``j*stride - crop +
    m*dilation``, where ``crop`` is the padding TensorFlow's gradient of the forward
    convolution takes off the start (the output length minus ``(L-1)*stride`` does not
    depend on ``L``, so neither does the crop).

    >>> same = transposed_map(kernel=4, stride=2, dilation=1, padding="same", output_padding=None)
    >>> [list(t) for t in same.taps]
    [[-1, 0], [0, 1]]
    >>> holes = transposed_map(kernel=2, stride=4, dilation=1, padding="valid", output_padding=None)
    >>> [list(t) for t in holes.taps]
    [[0], [0], [], []]
    """
    span = (kernel - 1) * dilation + 1
    extra = deconv_output_length(1, kernel, padding, stride, output_padding, dilation)
    assert isinstance(extra, int)
    crop = max(span - extra, 0) // 2
    common = gcd(dilation, stride)
    cycle = stride // common  # the taps m that reach one output step are cycle apart
    taps = []
    for r in range(_period(stride)):
        # Input step j reaches output r when j*stride = r + crop - m*dilation, 0 <= m < kernel.
        if (r + crop) % common:
            taps.append(range(0))
            continue
        first = (r + crop) // common * pow(dilation // common, -1, cycle) % cycle
        count = max(0, -(-(kernel - first) // cycle))
        last_j = (r + crop - first * dilation) // stride
        step = dilation // common
        taps.append(range(last_j - (count - 1) * step, last_j + 1, step) if count else range(0))
    return StepMap(stride, 1, tuple(taps))


def repeat_map(size: int) -> StepMap:
    """Each input step repeated ``size`` times (nearest upsampling, a depth multiplier)."""
    return StepMap(_period(size), 1, (range(1),) * size)


def bilinear_map(size: int) -> StepMap:
    """Bilinear upsampling by ``size`` with half-pixel centres (TensorFlow's resize): output
    step ``i`` sits at input coordinate ``(2i + 1 - size) / (2*size)`` and reads the two
    steps around it, one where it falls on a step (the edges repeat the end steps)."""
    taps = []
    for r in range(_period(size)):
        below, exact = divmod(2 * r + 1 - size, 2 * size)
        taps.append(range(below, below + (1 if exact == 0 else 2)))
    return StepMap(size, 1, tuple(taps))


def shift_map(offset: int) -> StepMap:
    """Output step ``i`` is input step ``i + offset`` (cropping: +, zero padding: -)."""
    return StepMap(1, 1, (range(offset, offset + 1),))


IDENTITY = shift_map(0)
