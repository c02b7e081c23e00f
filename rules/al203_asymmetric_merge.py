from archlint import codes
from archlint.diagnostics import Severity
from archlint.rule import EventRule, Invalid


class AsymmetricMerge(EventRule):
    """What it does: reports a Bidirectional with ``merge_mode`` sum, mul or ave whose two
    halves have different widths.

    Why it matters: the halves cannot be added or multiplied element-wise; Keras fails.

    Example: ``Bidirectional(LSTM(24), backward_layer=GRU(16, go_backwards=True),
    merge_mode="sum")``.

    Use instead: equal units on both halves, or ``merge_mode="concat"``.
    """

    code = codes.ASYMMETRIC_MERGE
    name = "asymmetric-merge"
    severity = Severity.ERROR
    summary = "Bidirectional sum/mul/ave over halves of different width"
    INVALID = (
        Invalid(
            "from keras import layers, Input, Model\nx = Input(shape=(10, 3))\n"
               "b = layers.Bidirectional(layers.LSTM(24), merge_mode='sum',\n"
               "    backward_layer=layers.GRU(16, go_backwards=True))\n"
               "model = Model(x, b(x))\n",
            line=5, message="merge_mode='sum' combines element-wise the output of"),
    )
    VALID = ("from keras import layers, Input, Model\nx = Input(shape=(10, 3))\n"
             "b = layers.Bidirectional(layers.LSTM(16), merge_mode='sum',\n"
             "    backward_layer=layers.GRU(16, go_backwards=True))\n"
             "model = Model(x, b(x))\n",)
