from archlint import codes
from archlint.diagnostics import Severity
from archlint.rule import EventRule, Invalid


class UnsupportedConstruct(EventRule):
    """What it does: reports a layer class archlint has no formulas for, or a subclassed
    ``keras.Model`` whose graph lives in ``call()``.

    Why it matters: the output of that layer (and what follows it) is unknown; a subclassed
    model is not analysed at all. Nothing is guessed.

    Example: ``layers.Lambda(lambda t: t.numpy() * 2)(x)`` (a Lambda made of tensor
    operations is followed).

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
            "model = Model(x, layers.Lambda(lambda t: t.numpy())(x))\n",
            line=3, message="archlint cannot follow the function of Lambda 'lambda'"),
    )
    VALID = ("from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
             "model = Model(x, layers.Dense(4)(x))\n",)
