"""Flatten, Reshape, Permute, RepeatVector, Cropping1D, ZeroPadding1D, UpSampling1D: every
option, symbolic time axes, and the configurations Keras refuses.

Keras declares None for every size that depends on a variable axis (Flatten over (T, 4)
declares (None, None)); archlint keeps the expression the forward pass produces (4*T).
"""

from tests.layer_cases import case

CASES = [
    # Flatten: product of the non-batch axes; a rank-1 input becomes (batch, 1).
    case("Flatten", (4, 5, 2)),
    case("Flatten", ()),
    case("Flatten", (None, 4)),
    case("Flatten", (3, 4), data_format="channels_first"),
    case("Flatten", (3, 4), data_format="channels_middle", error_code="AL108"),
    # Reshape: fixed target, one inferred -1, symbolic input sizes.
    case("Reshape", (3, 4), target_shape=(4, 3)),
    case("Reshape", (3, 4), target_shape=[2, -1, 3]),
    case("Reshape", (None, 4), target_shape=(-1, 2)),
    case("Reshape", (3, 5), target_shape=(4, 4), error_code="AL108"),
    case("Reshape", (3, 5), target_shape=(-1, 4), error_code="AL108"),
    case("Reshape", (3, 4), target_shape=(0, -1), error_code="AL108"),
    case("Reshape", (3, 4), target_shape=(-1, -1), error_code="AL108"),
    # 3*T elements only split into pairs for even T (9 and 23 are odd).
    case("Reshape", (None, 3), target_shape=(-1, 2), error_code="AL108"),
    case("Reshape", (None, 3), target_shape=(6, 3), error_code="AL108"),
    # tf-keras reads any negative entry as the inferred one ((-2, 2) gives (6, 2) here);
    # Keras 3 refuses it when the layer is created, as archlint does.
    case("Reshape", (3, 4), target_shape=(-2, 2), versions=("3",), error_code="AL108"),
    # Permute: 1-based permutation of the non-batch axes.
    case("Permute", (None, 64), dims=(2, 1)),
    case("Permute", (2, 3, 4), dims=[3, 1, 2]),
    case("Permute", (2, 3), dims=(1, 3), error_code="AL108"),
    case("Permute", (2, 3, 4), dims=(2, 1), error_code="AL104"),
    # RepeatVector: (batch, features) to (batch, n, features).
    case("RepeatVector", (8,), n=3),
    case("RepeatVector", (2, 8), n=3, error_code="AL104"),
    # tf-keras builds n=0 into an empty (None, 0, 8); Keras 3 refuses it, as archlint does.
    case("RepeatVector", (8,), n=0, versions=("3",), error_code="AL108"),
    # Cropping1D: int or (start, end); a crop that leaves no step is refused by both.
    case("Cropping1D", (10, 4)),
    case("Cropping1D", (10, 4), cropping=3),
    case("Cropping1D", (10, 4), cropping=(2, 0)),
    case("Cropping1D", (None, 4), cropping=(2, 3)),
    case("Cropping1D", (5, 4), cropping=(2, 3), error_code="AL101"),
    case("Cropping1D", (5, 4), cropping=(-1, 2), error_code="AL108"),
    # ZeroPadding1D: int or (start, end); data_format only exists in Keras 3.
    case("ZeroPadding1D", (5, 4)),
    case("ZeroPadding1D", (None, 4), padding=(0, 3)),
    case("ZeroPadding1D", (5, 4), padding=(2, 1), data_format="channels_first",
         versions=("3",)),
    case("ZeroPadding1D", (5, 4), padding=-1, error_code="AL108"),
    # UpSampling1D: repeats each step `size` times.
    case("UpSampling1D", (5, 4)),
    case("UpSampling1D", (None, 4), size=3),
    case("UpSampling1D", (5, 4), size=0, error_code="AL108"),
]
