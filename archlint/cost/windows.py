"""The input steps one output step sees along one axis (a ``Window``), and how a layer's
``StepMap`` or a merge changes them.

Output step ``period*m + r`` sees input steps ``m*jump + lo_r`` to ``m*jump + hi_r`` (holes
a dilation leaves included); ``(lo_0, hi_0)`` are ``lo`` and ``hi``, the other residues'
are ``rest`` (None: that output step sees no input step, as between a transposed
convolution's strides). A period above 1 comes from upsampling: ``s`` output steps per
input step. ``lo`` and ``hi`` are None where the left padding depends on a length the data
decides; ``span`` is then the size.

>>> from archlint.cost.step_maps import repeat_map, sliding_map
>>> first = compose(Window(0, 0, 1), sliding_map(kernel=3, stride=1, dilation=1, left=0))
>>> compose(first, sliding_map(kernel=3, stride=1, dilation=2, left=0))
Window(lo=0, hi=6, jump=1, span=None, period=1, rest=())
>>> compose(first, repeat_map(2))
Window(lo=0, hi=2, jump=1, span=None, period=2, rest=((0, 2),))
"""

from __future__ import annotations

from math import gcd

from archlint.cost.step_maps import StepMap
from archlint.records import record
from archlint.unknown import Unknown

ALL, PAST, FUTURE = "all", "all earlier", "all later"
# Past this many output steps per period (upsampling factors multiplied) a field is unknown.
MAX_PERIOD = 4096
UNALIGNED = "windows whose alignment depends on the input length"


@record(frozen=True)
class Window:
    """Output step ``i`` sees input steps ``m*jump + lo_r`` .. ``m*jump + hi_r``, where
    ``i = period*m + r``; ``lo`` and ``hi`` are None where the left padding depends on a
    length the data decides."""

    lo: int | None
    hi: int | None
    jump: int
    span: int | None = None  # the size where lo and hi are not known
    period: int = 1
    rest: tuple[tuple[int, int] | None, ...] = ()

    @property
    def aligned(self) -> bool:
        return self.lo is not None and self.hi is not None

    @property
    def size(self) -> int:
        """The most input steps one output step sees."""
        if not self.aligned:
            assert self.span is not None
            return self.span
        seen = [b for b in (self.residue(r) for r in range(self.period)) if b is not None]
        return max(b - a + 1 for a, b in seen)

    def residue(self, r: int) -> tuple[int, int] | None:
        if r == 0:
            assert self.lo is not None and self.hi is not None
            return self.lo, self.hi
        return self.rest[r - 1]

    def at(self, step: int) -> tuple[int, int] | None:
        """The first and last input step output ``step`` sees (past the edges included),
        None when it sees none."""
        m, r = divmod(step, self.period)
        bounds = self.residue(r)
        return None if bounds is None else (m * self.jump + bounds[0], m * self.jump + bounds[1])


AxisField = Window | str


def window(period: int, jump: int, bounds: list[tuple[int, int] | None]) -> Window | Unknown:
    if period > MAX_PERIOD:
        return Unknown(f"upsampling repeats the steps more than {MAX_PERIOD} times")
    first = bounds[0]
    if first is None:
        return Unknown("the first output step of each period sees no input step")
    return Window(first[0], first[1], jump, None, period, tuple(bounds[1:]))


def compose(field: AxisField, steps: StepMap | str) -> AxisField | Unknown:
    """What an output step sees after a layer reads ``steps`` of a tensor whose steps see
    ``field`` (``ALL``, ``PAST``, ``FUTURE``: every step / the earlier / the later ones)."""
    if steps == ALL:
        return ALL
    if isinstance(field, str):
        return field  # every step already sees all (or all earlier) of it
    if isinstance(steps, str):
        return steps
    if not field.aligned or not steps.aligned:
        if field.period != 1 or steps.period != 1 or not steps.taps[0]:
            return Unknown(UNALIGNED)
        reach = (steps.taps[0][-1] - steps.taps[0][0]) * field.jump
        return Window(None, None, field.jump * steps.jump, field.size + reach)
    # Every period * t output steps the map moves a whole number of the field's periods.
    repeat = field.period // gcd(steps.jump, field.period)
    period = steps.period * repeat
    if period > MAX_PERIOD:
        return Unknown(f"upsampling repeats the steps more than {MAX_PERIOD} times")
    jump = field.jump * (steps.jump * repeat // field.period)
    bounds: list[tuple[int, int] | None] = []
    for r in range(period):
        reads = steps.reads(r)
        first, last = _first_seen(field, reads), _first_seen(field, reads[::-1])
        bounds.append((first[0], last[1]) if first and last else None)
    return window(period, jump, bounds)


def _first_seen(field: Window, reads: range) -> tuple[int, int] | None:
    """The window of the first step in ``reads`` that sees any input step: windows only
    move forwards, so the first (last) such step bounds them all; its residues repeat
    every ``field.period`` steps, so a longer search finds nothing new."""
    for j in reads[:field.period]:
        seen = field.at(j)
        if seen is not None:
            return seen
    return None


def merge_fields(fields: list[AxisField], name: str) -> AxisField | Unknown:
    """One axis of a merge: each output step sees what any input's step sees."""
    texts = {f for f in fields if isinstance(f, str)}
    if texts:
        return texts.pop() if len(texts) == 1 and ALL not in texts else ALL
    windows = [f for f in fields if isinstance(f, Window)]
    first = windows[0]
    if any(w.jump * first.period != first.jump * w.period for w in windows):
        return Unknown(f"'{name}' merges steps of different strides")
    if any(not w.aligned for w in windows):
        return Unknown(f"'{name}' merges {UNALIGNED}")
    period = first.period
    for w in windows[1:]:
        period = period * w.period // gcd(period, w.period)
    if period > MAX_PERIOD:
        return Unknown(f"upsampling repeats the steps more than {MAX_PERIOD} times")
    jump = first.jump * period // first.period
    bounds: list[tuple[int, int] | None] = []
    for r in range(period):
        seen = [b for b in (w.at(r) for w in windows) if b is not None]
        bounds.append((min(a for a, _ in seen), max(b for _, b in seen)) if seen else None)
    return window(period, jump, bounds)
