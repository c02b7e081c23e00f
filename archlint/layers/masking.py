"""Masking: marks the time steps whose features all equal ``mask_value``."""

from __future__ import annotations

from typing import Any

from archlint.layers import register
from archlint.layers.base import InputSpec, LayerSpec, Shape


@register
class Masking(LayerSpec):
    """The output is the input with masked steps zeroed, plus a mask over all axes but the
    last; no parameters.

    >>> from archlint.dims import Sym
    >>> Masking().output_shape({"mask_value": 0.0}, [(None, Sym("T"), 8)])
    (None, T, 8)
    """

    class_name = "Masking"
    time_order = "preserves"
    positional = ("mask_value",)
    input_spec = InputSpec(min_ndim=1)

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        return inputs[0]
