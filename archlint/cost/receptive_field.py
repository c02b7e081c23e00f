"""Receptive fields: how many steps of the model's input one output step of a layer sees,
along the time axis (and each spatial axis of 2-D and 3-D inputs).

The walk follows every non-batch axis of each tensor: which axis of the model's input it
holds (``Held``) and what one of its steps sees of it (a ``Window``, see ``windows.py``), so
the field follows an axis that a Permute or a channels_first layer moves. Each layer reads
its input through its ``Plan`` (``axis_plans.py``): a convolution or pooling of kernel
``k``, dilation ``d`` and stride ``s`` on a window ``(size, jump)`` makes ``(size +
(k-1)*d*jump, jump*s)``, ``lo`` moving by its left padding; upsampling and transposed
convolutions repeat the steps (a window per residue); a layer that mixes every step (global
pooling, a Dense on the axis, the last state of an RNN, attention) sees ``"all"`` of it; an
RNN's sequence sees ``"all earlier"`` (``"all later"`` backwards). A Reshape keeps the
leading axes whose sizes provably stay and folds the others (``Folded``): a field over a
folded time or spatial axis is Unknown with the reason, as is anything not modelled.

The model input's time and spatial axes are the ones the first convolution, pooling,
resizing, cropping or padding layer works on (channels_last when there is none).

>>> field_text((Window(0, 32, 4),)), field_text((Window(0, 2, 1, None, 2, ((0, 3),)),))
('33 steps (stride 4)', '4 steps (stride 1/2)')
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from archlint.cost.axis_plans import (
    MERGES,
    SPATIAL,
    Plan,
    plan_axes,
    spatial_axes_of,
)
from archlint.cost.windows import ALL, FUTURE, PAST, AxisField, Window, compose, merge_fields
from archlint.dims import MAX_INT_BITS
from archlint.graph import Call, Model
from archlint.records import record
from archlint.unknown import Unknown

__all__ = ["ALL", "FUTURE", "PAST", "AxisField", "Field", "Folded", "Held", "Trace", "Window",
           "field_json", "field_text", "receptive_fields", "trace"]

# One field per time or spatial axis of the model input, or Unknown.
Field = tuple[AxisField, ...]


@record(frozen=True)
class Held:
    """A tensor axis that is the model input's axis ``axis`` (non-batch, from 0)."""

    axis: int
    field: AxisField


@record(frozen=True)
class Folded:
    """A tensor axis a Reshape (or a concatenation along it) made of input axes ``axes``."""

    axes: frozenset[int]
    reason: str


Entry = Held | Folded | None  # None: an axis of features, holding no input axis
State = tuple[Entry, ...]


@record(frozen=True)
class Trace:
    """Per call (by id), its output's axes; and the model input's time or spatial axes."""

    states: dict[int, State | Unknown]
    spatial: tuple[int, ...]

    def field(self, call: Call) -> Field | Unknown:
        return project(self.states.get(id(call), Unknown("not reached")), self.spatial)


def receptive_fields(model: Model) -> dict[int, Field | Unknown]:
    """Each call's receptive field (by call id), inputs first."""
    traced = trace(model)
    return {id(call): traced.field(call) for call in model.calls}


def trace(model: Model) -> Trace:
    states: dict[int, State | Unknown] = {}
    for call in model.calls:
        try:
            states[id(call)] = _bounded(_state(call, states))
        except (ArithmeticError, TypeError, ValueError, KeyError, IndexError) as error:
            # An option the formulas accept in a form this does not read: say so.
            states[id(call)] = Unknown(f"archlint cannot follow the receptive field of "
                                       f"'{call.layer.name}': {error}")
    return Trace(states, _input_axes(model, states))


