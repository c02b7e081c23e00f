from archlint import codes
from archlint.diagnostics import Severity
from archlint.rule import EventRule, Invalid


class Keras3DroppedLayer(EventRule):
    """What it does: reports a layer that Keras 3 leaves out of a functional model although
    the script calls it. ``Equalization`` called on a model input is one: its symbolic call
    returns the input tensor itself, so the model's graph goes around it and
    ``model.layers`` does not list it. (Called anywhere else, the same bug makes Keras 3
    refuse the model, "is part of a cycle": ndim-mismatch, AL104.)

    Why it matters: the model builds, trains and predicts without the layer, with no error
    or warning: images are never equalized.

    Example: ``y = Equalization()(inputs)`` then ``Conv2D(...)(y)`` under Keras 3.

    Use instead: equalize the images in the input pipeline (``dataset.map(equalization)``),
    or call the layer inside a layer's or model's ``call()``.
    """

    code = codes.KERAS3_DROPPED_LAYER
    name = "keras3-dropped-layer"
    severity = Severity.WARNING
    summary = "Keras 3 builds the model without a layer the script calls"
    INVALID = (
        Invalid(
            "import keras\nfrom keras import layers\nx = keras.Input(shape=(8, 8, 3))\n"
            "y = layers.Equalization()(x)\n"
            "model = keras.Model(x, layers.Conv2D(2, 3)(y))\n",
            line=4, message="Keras 3 builds this model without it"),
    )
    VALID = (
        "import keras\nfrom keras import layers\n"
        "model = keras.Sequential([keras.Input(shape=(8, 8, 3)), layers.Equalization(),\n"
        "                          layers.Conv2D(2, 3)])\n",
    )
