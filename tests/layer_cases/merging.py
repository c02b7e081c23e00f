"""Merge layers: elementwise broadcasting (axes of 1, different ranks, several inputs),
Concatenate on every kind of axis, Dot with every form of ``axes``, symbolic lengths, and
the inputs Keras refuses.

A case with one input shape calls the layer on a bare tensor, which every merge refuses
("should be called on a list of inputs"). Both versions also accept a list of one tensor,
which these cases cannot express.
"""

from tests.layer_cases import case

CASES = [
    # Elementwise merges: broadcasting axes of 1, lower-rank inputs, several inputs.
    case("Add", (None, 3), (None, 3)),
    case("Add", (1, 3), (4, 1)),
    case("Add", (3,), (4, 3)),
    case("Add", (4,), (1,), (4,)),
    case("Add", (None, 3), (1, 3)),
    case("Add", (3,), (4,), error_code="AL105"),
    # A variable length against a fixed one: Keras builds, the forward pass fails.
    case("Add", (None, 3), (7, 3), error_code="AL105"),
    case("Add", (3,), error_code="AL105"),
    case("Subtract", (None, 5), (1, 5)),
    case("Subtract", (5,), (5,), (5,), error_code="AL105"),
    case("Multiply", (2, 1), (1, 7)),
    case("Average", (None, 8), (None, 8), (None, 1)),
    case("Maximum", (3, 4), (4,)),
    case("Minimum", (2, 3), (3, 3), error_code="AL105"),
    # Concatenate: symbolic sizes on and off the concatenation axis; no broadcasting.
    case("Concatenate", (5, 3), (5, 4), (5, 1), axis=-1),
    case("Concatenate", (2, 3), (4, 3), axis=1),
    case("Concatenate", (None, 3), (None, 4)),
    case("Concatenate", (None, 3), (5, 3), axis=1),
    case("Concatenate", (None, 3), (None, 3), axis=1),
    # axis=0 is the batch axis: both versions concatenate the batches.
    case("Concatenate", (2, 3), (2, 3), axis=0),
    case("Concatenate", (2, 3), (4, 3), error_code="AL105"),
    case("Concatenate", (1, 3), (2, 3), error_code="AL105"),
    case("Concatenate", (3,), (2, 3), error_code="AL105"),
    case("Concatenate", (None, 3), (5, 4), error_code="AL105"),
    case("Concatenate", (2, 3), (2, 3), axis=3, error_code="AL108"),
    # Dot: int and pair axes, negative axes, rank-2 inputs, normalize.
    case("Dot", (4,), (4,), axes=1),
    case("Dot", (3, 5), (7, 3), axes=(1, 2), normalize=True),
    case("Dot", (3, 5), (5, 7), axes=[-1, 1]),
    case("Dot", (5,), (7, 5), axes=-1),
    case("Dot", (7, 5), (5,), axes=-1),
    case("Dot", (3, 4, 5), (4, 6), axes=(2, 1)),
    case("Dot", (None, 3), (None, 5), axes=1),
    case("Dot", (4,), (5,), axes=1, error_code="AL105"),
    # Keras compares the contracted sizes when it builds: None (variable) != 3.
    case("Dot", (None, 3), (3, 5), axes=(1, 1), error_code="AL105"),
    case("Dot", (4,), (4,), axes=0, error_code="AL108"),
    case("Dot", (4, 5), (4, 5), axes=3, error_code="AL108"),
]
