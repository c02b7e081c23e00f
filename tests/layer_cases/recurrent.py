"""SimpleRNN, GRU, LSTM and ConvLSTM1D/2D/3D: every option that changes a shape or a
parameter count, symbolic time axes, and the inputs Keras refuses."""

from dataclasses import replace

from tests.layer_cases import LayerCase, case

CASES = [
    # LSTM: 4 gates, states h and c.
    case("LSTM", (5, 32), units=24),
    case("LSTM", (5, 32), units=24, use_bias=False),
    case("LSTM", (None, 32), units=8, return_sequences=True),
    case("LSTM", (None, 32), units=8, return_state=True),
    case("LSTM", (None, 32), units=8, return_sequences=True, return_state=True),
    case("LSTM", (5, 32), units=4, return_sequences=True, go_backwards=True),
    case("LSTM", (5, 32), units=4, unroll=True),
    case("LSTM", (1, 3), units=4, return_sequences=True),
    # GRU: 3 gates; reset_after=True (default) has two bias vectors per gate.
    case("GRU", (5, 32), units=16),
    case("GRU", (5, 32), units=16, reset_after=False),
    case("GRU", (5, 32), units=16, use_bias=False),
    case("GRU", (5, 32), units=16, use_bias=False, reset_after=False),
    case("GRU", (None, 32), units=8, return_state=True),
    case("GRU", (None, 32), units=4, return_sequences=True, return_state=True,
         go_backwards=True, reset_after=False),
    # SimpleRNN: one gate, one state.
    case("SimpleRNN", (5, 32), units=16),
    case("SimpleRNN", (5, 32), units=16, use_bias=False),
    case("SimpleRNN", (None, 32), units=8, return_sequences=True, return_state=True),
    case("SimpleRNN", (None, 6), units=3, go_backwards=True),
    case("SimpleRNN", (5, 32), units=4, return_sequences=True, unroll=True),
    # Refused: a 2-D input (the previous RNN lacks return_sequences=True), a 4-D input.
    case("LSTM", (32,), units=8, error_code="AL104"),
    case("SimpleRNN", (2, 3, 32), units=8, error_code="AL104"),
    # Refused: an undefined feature axis (the kernel needs it).
    case("LSTM", (5, None), units=8, error_code="AL106"),
    # Refused: stateful=True with an undefined batch size.
    case("LSTM", (5, 32), units=8, stateful=True, error_code="AL106"),
    # Refused: no timestep (both versions fail slicing the first step).
    case("LSTM", (0, 32), units=4, error_code="AL101"),
    case("GRU", (0, 32), units=4, return_sequences=True, error_code="AL101"),
    # Refused at construction: units <= 0.
    case("LSTM", (5, 32), units=0, error_code="AL108"),
    case("SimpleRNN", (5, 32), units=-1, error_code="AL108"),
    # unroll=True on an undefined time axis: tf-keras refuses at build ("Unrolling requires a
    # fixed number of timesteps"); Keras 3 declares it (its compute_output_shape never runs
    # call) and refuses in call ("Cannot unroll a RNN if the time dimension is undefined")
    # whenever it is traced on that undefined axis, while its forward passes on concrete
    # lengths succeed.
    case("LSTM", (None, 32), units=8, unroll=True, error_code="AL106", versions=("2",)),
    # time_major is tf-keras only: Keras 3 refuses the keyword at construction, while tf-keras
    # reads axis 0 as time (on this input it returns (5, 4)).
    case("LSTM", (5, 32), units=4, time_major=True, error_code="AL108", refused_by=("3",)),
    # ConvLSTM: a ConvND per step (kernel_size, strides, padding, dilation_rate, data_format).
    case("ConvLSTM1D", (4, 10, 3), filters=5, kernel_size=3),
    case("ConvLSTM1D", (None, 10, 3), filters=5, kernel_size=3, return_sequences=True,
         return_state=True),
    case("ConvLSTM1D", (4, 10, 3), filters=5, kernel_size=3, padding="same", strides=2),
    case("ConvLSTM1D", (4, 10, 3), filters=5, kernel_size=3, strides=3),
    case("ConvLSTM1D", (4, 10, 3), filters=5, kernel_size=3, dilation_rate=2, use_bias=False),
    case("ConvLSTM2D", (3, 8, 9, 2), filters=4, kernel_size=3),
    case("ConvLSTM2D", (None, 8, 9, 2), filters=4, kernel_size=(3, 2), strides=(2, 1),
         padding="same", return_sequences=True),
    case("ConvLSTM2D", (3, 8, 9, 2), filters=4, kernel_size=3, return_state=True),
    case("ConvLSTM3D", (2, 5, 6, 7, 2), filters=3, kernel_size=2),
    # channels_first: declared shapes only (Keras 3's forward pass on a CPU fails: the TF
    # Conv2D op supports only NHWC there; tf-keras runs it).
    case("ConvLSTM1D", (4, 3, 10), filters=5, kernel_size=3, data_format="channels_first",
         lengths=()),
    case("ConvLSTM2D", (3, 2, 8, 9), filters=4, kernel_size=3, data_format="channels_first",
         return_sequences=True, lengths=()),
    # Refused: a kernel longer than the input, strides with dilation, 'causal', wrong rank,
    # no timestep, undefined channels, filters=0, stateful without a batch size.
    case("ConvLSTM1D", (4, 10, 3), filters=5, kernel_size=11, error_code="AL101"),
    case("ConvLSTM1D", (4, 10, 3), filters=5, kernel_size=3, strides=2, dilation_rate=2,
         error_code="AL108"),
    case("ConvLSTM1D", (4, 10, 3), filters=5, kernel_size=3, padding="causal",
         error_code="AL108"),
    case("ConvLSTM1D", (10, 3), filters=5, kernel_size=3, error_code="AL104"),
    case("ConvLSTM1D", (0, 10, 3), filters=5, kernel_size=3, error_code="AL101"),
    case("ConvLSTM1D", (4, 10, None), filters=5, kernel_size=3, error_code="AL106"),
    case("ConvLSTM1D", (4, 10, 3), filters=0, kernel_size=3, error_code="AL108"),
    case("ConvLSTM2D", (3, 8, 9, 2), filters=4, kernel_size=3, stateful=True,
         error_code="AL106"),
    # An undefined spatial axis: Keras 3 refuses ("ConvLSTM layers only support static input
    # shapes for the spatial dimension"); tf-keras builds it with an undefined output axis.
    case("ConvLSTM1D", (4, None, 3), filters=5, kernel_size=3, error_code="AL106",
         refused_by=("3",)),
]


def _one_length(c: LayerCase) -> LayerCase:
    """A time axis passes through these layers untouched: one forward length is enough (RNN
    forward passes are slow)."""
    if c.lengths == (9, 23) and any(d is None for s in c.input_shapes for d in s):
        return replace(c, lengths=(6,))
    return c


CASES = [_one_length(c) for c in CASES]
