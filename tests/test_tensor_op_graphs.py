"""Operations on symbolic tensors in model scripts (``x + y``, ``x[:, -1]``, ``tf.matmul``,
``keras.ops.mean``) are nodes of the model's graph. Each script is run by real Keras 3 and
(where it exists) tf-keras; every output's shape and the model's parameters must equal
archlint's, and where Keras refuses the script (Keras 3 and a TensorFlow function on a Keras
tensor), archlint reports the error. The formulas are checked op by op in
tests/test_tensor_ops.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from archlint.analysis import Settings, analyse_source, default_settings
from tests.keras_scripts import ours, run_scripts

HEAD = "import keras\nimport tensorflow as tf\nfrom keras import layers\n"
# name: (script, the Keras versions that run it)
SCRIPTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "residual, slice, mean, concat": (
        "inp = keras.Input(shape=(10, 8))\n"
        "y = layers.Dense(8)(inp) + inp\n"
        "z = y[:, -1]\n"
        "w = tf.reduce_mean(y, axis=1)\n"
        "c = 2.0 * tf.concat([z, w], axis=-1)\n"
        "model = keras.Model(inp, [z, w, c, layers.Dense(3)(c)], name='m')\n", ("3", "2")),
    "attention written by hand": (
        "inp = keras.Input(shape=(7, 12))\n"
        "q, k, v = layers.Dense(4)(inp), layers.Dense(4)(inp), layers.Dense(5)(inp)\n"
        "scores = tf.nn.softmax(tf.matmul(q, k, transpose_b=True) / 2.0)\n"
        "mixed = tf.matmul(scores, v)\n"
        "model = keras.Model(inp, [scores, mixed, layers.Dense(1)(mixed[:, 0, :])],\n"
        "                    name='m')\n", ("3", "2")),
    "keras.ops layout": (
        "from keras import ops\n"
        "inp = keras.Input(shape=(6, 4))\n"
        "e = ops.expand_dims(inp, 1)\n"
        "t = ops.transpose(inp, (0, 2, 1))\n"
        "r = ops.reshape(t, (-1, 24))\n"
        "s = ops.sum(e, axis=-1, keepdims=True)\n"
        "model = keras.Model(inp, [e, t, r, s, layers.Dense(2)(r)], name='m')\n", ("3",)),
    "activations on tensors": (
        "inp = keras.Input(shape=(9, 5))\n"
        "z = layers.Conv1D(8, 2, padding='causal')(inp)\n"
        "z = keras.activations.relu(layers.Add()([z, z]))\n"
        "z = keras.activations.softmax(z, axis=-1)\n"
        "model = keras.Model(inp, layers.Conv1D(3, 1)(z), name='m')\n", ("3", "2")),
    "preprocess_input of an application": (
        "img = keras.Input(shape=(32, 32, 3))\n"
        "x = keras.applications.mobilenet_v2.preprocess_input(img)\n"
        "x = keras.applications.vgg16.preprocess_input(x)\n"
        "x = layers.Conv2D(4, 3)(x)\n"
        "model = keras.Model(img, layers.GlobalAveragePooling2D()(x), name='m')\n",
        ("3", "2")),
    "numpy tables as constants": (
        "import numpy as np\n"
        "p, i = np.meshgrid(np.arange(11), 2 * np.arange(4))\n"
        "table = np.empty((11, 8))\n"
        "table[:, ::2] = np.sin(p / 10_000 ** (i / 8)).T\n"
        "class Encode(layers.Layer):\n"
        "    def __init__(self, **kwargs):\n"
        "        super().__init__(**kwargs)\n"
        "        self.table = tf.constant(table.astype('float32'))\n"
        "    def call(self, steps):\n"
        "        return tf.gather(self.table, steps)\n"
        "steps = keras.Input(shape=(), dtype='int32')\n"
        "model = keras.Model(steps, layers.Dense(3)(Encode()(steps)), name='m')\n", ("3", "2")),
}


@pytest.fixture(scope="module")
def keras_figures() -> dict[str, Any]:
    return {version: run_scripts({name: HEAD + body for name, (body, versions)
                                  in SCRIPTS.items() if version in versions}, version)
            for version in ("3", "2")}


@pytest.mark.keras
@pytest.mark.parametrize("keras", ["3", "2"])
@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_tensor_operations_match_keras(keras_figures: dict[str, Any], keras: str,
                                       name: str) -> None:
    body, versions = SCRIPTS[name]
    if keras not in versions:
        pytest.skip(f"the script runs under Keras {'/'.join(versions)} only")
    settings = Settings(default_settings().rules, keras=keras)
    report = analyse_source(HEAD + body, settings=settings)
    errors = [d.code for d in report.diagnostics if d.severity.value == "error"]
    truth = keras_figures[keras][name]
    if "refused" in truth:
        assert "KerasTensor cannot be used as input to a TensorFlow function" in \
            truth["refused"]
        assert errors and set(errors) == {"AL208"}, truth["refused"]  # one per tf call
        return
    assert errors == []
    [analysis] = report.models
    assert ours(analysis) == truth["m"]


def test_an_operation_without_a_formula_is_unknown_and_says_which() -> None:
    report = analyse_source(HEAD + "inp = keras.Input(shape=(4,))\n"
                            "x = tf.signal.rfft(inp)\n"
                            "model = keras.Model(inp, layers.Dense(2)(x))\n")
    [analysis] = report.models
    assert analysis.total is None
    assert any("no shape formula for `tf.signal.rfft`" in d.message
               for d in report.diagnostics)


def test_a_size_computed_from_a_tensor_is_unknown_not_an_error() -> None:
    # tf-keras builds tf.shape on a Keras tensor; the length it gives is a run-time value.
    report = analyse_source("import tf_keras as keras\nimport tensorflow as tf\n"
                            "inp = keras.Input(shape=(None, 4))\n"
                            "n = tf.shape(inp)[1]\n"
                            "steps = tf.range(n)\n"
                            "model = keras.Model(inp, keras.layers.Dense(2)(inp))\n")
    assert [d for d in report.diagnostics if d.severity.value == "error"] == []


def test_the_same_operation_written_twice_is_not_a_duplicate_layer_name() -> None:
    report = analyse_source(HEAD + "a = keras.Input(shape=(4,))\nb = keras.Input(shape=(4,))\n"
                            "x = layers.Dense(4)(a + 1.0)\ny = layers.Dense(4)(b)\n"
                            "z = x + 1.0\nw = y + 1.0\n"
                            "model = keras.Model([a, b], layers.Concatenate()([z, w]))\n")
    assert [d.code for d in report.diagnostics if d.severity.value == "error"] == []
    [analysis] = report.models
    assert isinstance(analysis.total, int)


def test_keras_ops_in_a_tf_keras_script_is_refused() -> None:
    # tf-keras has no keras.ops module: a script for it stops at the call.
    report = analyse_source("import tf_keras as keras\nimport keras as k3\n"
                            "inp = keras.Input(shape=(4,))\n"
                            "model = keras.Model(inp, k3.ops.relu(inp))\n")
    assert [(d.code, d.span.line) for d in report.diagnostics
            if d.severity.value == "error"] == [("AL108", 4)]
