from archlint import codes
from archlint.diagnostics import Severity
from archlint.rule import EventRule, Invalid


class NonpositiveTimesteps(EventRule):
    """What it does: reports a convolution, pooling or cropping layer whose output has zero
    or fewer steps on an axis.

    Why it matters: Keras refuses the model at build time or at the first forward pass.

    Example: ``Conv1D(8, kernel_size=10)`` on 5 timesteps leaves -4.

    Use instead: a smaller kernel or pool, ``padding="same"``, or a longer input.
    """

    code = codes.NONPOSITIVE_TIMESTEPS
    name = "nonpositive-timesteps"
    severity = Severity.ERROR
    summary = "A layer shrinks an axis to zero or fewer steps"
    INVALID = (
        Invalid(
            "from keras import layers, Input, Model\nx = Input(shape=(5, 3))\n"
               "model = Model(x, layers.Conv1D(8, 10)(x))\n",
            line=3, message="Conv1D 'conv1d': kernel_size=10 with strides=1"),
    )
    VALID = ("from keras import layers, Input, Model\nx = Input(shape=(20, 3))\n"
             "model = Model(x, layers.Conv1D(8, 10)(x))\n",)
