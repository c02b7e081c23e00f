"""LoRA and quantized weights, as Keras 3 builds them, for any layer with a weight matrix.

``Dense``, ``Embedding`` (and any spec with one kernel) call these: ``lora_rank=r`` adds two
trainable factors of ``rows x r`` and ``r x cols`` and freezes the kernel; a quantized dtype
policy (``dtype="int8_from_float32"``) or ``model.quantize(mode)`` stores the kernel as
integers with scales (non-trainable), or keeps it with float8 scaling state (trainable).
tf-keras has none of this: it refuses the keywords and the policy names.
"""

from __future__ import annotations

from typing import Any

from archlint.layer_types import LayerInstance
from archlint.layers.base import INVALID_CONFIG, ShapeError, is_named
from archlint.records import record

QUANTIZATION_MODES = ("int8", "float8", "int4", "gptq", "awq")
# Modes whose weights archlint models (gptq and awq need a calibration config).
MODELLED_MODES = ("int8", "int4", "float8")
# QuantizedFloat8DTypePolicy.default_amax_history_length: float8 keeps a scale and this
# many past maxima for the inputs, the kernel and the output gradients.
FLOAT8_AMAX_HISTORY = 1024
FLOAT8_STATE = 3 * (1 + FLOAT8_AMAX_HISTORY)
# Int4QuantizationConfig's default block size, which model.quantize("int4") uses.
QUANTIZE_INT4_BLOCK_SIZE = 128
# Float policies a quantized policy may come from, and those computing in float16.
SOURCE_POLICIES = ("float32", "float16", "bfloat16", "float64", "mixed_float16",
                   "mixed_bfloat16")
FLOAT16_COMPUTE = ("float16", "mixed_float16")
# Keywords only Keras 3 has: tf-keras's base Layer refuses them, whatever their value.
KERAS3_KEYWORDS = ("lora_rank", "lora_alpha", "quantization_config")


@record(frozen=True)
class Quantization:
    """How a layer's kernel is stored: ``mode`` "int8", "int4" or "float8"; for int4,
    ``block_size`` groups of the reduced axis share a scale (None: one per channel);
    ``converted`` when ``model.quantize`` converts a built float kernel (not a policy)."""

    mode: str
    block_size: int | None = None
    converted: bool = False


def is_quantized_name(dtype: Any) -> bool:
    """A dtype string Keras 3 reads as a quantized policy (it starts with a mode)."""
    return isinstance(dtype, str) and dtype.startswith(QUANTIZATION_MODES)


def parse_policy(dtype: str) -> Quantization | None:
    """The quantization a dtype policy name gives, or None when archlint does not model it
    (gptq, awq, or a name it cannot read).

    >>> parse_policy("int8_from_mixed_bfloat16"), parse_policy("int4/64_from_float32")
    (Quantization(mode='int8', block_size=None, converted=False), Quantization(mode='int4', \
block_size=64, converted=False))
    >>> parse_policy("gptq/4/128_from_float32") is None
    True
    """
    parts = dtype.split("_from_")
    if len(parts) != 2 or parts[1] not in SOURCE_POLICIES:
        return None
    mode, _, block = parts[0].partition("/")
    if mode not in MODELLED_MODES or (block and mode != "int4"):
        return None
    if not block:
        return Quantization(mode)
    try:
        size = int(block)
    except ValueError:
        return None
    if size < -1 or size == 0:
        return None
    return Quantization(mode, None if size == -1 else size)


def policy_quantization(class_name: str, dtype: Any) -> Quantization | None:
    """The quantization of a layer's ``dtype=`` (None: a float policy or no dtype).

    Raises ShapeError where Keras 3 refuses the policy itself.
    """
    if not is_quantized_name(dtype):
        return None
    quantization = parse_policy(dtype)
    if quantization is None:
        raise ValueError(dtype)  # not modelled: the caller reports the option
    if quantization.mode == "int8" and dtype.split("_from_")[1] in FLOAT16_COMPUTE:
        raise ShapeError(INVALID_CONFIG, f"{class_name} dtype={dtype!r}: Keras refuses "
                         "int8 quantization with compute_dtype='float16'")
    return quantization


def modelled_dtype(dtype: Any) -> bool:
    """Whether archlint models a layer with this ``dtype=``: none, a plain dtype or float
    policy name (parameter counts unchanged), or a quantized policy it reads."""
    if dtype is None:
        return True
    if not isinstance(dtype, str):
        return False  # a policy object: its mode is not read
    return not is_quantized_name(dtype) or parse_policy(dtype) is not None


def check_lora_rank(class_name: str, rank: Any) -> int:
    """``lora_rank``: None or 0 leave the layer as it is (Keras tests it for truth); a
    positive int adds the factors."""
    if rank is None:
        return 0
    if is_named(rank):
        return rank  # an expression over named sizes
    if isinstance(rank, bool) or not isinstance(rank, int) or rank < 0:
        raise ShapeError(INVALID_CONFIG, f"{class_name} lora_rank={rank!r} must be a "
                         "non-negative integer")
    return rank


def lora_weights(rows: int, cols: int, rank: int) -> int:
    """The two trainable LoRA factors of a ``rows x cols`` kernel: ``rows*r + r*cols``.

    >>> lora_weights(4, 5, 2)
    18
    """
    return rank * rows + rank * cols


def quantized_weights(quantization: Quantization, kept: int, reduced: int, *,
                      pack_kept: bool) -> int:
    """Non-trainable weights of a ``kept x reduced`` matrix stored as integers: the values
    (int4 packs two per byte along the kept axis, or the reduced one) and one scale per
    kept channel, or per block of ``block_size`` along the reduced axis, with its zero
    point, and the group index of each reduced position. Not for float8.

    Dense's kernel keeps ``units`` and reduces the input width (packed along units);
    Embedding keeps its ``input_dim`` rows and reduces ``output_dim`` (packed along it).

    >>> quantized_weights(Quantization("int8"), 5, 4, pack_kept=True)
    25
    >>> quantized_weights(Quantization("int4"), 5, 4, pack_kept=True)
    17
    >>> quantized_weights(Quantization("int4", 128), 5, 300, pack_kept=True)
    1230
    """
    if quantization.mode == "int8":
        return kept * reduced + kept
    packed = reduced * ((kept + 1) // 2) if pack_kept else kept * ((reduced + 1) // 2)
    block = quantization.block_size
    if block is None:
        return packed + kept
    groups = -(-reduced // block)  # ceil(reduced / block)
    return packed + 2 * kept * groups + reduced


def keras2_keyword_refusal(instance: LayerInstance) -> str | None:
    """Why tf-keras refuses a layer given a Keras 3 keyword or a quantized policy name."""
    for option in KERAS3_KEYWORDS:
        if option in instance.explicit:
            return (f"tf-keras (Keras 2) has no {option} option: its Layer refuses the "
                    f"keyword ('Keyword argument not understood: {option}')")
    dtype = instance.config.get("dtype")
    if "dtype" in instance.explicit and is_quantized_name(dtype):
        return (f"tf-keras (Keras 2) has no quantized dtype policies: it refuses "
                f"dtype={dtype!r} (cannot convert it to a TensorFlow DType)")
    return None
