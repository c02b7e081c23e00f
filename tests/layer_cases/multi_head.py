"""Multi-head attention called on separate tensors, ``layer(query, value[, key])``:
MultiHeadAttention in both versions, GroupQueryAttention (Keras 3 only: tf-keras has no
such class, so every case is refused by tf-keras). Self- and cross-attention, different
and variable lengths and feature sizes, every option that changes a shape or a weight,
attention scores, inputs of rank 4 with attention axes, and the calls Keras refuses.
"""

from tests.layer_cases import case

# Keras 3 declares the scores (batch, heads, Tq, Tq) from the query alone; the forward pass
# gives (batch, heads, Tq, Tv), and more axes for inputs of rank 4.
SCORES_BUG = ("MultiHeadAttention.compute_output_spec declares the attention scores "
              "(batch, heads, Tq, Tq), whatever the key's length and the rank")
SCORES = {"return_attention_scores": True}
K2 = ("2",)

MULTI_HEAD = [
    # Self-attention, cross-attention, a key of its own.
    case("MultiHeadAttention", (6, 16), (6, 16), num_heads=2, key_dim=8),
    case("MultiHeadAttention", (None, 16), (None, 16), num_heads=4, key_dim=4),
    case("MultiHeadAttention", (3, 16), (5, 6), num_heads=2, key_dim=8),
    case("MultiHeadAttention", (None, 16), (5, 6), num_heads=2, key_dim=8),
    case("MultiHeadAttention", (3, 16), (5, 6), (5, 10), num_heads=2, key_dim=8),
    case("MultiHeadAttention", (None, 16), (None, 6), (None, 10), num_heads=3, key_dim=5),
    # Options that change the weights.
    case("MultiHeadAttention", (3, 16), (5, 6), num_heads=2, key_dim=8, value_dim=3),
    case("MultiHeadAttention", (3, 16), (5, 6), num_heads=2, key_dim=8, use_bias=False),
    case("MultiHeadAttention", (3, 16), (5, 6), num_heads=2, key_dim=8, output_shape=7),
    case("MultiHeadAttention", (3, 16), (5, 6), num_heads=2, key_dim=8, output_shape=(2, 5)),
    case("MultiHeadAttention", (3, 16), (5, 6), num_heads=2, key_dim=8, output_shape=[4]),
    case("MultiHeadAttention", (3, 16), (5, 6), num_heads=2, key_dim=8, dropout=0.1),
    # Keras 3 options tf-keras does not take.
    case("MultiHeadAttention", (3, 16), (5, 6), num_heads=2, key_dim=8, dropout=0.1, seed=1,
         refused_by=K2),
    case("MultiHeadAttention", (3, 16), (5, 6), num_heads=2, key_dim=8, use_gate=True,
         refused_by=K2),
    # Scores: a second output.
    case("MultiHeadAttention", (6, 16), (6, 16), num_heads=2, key_dim=8, call=SCORES),
    case("MultiHeadAttention", (3, 16), (5, 6), num_heads=2, key_dim=8, call=SCORES,
         known_bug={"3": SCORES_BUG}),
    case("MultiHeadAttention", (None, 16), (None, 6), num_heads=2, key_dim=8, call=SCORES),
    case("MultiHeadAttention", (4, 16), (4, 16), num_heads=2, key_dim=8,
         call={"use_causal_mask": True}),
    case("MultiHeadAttention", (3, 16), (5, 16), num_heads=2, key_dim=8,
         call={"use_causal_mask": True, "return_attention_scores": True},
         known_bug={"3": SCORES_BUG}),
    # Rank 4: attention over axes 1 and 2 by default, or the ones given.
    case("MultiHeadAttention", (2, 3, 8), (2, 5, 8), num_heads=2, key_dim=4),
    case("MultiHeadAttention", (2, 3, 8), (4, 5, 8), num_heads=2, key_dim=4, call=SCORES,
         known_bug={"3": SCORES_BUG}),
    case("MultiHeadAttention", (2, 3, 8), (2, 5, 8), num_heads=2, key_dim=4,
         attention_axes=(2,), call=SCORES, known_bug={"3": SCORES_BUG}),
    case("MultiHeadAttention", (2, 3, 8), (2, 5, 8), num_heads=2, key_dim=4,
         attention_axes=2),
    # tf-keras reads a negative axis against the projected heads' rank (-2: the heads), not
    # the input's: where it builds, archlint gives a tf-keras script an unknown; here its
    # einsum pairs lengths 3 and 5 and fails, so the case is Keras 3's only.
    case("MultiHeadAttention", (2, 3, 8), (2, 5, 8), num_heads=2, key_dim=4,
         attention_axes=(-2,), call=SCORES, known_bug={"3": SCORES_BUG}, versions=("3",)),
    case("MultiHeadAttention", (2, 3, 8), (2, 3, 8), num_heads=2, key_dim=4,
         attention_axes=(-2,), keras2_unknown=True),
    case("MultiHeadAttention", (2, 3, 8), (2, 5, 8), num_heads=2, key_dim=4,
         attention_axes=(1,)),
    # Rank 5: the scores list the attention axes in the order given.
    case("MultiHeadAttention", (2, 3, 4, 6), (2, 5, 7, 6), num_heads=2, key_dim=4,
         attention_axes=(3, 2), call=SCORES, known_bug={"3": SCORES_BUG}),
    case("MultiHeadAttention", (2, 3, 4, 6), (2, 3, 7, 6), num_heads=2, key_dim=4,
         attention_axes=(1, 3), call=SCORES, known_bug={"3": SCORES_BUG}),
    # Refused: key and value lengths, batch axes that differ, ranks, options.
    case("MultiHeadAttention", (3, 16), (5, 6), (4, 6), num_heads=2, key_dim=8,
         error_code="AL105"),
    case("MultiHeadAttention", (3, 16), (None, 6), (5, 6), num_heads=2, key_dim=8,
         error_code="AL105"),
    case("MultiHeadAttention", (2, 3, 8), (4, 5, 8), num_heads=2, key_dim=4,
         attention_axes=(2,), error_code="AL105"),
    case("MultiHeadAttention", (3, 16), (2, 5, 6), num_heads=2, key_dim=8),
    case("MultiHeadAttention", (16,), (16,), num_heads=2, key_dim=8),
    # tf-keras builds no heads at all (only the output bias); Keras 3 refuses.
    case("MultiHeadAttention", (3, 16), (5, 6), num_heads=0, key_dim=8, error_code="AL108",
         refused_by=("3",)),
    case("MultiHeadAttention", (3, 16), (5, 6), num_heads=2, key_dim=-1, error_code="AL108"),
    case("MultiHeadAttention", (3, 16), num_heads=2, key_dim=8, error_code="AL105"),
    case("MultiHeadAttention", (3, 16), (5, 6), key_dim=8, error_code="AL108"),
]

