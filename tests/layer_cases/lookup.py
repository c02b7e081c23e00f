"""Vocabulary and index layers: TextVectorization, StringLookup, IntegerLookup, Hashing,
HashedCrossing, CategoryEncoding and Discretization, with given vocabularies (a vocabulary
``adapt`` fills is data: archlint keeps its size unknown, tests/test_preprocessing_layers.py).
"""

from tests.layer_cases import case

WORDS = ["the", "cat", "sat", "on"]
NUMBERS = [3, 7, 11, 12, 40]
# Keras 3 declares the rank of a (batch, 1) input kept before the vocabulary axis; the
# forward pass drops that axis.
K3_TEXT_INT_RANK_BUG = ("Keras 3's TextVectorization.compute_output_shape drops the axes "
                        "before a (..., 1) input's last one in output_mode='int'")
K3_UNSPLIT_BUG = ("Keras 3's TextVectorization.compute_output_shape gives (batch, ...) with "
                  "split=None where the call keeps, pads or folds the input's own axes")
K2_UNSPLIT_BUG = ("tf-keras's TextVectorization.compute_output_shape leaves the padded axis "
                  "undefined with split=None and output_sequence_length")
K3_HASHING_BUG = ("Keras 3's Hashing.compute_output_shape drops the batch axis of a "
                  "(batch,) input in output_mode='one_hot'")
K3_HASHING_RANK_BUG = ("Keras 3's Hashing.compute_output_shape drops the input's last axis "
                       "in output_mode='one_hot'")
K3_TEXT_RANK_BUG = ("Keras 3's TextVectorization.compute_output_shape keeps a (batch, 1) "
                    "input's last axis before the vocabulary axis; the call squeezes it")

