"""EinsumDense: ``einsum(equation, inputs, kernel) + bias``.

An equation has three parts, ``input,kernel->output``, in one of three forms Keras
accepts: letters only (``ab,bc->ac``), an ellipsis leading the input and the output
(``...b,bc->...c``) or trailing them (``abc,cd->abd`` with ``ab...``). ``output_shape``
gives every output axis but the first (the batch axis, or the first elided axis); a None
entry is an axis the input gives. An output letter the input has takes the input's size;
any other takes ``output_shape``'s. The kernel has one axis per kernel letter, sized by
the output or the input; the bias spans ``bias_axes`` and every output axis after the
first of them (size 1 where not in ``bias_axes``).

Keras 3 declares ``[batch, *output_shape]`` with its None entries left None, and inserts
the elided axes of a leading ellipsis in reverse order; the forward pass gives each axis
its size, which is what the formula gives.
"""

from __future__ import annotations

import re
from typing import Any

from archlint.dims import Dim, Expr, format_shape
from archlint.layers import register
from archlint.layers.base import (
    INCOMPATIBLE_MERGE,
    INVALID_CONFIG,
    NDIM_MISMATCH,
    InputSpec,
    LayerInstance,
    LayerSpec,
    Params,
    Shape,
    ShapeError,
    Unresolved,
    keras3_only,
    require_known,
)
from archlint.layers.einsum_quantization import einsum_weights, full_specs
from archlint.layers.quantization import check_lora_rank, policy_quantization
from archlint.records import record
from archlint.unknown import Unknown

_FORMS = (
    # (pattern on the equation with "..." as "0", where the ellipsis is)
    (re.compile(r"([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)"), None),
    (re.compile(r"0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)"), "left"),
    (re.compile(r"([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0"), "right"),
)


@record(frozen=True)
class Equation:
    """An EinsumDense equation split as Keras splits it."""

    inputs: str
    kernel: str
    output: str
    ellipsis: str | None  # None, "left" or "right"


def parse_equation(equation: Any) -> Equation:
    """The parts of an equation, as Keras's regular expressions read them (``re.match``:
    anything after a match is ignored).

    >>> parse_equation("...b,bc->...c")
    Equation(inputs='b', kernel='bc', output='c', ellipsis='left')
    >>> parse_equation("ab,bc")
    Traceback (most recent call last):
    archlint.layers.base.ShapeError: EinsumDense equation='ab,bc' is not of the form \
X,Y->Z, ...X,Y->...Z or X...,Y->Z... (letters only)
    """
    if isinstance(equation, str):
        dotted = equation.replace("...", "0")
        for pattern, ellipsis in _FORMS:
            found = pattern.match(dotted)
            if found:
                return Equation(found.group(1), found.group(2), found.group(3), ellipsis)
    raise ShapeError(INVALID_CONFIG, f"EinsumDense equation={equation!r} is not of the form "
                     "X,Y->Z, ...X,Y->...Z or X...,Y->Z... (letters only)")


@record(frozen=True)
class EinsumPlan:
    """What one EinsumDense call computes: its output, kernel and bias shapes."""

    output: Shape
    kernel: tuple[Dim, ...]
    bias: tuple[Dim, ...] | None


def _is_size(value: Any) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool)
                             and value >= 0) or (isinstance(value, Expr) and value.fixed())


def _partial_shape(value: Any) -> tuple[Any, ...]:
    if isinstance(value, (list, tuple)) and all(_is_size(v) for v in value):
        return tuple(value)
    if _is_size(value) and value is not None:
        return (value,)
    raise ShapeError(INVALID_CONFIG, f"EinsumDense output_shape={value!r} must be a size or a "
                     "tuple of sizes (None for an axis the input gives)")


