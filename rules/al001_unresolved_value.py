from archlint import codes
from archlint.diagnostics import Severity
from archlint.rule import EventRule, Invalid


class UnresolvedValue(EventRule):
    """What it does: reports a layer option or model input that archlint cannot resolve
    without running the script (argparse values, data shapes, ``hp.Int`` ...).

    Why it matters: the layer's output shape and parameters, and everything computed from
    them, are shown as unknown instead of guessed.

    Example: ``Dense(args.units)``.

    Use instead: a module constant or a default argument, when the number is fixed.
    """

    code = codes.UNRESOLVED_VALUE
    name = "unresolved-value"
    severity = Severity.INFO
    summary = "A value the model depends on is only known when the script runs"
    INVALID = (
        Invalid(
            "import sys\nfrom keras import layers, Input, Model\n"
            "units = int(sys.argv[1])\nx = Input(shape=(8,))\n"
            "model = Model(x, layers.Dense(units)(x))\n",
            line=5, message="Dense 'dense': `int(sys.argv[1])` comes from the command"),
    )
    VALID = ("from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
             "model = Model(x, layers.Dense(4)(x))\n",)
