"""Which steps of a fixed-length input reach a model's outputs at all.

Walks the calls backwards from the outputs: every step of an output is used; a layer uses
the input steps its used output steps see (a convolution's windows, an RNN's prefix, all of
them for a global pooling). Steps of the input no output uses are information the model
never reads: strides longer than their windows, dilations with holes, windows that stop
before the end. Only fixed (integer) lengths are followed; a layer this does not model
stops the walk (None), never a guess.

>>> merge([(0, 3), (5, 5), (4, 4), (9, 12)])
[(0, 5), (9, 12)]
"""

from __future__ import annotations

from typing import Any

from archlint.cost.receptive_field import (
    CROPPING,
    GLOBAL,
    MERGES,
    PADDING,
    POINTWISE,
    RECURRENT,
    SLIDING,
    left_padding,
)
from archlint.graph import Call, Model
from archlint.records import record

Steps = list[tuple[int, int]]  # disjoint, sorted, inclusive ranges
# Beyond this many (output step, kernel tap) pairs a walk is not worth it.
MAX_WORK = 2_000_000


@record(frozen=True)
class Unseen:
    """Steps of an input's axis that no output uses."""

    input_name: str
    axis: int
    length: int
    steps: tuple[tuple[int, int], ...]

    @property
    def count(self) -> int:
        return sum(b - a + 1 for a, b in self.steps)


class _Stop(Exception):
    """A layer or shape the walk does not follow."""


def merge(ranges: Steps) -> Steps:
    out: Steps = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def unseen_steps(model: Model) -> list[Unseen] | None:
    """Per input axis, the steps no output uses; None when the walk cannot tell."""
    try:
        return _walk(model)
    except (_Stop, ArithmeticError, TypeError, ValueError, KeyError, IndexError):
        return None  # a layer, or an option's form, the walk does not follow


def _lengths(shape: Any, axes: int) -> list[int]:
    if not isinstance(shape, tuple):
        raise _Stop
    lengths = list(shape[1:1 + axes])
    if len(lengths) != axes or not all(isinstance(n, int) and n > 0 for n in lengths):
        raise _Stop
    return lengths


def _walk(model: Model) -> list[Unseen]:
    used: dict[int, list[Steps]] = {}
    inputs = [ref.call for ref in model.inputs]
    for ref in model.outputs:
        shape = ref.call.output_at(ref.index)
        if not isinstance(shape, tuple) or ref.call.num_outputs != 1:
            raise _Stop
        axes = max(len(shape) - 2, 1)
        used[id(ref.call)] = [[(0, n - 1)] for n in _lengths(shape, axes)]
    for call in reversed(model.calls):
        demand = used.get(id(call))
        if demand is None or call.layer.class_name == "InputLayer":
            continue
        if call.num_outputs != 1 or call.side_inputs:
            raise _Stop
        for ref in call.inbound:
            found = _used_inputs(call, demand, ref.call.output_at(ref.index))
            previous = used.get(id(ref.call))
            if previous is not None:
                if len(previous) != len(found):
                    raise _Stop
                found = [merge(a + b) for a, b in zip(previous, found)]
            used[id(ref.call)] = found
    unseen = []
    for call in inputs:
        demand = used.get(id(call), [])
        output = call.output
        if not isinstance(output, tuple):
            raise _Stop
        shape = output
        lengths = _lengths(shape, max(len(shape) - 2, 1))
        if not demand:
            continue  # an input no output uses is another rule's business
        for axis, (steps, length) in enumerate(zip(demand, lengths), start=1):
            missing = _complement(steps, length)
            if missing:
                unseen.append(Unseen(call.layer.name, axis, length, tuple(missing)))
    return unseen


def _complement(steps: Steps, length: int) -> Steps:
    missing, start = [], 0
    for a, b in steps:
        if a > start:
            missing.append((start, a - 1))
        start = max(start, b + 1)
    if start < length:
        missing.append((start, length - 1))
    return missing


