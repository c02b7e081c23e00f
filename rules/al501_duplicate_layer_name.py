from archlint import codes
from archlint.diagnostics import Severity
from archlint.rule import EventRule, Invalid


class DuplicateLayerName(EventRule):
    """What it does: reports two layers of one model with the same ``name=``.

    Why it matters: Keras refuses a model whose layer names are not unique.

    Example: two ``Dense(..., name="hidden")`` in one model.

    Use instead: a distinct name for each layer, or no name (Keras numbers them).
    """

    code = codes.DUPLICATE_LAYER_NAME
    name = "duplicate-layer-name"
    severity = Severity.ERROR
    summary = "Two layers of a model share a name"
    INVALID = (
        Invalid(
            "from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
               "h = layers.Dense(4, name='hidden')(x)\n"
               "model = Model(x, layers.Dense(4, name='hidden')(h))\n",
            line=4, message="layer name 'hidden' is already used by the Dense on line 3"),
    )
    VALID = ("from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
             "h = layers.Dense(4, name='hidden')(x)\n"
             "model = Model(x, layers.Dense(4, name='out')(h))\n",)