def project(state: State | Unknown, spatial: tuple[int, ...]) -> Field | Unknown:
    """The field per time or spatial axis of the model input: an axis no tensor axis holds
    any more was mixed into every element (``ALL``)."""
    if isinstance(state, Unknown):
        return state
    found: list[AxisField] = []
    for axis in spatial:
        field: AxisField = ALL
        for entry in state:
            if isinstance(entry, Held) and entry.axis == axis:
                field = entry.field
            elif isinstance(entry, Folded) and axis in entry.axes:
                return Unknown(entry.reason)
        found.append(field)
    return tuple(found)


def _input_axes(model: Model, states: dict[int, State | Unknown]) -> tuple[int, ...]:
    """The time or spatial axes of the model input: the first layer with a data_format's."""
    shape = model.inputs[0].call.output if model.inputs else None
    rank = len(shape) - 1 if isinstance(shape, tuple) else 1
    default = tuple(range(max(rank - 1, 1)))
    for call in model.calls:
        if call.layer.class_name not in SPATIAL or call.layer.instance is None:
            continue
        state = states.get(id(call.inbound[0].call)) if call.inbound else None
        if not isinstance(state, tuple):
            break
        axes = spatial_axes_of(call.layer.class_name, call.layer.instance.config, len(state))
        held = [e.axis for a in axes if isinstance(e := state[a], Held)]
        if len(held) == len(axes) == len(default) and len(set(held)) == len(held):
            return tuple(sorted(held))
        break
    return default


def _bounded(state: State | Unknown) -> State | Unknown:
    """A field with a window or stride past any real model's is unknown."""
    if isinstance(state, Unknown):
        return state
    for entry in state:
        w = entry.field if isinstance(entry, Held) else None
        if isinstance(w, Window) and any(
                isinstance(n, int) and abs(n).bit_length() > MAX_INT_BITS
                for n in (w.lo, w.hi, w.jump, w.span)):
            return Unknown(f"a receptive field over {MAX_INT_BITS} bits, which no real "
                           "model has")
    return state


def _state(call: Call, states: dict[int, State | Unknown]) -> State | Unknown:
    layer = call.layer
    if layer.class_name == "InputLayer":
        shape = call.output
        if not isinstance(shape, tuple):
            return Unknown("the input's rank is unknown")
        return tuple(Held(a, Window(0, 0, 1)) for a in range(len(shape) - 1))
    inputs: list[State] = []
    for ref in call.inbound:
        found = states.get(id(ref.call), Unknown(
            f"the receptive field of '{ref.call.layer.name}' is unknown"))
        if isinstance(found, Unknown):
            return found
        if ref.index != 0:
            return Unknown(f"'{layer.name}' reads output {ref.index} of "
                           f"'{ref.call.layer.name}', whose axes are not followed")
        inputs.append(found)
    if not inputs:
        return Unknown(f"the receptive field of {layer.class_name} '{layer.name}' is not "
                       "modelled")
    if layer.class_name in MERGES:
        return _merge(call, inputs)
    plan = plan_axes(call, call.inbound[0].call.output_at(call.inbound[0].index))
    if isinstance(plan, Unknown):
        return plan
    return _apply(plan, inputs[0], layer.name)


def _apply(plan: Plan, state: State, name: str) -> State | Unknown:
    out: list[Entry] = []
    for carry in plan.carries:
        entry = state[carry.source] if carry is not None else None
        if carry is None or entry is None:
            out.append(None)
        elif isinstance(entry, Folded):
            out.append(None if carry.steps == ALL else entry)  # read whole: mixed
        else:
            field = compose(entry.field, carry.steps)
            if isinstance(field, Unknown):
                return Unknown(f"'{name}': {field.reason}")
            out.append(Held(entry.axis, field))
    folded: set[int] = set()
    for a in plan.scrambled:
        entry = state[a]
        if isinstance(entry, Held):
            folded.add(entry.axis)
        elif isinstance(entry, Folded):
            folded |= entry.axes
    if folded:
        axes = ", ".join(str(a + 1) for a in sorted(folded))
        noun = "axes" if len(folded) > 1 else "axis"
        into = Folded(frozenset(folded), f"'{name}' folds the input's {noun} {axes} into "
                                         "other axes")
        out = [into if e is None else e for e in out]
    return tuple(out)


