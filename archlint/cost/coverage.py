"""Which steps of a fixed-length input reach a model's outputs at all.

Walks the calls backwards from the outputs, with the used steps of every non-batch axis:
every step of an output is used; a layer uses the input steps its used output steps read,
through the same plans as the receptive fields (``axis_plans.py``): a convolution's
windows, an upsampling's repeated steps, a transposed convolution's taps, an RNN's prefix,
an axis moved by a Permute or a channels_first layer, all of an axis a layer mixes. Steps
of the input's time or spatial axes no output uses are information the model never reads:
strides longer than their windows, dilations with holes, windows that stop before the end.
Only fixed (integer) lengths are followed; a layer this does not model, or a Reshape that
folds a time or spatial axis whose steps are not all used, stops the walk (None), never a
guess.

>>> merge([(0, 3), (5, 5), (4, 4), (9, 12)])
[(0, 5), (9, 12)]
"""

from __future__ import annotations

from typing import Any

from archlint.cost.axis_plans import ALL, FUTURE, MERGES, PAST, AxisMap, Plan, plan_axes
from archlint.cost.receptive_field import Folded, Held, Trace, trace
from archlint.cost.step_maps import IDENTITY, StepMap
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


def _lengths(shape: Any) -> list[int]:
    """Every non-batch axis's length; the walk needs them all fixed."""
    if not isinstance(shape, tuple):
        raise _Stop
    lengths = list(shape[1:])
    if not lengths or not all(isinstance(n, int) and n > 0 for n in lengths):
        raise _Stop
    return lengths


def _walk(model: Model) -> list[Unseen]:
    traced = trace(model)
    used: dict[int, list[Steps]] = {}
    for ref in model.outputs:
        if ref.call.num_outputs != 1:
            raise _Stop
        used[id(ref.call)] = [[(0, n - 1)] for n in _lengths(ref.call.output_at(ref.index))]
    for call in reversed(model.calls):
        demand = used.get(id(call))
        if demand is None or call.layer.class_name == "InputLayer":
            continue
        if call.num_outputs != 1 or call.side_inputs:
            raise _Stop
        shapes = [ref.call.output_at(ref.index) for ref in call.inbound]
        if call.layer.class_name in MERGES:
            founds = _merged_inputs(call, demand, shapes)
        else:
            founds = [_used_inputs(call, demand, shape, traced, ref.call)
                      for ref, shape in zip(call.inbound, shapes)]
        for ref, found in zip(call.inbound, founds):
            previous = used.get(id(ref.call))
            if previous is not None:
                if len(previous) != len(found):
                    raise _Stop
                found = [merge(a + b) for a, b in zip(previous, found)]
            used[id(ref.call)] = found
    unseen = []
    for ref in model.inputs:
        call = ref.call
        lengths = _lengths(call.output)
        demand = used.get(id(call))
        if not demand:
            continue  # an input no output uses is another rule's business
        for axis in traced.spatial:
            if axis < len(lengths):
                missing = _complement(demand[axis], lengths[axis])
                if missing:
                    unseen.append(Unseen(call.layer.name, axis + 1, lengths[axis],
                                         tuple(missing)))
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


def _used_inputs(call: Call, demand: list[Steps], shape: Any, traced: Trace,
                 source: Call) -> list[Steps]:
    """The steps of one input that the used steps of the call's output read."""
    plan = plan_axes(call, shape)
    if not isinstance(plan, Plan) or len(plan.carries) != len(demand):
        raise _Stop
    lengths = _lengths(shape)
    if not all(demand):
        return [[] for _ in lengths]  # no element of the output is used
    if plan.scrambled:
        _check_fold(plan, demand, _lengths(call.output_at(0)), traced, source)
    found: list[Steps] = [[(0, n - 1)] for n in lengths]  # a mixed axis: all of it
    for steps, carry in zip(demand, plan.carries):
        if carry is not None:
            found[carry.source] = _read(carry.steps, steps, lengths[carry.source])
    return found


def _check_fold(plan: Plan, demand: list[Steps], out_lengths: list[int], traced: Trace,
                source: Call) -> None:
    """A Reshape's folded axes are all used, or hold no time or spatial axis."""
    if all(demand[t] == [(0, out_lengths[t] - 1)]
           for t, carry in enumerate(plan.carries) if carry is None):
        return
    state = traced.states.get(id(source))
    if not isinstance(state, tuple):
        raise _Stop
    for a in plan.scrambled:
        entry = state[a]
        held = {entry.axis} if isinstance(entry, Held) else \
            set(entry.axes) if isinstance(entry, Folded) else set()
        if held & set(traced.spatial):
            raise _Stop


def _read(steps: AxisMap, demand: Steps, n: int) -> Steps:
    """The input steps read by the used output steps ``demand`` along one axis."""
    if steps == ALL:
        return [(0, n - 1)]
    if steps in (PAST, FUTURE):
        last = demand[-1][1]
        return [(n - 1 - last, n - 1)] if steps == FUTURE else [(0, last)]
    if not isinstance(steps, StepMap) or not steps.aligned:
        raise _Stop
    found: Steps = []
    if steps == IDENTITY or _contiguous(steps):
        for a, b in demand:  # neighbouring outputs read touching ranges: one range each
            found.append((steps.reads(a)[0], steps.reads(b)[-1]))
    else:
        work = sum(b - a + 1 for a, b in demand) * max(len(t) for t in steps.taps)
        if work > MAX_WORK:
            raise _Stop
        found = [(j, j) for a, b in demand for i in range(a, b + 1) for j in steps.reads(i)]
    return merge([(max(a, 0), min(b, n - 1)) for a, b in found if b >= 0 and a <= n - 1])


def _contiguous(steps: StepMap) -> bool:
    """Every output step reads a range without holes, and the next one's touches it."""
    for i in range(steps.period):
        here, after = steps.reads(i), steps.reads(i + 1)
        if not here or not after or (len(here) > 1 and here.step != 1) or \
                after[0] < here[0] or after[0] > here[-1] + 1 or after[-1] < here[-1]:
            return False
    return True


def _merged_inputs(call: Call, demand: list[Steps], shapes: list[Any]
                   ) -> list[list[Steps]]:
    """A merge's inputs: the same steps, except along a Concatenate's axis, where each input
    has its own stretch of the output."""
    joined = None
    if call.layer.class_name == "Concatenate":
        config = call.layer.instance.config if call.layer.instance else {}
        axis = config.get("axis", -1)
        if not isinstance(axis, int):
            raise _Stop
        joined = axis - 1 if axis > 0 else len(demand) + axis
    found: list[list[Steps]] = []
    offset = 0
    for shape in shapes:
        lengths = _lengths(shape)
        if len(lengths) != len(demand):
            raise _Stop
        steps: list[Steps] = []
        for t, (wanted, n) in enumerate(zip(demand, lengths)):
            shift = offset if t == joined else 0
            steps.append(merge([(max(a - shift, 0), min(b - shift, n - 1))
                                for a, b in wanted if b - shift >= 0 and a - shift < n]))
        if joined is not None:
            offset += lengths[joined]
        found.append(steps)
    return found
