from archlint import codes
from archlint.diagnostics import Severity
from archlint.rule import EventRule, Invalid


class BidirectionalConfigMismatch(EventRule):
    """What it does: reports a Bidirectional whose halves differ in ``return_sequences``,
    ``return_state`` or ``stateful``.

    Why it matters: Keras refuses it: both halves must produce outputs of the same form.

    Example: ``Bidirectional(LSTM(8, return_sequences=True),
    backward_layer=GRU(8, go_backwards=True))``.

    Use instead: the same ``return_sequences`` / ``return_state`` / ``stateful`` on both.
    """

    code = codes.BIDIRECTIONAL_CONFIG_MISMATCH
    name = "bidirectional-config-mismatch"
    severity = Severity.ERROR
    summary = "Bidirectional halves disagree on return_sequences/return_state/stateful"
    INVALID = (
        Invalid(
            "from keras import layers, Input, Model\nx = Input(shape=(10, 3))\n"
               "b = layers.Bidirectional(layers.LSTM(8, return_sequences=True),\n"
               "    backward_layer=layers.GRU(8, go_backwards=True))\n"
               "model = Model(x, b(x))\n",
            line=5, message="needs the same return_sequences on both layers"),
    )
    VALID = ("from keras import layers, Input, Model\nx = Input(shape=(10, 3))\n"
             "b = layers.Bidirectional(layers.LSTM(8, return_sequences=True),\n"
             "    backward_layer=layers.GRU(8, return_sequences=True, go_backwards=True))\n"
             "model = Model(x, b(x))\n",)
