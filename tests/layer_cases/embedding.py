"""Embedding on integer inputs of every rank, with its options and the values Keras refuses.

``input_length`` is accepted and ignored by both versions on a functional call (Keras 3
warns that it is deprecated; tf-keras only uses it as a Sequential model's input shape).
"""

from tests.layer_cases import case

CASES = [
    case("Embedding", (None,), dtype="int32", input_dim=1000, output_dim=64),
    case("Embedding", (), dtype="int32", input_dim=5, output_dim=3),
    case("Embedding", (3, 4), dtype="int32", input_dim=20, output_dim=2, mask_zero=True),
    case("Embedding", (5,), dtype="int32", input_dim=50, output_dim=4, input_length=7),
    # Float indices are cast to int32 by both versions.
    case("Embedding", (6,), input_dim=10, output_dim=3),
    # Keras 3 only: LoRA freezes the table and trains two low-rank factors.
    case("Embedding", (10,), dtype="int32", input_dim=100, output_dim=8, lora_rank=2,
         versions=("3",)),
    case("Embedding", (10,), dtype="int32", input_dim=0, output_dim=8, error_code="AL108"),
]
