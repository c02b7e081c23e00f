from archlint import codes
from archlint.diagnostics import Severity
from archlint.rule import EventRule, Invalid


class RaggedTensorRefused(EventRule):
    """What it does: reports a layer called on a ragged tensor (from ``keras.Input(...,
    ragged=True)``) that Keras cannot apply to one. A ragged Input declares the same shapes
    as a dense one, so Keras 3 builds such a model, and the call on ragged data fails:
    Dense, LSTM, GRU, SimpleRNN, Bidirectional, TimeDistributed, Masking, Conv1D and
    ActivityRegularization. tf-keras, which calls each layer when it builds, refuses
    BatchNormalization, UnitNormalization and Conv1D on a ragged tensor at once. A layer
    archlint has not seen on ragged data gets no figures (AL002) rather than the declared
    ones.

    Why it matters: the model summary looks right, and the error comes from the first
    ``fit`` or ``predict``. Under Keras 3 the usual tf-keras pattern, a ragged Input into
    an Embedding and an LSTM, breaks this way.

    Example: ``Input(shape=(None,), ragged=True)`` into ``Embedding`` and ``LSTM`` under
    Keras 3.

    Use instead: a dense, padded input with ``mask_zero=True`` on the Embedding (the RNN
    skips the padding), or pool the ragged rows first (``GlobalAveragePooling1D``).
    """

    code = codes.RAGGED_TENSOR_REFUSED
    name = "ragged-tensor-refused"
    severity = Severity.ERROR
    summary = "A layer Keras cannot call on a ragged tensor receives one"
    INVALID = (
        Invalid(
            "import keras\nfrom keras import layers\n"
            "x = keras.Input(shape=(None,), ragged=True, dtype='int32')\n"
            "h = layers.Embedding(100, 8)(x)\n"
            "model = keras.Model(x, layers.LSTM(4)(h))\n",
            line=5, message="LSTM 'lstm' is called on a ragged tensor: Keras builds the "
                            "model, but calling it fails"),
    )
    VALID = (
        "import keras\nfrom keras import layers\n"
        "x = keras.Input(shape=(None,), ragged=True, dtype='int32')\n"
        "h = layers.Embedding(100, 8)(x)\n"
        "model = keras.Model(x, layers.Dense(1)(layers.GlobalAveragePooling1D()(h)))\n",
        "import keras\nfrom keras import layers\n"
        "x = keras.Input(shape=(None,), dtype='int32')\n"
        "h = layers.Embedding(100, 8, mask_zero=True)(x)\n"
        "model = keras.Model(x, layers.LSTM(4)(h))\n",
    )
