from archlint.diagnostics import Severity
from archlint.rule import EventRule


class InvalidOption(EventRule):
    """What it does: reports a layer option whose value Keras rejects (a padding name that
    does not exist, groups that do not divide the channels, strides with dilation...).

    Why it matters: Keras raises when the layer is created or built.

    Example: ``Conv1D(8, 3, padding="full")``.

    Use instead: one of the values the message lists.
    """

    code = "AL108"
    name = "invalid-option"
    severity = Severity.ERROR
    summary = "A layer option has a value Keras rejects"
    INVALID = ("from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
               "model = Model(x, layers.Dense(0)(x))\n",)
    VALID = ("from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
             "model = Model(x, layers.Dense(1)(x))\n",)
