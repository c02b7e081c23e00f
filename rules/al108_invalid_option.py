from archlint import codes
from archlint.diagnostics import Severity
from archlint.rule import EventRule, Invalid


class InvalidOption(EventRule):
    """What it does: reports a layer or ``compile()`` option whose value Keras rejects (a
    padding name that does not exist, groups that do not divide the channels, strides with
    dilation...), including a misspelt name Keras resolves from a string: an activation,
    initializer, regularizer or constraint of a layer, the loss or optimizer of
    ``compile()``. The message gives the closest valid name, and says which Keras version
    refuses a name the other one knows (``"nonneg"`` is a tf-keras constraint; a script
    that imports ``tf_keras`` is checked against tf-keras's names).

    Why it matters: Keras raises when the layer is created or built, in ``compile()``, or,
    for a loss name, when training starts.

    Example: ``Conv1D(8, 3, padding="full")``; ``Dense(8, activation="rellu")``.

    Use instead: one of the values the message lists, or the name it suggests.
    """

    code = codes.INVALID_OPTION
    name = "invalid-option"
    severity = Severity.ERROR
    summary = "A layer or compile() option has a value Keras rejects"
    INVALID = (
        Invalid(
            "from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
            "model = Model(x, layers.Dense(0)(x))\n",
            line=3, message="Dense 'dense': Dense units=0 must be a positive integer"),
        Invalid(
            "from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
            "model = Model(x, layers.Dense(4, activation='rellu')(x))\n",
            line=3, message="Dense 'dense': activation='rellu' is not an activation name"),
        Invalid(
            "from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
            "model = Model(x, layers.Dense(1)(x))\n"
            "model.compile(loss='mean_sqaured_error', optimizer='adam')\n",
            line=4, message="compile(): loss='mean_sqaured_error' is not a loss name"),
    )
    VALID = (
        "from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
        "model = Model(x, layers.Dense(1)(x))\n",
        "from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
        "model = Model(x, layers.Dense(4, activation='relu',\n"
        "                              kernel_initializer='he_normal')(x))\n"
        "model.compile(loss='mean_squared_error', optimizer='Adam')\n",
    )
