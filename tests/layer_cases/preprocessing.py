"""Rescaling and Normalization: scalar and per-channel constants, broadcasting, every axis
form, adapted (weights) or given statistics, symbolic axes, and what Keras refuses.
"""

from tests.layer_cases import case

# Keras 3's Rescaling declares its input shape even where scale or offset broadcasts it.
K3_RESCALING_BUG = ("keras-team/keras#21319: Rescaling.compute_output_shape returns the "
                    "input shape, ignoring the broadcast against scale and offset")

CASES = [
    # Rescaling: no weights, any rank; scale and offset numbers or broadcastable lists.
    case("Rescaling", (4, 5, 3), scale=1 / 255),
    case("Rescaling", (None, 4), scale=2.0, offset=-1.0),
    case("Rescaling", (), scale=0.5),
    case("Rescaling", (2, 3, 4, 5), scale=2),
    case("Rescaling", (None, 3), scale=[1.0, 2.0, 3.0]),
    case("Rescaling", (4, 4, 3), scale=[1.0, 2.0, 3.0], offset=[0.0, 1.0, 2.0]),
    case("Rescaling", (2, 3), scale=[[1.0], [2.0]]),
    case("Rescaling", (5, 1), scale=[1.0, 2.0, 3.0], known_bug={"3": K3_RESCALING_BUG}),
    case("Rescaling", (None, 1), scale=1.0, offset=[1.0, 2.0],
         known_bug={"3": K3_RESCALING_BUG}),
    case("Rescaling", (5, 4), scale=[1.0, 2.0, 3.0], error_code="AL108"),
    # 3 channels against a variable axis: only runs for lengths 1 and 3.
    case("Rescaling", (5, None), scale=[1.0, 2.0, 3.0], error_code="AL108"),
    case("Rescaling", (5, 3), scale=None, error_code="AL108"),
    # Normalization: 2*n + 1 non-trainable parameters (mean, variance, count) without
    # given statistics, none with them; the kept axes must be known.
    case("Normalization", (5, 3)),
    case("Normalization", (None, 3)),
    case("Normalization", (5, 3), axis=None),
    case("Normalization", (5, 3), axis=(1, 2)),
    case("Normalization", (4, None, 3), axis=[1, -1]),
    case("Normalization", (5, 3), axis=1),
    case("Normalization", (5, 3), invert=True),
    case("Normalization", (None, 3), mean=2.0, variance=3.0),
    case("Normalization", (5, 3), mean=[1.0, 2.0, 3.0], variance=[1.0, 1.0, 1.0]),
    case("Normalization", (5, 3), mean=[1.0], variance=[2.0], invert=True),
    case("Normalization", (5, 3), axis=(1, 2), mean=[[1.0, 2.0, 3.0]],
         variance=[[1.0, 1.0, 1.0]]),
    case("Normalization", (5, 3), axis=None, mean=0.0, variance=1.0),
    case("Normalization", (None, 3), axis=1, error_code="AL106"),
    case("Normalization", (5, None), error_code="AL106"),
    # The batch axis is undefined when the model is built (a forward pass alone would work).
    case("Normalization", (5, 3), axis=0, error_code="AL106"),
    case("Normalization", (5, 3), axis=3, error_code="AL108"),
    case("Normalization", (5, 3), axis=(1, -2), error_code="AL108"),
    case("Normalization", (5, 3), axis="x", error_code="AL108"),
    case("Normalization", (5, 3), mean=[1.0, 2.0], variance=[1.0, 1.0], error_code="AL108"),
    case("Normalization", (5, 3), mean=1.0, error_code="AL108"),
    # tf-keras lets NumPy broadcast these (mean * ones(3)) and builds them with 0 weights;
    # Keras 3 refuses them at construction, as archlint does.
    case("Normalization", (5, 3), mean=[[1.0, 2.0, 3.0]], variance=[[1.0, 1.0, 1.0]],
         refused_by=("3",), error_code="AL108"),
    case("Normalization", (5, 3), mean=[1.0, 2.0, 3.0], variance=1.0, refused_by=("3",),
         error_code="AL108"),
]
