from archlint import codes
from archlint.diagnostics import Severity
from archlint.rule import EventRule, Invalid


class UndefinedDimension(EventRule):
    """What it does: reports a layer that needs a size at build time (Dense's input width,
    an RNN's features) but receives an axis Keras leaves undefined (None).

    Why it matters: Keras refuses to build the layer: its weights depend on that size.

    Example: ``Flatten()`` over a variable time axis, then ``Dense``.

    Use instead: a fixed input length, or a global pooling layer instead of Flatten.
    """

    code = codes.UNDEFINED_DIMENSION
    name = "undefined-dimension"
    severity = Severity.ERROR
    summary = "A layer needs a size that is undefined until run time"
    INVALID = (
        Invalid(
            "from keras import layers, Input, Model\nx = Input(shape=(None, 6))\n"
               "h = layers.Flatten()(x)\nmodel = Model(x, layers.Dense(1)(h))\n",
            line=4, message="Dense 'dense': The last axis of a Dense layer's input must"),
    )
    VALID = ("from keras import layers, Input, Model\nx = Input(shape=(20, 6))\n"
             "h = layers.Flatten()(x)\nmodel = Model(x, layers.Dense(1)(h))\n",)
