"""Masking keeps its input's shape and has no parameters."""

from tests.layer_cases import case

CASES = [
    case("Masking", (None, 4)),
    case("Masking", (2, 3, 4), mask_value=-1.0),
]
