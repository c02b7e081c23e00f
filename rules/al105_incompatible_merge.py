from archlint import codes
from archlint.diagnostics import Severity
from archlint.rule import EventRule, Invalid


class IncompatibleMerge(EventRule):
    """What it does: reports a merge (Concatenate, Add, Multiply, ...) whose inputs cannot
    be combined: sizes differ on an axis that must match.

    Why it matters: Keras refuses the merge when the model is built.

    Example: ``Add()([a, b])`` with ``a`` of width 8 and ``b`` of width 4.

    Use instead: a Dense projection to a common width, or Concatenate on the differing axis.
    """

    code = codes.INCOMPATIBLE_MERGE
    name = "incompatible-merge"
    severity = Severity.ERROR
    summary = "A merge layer's inputs have incompatible shapes"
    INVALID = (
        Invalid(
            "from keras import layers, Input, Model\na = Input(shape=(8,))\n"
               "b = Input(shape=(4,))\nmodel = Model([a, b], layers.Add()([a, b]))\n",
            line=4, message="Add 'add': Add cannot broadcast inputs (None, 8), (None, 4)"),
    )
    VALID = ("from keras import layers, Input, Model\na = Input(shape=(8,))\n"
             "b = Input(shape=(4,))\nmodel = Model([a, b], layers.Concatenate()([a, b]))\n",)
