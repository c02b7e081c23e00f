"""Receptive fields: how many steps of the model's input one output step of a layer sees,
along the time axis (and each spatial axis of 2-D and 3-D inputs).

Along one axis, output step ``i`` of a layer sees the input steps ``i*jump+lo`` to
``i*jump+hi`` (a ``Window``; its ``size`` is ``hi-lo+1``, holes a dilation leaves
included). A convolution or pooling of kernel ``k``, dilation ``d`` and stride ``s`` on a
window ``(size, jump)`` makes ``(size + (k-1)*d*jump, jump*s)``; ``lo`` moves by its
left padding. A layer that mixes every step (global pooling, a Dense on the axis, the last
state of an RNN, attention) sees ``"all"`` of it; an RNN's sequence sees ``"all earlier"``
(``"all later"`` backwards). Anything else is Unknown with the reason.

>>> conv = Window(0, 0, 1)
>>> grow(grow(conv, kernel=3, dilation=1, stride=1, left=0), kernel=3, dilation=2,
...      stride=1, left=0)
Window(lo=0, hi=6, jump=1, span=None)
"""

from __future__ import annotations

from typing import Any

from archlint.dims import MAX_INT_BITS
from archlint.graph import Call, Model
from archlint.records import record
from archlint.unknown import Unknown

ALL, PAST, FUTURE = "all", "all earlier", "all later"


@record(frozen=True)
class Window:
    """Output step ``i`` sees input steps ``i*jump+lo`` .. ``i*jump+hi``; ``lo`` and ``hi``
    are None where the left padding depends on a length the data decides."""

    lo: int | None
    hi: int | None
    jump: int
    span: int | None = None  # the size where lo and hi are not known

    @property
    def size(self) -> int:
        if self.lo is not None and self.hi is not None:
            return self.hi - self.lo + 1
        assert self.span is not None
        return self.span


AxisField = Window | str
# One field per spatial axis of the model input, or Unknown.
Field = tuple[AxisField, ...]

POINTWISE = frozenset({
    "Activation", "ReLU", "LeakyReLU", "PReLU", "ELU", "ThresholdedReLU", "Softmax",
    "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise",
    "GaussianDropout", "AlphaDropout", "ActivityRegularization", "Identity", "Masking",
    "BatchNormalization", "LayerNormalization", "Rescaling", "Dense", "EinsumDense",
})
SLIDING = frozenset({
    "Conv1D", "Conv2D", "Conv3D", "DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D",
    "SeparableConv2D", "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D",
    "AveragePooling2D", "AveragePooling3D",
})
GLOBAL = frozenset({
    "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D",
    "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D",
    "Attention", "AdditiveAttention", "MultiHeadAttention",
})
MERGES = frozenset({"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum",
                    "Concatenate"})
RECURRENT = frozenset({"LSTM", "GRU", "SimpleRNN", "RNN", "ConvLSTM1D"})
CROPPING = frozenset({"Cropping1D", "Cropping2D", "Cropping3D"})
PADDING = frozenset({"ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D"})


def grow(window: Window, *, kernel: int, dilation: int, stride: int,
         left: int | None) -> Window:
    """A window after a kernel ``kernel`` with dilation and stride, ``left`` steps of
    padding on the left (None: unknown)."""
    reach = (kernel - 1) * dilation * window.jump
    if left is None or window.lo is None or window.hi is None:
        return Window(None, None, window.jump * stride, window.size + reach)
    shift = left * window.jump
    return Window(window.lo - shift, window.hi + reach - shift, window.jump * stride)


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


def receptive_fields(model: Model) -> dict[int, Field | Unknown]:
    """Each call's receptive field (by call id), inputs first."""
    fields: dict[int, Field | Unknown] = {}
    for call in model.calls:
        inputs = [fields.get(id(r.call), Unknown(
            f"the receptive field of '{r.call.layer.name}' is unknown")) for r in call.inbound]
        try:
            fields[id(call)] = _bounded(_field(call, inputs))
        except (ArithmeticError, TypeError, ValueError, KeyError, IndexError) as error:
            # An option the formulas accept in a form this does not read: say so.
            fields[id(call)] = Unknown(f"archlint cannot follow the receptive field of "
                                       f"'{call.layer.name}': {error}")
    return fields


def _bounded(field: Field | Unknown) -> Field | Unknown:
    """A field with a window or stride past any real model's is unknown."""
    if isinstance(field, Unknown):
        return field
    for window in field:
        if isinstance(window, Window) and any(
                isinstance(n, int) and abs(n).bit_length() > MAX_INT_BITS
                for n in (window.lo, window.hi, window.jump, window.span)):
            return Unknown(f"a receptive field over {MAX_INT_BITS} bits, which no real "
                           "model has")
    return field


def _input_shapes(call: Call) -> list[Any]:
    return [r.call.output_at(r.index) for r in call.inbound]