def _merge(call: Call, inputs: list[State]) -> State | Unknown:
    name = call.layer.name
    rank = len(inputs[0])
    if any(len(s) != rank for s in inputs):
        return Unknown(f"'{name}' merges tensors of different ranks")
    joined = None
    if call.layer.class_name == "Concatenate":
        config: dict[str, Any] = call.layer.instance.config if call.layer.instance else {}
        axis = config.get("axis", -1)
        if not isinstance(axis, int):
            return Unknown(f"'{name}' has an axis archlint cannot read")
        joined = axis - 1 if axis > 0 else rank + axis
    out: list[Entry] = []
    for t in range(rank):
        entries = [s[t] for s in inputs]
        axes = {e.axis for e in entries if isinstance(e, Held)}
        for e in entries:
            if isinstance(e, Folded):
                axes |= e.axes
        if not axes:
            out.append(None)
        elif t == joined or any(isinstance(e, Folded) for e in entries):
            reason = next((e.reason for e in entries if isinstance(e, Folded)),
                          f"'{name}' joins its inputs along the axis holding that axis")
            out.append(Folded(frozenset(axes), reason))
        elif len(axes) > 1:
            return Unknown(f"'{name}' merges tensors whose axis {t + 1} holds different "
                           "axes of the input")
        else:
            axis = axes.pop()
            fields: list[AxisField] = []
            for state, e in zip(inputs, entries):
                if isinstance(e, Held):
                    fields.append(e.field)
                elif any(isinstance(o, Held) and o.axis == axis for o in state):
                    return Unknown(f"'{name}' merges tensors that hold an axis of the input "
                                   "in different places")
                else:
                    fields.append(ALL)  # that input mixed the axis into every element
            merged = merge_fields(fields, name)
            if isinstance(merged, Unknown):
                return merged
            out.append(Held(axis, merged))
    return tuple(out)


def _stride(w: Window) -> Fraction:
    return Fraction(w.jump, w.period)


def field_text(field: Field | Unknown) -> str:
    """A field as the summary prints it: ``33 steps``, ``9x9 steps``, ``all steps``, or unknown
    with the reason.

    >>> field_text((Window(0, 32, 4),)), field_text((Window(0, 8, 1), Window(0, 8, 1)))
    ('33 steps (stride 4)', '9x9 steps')
    >>> field_text(("all earlier",)), field_text(("all", "all"))
    ('all earlier steps', 'all steps')
    """
    if isinstance(field, Unknown):
        return f"unknown ({field.reason})"
    if len(set(field)) == 1 and isinstance(field[0], str):
        return f"{field[0]} steps"
    parts = [str(w.size) if isinstance(w, Window) else w for w in field]
    strides = {_stride(w) for w in field if isinstance(w, Window)}
    text = "x".join(parts) + " steps"
    if strides and strides != {1}:
        text += " (stride " + "x".join(str(_stride(w)) for w in field
                                       if isinstance(w, Window)) + ")"
    return text


def field_json(field: Field | Unknown) -> list[dict[str, Any]] | None:
    """Per axis: ``{"size": 33, "stride": 4}`` or ``{"size": "all"}``; None when unknown. An
    upsampled axis's stride is a fraction (``"1/2"``: two output steps per input step).

    >>> field_json((Window(0, 0, 1, None, 2, ((0, 0),)), "all"))
    [{'size': 1, 'stride': '1/2'}, {'size': 'all'}]
    """
    if isinstance(field, Unknown):
        return None
    return [{"size": w.size, "stride": _json_stride(w)} if isinstance(w, Window)
            else {"size": w} for w in field]


def _json_stride(w: Window) -> int | str:
    stride = _stride(w)
    return int(stride) if stride.denominator == 1 else str(stride)