def plan(config: dict[str, Any], shape: Shape, name: str = "EinsumDense") -> EinsumPlan:
    """The shapes one call makes, or Keras's refusal.

    >>> plan({"equation": "abc,cd->abd", "output_shape": (None, 64), "bias_axes": "d"},
    ...      (None, 7, 16))
    EinsumPlan(output=(None, 7, 64), kernel=(16, 64), bias=(64,))
    >>> plan({"equation": "...b,bc->...c", "output_shape": 8, "bias_axes": None},
    ...      (None, 3, 5, 4))
    EinsumPlan(output=(None, 3, 5, 8), kernel=(4, 8), bias=None)
    """
    equation = parse_equation(config["equation"])
    spec_in, spec_kernel, spec_out = equation.inputs, equation.kernel, equation.output
    text = f"{name} equation={config['equation']!r}"
    elided = len(shape) - len(spec_in)
    if elided < 0 or (elided and equation.ellipsis is None) or (
            equation.ellipsis == "left" and elided == 0):
        # Keras 3 builds extra axes without an ellipsis (its einsum then fails).
        raise ShapeError(NDIM_MISMATCH, f"{text} reads {len(spec_in)} input axes"
                         f"{' and more' if equation.ellipsis else ''}, but its input "
                         f"{format_shape(shape)} has {len(shape)}",
                         build_accepts=("3",) if elided > 0 else ())
    given = _partial_shape(config["output_shape"])
    lead = elided if equation.ellipsis == "left" else 0
    tail = elided if equation.ellipsis == "right" else 0
    # Keras's full output: the batch axis, the elided axes, then output_shape.
    expected = len(spec_out) - (0 if lead else 1)
    if len(given) < expected:
        raise ShapeError(INVALID_CONFIG, f"{text}: output_shape={config['output_shape']!r} "
                         f"gives {len(given)} axes, but the output '{spec_out}' has "
                         f"{expected} after the {'elided axes' if lead else 'first'}")
    if len(given) > expected:
        raise Unresolved(Unknown(f"{text}: output_shape={config['output_shape']!r} has more "
                                 "axes than the equation's output, which archlint does not "
                                 "model"))
    full = [shape[0], *shape[1:lead], *given]  # the output axes, in spec_out's order at lead
    in_axis = {c: i + elided if equation.ellipsis == "left" else i
               for i, c in enumerate(spec_in)}
    out_axis = {c: i + lead for i, c in enumerate(spec_out)}
    for letter in spec_in:
        if letter not in out_axis:
            continue
        wanted, got = full[out_axis[letter]], shape[in_axis[letter]]
        if wanted is None or wanted == got:
            continue
        if isinstance(got, Unknown):
            raise Unresolved(got)
        reason = f"{got}" if isinstance(got, int) else f"{got} (None to Keras when it builds)"
        raise ShapeError(INCOMPATIBLE_MERGE, f"{text}: output_shape gives {wanted} to axis "
                         f"'{letter}', which the input {format_shape(shape)} has of size "
                         f"{reason}")
    for letter in spec_out:
        if letter not in spec_in and letter not in spec_kernel:
            raise ShapeError(INVALID_CONFIG, f"{text}: output axis '{letter}' is neither in "
                             f"the input '{spec_in}' nor in the kernel '{spec_kernel}'")
    kernel: list[Dim] = []
    for letter in spec_kernel:
        if letter in out_axis:
            size = full[out_axis[letter]]
            if size is None and letter in in_axis:
                # tf-keras sizes this kernel axis by the input; Keras 3 by output_shape.
                with keras3_only():
                    raise ShapeError(INVALID_CONFIG, f"{text}: kernel axis '{letter}' takes "
                                     "its size from output_shape, which leaves it None")
            if size is None:
                raise ShapeError(INVALID_CONFIG, f"{text}: kernel axis '{letter}' takes its "
                                 "size from output_shape, which leaves it None")
        elif letter in in_axis:
            size = require_known(shape[in_axis[letter]],
                                 f"Axis '{letter}' of the input of {name} (a kernel axis)")
        else:
            raise ShapeError(INVALID_CONFIG, f"{text}: kernel axis '{letter}' is neither in "
                             f"the input '{spec_in}' nor in the output '{spec_out}'")
        kernel.append(size)
    bias = _bias(config.get("bias_axes"), spec_out, full, lead, tail, text)
    # The forward pass: each output letter sized by the input, else by the kernel.
    sizes = [shape[in_axis[c]] if c in in_axis else full[out_axis[c]] for c in spec_out]
    if lead:
        output: Shape = (*shape[:lead], *sizes)
    else:
        output = (*sizes, *shape[len(shape) - tail:]) if tail else tuple(sizes)
    return EinsumPlan(output=output, kernel=tuple(kernel), bias=bias)


