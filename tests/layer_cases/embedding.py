"""Embedding on integer inputs of every rank, with its options and the values Keras refuses;
Keras 3's LoRA and int8/int4 dtype policies (tf-keras refuses the keyword and the names).

``input_length`` is accepted and ignored by both versions on a functional call (Keras 3
warns that it is deprecated; tf-keras only uses it as a Sequential model's input shape).
"""

from tests.layer_cases import case

TF_KERAS_REFUSES = ("2",)  # Keras 3 only: tf-keras refuses the keyword or the name
QUANTIZED = ("int8_from_float32", "int8_from_mixed_bfloat16", "int4_from_float32",
             "int4/2_from_float32", "int4/-1_from_float32")

CASES = [
    case("Embedding", (None,), dtype="int32", input_dim=1000, output_dim=64),
    case("Embedding", (), dtype="int32", input_dim=5, output_dim=3),
    case("Embedding", (3, 4), dtype="int32", input_dim=20, output_dim=2, mask_zero=True),
    case("Embedding", (5,), dtype="int32", input_dim=50, output_dim=4, input_length=7),
    # Float indices are cast to int32 by both versions.
    case("Embedding", (6,), input_dim=10, output_dim=3),
    # LoRA freezes the table and trains two low-rank factors.
    case("Embedding", (10,), dtype="int32", input_dim=100, output_dim=8, lora_rank=2,
         refused_by=TF_KERAS_REFUSES),
    case("Embedding", (10,), dtype="int32", input_dim=100, output_dim=8, lora_rank=2,
         embeddings_constraint="non_neg", error_code="AL108"),
    case("Embedding", (10,), dtype="int32", input_dim=0, output_dim=8, error_code="AL108"),
    *[case("Embedding", (4,), dtype="int32", input_dim=10, output_dim=3, layer_dtype=d,
           refused_by=TF_KERAS_REFUSES) for d in QUANTIZED],
    *[case("Embedding", (4,), dtype="int32", input_dim=11, output_dim=5, lora_rank=2,
           layer_dtype=d, refused_by=TF_KERAS_REFUSES) for d in QUANTIZED],
    case("Embedding", (4,), dtype="int32", input_dim=10, output_dim=3,
         layer_dtype="float8_from_float32", error_code="AL108"),
    case("Embedding", (4,), dtype="int32", input_dim=10, output_dim=3,
         layer_dtype="mixed_float16"),
]
