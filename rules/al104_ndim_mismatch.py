from archlint import codes
from archlint.diagnostics import Severity
from archlint.rule import EventRule, Invalid


class NdimMismatch(EventRule):
    """What it does: reports a layer called on a tensor of the wrong rank, such as an RNN
    after an RNN without ``return_sequences=True``, or a graph Keras cannot connect.

    Why it matters: Keras refuses the model when it is built.

    Example: ``LSTM(8)`` followed by ``LSTM(8)``.

    Use instead: ``return_sequences=True`` on the first RNN, or a layer of the right rank.
    """

    code = codes.NDIM_MISMATCH
    name = "ndim-mismatch"
    severity = Severity.ERROR
    summary = "A layer receives a tensor of a rank it does not accept"
    INVALID = (
        Invalid(
            "from keras import layers, Input, Model\nx = Input(shape=(10, 3))\n"
               "h = layers.LSTM(8)(x)\nmodel = Model(x, layers.LSTM(8)(h))\n",
            line=4, message="LSTM 'lstm_1' expects ndim=3, but its input has ndim=2"),
    )
    VALID = ("from keras import layers, Input, Model\nx = Input(shape=(10, 3))\n"
             "h = layers.LSTM(8, return_sequences=True)(x)\n"
             "model = Model(x, layers.LSTM(8)(h))\n",)