def _bias(bias_axes: Any, spec_out: str, full: list[Dim], lead: int, tail: int,
          text: str) -> tuple[Dim, ...] | None:
    if bias_axes is None:
        return None
    if not isinstance(bias_axes, str) or not bias_axes:
        raise ShapeError(INVALID_CONFIG, f"{text}: bias_axes={bias_axes!r} must be a string "
                         "of output letters")
    for letter in bias_axes:
        if letter not in spec_out:
            raise ShapeError(INVALID_CONFIG, f"{text}: bias axis '{letter}' is not in the "
                             f"output '{spec_out}'")
    first = min(spec_out.find(c) for c in bias_axes)
    sizes = {c: full[i + lead] for i, c in enumerate(spec_out)}
    bias = [sizes[c] if c in bias_axes else 1 for c in spec_out[first:]]
    if any(size is None for size in bias):
        raise ShapeError(INVALID_CONFIG, f"{text}: bias_axes={bias_axes!r} spans an axis "
                         "output_shape leaves None")
    return (*bias, *(1,) * tail)


def ellipsis_refusal(equation: str, mode: str) -> str:
    """Why Keras 3 fails to quantize an EinsumDense whose equation has an ellipsis."""
    return (f"EinsumDense equation={equation!r} with {mode} quantization: Keras fails to "
            "build it (its quantization analysis of an equation with an ellipsis raises "
            "TypeError)")


def _product(sizes: tuple[Dim, ...]) -> Any:
    total: Any = 1
    for size in sizes:  # numbers, or named sizes (Expr)
        total = total * size
    return total


def weights_size(kernel: tuple[Dim, ...], bias: tuple[Dim, ...] | None) -> Any:
    """How many numbers a kernel and bias hold."""
    return _product(kernel) + (_product(bias) if bias is not None else 0)


@register
class EinsumDense(LayerSpec):
    """A kernel applied by an einsum equation, with an optional bias over ``bias_axes``.

    >>> spec = EinsumDense()
    >>> config = spec.normalize({"equation": "abc,cde->abde", "output_shape": (None, 4, 8),
    ...                          "bias_axes": "de"})
    >>> spec.output_shape(config, [(None, 5, 16)]), spec.param_count(config, [(None, 5, 16)])
    ((None, 5, 4, 8), Params(trainable=544, non_trainable=0))
    """

    class_name = "EinsumDense"
    default_activation = "linear"
    positional = ("equation", "output_shape", "activation", "bias_axes")
    defaults = {"equation": None, "output_shape": None, "activation": None,
                "bias_axes": None, "lora_rank": None, "lora_alpha": None, "dtype": None}
    # model.quantize(mode) sets it (a Quantization); a dtype policy gives it too.
    reads = ("quantized",)
    # GPTQ's packing and a quantization config are not modelled: given, the layer is unknown.
    unmodelled = {"gptq_unpacked_column_size": None, "quantization_config": None}
    input_spec = InputSpec()

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        if config["output_shape"] is None:
            raise ShapeError(INVALID_CONFIG, "EinsumDense needs output_shape")
        _partial_shape(config["output_shape"])
        config["lora_rank"] = check_lora_rank("EinsumDense", config["lora_rank"])
        if config["lora_rank"] and config.get("kernel_constraint") is not None:
            raise ShapeError(INVALID_CONFIG, "EinsumDense lora_rank with a kernel_constraint: "
                             "Keras refuses LoRA on a constrained kernel")
        quantized = config.get("quantized") or policy_quantization("EinsumDense",
                                                                   config["dtype"])
        if quantized is not None and quantized.mode != "float8" and \
                parse_equation(config["equation"]).ellipsis is not None:
            raise ShapeError(INVALID_CONFIG, ellipsis_refusal(config["equation"],
                                                              quantized.mode))
        config["quantized"] = quantized
        return config

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        return plan(config, inputs[0], self.class_name).output

    def param_count(self, config: dict[str, Any], inputs: list[Shape]) -> Params:
        found = plan(config, inputs[0], self.class_name)
        rank, quantized = config["lora_rank"], config["quantized"]
        if not rank and quantized is None:
            return Params(weights_size(found.kernel, found.bias))
        equation = parse_equation(config["equation"])
        specs = full_specs(equation.inputs, equation.kernel, equation.output,
                           equation.ellipsis, len(inputs[0]))
        bias = _product(found.bias) if found.bias is not None else 0
        return einsum_weights(found.kernel, bias, specs, rank, quantized)

    def keras2_refusal(self, instance: LayerInstance, inputs: list[Shape]) -> str | None:
        if "lora_rank" in instance.explicit:
            return "tf-keras's EinsumDense takes no lora_rank option (Keras 3's does)"
        return None
