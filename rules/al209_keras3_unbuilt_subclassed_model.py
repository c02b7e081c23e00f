"""AL209 keras3-unbuilt-subclassed-model."""

from __future__ import annotations

from archlint import codes
from archlint.diagnostics import Severity
from archlint.rule import EventRule, Invalid


class Keras3UnbuiltSubclassedModel(EventRule):
    """What it does: reports ``model.build(input_shape)`` on a subclassed ``keras.Model``
    (one whose graph is its ``call()``) in a script Keras 3 runs. Keras 3's ``build()``
    marks such a model built without calling it, so its layers stay unbuilt: ``summary()``
    shows 0 parameters and "unbuilt", ``count_params()`` is 0, and Keras warns that this
    "may cause failures down the line". tf-keras calls the model on a placeholder of that
    shape and builds every layer. archlint gives the figures the model's first call on that
    shape builds.

    Why it matters: the summary a script prints after ``build()`` says nothing about the
    model, and code reading its weights before training finds none.

    Example: ``model = MyModel(); model.build((None, 784)); model.summary()``.

    Use instead: call the model once on a symbolic input, ``model(keras.Input((784,)))``,
    which builds every layer in both Keras versions.
    """

    code = codes.KERAS3_UNBUILT_SUBCLASSED_MODEL
    name = "keras3-unbuilt-subclassed-model"
    severity = Severity.WARNING
    summary = "Keras 3's build(input_shape) leaves a subclassed model's layers unbuilt"
    INVALID = (
        Invalid(
            "import keras\nfrom keras import layers\n\n"
            "class Net(keras.Model):\n    def __init__(self):\n        super().__init__()\n"
            "        self.dense = layers.Dense(4)\n\n    def call(self, x):\n"
            "        return self.dense(x)\n\nmodel = Net()\nmodel.build((None, 8))\n",
            line=13, message="Keras 3's Model.build(input_shape) does not build the layers"),
    )
    VALID = (
        "import keras\nfrom keras import layers\n\n"
        "class Net(keras.Model):\n    def __init__(self):\n        super().__init__()\n"
        "        self.dense = layers.Dense(4)\n\n    def call(self, x):\n"
        "        return self.dense(x)\n\nmodel = Net()\nmodel(keras.Input(shape=(8,)))\n",
        "import tf_keras as keras\n\n"
        "class Net(keras.Model):\n    def __init__(self):\n        super().__init__()\n"
        "        self.dense = keras.layers.Dense(4)\n\n    def call(self, x):\n"
        "        return self.dense(x)\n\nmodel = Net()\nmodel.build((None, 8))\n",
    )
