"""AL208 tf-function-on-keras-tensor."""

from __future__ import annotations

from archlint import codes
from archlint.diagnostics import Severity
from archlint.rule import EventRule, Invalid


class TfFunctionOnKerasTensor(EventRule):
    """What it does: reports a TensorFlow function (``tf.concat``, ``tf.matmul``,
    ``tf.nn.softmax``, ``tf.reduce_mean``...) called on a symbolic Keras tensor while the
    model is built. tf-keras (Keras 2) turned such a call into a ``TFOpLambda`` layer; Keras 3
    refuses it ("A KerasTensor cannot be used as input to a TensorFlow function"), so a
    script written for tf.keras stops at that line once TensorFlow 2.16 brings Keras 3. A
    script that may run under either version is told that only Keras 3 refuses it.

    Why it matters: the model cannot be built under Keras 3.

    Example: ``x = tf.concat([a, b], axis=-1)`` on two ``keras.Input`` tensors.

    Use instead: the ``keras.ops`` function of the same name (``keras.ops.concatenate``,
    ``keras.ops.matmul``, ``keras.ops.mean``), a Keras layer (``layers.Concatenate``), or a
    ``Lambda`` layer around the TensorFlow call.
    """

    code = codes.TF_FUNCTION_ON_KERAS_TENSOR
    name = "tf-function-on-keras-tensor"
    severity = Severity.ERROR
    summary = "A TensorFlow function is called on a Keras 3 symbolic tensor"
    INVALID = (
        Invalid(
            "import keras\nimport tensorflow as tf\nfrom keras import layers\n"
            "a = keras.Input(shape=(4,))\nb = keras.Input(shape=(4,))\n"
            "x = tf.concat([a, b], axis=-1)\n"
            "model = keras.Model([a, b], layers.Dense(1)(x))\n",
            line=6, message="Keras 3 refuses a TensorFlow function on a Keras tensor"),
    )
    VALID = (
        "import keras\nfrom keras import layers, ops\n"
        "a = keras.Input(shape=(4,))\nb = keras.Input(shape=(4,))\n"
        "x = ops.concatenate([a, b], axis=-1)\n"
        "model = keras.Model([a, b], layers.Dense(1)(x))\n",
        "import tf_keras as keras\nimport tensorflow as tf\n"
        "a = keras.Input(shape=(4,))\nb = keras.Input(shape=(4,))\n"
        "x = tf.concat([a, b], axis=-1)\n"
        "model = keras.Model([a, b], keras.layers.Dense(1)(x))\n",
    )
