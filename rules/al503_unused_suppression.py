from archlint import codes
from archlint.diagnostics import Severity
from archlint.rule import EventRule, Invalid


class UnusedSuppression(EventRule):
    """What it does: reports an ``# archlint: noqa`` or ``# archlint: skip-file`` comment
    that suppresses nothing, the codes of it that suppress nothing, and codes that name no
    rule (a typo such as ``AL999`` suppresses nothing, whatever the line reports). A code
    is judged only when every rule it names has run (``--select`` may leave some out).

    Why it matters: stale suppressions hide the next real problem on that line, and a
    mistyped code hides nothing while it looks as if it did.

    Example: ``x = layers.Dense(4)(x)  # archlint: noqa: AL204``.

    Use instead: remove the comment, or name the code, prefix (``AL2``) or rule name it is
    meant for.
    """

    code = codes.UNUSED_SUPPRESSION
    name = "unused-suppression"
    severity = Severity.WARNING
    summary = "A suppression comment suppresses nothing or names no rule"
    INVALID = (
        Invalid(
            "from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
               "model = Model(x, layers.Dense(4)(x))  # archlint: noqa: AL204\n",
            line=3, message="this `archlint: noqa` for AL204 suppresses nothing"),
        Invalid(
            "from keras import layers, Input, Model\nx = Input(shape=(10, 3))\n"
               "b = layers.Bidirectional(layers.LSTM(24),  # archlint: noqa: AL999\n"
               "    backward_layer=layers.GRU(16, go_backwards=True))\n"
               "model = Model(x, b(x))\n",
            line=3, message="this `archlint: noqa` names AL999, which matches no rule"),
    )
    VALID = ("from keras import layers, Input, Model\nx = Input(shape=(10, 3))\n"
             "b = layers.Bidirectional(layers.LSTM(24),  # archlint: noqa: AL204\n"
             "    backward_layer=layers.GRU(16, go_backwards=True))\n"
             "model = Model(x, b(x))\n",)
