from archlint import codes
from archlint.diagnostics import Severity
from archlint.rule import EventRule, Invalid


class UnsupportedConstruct(EventRule):
    """What it does: reports a layer class archlint has no formulas for, a layer option its
    formulas do not model (``quantization_config=``, a GPTQ dtype policy), or a subclassed
    ``keras.Model`` whose graph lives in ``call()``.

    Why it matters: the output of that layer (and what follows it) is unknown; a subclassed
    model is not analysed at all. Nothing is guessed: an option is never ignored as if it
    changed nothing.

    Example: ``layers.Lambda(lambda t: t * 2)(x)``.

    Use instead: built-in layers where they exist; the functional API for whole models.
    """

    code = codes.UNSUPPORTED_CONSTRUCT
    name = "unsupported-construct"
    severity = Severity.WARNING
    summary = "A layer class or model style that cannot be analysed statically"
    INVALID = (
        Invalid(
            "import keras\n\nclass Net(keras.Model):\n    def call(self, x):\n        return x\n",
            line=3, message="subclassed model `Net` defines its graph in call(), which"),
        Invalid(
            "from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
            "model = Model(x, layers.Lambda(lambda t: t)(x))\n",
            line=3, message="layer class `Lambda` is not supported by archlint"),
        Invalid(
            "from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
            "model = Model(x, layers.Dense(4, dtype='gptq/4/128_from_float32')(x))\n",
            line=3, message="Dense option dtype='gptq/4/128_from_float32' is not modelled"),
    )
    VALID = ("from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
             "model = Model(x, layers.Dense(4)(x))\n",)
