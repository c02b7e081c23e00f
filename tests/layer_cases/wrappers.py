"""Bidirectional and TimeDistributed: merge modes, symmetric and asymmetric halves, states,
the configurations Keras refuses, and Keras 3's declared-shape bug (keras-team/keras#23688:
Bidirectional.compute_output_shape uses the forward layer for both halves)."""

from dataclasses import replace

from tests.layer_cases import LayerCase, case, layer

K3_BIDI_BUG = {"3": "keras-team/keras#23688 Bidirectional declares the forward layer's output "
                    "and states for the backward half"}

CASES = [
    # Symmetric: backward_layer defaults to a copy of layer with go_backwards=True.
    case("Bidirectional", (None, 32), layer=layer("LSTM", units=24)),
    case("Bidirectional", (None, 32), layer=layer("LSTM", units=8, return_sequences=True),
         merge_mode="sum"),
    case("Bidirectional", (7, 12), layer=layer("GRU", units=6, return_sequences=True),
         merge_mode="mul"),
    case("Bidirectional", (None, 12), layer=layer("SimpleRNN", units=5), merge_mode="ave"),
    case("Bidirectional", (None, 12), layer=layer("LSTM", units=6, return_sequences=True),
         merge_mode=None),
    case("Bidirectional", (None, 12),
         layer=layer("GRU", units=6, return_sequences=True, reset_after=False,
                     use_bias=False)),
    # return_state: [merged, forward states..., backward states...].
    case("Bidirectional", (None, 32), layer=layer("LSTM", units=16, return_state=True)),
    case("Bidirectional", (None, 32),
         layer=layer("LSTM", units=16, return_state=True, return_sequences=True)),
    case("Bidirectional", (None, 32), layer=layer("GRU", units=16, return_state=True),
         merge_mode=None),
    # Explicit backward layer: same width, other class or roles swapped.
    case("Bidirectional", (5, 40), layer=layer("LSTM", units=24, return_sequences=True),
         backward_layer=layer("GRU", units=24, return_sequences=True, go_backwards=True)),
    case("Bidirectional", (None, 32), layer=layer("SimpleRNN", units=16, go_backwards=True),
         backward_layer=layer("GRU", units=16)),
    # Element-wise merge with a width-1 half broadcasts (both versions run it).
    case("Bidirectional", (None, 32), layer=layer("LSTM", units=24),
         backward_layer=layer("GRU", units=1, go_backwards=True), merge_mode="sum"),
    # Asymmetric halves: Keras 3 declares the forward layer's width/states twice, its
    # forward pass (and tf-keras) produce the real ones.
    case("Bidirectional", (5, 32), layer=layer("LSTM", units=24, return_sequences=True),
         backward_layer=layer("GRU", units=16, return_sequences=True, go_backwards=True),
         known_bug=K3_BIDI_BUG),
    case("Bidirectional", (None, 32), layer=layer("LSTM", units=24),
         backward_layer=layer("GRU", units=16, go_backwards=True), known_bug=K3_BIDI_BUG),
    case("Bidirectional", (None, 32), layer=layer("LSTM", units=24),
         backward_layer=layer("GRU", units=16, go_backwards=True), merge_mode=None,
         known_bug=K3_BIDI_BUG),
    # Keras 3 declares width 1 (the forward's), the product broadcasts to 24.
    case("Bidirectional", (None, 32), layer=layer("LSTM", units=1),
         backward_layer=layer("GRU", units=24, go_backwards=True), merge_mode="mul",
         known_bug=K3_BIDI_BUG),
    case("Bidirectional", (None, 32), layer=layer("LSTM", units=24, return_state=True),
         backward_layer=layer("GRU", units=16, go_backwards=True, return_state=True),
         known_bug=K3_BIDI_BUG),
    # Same units, other class: Keras 3 declares 2 LSTM states for the GRU half (5 outputs, 4 real).
    case("Bidirectional", (None, 32), layer=layer("LSTM", units=16, return_state=True),
         backward_layer=layer("GRU", units=16, go_backwards=True, return_state=True),
         merge_mode="ave", known_bug=K3_BIDI_BUG),
    # ... and 1 GRU state for the LSTM half (3 outputs, 4 real).
    case("Bidirectional", (None, 32), layer=layer("GRU", units=16, return_state=True),
         backward_layer=layer("LSTM", units=16, go_backwards=True, return_state=True),
         merge_mode=None, known_bug=K3_BIDI_BUG),
    # Any recurrent layer with go_backwards: ConvLSTM (concatenated on the last axis).
    case("Bidirectional", (None, 10, 3), layer=layer("ConvLSTM1D", filters=2, kernel_size=3)),
    # Refused: element-wise merge of different widths (tf-keras at build, Keras 3 at run).
    case("Bidirectional", (None, 32), layer=layer("LSTM", units=24),
         backward_layer=layer("GRU", units=16, go_backwards=True), merge_mode="sum",
         error_code="AL203"),
    # Refused at construction: equal go_backwards, differing common attributes.
    case("Bidirectional", (None, 32), layer=layer("LSTM", units=16),
         backward_layer=layer("LSTM", units=16), error_code="AL201"),
    case("Bidirectional", (None, 32), layer=layer("LSTM", units=16),
         backward_layer=layer("LSTM", units=16, go_backwards=True, return_sequences=True),
         error_code="AL202"),
    case("Bidirectional", (None, 32), layer=layer("LSTM", units=16, return_state=True),
         backward_layer=layer("LSTM", units=16, go_backwards=True), error_code="AL202"),
    case("Bidirectional", (None, 32), layer=layer("GRU", units=16),
         backward_layer=layer("GRU", units=16, go_backwards=True, stateful=True),
         error_code="AL202"),
    # Keras 3 copies layer with go_backwards=True, equal to the forward's: refused. tf-keras
    # flips go_backwards for the copy and builds it ((None, 32) here).
    case("Bidirectional", (None, 32), layer=layer("LSTM", units=16, go_backwards=True),
         error_code="AL201", refused_by=("3",)),
    # Refused: invalid merge_mode, a non-recurrent layer, inputs the RNN refuses.
    case("Bidirectional", (None, 32), layer=layer("LSTM", units=16), merge_mode="max",
         error_code="AL108"),
    case("Bidirectional", (None, 32), layer=layer("Dense", units=16), error_code="AL108"),
    case("Bidirectional", (32,), layer=layer("LSTM", units=16), error_code="AL104"),
    case("Bidirectional", (0, 32), layer=layer("LSTM", units=16), error_code="AL101"),
    case("Bidirectional", (5, 32), layer=layer("LSTM", units=16, stateful=True),
         error_code="AL106"),
    # TimeDistributed: the wrapped layer sees (batch, *input[2:]).
    case("TimeDistributed", (5, 7), layer=layer("Dense", units=3)),
    case("TimeDistributed", (None, 7), layer=layer("Dense", units=3, use_bias=False)),
    case("TimeDistributed", (4, 6, 7), layer=layer("Dense", units=3)),
    case("TimeDistributed", (None, None, 3), layer=layer("Dense", units=4)),
    case("TimeDistributed", (2, 6, 3), layer=layer("LSTM", units=4)),
    case("TimeDistributed", (3, None, 5), layer=layer("GRU", units=2, return_sequences=True)),
    case("TimeDistributed", (2, 6, 3), layer=layer("Bidirectional",
                                                   layer=layer("LSTM", units=4))),
    # The nested Bidirectional's bug shows through TimeDistributed in Keras 3 (8 for 6).
    case("TimeDistributed", (2, 6, 3),
         layer=layer("Bidirectional", layer=layer("LSTM", units=4),
                     backward_layer=layer("GRU", units=2, go_backwards=True)),
         known_bug=K3_BIDI_BUG),
    case("TimeDistributed", (None, 10, 3), layer=layer("Conv1D", filters=4, kernel_size=3)),
    case("TimeDistributed", (3, 9, 2), layer=layer("Conv1D", filters=4, kernel_size=3,
                                                   strides=2, padding="same")),
    # Refused: a kernel longer than each step (tf-keras refuses at build, though its forward
    # pass returns an empty axis); per-step 2-D input for a Conv1D.
    case("TimeDistributed", (None, 10, 3), layer=layer("Conv1D", filters=4, kernel_size=11),
         error_code="AL101"),
    case("TimeDistributed", (4, 10), layer=layer("Conv1D", filters=4, kernel_size=3),
         error_code="AL104"),
    # Refused: fewer than 3 axes; per-step input the wrapped layer refuses; several outputs.
    case("TimeDistributed", (5,), layer=layer("Dense", units=3), error_code="AL104"),
    case("TimeDistributed", (2, 6, None), layer=layer("LSTM", units=4), error_code="AL106"),
    case("TimeDistributed", (2, 6, 3), layer=layer("LSTM", units=4, return_state=True),
         error_code="AL108"),
    # An empty time axis: Keras 3 fails stacking zero steps; tf-keras returns (batch, 0, 3).
    case("TimeDistributed", (0, 7), layer=layer("Dense", units=3), error_code="AL101",
         refused_by=("3",)),
]


def _one_length(c: LayerCase) -> LayerCase:
    """A time axis passes through these layers untouched: one forward length is enough (RNN
    forward passes are slow)."""
    if c.lengths == (9, 23) and any(d is None for s in c.input_shapes for d in s):
        return replace(c, lengths=(6,))
    return c


CASES = [_one_length(c) for c in CASES]
