"""LocallyConnected1D/2D, tf-keras only (Keras 3 refuses every case): one kernel per
output position, in each implementation."""

from tests.layer_cases import case

# Keras 3 has no such class: it refuses every case, tf-keras builds the valid ones.
NO_KERAS3 = {"refused_by": ("3",), "error_code": "AL108"}

CASES = [
    case("LocallyConnected1D", (10, 3), filters=4, kernel_size=3, **NO_KERAS3),
    case("LocallyConnected1D", (10, 3), filters=4, kernel_size=3, strides=2, use_bias=False,
         **NO_KERAS3),
    case("LocallyConnected1D", (10, 3), filters=2, kernel_size=3, implementation=2,
         padding="same", **NO_KERAS3),
    case("LocallyConnected1D", (10, 3), filters=2, kernel_size=4, implementation=3,
         **NO_KERAS3),
    case("LocallyConnected1D", (3, 10), filters=2, kernel_size=3,
         data_format="channels_first", **NO_KERAS3),
    case("LocallyConnected2D", (8, 7, 2), filters=3, kernel_size=3, **NO_KERAS3),
    case("LocallyConnected2D", (8, 7, 2), filters=3, kernel_size=(3, 2), strides=2,
         implementation=2, **NO_KERAS3),
    case("LocallyConnected2D", (8, 7, 2), filters=3, kernel_size=3, implementation=3,
         **NO_KERAS3),
    case("LocallyConnected1D", (10, 3), filters=4, kernel_size=3, padding="same",
         error_code="AL108"),
    case("LocallyConnected1D", (None, 3), filters=4, kernel_size=3, refused_by=("3", "2")),
    case("LocallyConnected1D", (2, 3), filters=4, kernel_size=3, error_code="AL101"),
]