def _used_inputs(call: Call, demand: list[Steps], shape: Any) -> list[Steps]:
    """The steps of one input that the used steps of the call's output read."""
    name = call.layer.class_name
    instance = call.layer.instance
    if instance is None or not isinstance(shape, tuple):
        raise _Stop
    config = instance.config
    axes = max(len(shape) - 2, 1)
    lengths = _lengths(shape, axes)
    everything = [[(0, n - 1)] for n in lengths]
    any_used = any(steps for steps in demand)
    if name in GLOBAL or name == "Flatten" or (
            name in ("Dense", "EinsumDense") and len(shape) == 2):
        return everything if any_used else [[] for _ in lengths]
    if name in MERGES:
        if name == "Concatenate" and config.get("axis", -1) not in (-1, len(shape) - 1):
            raise _Stop
        return _same(demand, lengths)
    if name in POINTWISE or name == "Embedding":
        if name not in ("Dense", "EinsumDense", "Embedding") and \
                config.get("axis", -1) not in (-1, len(shape) - 1, [-1], (-1,)):
            raise _Stop
        return _same(demand, lengths)
    if name in RECURRENT or name == "Bidirectional":
        return _recurrent(name, config, demand, lengths, everything)
    if config.get("data_format", "channels_last") != "channels_last":
        raise _Stop
    if name in SLIDING:
        return _sliding(config, demand, lengths)
    if name in CROPPING or name in PADDING:
        return _shifted(name, config, demand, lengths)
    raise _Stop


def _same(demand: list[Steps], lengths: list[int]) -> list[Steps]:
    if len(demand) != len(lengths):
        raise _Stop
    return [merge([(a, min(b, n - 1)) for a, b in steps if a < n])
            for steps, n in zip(demand, lengths)]


def _recurrent(name: str, config: dict[str, Any], demand: list[Steps], lengths: list[int],
               everything: list[Steps]) -> list[Steps]:
    inner = config.get("layer") if name == "Bidirectional" else None
    options = getattr(inner, "config", {}) if inner is not None else config
    if not options.get("return_sequences") or name == "Bidirectional" or not demand[0]:
        return everything if any(demand) else [[] for _ in lengths]
    # A forward RNN's step t has read steps 0..t; a backward one's (reversed) the last t+1.
    last = demand[0][-1][1]
    steps = [(lengths[0] - 1 - last, lengths[0] - 1)] if config.get("go_backwards") else \
        [(0, last)]
    return [steps, *everything[1:]]


def _sliding(config: dict[str, Any], demand: list[Steps], lengths: list[int]) -> list[Steps]:
    kernels: Any = config.get("kernel_size") or config.get("pool_size") or ()
    strides: Any = config.get("strides") or kernels
    dilations: Any = config.get("dilation_rate") or (1,) * len(kernels)
    if not all(isinstance(v, int) for v in (*kernels, *strides, *dilations)):
        raise _Stop
    if len(kernels) != len(lengths) or len(demand) != len(lengths):
        raise _Stop
    out = []
    for axis, (steps, n) in enumerate(zip(demand, lengths)):
        k, s, d = kernels[axis], strides[axis], dilations[axis]
        left = left_padding(config.get("padding", "valid"), k, d, s, n)
        if left is None:
            raise _Stop
        found: Steps = []
        for a, b in steps:
            if d == 1 and s <= k:  # neighbouring windows touch: one range
                found.append((a * s - left, b * s - left + k - 1))
                continue
            if (b - a + 1) * k > MAX_WORK:
                raise _Stop
            found.extend((i * s - left + m * d, i * s - left + m * d)
                         for i in range(a, b + 1) for m in range(k))
        out.append(merge([(max(a, 0), min(b, n - 1)) for a, b in found
                          if b >= 0 and a <= n - 1]))
    return out


def _shifted(name: str, config: dict[str, Any], demand: list[Steps],
             lengths: list[int]) -> list[Steps]:
    amounts = config.get("cropping") if name in CROPPING else config.get("padding")
    if isinstance(amounts, int):
        amounts = (amounts, amounts)
    if len(lengths) == 1 and isinstance(amounts, tuple) and len(amounts) == 2 and \
            all(isinstance(a, int) for a in amounts):
        amounts = (amounts,)
    if not isinstance(amounts, tuple) or len(amounts) != len(lengths):
        raise _Stop
    sign = 1 if name in CROPPING else -1
    out = []
    for steps, amount, n in zip(demand, amounts, lengths):
        before = amount[0] if isinstance(amount, tuple) else amount
        moved = [(a + sign * before, b + sign * before) for a, b in steps]
        out.append(merge([(max(a, 0), min(b, n - 1)) for a, b in moved
                          if b >= 0 and a <= n - 1]))
    return out
