"""RNN(cell) with SimpleRNNCell, GRUCell and LSTMCell, a list of cells and StackedRNNCells:
the options of the RNN, the cells' own, Bidirectional around an RNN, and what Keras refuses."""

from tests.layer_cases import case, layer

LSTM8 = layer("LSTMCell", units=8)
GRU4 = layer("GRUCell", units=4)
SIMPLE6 = layer("SimpleRNNCell", units=6)

CASES = [
    # One cell: the shapes and weights of the matching recurrent layer.
    case("RNN", (5, 12), cell=LSTM8),
    case("RNN", (None, 12), cell=GRU4, return_sequences=True),
    case("RNN", (None, 12), cell=layer("GRUCell", units=4, reset_after=False)),
    case("RNN", (5, 12), cell=layer("SimpleRNNCell", units=6, use_bias=False),
         return_sequences=True, go_backwards=True),
    case("RNN", (None, 12), cell=LSTM8, return_state=True),
    case("RNN", (None, 12), cell=GRU4, return_sequences=True, return_state=True),
    case("RNN", (5, 12), cell=SIMPLE6, return_state=True, unroll=True),
    # Stacked: each cell reads the previous one's output; states of single-state cells.
    case("RNN", (5, 12), cell=[GRU4, SIMPLE6]),
    case("RNN", (None, 12), cell=[LSTM8, GRU4], return_sequences=True),
    case("RNN", (5, 12), cell=layer("StackedRNNCells", cells=[LSTM8, SIMPLE6])),
    case("RNN", (5, 12), cell=layer("StackedRNNCells", cells=[GRU4]), go_backwards=True),
    # Bidirectional around an RNN of a cell: the backward copy has the same weights.
    case("Bidirectional", (None, 12), layer=layer("RNN", cell=GRU4)),
    case("Bidirectional", (5, 12), layer=layer("RNN", cell=LSTM8, return_sequences=True),
         merge_mode="sum"),
    case("Bidirectional", (5, 12), layer=layer("RNN", cell=[GRU4, SIMPLE6]), merge_mode=None),
    case("Bidirectional", (5, 12), layer=layer("RNN", cell=SIMPLE6, return_state=True)),
    # Refused: inputs every recurrent layer refuses.
    case("RNN", (12,), cell=LSTM8, error_code="AL104"),
    case("RNN", (5, None), cell=GRU4, error_code="AL106"),
    case("RNN", (0, 12), cell=SIMPLE6, error_code="AL101"),
    case("RNN", (5, 12), cell=LSTM8, stateful=True, error_code="AL106"),
    # Refused: a cell Keras refuses, a layer that is not a cell, no cell at all.
    case("RNN", (5, 12), cell=layer("LSTMCell", units=0), error_code="AL108"),
    case("RNN", (5, 12), cell=layer("Dense", units=4), error_code="AL108"),
    # tf-keras runs an empty list of cells as a step that returns its input.
    case("RNN", (5, 12), cell=[], error_code="AL108", refused_by=("3",)),
    case("StackedRNNCells", (5, 12), cells=[], error_code="AL108"),
]
