"""Dense on every rank, with and without bias; Keras 3's LoRA and quantized dtype policies
(tf-keras refuses the keywords and the policy names); mixed precision policies, which
change no parameter count; Identity."""

from tests.layer_cases import case

TF_KERAS_REFUSES = ("2",)  # Keras 3 only: tf-keras refuses the keyword or the name
QUANTIZED = ("int8_from_float32", "int8_from_mixed_bfloat16", "int4_from_float32",
             "int4/64_from_float32", "int4/-1_from_float32", "float8_from_float32")

CASES = [
    case("Dense", (240,), units=256),
    case("Dense", (240,), units=1, use_bias=False),
    case("Dense", (5, 7), units=3),
    case("Dense", (None, 7), units=3),
    case("Dense", (2, 3, 4), units=5, use_bias=False),
    case("Dense", (None,), units=4, error_code="AL106"),
    # LoRA freezes the kernel and trains two factors; rank 0 leaves the layer as it is.
    case("Dense", (4,), units=5, lora_rank=2, refused_by=TF_KERAS_REFUSES),
    case("Dense", (4,), units=5, lora_rank=2, lora_alpha=8, refused_by=TF_KERAS_REFUSES),
    case("Dense", (3, 9), units=6, lora_rank=3, use_bias=False, refused_by=TF_KERAS_REFUSES),
    case("Dense", (4,), units=5, lora_rank=0, refused_by=TF_KERAS_REFUSES),
    case("Dense", (4,), units=5, lora_rank=2, kernel_constraint="non_neg",
         error_code="AL108"),
    *[case("Dense", (4,), units=5, layer_dtype=d, refused_by=TF_KERAS_REFUSES) for d in QUANTIZED],
    *[case("Dense", (300,), units=7, use_bias=False, layer_dtype=d, refused_by=TF_KERAS_REFUSES)
      for d in QUANTIZED],
    *[case("Dense", (9,), units=5, lora_rank=2, layer_dtype=d, refused_by=TF_KERAS_REFUSES)
      for d in QUANTIZED if not d.startswith("float8")],
    # Keras 3's float8 call does not support LoRA.
    case("Dense", (9,), units=5, lora_rank=2, layer_dtype="float8_from_float32",
         error_code="AL108"),
    case("Dense", (4,), units=5, layer_dtype="int8_from_mixed_float16", error_code="AL108"),
    case("Dense", (4,), units=5, layer_dtype="mixed_float16"),
    case("Dense", (4,), units=5, layer_dtype="mixed_bfloat16"),
    case("Dense", (4,), units=5, layer_dtype="float64"),
    case("Identity", (5, 3)),
    case("Identity", (None,)),
]
