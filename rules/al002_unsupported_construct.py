from archlint import codes
from archlint.diagnostics import Severity
from archlint.rule import EventRule, Invalid


class UnsupportedConstruct(EventRule):
    """What it does: reports a layer class archlint has no formulas for, a layer option its
    formulas do not model (``quantization_config=``, a GPTQ dtype policy), or a layer class
    of the script whose ``call()`` archlint cannot follow (an operation it has no shape
    formula for, a value only the running script knows).

    Why it matters: the output of that layer (and what follows it) is unknown. Nothing is
    guessed: an option is never ignored as if it changed nothing.

    Example: ``layers.Lambda(lambda t: t.numpy() * 2)(x)`` (a Lambda made of tensor
    operations is followed).

    Use instead: built-in layers where they exist; ``keras.ops`` functions in a layer's
    ``call()``.
    """

    code = codes.UNSUPPORTED_CONSTRUCT
    name = "unsupported-construct"
    severity = Severity.WARNING
    summary = "A layer class, or a layer of the script, that cannot be analysed statically"
    INVALID = (
        Invalid(
            "import keras\n\nclass Net(keras.layers.Layer):\n    def call(self, x):\n"
            "        return keras.ops.no_such_op(x)\n\nx = keras.Input(shape=(8,))\n"
            "model = keras.Model(x, Net()(x))\n",
            line=8, message="the layer class `Net` is not followed"),
        Invalid(
            "from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
            "model = Model(x, layers.Lambda(lambda t: t.numpy())(x))\n",
            line=3, message="archlint cannot follow the function of Lambda 'lambda'"),
        Invalid(
            "from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
            "model = Model(x, layers.Dense(4, dtype='gptq/4/128_from_float32')(x))\n",
            line=3, message="Dense option dtype='gptq/4/128_from_float32' is not modelled"),
    )
    VALID = ("from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
             "model = Model(x, layers.Dense(4)(x))\n",)
