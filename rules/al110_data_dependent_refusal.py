from archlint import codes
from archlint.diagnostics import Severity
from archlint.rule import EventRule, Invalid


class DataDependentRefusal(EventRule):
    """What it does: reports a layer that Keras refuses for some values of a named size (a
    size the data decides, such as ``args.window`` or ``len(chars)``) and accepts for others,
    and says which values fail: ``Conv1D(8, 3)`` on ``args.window`` steps "fails when
    args.window < 3".

    Why it matters: Keras knows the size when it builds the model, so a run with such data
    stops there; archlint cannot tell whether the data will be like that, so this is not
    an error.

    Example: ``Input(shape=(args.window, 3))`` into ``Conv1D(8, 3)``.

    Use instead: check the data against the condition, or use ``padding="same"`` where any
    size must pass.
    """

    code = codes.DATA_DEPENDENT_REFUSAL
    name = "data-dependent-refusal"
    severity = Severity.WARNING
    summary = "Keras refuses a layer for some values of a size the data decides"
    INVALID = (
        Invalid(
            "import sys\nfrom keras import layers, Input, Model\n"
               "window = int(sys.argv[1])\nx = Input(shape=(window, 3))\n"
               "model = Model(x, layers.Conv1D(8, 3)(x))\n",
            line=5, message="Conv1D 'conv1d' outputs int(sys.argv[1])-2 steps"),
    )
    VALID = ("import sys\nfrom keras import layers, Input, Model\n"
             "window = int(sys.argv[1])\nx = Input(shape=(window, 3))\n"
             "model = Model(x, layers.Conv1D(8, 3, padding='same')(x))\n",)