GROUP_QUERY = [
    case("GroupQueryAttention", (6, 16), (6, 16), head_dim=8, num_query_heads=4,
         num_key_value_heads=2, refused_by=K2),
    case("GroupQueryAttention", (None, 16), (None, 16), head_dim=4, num_query_heads=4,
         num_key_value_heads=4, refused_by=K2),
    case("GroupQueryAttention", (3, 16), (5, 16), (5, 6), head_dim=8, num_query_heads=4,
         num_key_value_heads=1, refused_by=K2),
    case("GroupQueryAttention", (3, 16), (5, 16), head_dim=8, num_query_heads=4,
         num_key_value_heads=2, use_bias=False, refused_by=K2),
    case("GroupQueryAttention", (3, 16), (5, 16), head_dim=8, num_query_heads=4,
         num_key_value_heads=2, use_gate=True, refused_by=K2),
    case("GroupQueryAttention", (3, 16), (5, 16), head_dim=8, num_query_heads=4,
         num_key_value_heads=2, call=SCORES, refused_by=K2),
    case("GroupQueryAttention", (None, 16), (None, 16), head_dim=8, num_query_heads=2,
         num_key_value_heads=2, call={"use_causal_mask": True}, refused_by=K2),
    # Refused by both: tf-keras has no such layer.
    case("GroupQueryAttention", (3, 16), (5, 6), head_dim=8, num_query_heads=4,
         num_key_value_heads=2, error_code="AL105"),
    case("GroupQueryAttention", (3, 16), (5, 16), head_dim=8, num_query_heads=4,
         num_key_value_heads=3, error_code="AL108"),
    case("GroupQueryAttention", (3, 16), (5, 16), (4, 16), head_dim=8, num_query_heads=4,
         num_key_value_heads=2, error_code="AL105"),
    case("GroupQueryAttention", (2, 3, 16), (2, 5, 16), head_dim=8, num_query_heads=4,
         num_key_value_heads=2),
]

CASES = [*MULTI_HEAD, *GROUP_QUERY]
