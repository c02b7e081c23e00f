from archlint import codes
from archlint.diagnostics import Severity
from archlint.rule import EventRule, Invalid


class GoBackwardsMismatch(EventRule):
    """What it does: reports a Bidirectional whose forward and backward layers read the
    sequence in the same direction (equal ``go_backwards``).

    Why it matters: Keras refuses it: the backward layer must have ``go_backwards=True``
    when the forward one has False.

    Example: ``Bidirectional(LSTM(8), backward_layer=GRU(8))``.

    Use instead: ``backward_layer=GRU(8, go_backwards=True)``.
    """

    code = codes.GO_BACKWARDS_MISMATCH
    name = "go-backwards-mismatch"
    severity = Severity.ERROR
    summary = "Bidirectional halves read the sequence in the same direction"
    INVALID = (
        Invalid(
            "from keras import layers, Input, Model\nx = Input(shape=(10, 3))\n"
               "b = layers.Bidirectional(layers.LSTM(8), backward_layer=layers.GRU(8))\n"
               "model = Model(x, b(x))\n",
            line=4, message="with different go_backwards, but the forward LSTM 'lstm'"),
    )
    VALID = ("from keras import layers, Input, Model\nx = Input(shape=(10, 3))\n"
             "b = layers.Bidirectional(layers.LSTM(8),\n"
             "    backward_layer=layers.GRU(8, go_backwards=True))\n"
             "model = Model(x, b(x))\n",)
