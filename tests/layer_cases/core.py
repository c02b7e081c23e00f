"""Dense on every rank, with and without bias; Identity."""

from tests.layer_cases import case

CASES = [
    case("Dense", (240,), units=256),
    case("Dense", (240,), units=1, use_bias=False),
    case("Dense", (5, 7), units=3),
    case("Dense", (None, 7), units=3),
    case("Dense", (2, 3, 4), units=5, use_bias=False),
    case("Dense", (None,), units=4, error_code="AL106"),
    case("Identity", (5, 3)),
    case("Identity", (None,)),
]