CASES = [
    # TextVectorization, output_mode="int": one index per token (data decides how many)
    # unless output_sequence_length pads or truncates to it.
    case("TextVectorization", (), dtype="string", vocabulary=WORDS),
    case("TextVectorization", (1,), dtype="string", vocabulary=WORDS),
    case("TextVectorization", (), dtype="string", vocabulary=WORDS, output_sequence_length=6),
    case("TextVectorization", (1,), dtype="string", vocabulary=WORDS, output_sequence_length=6),
    case("TextVectorization", (1,), dtype="string", max_tokens=10, vocabulary=WORDS,
         output_sequence_length=6, ngrams=2),
    case("TextVectorization", (), dtype="string", vocabulary=WORDS, standardize=None,
         split="character", output_sequence_length=5),
    # split=None: each string is a token; Keras 3 declares an undefined token axis.
    case("TextVectorization", (), dtype="string", vocabulary=WORDS, split=None,
         known_bug={"3": K3_UNSPLIT_BUG}),
    case("TextVectorization", (3,), dtype="string", vocabulary=WORDS, split=None,
         known_bug={"3": K3_UNSPLIT_BUG}),
    case("TextVectorization", (3,), dtype="string", vocabulary=WORDS, split=None,
         output_sequence_length=2, known_bug={"2": K2_UNSPLIT_BUG}),
    # A (batch,) input unsplit: the batch axis is the one padded, or folded.
    case("TextVectorization", (), dtype="string", vocabulary=WORDS, split=None,
         output_sequence_length=3, known_bug={"3": K3_UNSPLIT_BUG, "2": K2_UNSPLIT_BUG}),
    case("TextVectorization", (), dtype="string", vocabulary=WORDS, split=None,
         output_mode="multi_hot", known_bug={"3": K3_UNSPLIT_BUG}),
    case("TextVectorization", (1,), dtype="string", vocabulary=WORDS, split=None,
         output_mode="count"),
    # Splitting needs one string per sample: Keras 3 fails at the forward pass.
    case("TextVectorization", (3,), dtype="string", vocabulary=WORDS, error_code="AL108"),
    case("TextVectorization", (2, 1), dtype="string", vocabulary=WORDS,
         output_sequence_length=4, known_bug={"3": K3_TEXT_INT_RANK_BUG}),
    case("TextVectorization", (), dtype="string", vocabulary=WORDS, ngrams=0),
    case("TextVectorization", (), dtype="string", vocabulary=WORDS, standardize="lower",
         output_sequence_length=0),
    case("TextVectorization", (), dtype="string", vocabulary=WORDS, output_mode="binary"),
    # multi_hot, count, tf_idf: one column per vocabulary entry plus the OOV one, or
    # max_tokens of them with pad_to_max_tokens.
    case("TextVectorization", (), dtype="string", vocabulary=WORDS, output_mode="multi_hot"),
    case("TextVectorization", (1,), dtype="string", vocabulary=WORDS, output_mode="multi_hot",
         known_bug={"3": K3_TEXT_RANK_BUG}),
    case("TextVectorization", (), dtype="string", vocabulary=WORDS, output_mode="count",
         max_tokens=8, pad_to_max_tokens=True),
    case("TextVectorization", (1,), dtype="string", vocabulary=WORDS, output_mode="count",
         max_tokens=8, pad_to_max_tokens=True, known_bug={"3": K3_TEXT_RANK_BUG}),
    case("TextVectorization", (), dtype="string", vocabulary=WORDS, output_mode="count",
         max_tokens=8),
    case("TextVectorization", (), dtype="string", vocabulary=WORDS, output_mode="tf_idf",
         idf_weights=[1.0, 2.0, 3.0, 4.0]),
    case("TextVectorization", (), dtype="string", vocabulary=WORDS, output_mode="multi_hot",
         ngrams=2),
    case("TextVectorization", (3,), dtype="string", vocabulary=WORDS, output_mode="multi_hot",
         split=None),
    # sparse=True changes the tensor's kind, not its shape.
    case("TextVectorization", (), dtype="string", vocabulary=WORDS, output_mode="count",
         sparse=True),
    # What Keras refuses.
    case("TextVectorization", (), dtype="string", vocabulary=WORDS, output_mode="multi_hot",
         output_sequence_length=4, error_code="AL108"),
    case("TextVectorization", (), dtype="string", vocabulary=WORDS, output_mode="tf_idf",
         error_code="AL108"),
    case("TextVectorization", (), dtype="string", vocabulary=WORDS, output_mode="one_hot",
         refused_by=("2",), error_code="AL108"),
    case("TextVectorization", (), dtype="string", vocabulary=WORDS, output_mode="onehot",
         error_code="AL108"),
    case("TextVectorization", (), dtype="string", vocabulary=WORDS, max_tokens=3,
         error_code="AL108"),
    case("TextVectorization", (), dtype="string", vocabulary=WORDS, max_tokens=1,
         error_code="AL108"),
    case("TextVectorization", (), dtype="string", vocabulary=WORDS, output_mode="multi_hot",
         max_tokens=5),
    case("TextVectorization", (), dtype="string", vocabulary=WORDS, output_mode="multi_hot",
         pad_to_max_tokens=True, error_code="AL108"),
    case("TextVectorization", (), dtype="string", vocabulary=WORDS, output_mode="multi_hot",
         idf_weights=[1.0, 1.0, 1.0, 1.0], error_code="AL108"),
    case("TextVectorization", (), dtype="string", vocabulary=WORDS, split="space",
         error_code="AL108"),
    case("TextVectorization", (), dtype="string", vocabulary=WORDS, standardize="upper",
         error_code="AL108"),
    case("TextVectorization", (), dtype="string", vocabulary=WORDS, output_sequence_length=-1,
         error_code="AL108"),
    # StringLookup and IntegerLookup: int keeps the input's shape; the other modes add or
    # replace the last axis by the vocabulary's.
    case("StringLookup", (), dtype="string", vocabulary=WORDS),
    case("StringLookup", (3,), dtype="string", vocabulary=WORDS, num_oov_indices=2,
         mask_token=""),
    case("StringLookup", (2, 3), dtype="string", vocabulary=WORDS),
    case("StringLookup", (), dtype="string", vocabulary=WORDS, output_mode="one_hot"),
    case("StringLookup", (1,), dtype="string", vocabulary=WORDS, output_mode="one_hot"),
    case("StringLookup", (3,), dtype="string", vocabulary=WORDS, output_mode="one_hot",
         refused_by=("2",), error_code="AL108"),
    case("StringLookup", (3,), dtype="string", vocabulary=WORDS, output_mode="multi_hot"),
    case("StringLookup", (), dtype="string", vocabulary=WORDS, output_mode="multi_hot"),
    case("StringLookup", (3,), dtype="string", vocabulary=WORDS, output_mode="count",
         num_oov_indices=3),
    case("StringLookup", (3,), dtype="string", vocabulary=WORDS, output_mode="multi_hot",
         mask_token="[MASK]"),
    case("StringLookup", (3,), dtype="string", vocabulary=WORDS, output_mode="tf_idf",
         idf_weights=[1.0, 2.0, 3.0, 4.0]),
    case("StringLookup", (3,), dtype="string", vocabulary=WORDS, output_mode="multi_hot",
         max_tokens=9, pad_to_max_tokens=True),
    case("StringLookup", (3,), dtype="string", vocabulary=WORDS, output_mode="binary"),
    case("StringLookup", (3,), dtype="string", vocabulary=WORDS, max_tokens=9),
    case("StringLookup", (3,), dtype="string", vocabulary=WORDS, output_mode="multi_hot",
         sparse=True),
    case("StringLookup", (2, 3), dtype="string", vocabulary=WORDS, output_mode="one_hot",
         refused_by=("2",), error_code="AL108"),
    case("StringLookup", (3,), dtype="int64", vocabulary=WORDS, invert=True),
    case("StringLookup", (3,), dtype="string", vocabulary=WORDS, max_tokens=4,
         error_code="AL108"),
    case("StringLookup", (3,), dtype="string", vocabulary=WORDS, output_mode="tf_idf",
         error_code="AL108"),
    case("StringLookup", (3,), dtype="string", vocabulary=WORDS, output_mode="one_hot",
         invert=True, error_code="AL108"),
    case("StringLookup", (3,), dtype="string", vocabulary=WORDS, num_oov_indices=-1,
         error_code="AL108"),
    case("StringLookup", (3,), dtype="string", vocabulary=WORDS, output_mode="onehot",
         error_code="AL108"),
    case("IntegerLookup", (), dtype="int64", vocabulary=NUMBERS),
    case("IntegerLookup", (3,), dtype="int64", vocabulary=NUMBERS, output_mode="multi_hot"),
    case("IntegerLookup", (3,), dtype="int64", vocabulary=NUMBERS, output_mode="count",
         mask_token=0, num_oov_indices=2),
    case("IntegerLookup", (), dtype="int64", vocabulary=NUMBERS, output_mode="one_hot"),
    case("IntegerLookup", (3,), dtype="int64", vocabulary=NUMBERS, output_mode="multi_hot",
         max_tokens=12, pad_to_max_tokens=True),
    case("IntegerLookup", (3,), dtype="int64", vocabulary=NUMBERS, invert=True),
    case("IntegerLookup", (3,), dtype="int64", vocabulary=NUMBERS, output_mode="tf_idf",
         idf_weights=[1.0, 1.0, 1.0, 1.0, 1.0]),
    # Hashing: int keeps the shape; one_hot/multi_hot/count are num_bins wide.
    case("Hashing", (3,), num_bins=5, dtype="int64"),
    case("Hashing", (), dtype="string", num_bins=5),
    case("Hashing", (3,), dtype="string", num_bins=5, mask_value="", salt=7),
    case("Hashing", (), dtype="string", num_bins=4, output_mode="one_hot",
         known_bug={"3": K3_HASHING_BUG}),
    case("Hashing", (1,), dtype="string", num_bins=4, output_mode="one_hot"),
    case("Hashing", (3,), dtype="string", num_bins=4, output_mode="one_hot",
         refused_by=("2",), error_code="AL108", known_bug={"3": K3_HASHING_RANK_BUG}),
    case("Hashing", (3,), dtype="string", num_bins=4, output_mode="multi_hot"),
    case("Hashing", (3,), dtype="int64", num_bins=4, output_mode="count"),
    case("Hashing", (3,), dtype="string", num_bins=0, error_code="AL108"),
    case("Hashing", (3,), dtype="string", num_bins=4, output_mode="tf_idf",
         error_code="AL108"),
    # HashedCrossing: two or more features crossed into num_bins buckets.
    case("HashedCrossing", (), (), num_bins=6, dtype="int64"),
    case("HashedCrossing", (1,), (1,), num_bins=6, dtype="int64"),
    case("HashedCrossing", (), (), num_bins=6, output_mode="one_hot", dtype="int64"),
    case("HashedCrossing", (1,), (1,), num_bins=6, output_mode="one_hot", dtype="int64"),
    case("HashedCrossing", (3,), (3,), num_bins=6, dtype="int64", error_code="AL108"),
    # CategoryEncoding: integer indices below num_tokens to one_hot/multi_hot/count rows.
    case("CategoryEncoding", (3,), num_tokens=6, dtype="int64"),
    case("CategoryEncoding", (), num_tokens=6, output_mode="one_hot", dtype="int64"),
    case("CategoryEncoding", (1,), num_tokens=6, output_mode="one_hot", dtype="int64"),
    case("CategoryEncoding", (3,), num_tokens=6, output_mode="one_hot", dtype="int64",
         refused_by=("2",), error_code="AL108"),
    case("CategoryEncoding", (2, 3), num_tokens=6, output_mode="one_hot", dtype="int64",
         refused_by=("2",), error_code="AL108"),
    case("CategoryEncoding", (), num_tokens=6, output_mode="multi_hot", dtype="int64"),
    case("CategoryEncoding", (3,), num_tokens=6, output_mode="count", dtype="int64"),
    case("CategoryEncoding", (3,), num_tokens=6, sparse=True, dtype="int64"),
    case("CategoryEncoding", (3,), output_mode="count", dtype="int64", error_code="AL108"),
    case("CategoryEncoding", (3,), num_tokens=0, dtype="int64", error_code="AL108"),
    case("CategoryEncoding", (3,), num_tokens=6, output_mode="tf_idf", dtype="int64",
         error_code="AL108"),
    # Discretization: bucket indices (int keeps the shape) or one column per bucket.
    case("Discretization", (3,), bin_boundaries=[0.0, 1.0, 2.0]),
    case("Discretization", (), bin_boundaries=[0.0, 1.0, 2.0], output_mode="one_hot"),
    case("Discretization", (3,), bin_boundaries=[0.0, 1.0, 2.0], output_mode="one_hot",
         refused_by=("2",), error_code="AL108"),
    case("Discretization", (3,), bin_boundaries=[0.0, 1.0, 2.0], output_mode="multi_hot"),
    case("Discretization", (3,), bin_boundaries=[-1.0, 1.0], output_mode="count"),
    case("Discretization", (2, 3), bin_boundaries=[0.5], output_mode="one_hot",
         refused_by=("2",), error_code="AL108"),
    case("Discretization", (3,), num_bins=4, bin_boundaries=[0.0, 1.0],
         error_code="AL108"),
    # tf-keras accepts neither (adapt sets the bins).
    case("Discretization", (3,), error_code="AL108", refused_by=("3",)),
]
