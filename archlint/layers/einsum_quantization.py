"""EinsumDense's LoRA and quantized weights, as Keras 3 builds them.

A kernel axis whose letter is not in the output is reduced by the einsum; the others are
kept. ``lora_rank=r`` adds ``kernel[:-1] + (r,)`` and ``(r, kernel[-1])`` factors and
freezes the kernel. int8 stores the kernel as integers with a scale whose shape Keras
derives from the equation (``_get_kernel_scale_shape`` after
``_analyze_quantization_info``, replayed here step by step, since for some equations it
is not one scale per kept position); int4 flattens the kernel to ``reduced x kept``,
packs it along the kept axis and keeps one scale per kept column (or per block of
``block_size`` reduced rows, with a zero point and a group index per row); float8 keeps
the kernel and adds its scaling state.
"""

from __future__ import annotations

import string
from typing import Any

from archlint.layers.base import INVALID_CONFIG, Params, ShapeError, Unresolved
from archlint.layers.quantization import (
    FLOAT8_STATE,
    Quantization,
    lora_weights,
    quantized_weights,
)
from archlint.unknown import Unknown


def full_specs(inputs: str, kernel: str, output: str, ellipsis: str | None,
               rank: int) -> tuple[str, str, str]:
    """The equation's letters with the elided axes named, as Keras names them for
    quantization (the free letters, in sorted order; an equation without ellipsis
    keeps its letters)."""
    elided = rank - len(inputs)
    if ellipsis is None or elided <= 0:
        return inputs, kernel, output
    free = sorted(set(string.ascii_letters) - set(inputs) - set(kernel) - set(output))
    for i in range(elided):
        if ellipsis == "left":
            inputs, output = free[i] + inputs, free[i] + output
        else:
            inputs, output = inputs + free[i], output + free[i]
    return inputs, kernel, output


def _kernel_layout(inputs: str, kernel: str, output: str
                   ) -> tuple[list[int], list[int], list[int], list[int]]:
    """Keras's ``_analyze_quantization_info`` for the kernel: reduced, transpose, expand
    and squeeze axes. Its last ``index`` carries over between its loops (a reduced axis
    with no axis left to expand reuses it), which the order of statements below keeps."""
    reduced = []
    index = 0
    for i, label in enumerate(kernel):
        index = output.find(label)
        if index == -1:
            reduced.append(i)
    input_expand = [i for i, label in enumerate(output) if inputs.find(label) == -1]
    expand = [i for i, label in enumerate(output) if kernel.find(label) == -1]
    transpose = [kernel.find(label) for label in output if kernel.find(label) != -1]
    input_reduced = [i for i, label in enumerate(inputs) if output.find(label) == -1]
    for _ in input_reduced:  # the input's loop runs first and may set index
        if input_expand:
            index = input_expand.pop(0)
    squeeze = []
    for original in reduced:
        if expand:
            index = expand.pop(0)
        else:
            squeeze.append(original)
        transpose.insert(index, original)
    return reduced, transpose, expand, squeeze


def int8_scale_size(inputs: str, kernel: str, output: str, kernel_shape: tuple[int, ...]
                    ) -> tuple[int, bool]:
    """How many numbers the int8 ``kernel_scale`` holds: the kernel's shape with the
    reduced axes set to 1, permuted, with 1s inserted and entries dropped as Keras does;
    and whether an entry dropped is not 1 (``model.quantize`` then fails to squeeze it).

    >>> int8_scale_size("ab", "bc", "ac", (4, 8)), int8_scale_size("abc", "dbc", "ad",
    ...                                                             (7, 3, 4))
    ((8, False), (1, True))
    """
    reduced, transpose, expand, squeeze = _kernel_layout(inputs, kernel, output)
    shape = [1 if i in reduced else size for i, size in enumerate(kernel_shape)]
    shape = [shape[i] for i in transpose]
    for axis in sorted(expand):
        shape.insert(axis, 1)
    dropped = [shape.pop(axis) for axis in sorted(squeeze, reverse=True)]
    total = 1
    for size in shape:
        total *= size
    return total, any(size != 1 for size in dropped)


def einsum_weights(kernel_shape: tuple[Any, ...], bias: Any, specs: tuple[str, str, str],
                   rank: Any, quantization: Quantization | None) -> Params:
    """Trainable and frozen weights of an EinsumDense kernel with its bias (``bias``
    numbers), LoRA factors of ``rank`` (0: none) and quantization (None: float).

    >>> einsum_weights((3, 8, 32), 0, ("ab", "bcd", "acd"), 2, None)
    Params(trainable=112, non_trainable=768)
    >>> einsum_weights((3, 8, 32), 32, ("ab", "bcd", "acd"), 0, Quantization("int4"))
    Params(trainable=32, non_trainable=640)
    """
    inputs, kernel, output = specs
    reduced_size: Any = 1
    kept_size: Any = 1
    for letter, size in zip(kernel, kernel_shape):  # numbers, or named sizes (Expr)
        if letter in output:
            kept_size = kept_size * size
        else:
            reduced_size = reduced_size * size
    total = reduced_size * kept_size
    leading: Any = 1
    for size in kernel_shape[:-1]:
        leading = leading * size
    lora = lora_weights(leading, kernel_shape[-1], rank) if rank else 0
    if quantization is None or quantization.mode == "float8":
        state = FLOAT8_STATE if quantization is not None else 0
        if rank:  # LoRA freezes the kernel
            return Params(bias + lora + state, total)
        return Params(total + bias + state)
    if not all(isinstance(size, int) for size in kernel_shape):
        raise Unresolved(Unknown("a quantized EinsumDense kernel over a named size: "
                                 "archlint counts its packed integers for numbers only"))
    if quantization.mode == "int8":
        scale, squeezes_kept = int8_scale_size(inputs, kernel, output, kernel_shape)
        if squeezes_kept and quantization.converted:
            raise ShapeError(INVALID_CONFIG, f"EinsumDense equation '{inputs},{kernel}->"
                             f"{output}' under model.quantize('int8'): Keras fails to lay out "
                             "its kernel scale (it squeezes an axis that is not 1)")
        return Params(bias + lora, total + scale)
    return Params(bias + lora, quantized_weights(quantization, kept_size, reduced_size,
                                                 pack_kept=True))