def _field(call: Call, inputs: list[Field | Unknown]) -> Field | Unknown:
    layer = call.layer
    name = layer.class_name
    if name == "InputLayer":
        shape = call.output
        if not isinstance(shape, tuple):
            return Unknown("the input's rank is unknown")
        axes = max(len(shape) - 2, 1)
        return tuple(Window(0, 0, 1) for _ in range(axes))
    for found in inputs:
        if isinstance(found, Unknown):
            return found
    instance = layer.instance
    if instance is None or not inputs:
        return Unknown(f"the receptive field of {name} '{layer.name}' is not modelled")
    config = instance.config
    shapes = _input_shapes(call)
    first = inputs[0]
    assert not isinstance(first, Unknown)  # returned above
    if name in MERGES:
        return _merge(inputs, layer.name)
    if name in GLOBAL or name == "Flatten":
        return tuple(ALL for _ in first)
    if name in ("Dense", "EinsumDense") and isinstance(shapes[0], tuple) and \
            len(shapes[0]) == 2:
        return tuple(ALL for _ in first)  # a Dense on the axis itself mixes every step
    if name in POINTWISE or name == "Embedding":
        return first
    if name in RECURRENT or name == "Bidirectional":
        return _recurrent(name, config, first)
    if config.get("data_format", "channels_last") != "channels_last":
        return Unknown(f"{name} '{layer.name}' with channels_first is not modelled")
    if name in SLIDING:
        return _sliding(name, config, first, shapes[0], layer.name)
    if name in CROPPING or name in PADDING:
        return _shifted(name, config, first)
    return Unknown(f"the receptive field of {name} '{layer.name}' is not modelled")


def _merge(inputs: list[Field | Unknown], name: str) -> Field | Unknown:
    fields = [f for f in inputs if not isinstance(f, Unknown)]
    if len({len(f) for f in fields}) != 1:
        return Unknown(f"'{name}' merges tensors of different ranks")
    merged: list[AxisField] = []
    for axis in zip(*fields):
        if all(isinstance(w, str) for w in axis) and len(set(axis)) == 1:
            merged.append(axis[0])
        elif ALL in axis or len({w for w in axis if isinstance(w, str)}) > 1:
            merged.append(ALL)
        elif any(isinstance(w, str) for w in axis):
            merged.append(next(w for w in axis if isinstance(w, str)))
        else:
            windows = [w for w in axis if isinstance(w, Window)]
            if len({w.jump for w in windows}) != 1:
                return Unknown(f"'{name}' merges steps of different strides")
            if any(w.lo is None or w.hi is None for w in windows):
                return Unknown(f"'{name}' merges windows whose alignment depends on the "
                               "input length")
            merged.append(Window(min(w.lo for w in windows if w.lo is not None),
                                 max(w.hi for w in windows if w.hi is not None),
                                 windows[0].jump))
    return tuple(merged)


def _recurrent(name: str, config: dict[str, Any], first: Field) -> Field | Unknown:
    sequences = bool(config.get("return_sequences"))
    if name == "Bidirectional":
        inner = config.get("layer")
        sequences = bool(getattr(inner, "config", {}).get("return_sequences"))
        seen = ALL
    else:
        seen = FUTURE if config.get("go_backwards") else PAST
    if not sequences:
        seen = ALL
    return (seen, *first[1:])


def _sliding(name: str, config: dict[str, Any], first: Field, shape: Any,
             layer: str) -> Field | Unknown:
    kernels: Any = config.get("kernel_size") or config.get("pool_size") or ()
    strides: Any = config.get("strides") or kernels
    dilations: Any = config.get("dilation_rate") or (1,) * len(kernels)
    if not all(isinstance(v, int) for v in (*kernels, *strides, *dilations)):
        return Unknown(f"'{layer}' has a kernel, stride or dilation archlint cannot read")
    if len(kernels) != len(first):
        return Unknown(f"'{layer}' slides over other axes than the input's")
    out: list[AxisField] = []
    for axis, window in enumerate(first):
        if not isinstance(window, Window):
            out.append(window)  # every step already sees it all
            continue
        length = shape[axis + 1] if isinstance(shape, tuple) else None
        left = left_padding(config.get("padding", "valid"), kernels[axis], dilations[axis],
                            strides[axis], length)
        out.append(grow(window, kernel=kernels[axis], dilation=dilations[axis],
                        stride=strides[axis], left=left))
    return tuple(out)


def _shifted(name: str, config: dict[str, Any], first: Field) -> Field | Unknown:
    """Cropping drops steps at the start (the windows move right); zero padding adds
    steps before them (left)."""
    amounts = config.get("cropping") if name in CROPPING else config.get("padding")
    if isinstance(amounts, int):
        amounts = (amounts, amounts)
    if len(first) == 1 and isinstance(amounts, tuple) and len(amounts) == 2 and \
            all(isinstance(a, int) for a in amounts):
        amounts = (amounts,)
    if not isinstance(amounts, tuple) or len(amounts) != len(first):
        return Unknown(f"the {name} amounts are not read")
    out: list[AxisField] = []
    for window, amount in zip(first, amounts):
        before = amount[0] if isinstance(amount, tuple) else amount
        if not isinstance(window, Window) or window.lo is None or window.hi is None:
            out.append(window)
            continue
        shift = before * window.jump * (1 if name in CROPPING else -1)
        out.append(Window(window.lo + shift, window.hi + shift, window.jump))
    return tuple(out)


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
    strides = {w.jump for w in field if isinstance(w, Window)}
    text = "x".join(parts) + " steps"
    if strides and strides != {1}:
        text += " (stride " + "x".join(str(w.jump) for w in field
                                       if isinstance(w, Window)) + ")"
    return text


def field_json(field: Field | Unknown) -> list[dict[str, Any]] | None:
    """Per axis: ``{"size": 33, "stride": 4}`` or ``{"size": "all"}``; None when unknown."""
    if isinstance(field, Unknown):
        return None
    return [{"size": w.size, "stride": w.jump} if isinstance(w, Window) else {"size": w}
            for w in field]
