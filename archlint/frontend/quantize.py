"""``model.quantize(mode)``: Keras 3 stores the kernels of the layers that support it as
integers with scales (int8, int4) or adds float8 scaling state, in place.

The layers keep their shapes; only their weights change. The layer formulas count them
(``archlint/layers/quantization.py``); this module marks which layers a call quantizes.
tf-keras has no ``quantize``.
"""

from __future__ import annotations

from typing import Any

from archlint.graph import Layer
from archlint.layers.einsum_dense import ellipsis_refusal
from archlint.layers.quantization import QUANTIZE_INT4_BLOCK_SIZE, Quantization
from archlint.unknown import Unknown

MODES = ("int8", "int4", "float8")
# Layers Keras quantizes that archlint models, and the modes each accepts (Keras skips an
# Embedding with a warning under float8).
QUANTIZABLE = {"Dense": MODES, "EinsumDense": MODES, "Embedding": ("int8", "int4"),
               "ReversibleEmbedding": ("int8", "int4")}


def quantize_layers(layers: list[Layer], mode: Any, options: dict[str, Any],
                    text: str, line: int) -> str | None:
    """Quantize each layer Keras would (``text`` is the call as written), or return why
    Keras refuses the call (a layer already quantized). A call archlint does not model
    (another mode, a config, filters) makes each layer it may change unknown, reported
    with the call named."""
    given = {k: v for k, v in options.items() if v is not None}
    problem = None
    if mode not in MODES:
        problem = f"mode {mode!r}" if isinstance(mode, str) else "a mode archlint cannot read"
    elif given:
        problem = f"the option {', '.join(sorted(given))}"
    chosen = [layer for layer in layers if layer.class_name in QUANTIZABLE and
              layer.instance is not None and layer.instance.unresolved is None and
              layer.instance.config_error is None]
    quantized = [layer.name for layer in chosen
                 if layer.instance is not None and layer.instance.config.get("quantized")]
    if problem is None and quantized:
        return f"`{text}`: Keras refuses to quantize '{quantized[0]}' again (already quantized)"
    for layer in chosen:
        equation = layer.instance.config.get("equation") if layer.instance else None
        if problem is None and mode in ("int8", "int4") and layer.class_name == \
                "EinsumDense" and isinstance(equation, str) and "..." in equation:
            return f"`{text}`: {ellipsis_refusal(equation, mode)}"
    for layer in chosen:
        instance = layer.instance
        assert instance is not None
        if problem is not None:
            instance.unmodelled = "quantize"
            instance.unresolved = Unknown(f"`{text}` with {problem} is not modelled by "
                                          "archlint (it changes the layer's weights)", line)
        elif mode in QUANTIZABLE[layer.class_name]:
            block = QUANTIZE_INT4_BLOCK_SIZE if mode == "int4" else None
            instance.config = {**instance.config, "quantized": Quantization(mode, block,
                                                                            converted=True)}
        else:
            continue
        for call in layer.calls:  # counted again when the model is analysed
            call.output, call.params, call.error, call.params_unknown = None, None, None, None
    return None


# Dtypes a script may name as an attribute (``tf.float32``, ``keras.ops.float16``...).
_DTYPE_NAMES = frozenset({
    "float16", "float32", "float64", "bfloat16", "half", "double", "int8", "int16",
    "int32", "int64", "uint8", "uint16", "uint32", "uint64", "bool", "complex64",
    "complex128", "string",
})
_NAMED_POLICIES = frozenset({"DTypePolicy", "FloatDTypePolicy", "Policy"})
_QUANTIZED_POLICIES = frozenset({"QuantizedDTypePolicy", "QuantizedFloat8DTypePolicy",
                                 "Int4DTypePolicy"})


def dtype_name(value: Any) -> Any:
    """A layer's ``dtype=`` as the name Keras reads from it: ``tf.float32`` is "float32",
    ``keras.DTypePolicy("mixed_float16")`` is "mixed_float16",
    ``QuantizedDTypePolicy("int8", "float32")`` is "int8_from_float32". Anything else is
    kept (a layer Keras quantizes is then unknown, with the option named)."""
    path = getattr(value, "path", None)
    if not isinstance(path, str):
        return value
    leaf = path.rsplit(".", 1)[-1]
    if leaf in _DTYPE_NAMES and not hasattr(value, "args"):
        return leaf
    given = dict(getattr(value, "kwargs", ()))
    args = list(getattr(value, "args", ()))
    if leaf in _NAMED_POLICIES:
        name = args[0] if args else given.get("name")
        return name if isinstance(name, str) else value
    amax = args[2] if len(args) > 2 else given.get("amax_history_length", 1024)
    if leaf in _QUANTIZED_POLICIES and amax == 1024:
        mode = args[0] if args else given.get("mode")
        source = args[1] if len(args) > 1 else given.get("source_name")
        if isinstance(mode, str) and isinstance(source, str):
            return f"{mode}_from_{source}"
    return value
