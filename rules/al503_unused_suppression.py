from archlint.diagnostics import Severity
from archlint.rule import EventRule


class UnusedSuppression(EventRule):
    """What it does: reports an ``# archlint: noqa`` comment that suppresses nothing.

    Why it matters: stale suppressions hide the next real problem on that line.

    Example: ``x = layers.Dense(4)(x)  # archlint: noqa: AL204``.

    Use instead: remove the comment, or name the code it is meant for.
    """

    code = "AL503"
    name = "unused-suppression"
    severity = Severity.WARNING
    summary = "A noqa comment suppresses nothing"
    INVALID = ("from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
               "model = Model(x, layers.Dense(4)(x))  # archlint: noqa: AL204\n",)
    VALID = ("from keras import layers, Input, Model\nx = Input(shape=(10, 3))\n"
             "b = layers.Bidirectional(layers.LSTM(24),  # archlint: noqa: AL204\n"
             "    backward_layer=layers.GRU(16, go_backwards=True))\n"
             "model = Model(x, b(x))\n",)
