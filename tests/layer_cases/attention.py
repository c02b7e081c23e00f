"""Attention layers on [query, value] and [query, value, key]: every option, different and
variable (None) lengths, feature sizes that broadcast, inputs of rank 2 and 4, and the
inputs Keras refuses.

Keras 3 checks no shape when it builds these layers (a mismatch fails at the first forward
pass); tf-keras refuses it when built. Either way archlint must refuse. A case with one
input shape calls the layer on a bare tensor, which both versions refuse.
"""

from tests.layer_cases import case

# Keras 3's compute_output_shape keeps the query's leading axes, without broadcasting them
# against the value's: the forward pass gives (2, 2, 3, 4) where it declares (None, 1, 3, 4).
LEADING_AXES_BUG = ("Attention.compute_output_shape returns (*query[:-1], value[-1]), "
                    "ignoring the broadcast of the leading axes")

ATTENTION = [
    # Lengths: different, variable, one variable and one fixed.
    case("Attention", (3, 4), (5, 4)),
    case("Attention", (None, 4), (None, 4)),
    case("Attention", (None, 4), (5, 4)),
    case("Attention", (3, 4), (None, 4)),
    # A key of its own: the output takes the value's feature size.
    case("Attention", (3, 4), (5, 6), (5, 4)),
    case("Attention", (None, 4), (None, 6), (None, 4)),
    # Options: each weight is a scalar; dropout adds none.
    case("Attention", (3, 4), (5, 4), use_scale=True),
    case("Attention", (3, 4), (5, 4), score_mode="concat"),
    case("Attention", (None, 4), (None, 4), (None, 4), use_scale=True, score_mode="concat"),
    case("Attention", (3, 4), (5, 4), dropout=0.5, seed=3),
    case("Attention", (3, None), (5, None)),
    case("Attention", (3, None), (5, None), score_mode="concat"),
    # Concat scores add query and key features, so a size of 1 broadcasts.
    case("Attention", (3, 1), (5, 6), score_mode="concat"),
    case("Attention", (3, 6), (5, 1), score_mode="concat"),
    # Neither version checks the rank: rank 4 broadcasts the leading axes like matmul, and
    # rank 2 attends across the batch.
    case("Attention", (2, 3, 4), (2, 5, 4)),
    case("Attention", (2, 3, 4), (2, 5, 6), (1, 5, 4)),
    case("Attention", (1, 3, 4), (2, 5, 4), known_bug={"3": LEADING_AXES_BUG}),
    case("Attention", (4,), (4,)),
    # Refused: dot-product feature sizes, feature sizes that do not broadcast, key and value
    # lengths, leading axes, rank 1, lists of the wrong length, an invalid score_mode.
    case("Attention", (3, 4), (5, 6), error_code="AL105"),
    case("Attention", (4,), (5,), error_code="AL105"),
    case("Attention", (3, 4), (5, 6), score_mode="concat", error_code="AL105"),
    case("Attention", (3, 4), (5, 4), (6, 4), error_code="AL105"),
    # Variable lengths that must equal a fixed one: Keras builds, the forward pass fails.
    case("Attention", (None, 4), (None, 4), (5, 4), error_code="AL105"),
    case("Attention", (None, 4), (5, 4), (None, 4), error_code="AL105"),
    case("Attention", (3, None), (5, 4), error_code="AL105"),
    case("Attention", (2, 3, 4), (3, 5, 4), error_code="AL105"),
    case("Attention", (), (), error_code="AL104"),
    case("Attention", (3, 4), (5, 4), (5, 4), (5, 4), error_code="AL105"),
    case("Attention", (3, 4), error_code="AL105"),
    case("Attention", (3, 4), (5, 4), score_mode="bad", error_code="AL108"),
]

ADDITIVE = [
    case("AdditiveAttention", (3, 4), (5, 4)),
    case("AdditiveAttention", (3, 4), (5, 4), use_scale=False),
    case("AdditiveAttention", (None, 4), (None, 4)),
    case("AdditiveAttention", (None, 4), (7, 4)),
    case("AdditiveAttention", (3, 4), (None, 4), dropout=0.3),
    case("AdditiveAttention", (3, 4), (5, 6), (5, 4), use_scale=False),
    case("AdditiveAttention", (3, None), (5, None), use_scale=False),
    case("AdditiveAttention", (2, 3, 4), (2, 5, 4)),
    case("AdditiveAttention", (1, 3, 4), (2, 5, 4), known_bug={"3": LEADING_AXES_BUG}),
    case("AdditiveAttention", (4,), (4,)),
    # Keras 3 sizes the scale by the query's features, tf-keras by the value's (forward
    # passes: 4 weights in Keras 3, refused by tf-keras, whose scale of 6 meets 4 features).
    case("AdditiveAttention", (3, 4), (5, 6), (5, 4), refused_by=("2",)),
    # Feature sizes of 1 broadcast; the scale has 1 weight in Keras 3 where tf-keras has 4
    # (the value's), and the other way round: both forward passes succeed.
    case("AdditiveAttention", (3, 1), (5, 4), keras2_unknown=True),
    case("AdditiveAttention", (3, 4), (5, 1), keras2_unknown=True),
    # Keras 3 passes score_mode on to Attention, which checks and ignores it; tf-keras
    # rejects the keyword.
    case("AdditiveAttention", (3, 4), (5, 4), score_mode="concat", refused_by=("2",)),
    # Refused: the scale needs a known feature size, features that do not broadcast, key
    # and value lengths, an invalid score_mode, a bare tensor.
    case("AdditiveAttention", (3, None), (5, None), error_code="AL106"),
    case("AdditiveAttention", (3, 4), (5, 6), error_code="AL105"),
    case("AdditiveAttention", (3, 4), (5, 4), (6, 4), error_code="AL105"),
    case("AdditiveAttention", (None, 4), (None, 4), (5, 4), error_code="AL105"),
    case("AdditiveAttention", (3, 4), (5, 4), score_mode="bad", error_code="AL108"),
    case("AdditiveAttention", (3, 4), error_code="AL105"),
]

CASES = ATTENTION + ADDITIVE
