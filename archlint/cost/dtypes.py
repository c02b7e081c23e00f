"""Dtypes and dtype policies as the memory estimate reads them: bytes per value, the dtype a
layer's weights are stored in and the dtype it computes (and outputs) in.

A policy name is Keras's: ``float32``, ``mixed_float16`` (float16 computations, float32
weights), ``int8_from_float32`` (a quantized kernel, the rest as the source policy).
"""

from __future__ import annotations

from typing import Any

from archlint.graph import Layer
from archlint.layers.quantization import is_quantized_name
from archlint.unknown import Unknown

BYTES = {"float16": 2, "bfloat16": 2, "float32": 4, "float64": 8, "half": 2, "double": 8,
         "int8": 1, "uint8": 1, "int16": 2, "uint16": 2, "int32": 4, "uint32": 4,
         "int64": 8, "uint64": 8, "bool": 1, "complex64": 8, "complex128": 16}
FLOATS = ("float16", "bfloat16", "float32", "float64", "half", "double")
_CANONICAL = {"half": "float16", "double": "float64"}


def layer_policy(layer: Layer) -> Any:
    """The policy Keras gives the layer: its ``dtype=``, else the global policy (or floatx)
    when it was made, else float32."""
    instance = layer.instance
    own = instance.config.get("dtype") if instance is not None else None
    if own is not None:
        return own
    return layer.global_policy if layer.global_policy is not None else "float32"


def float_source(policy: Any) -> Any:
    """The float policy a quantized one comes from (``int8_from_float32``: float32)."""
    if isinstance(policy, str) and is_quantized_name(policy):
        return policy.split("_from_", 1)[-1]
    return policy


def variable_dtype(policy: Any) -> str | Unknown:
    """The dtype of a layer's float weights under ``policy``.

    >>> variable_dtype("mixed_float16"), variable_dtype("int8_from_float16")
    ('float32', 'float16')
    """
    name = float_source(policy)
    if isinstance(name, str) and name.startswith("mixed_"):
        return "float32"
    if isinstance(name, str) and name in FLOATS:
        return _CANONICAL.get(name, name)
    return Unknown(f"the dtype policy {_shown(policy)} is not read by archlint")


def compute_dtype(policy: Any) -> str | Unknown:
    """The dtype a layer computes and outputs floats in under ``policy``.

    >>> compute_dtype("mixed_bfloat16"), compute_dtype("float64")
    ('bfloat16', 'float64')
    """
    name = float_source(policy)
    if isinstance(name, str) and name.startswith("mixed_"):
        name = name[len("mixed_"):]
    if isinstance(name, str) and name in FLOATS:
        return _CANONICAL.get(name, name)
    return Unknown(f"the dtype policy {_shown(policy)} is not read by archlint")


def _shown(policy: Any) -> str:
    text = repr(policy) if isinstance(policy, str) else "of the script"
    return text if len(text) <= 60 else text[:57] + "..."
