"""Sizes TensorFlow computes while it builds the graph: ``tf.shape(x)[1]`` inside a layer's
call() slices a table to the input's length, bounds a ``tf.range`` or shapes a
``tf.zeros``. TensorFlow folds what the declared shape knows (a 30-step input gives 30), and
a variable length stays the symbol it is (T). Each script is built by Keras 3 and tf-keras,
declared shapes compared for fixed lengths and a forward pass on zeros for variable ones.
"""

from __future__ import annotations

from typing import Any

import pytest

from archlint.analysis import Settings, analyse_source, default_settings
from tests.keras_scripts import ours, ours_forward, run_scripts

HEAD = "import keras\nimport numpy as np\nimport tensorflow as tf\nfrom keras import layers\n"
LENGTH = 12  # the forward passes' length: shorter than every table below

TABLE = (
    "class PositionalEncoding(layers.Layer):\n"
    "    def __init__(self, max_length, width, **kwargs):\n"
    "        super().__init__(**kwargs)\n"
    "        p, i = np.meshgrid(np.arange(max_length), 2 * np.arange(width // 2))\n"
    "        table = np.empty((1, max_length, width))\n"
    "        table[0, :, ::2] = np.sin(p / 10_000 ** (i / width)).T\n"
    "        table[0, :, 1::2] = np.cos(p / 10_000 ** (i / width)).T\n"
    "        self.table = tf.constant(table.astype('float32'))\n"
    "    def call(self, inputs):\n"
    "        length = tf.shape(inputs)[1]\n"
    "        return inputs + self.table[:, :length]\n")
POSITIONS = (
    "class TokenAndPosition(layers.Layer):\n"
    "    def __init__(self, maxlen, vocab, width, **kwargs):\n"
    "        super().__init__(**kwargs)\n"
    "        self.tokens = layers.Embedding(vocab, width)\n"
    "        self.positions = layers.Embedding(maxlen, width)\n"
    "    def call(self, x):\n"
    "        maxlen = tf.shape(x)[-1]\n"
    "        positions = self.positions(tf.range(start=0, limit=maxlen, delta=1))\n"
    "        return self.tokens(x) + positions\n")
SIZES = (
    "class Sizes(layers.Layer):\n"
    "    def call(self, x):\n"
    "        n = tf.shape(x)[1]\n"
    "        return [tf.constant(np.zeros((1, 40, 8), 'float32'))[:, :n], x[:, :n - 1],\n"
    "                tf.zeros(tf.shape(x)), tf.zeros([tf.shape(x)[0], 4]), tf.range(n),\n"
    "                tf.random.normal(tf.shape(x)), tf.random.uniform([tf.shape(x)[0], 3])]\n")
KERAS_OPS = (
    "from keras import ops\n"
    "class OpsPositions(layers.Layer):\n"
    "    def __init__(self, maxlen, width, **kwargs):\n"
    "        super().__init__(**kwargs)\n"
    "        self.positions = layers.Embedding(maxlen, width)\n"
    "    def call(self, x):\n"
    "        positions = ops.arange(start=0, stop=ops.shape(x)[1], step=1)\n"
    "        noise = keras.random.normal(ops.shape(x), stddev=0.1)\n"
    "        return x + self.positions(positions) + noise\n")

# name: (script, Keras versions that run it, whether its lengths are fixed)
SCRIPTS: dict[str, tuple[str, tuple[str, ...], bool]] = {
    "table cut to a variable length": (
        TABLE + "inp = keras.Input(shape=(None, 16))\n"
        "model = keras.Model(inp, layers.Dense(4)(PositionalEncoding(50, 16)(inp)), "
        "name='m')\n", ("3", "2"), False),
    "table cut to a fixed length": (
        TABLE + "inp = keras.Input(shape=(30, 16))\n"
        "model = keras.Model(inp, layers.Dense(4)(PositionalEncoding(50, 16)(inp)), "
        "name='m')\n", ("3", "2"), True),
    "positions of a variable length": (
        POSITIONS + "inp = keras.Input(shape=(None,), dtype='int32')\n"
        "model = keras.Model(inp, layers.Dense(2)(TokenAndPosition(64, 100, 8)(inp)), "
        "name='m')\n", ("3", "2"), False),
    "positions of a fixed length": (
        POSITIONS + "inp = keras.Input(shape=(20,), dtype='int32')\n"
        "model = keras.Model(inp, layers.Dense(2)(TokenAndPosition(64, 100, 8)(inp)), "
        "name='m')\n", ("3", "2"), True),
    "sizes of a variable length": (
        SIZES + "inp = keras.Input(shape=(None, 8))\n"
        "model = keras.Model(inp, Sizes()(inp), name='m')\n", ("3", "2"), False),
    "sizes of a fixed length": (
        SIZES + "inp = keras.Input(shape=(30, 8))\n"
        "model = keras.Model(inp, Sizes()(inp), name='m')\n", ("3", "2"), True),
    "keras.ops.shape of a variable length": (
        KERAS_OPS + "inp = keras.Input(shape=(None, 8))\n"
        "model = keras.Model(inp, OpsPositions(64, 8)(inp), name='m')\n", ("3",), False),
}


@pytest.fixture(scope="module")
def keras_figures() -> dict[str, Any]:
    return {version: run_scripts({name: HEAD + body for name, (body, versions, _)
                                  in SCRIPTS.items() if version in versions}, version,
                                 forward_length=LENGTH)
            for version in ("3", "2")}


@pytest.mark.keras
@pytest.mark.parametrize("keras", ["3", "2"])
@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_sizes_folded_by_tensorflow_match_keras(keras_figures: dict[str, Any], keras: str,
                                                name: str) -> None:
    body, versions, fixed = SCRIPTS[name]
    if keras not in versions:
        pytest.skip(f"the script runs under Keras {'/'.join(versions)} only")
    report = analyse_source(HEAD + body, settings=Settings(default_settings().rules,
                                                           keras=keras))
    assert [d.message for d in report.diagnostics if d.severity.value != "info"] == []
    [analysis] = report.models
    truth = keras_figures[keras][name]["m"]
    if fixed:  # every size is declared: archlint's numbers are Keras's
        assert ours(analysis) == {k: truth[k] for k in ("total", "trainable", "outputs")}
    found = ours_forward(analysis, LENGTH)
    assert found == {k: truth[k] for k in ("total", "trainable", "forward")}


def test_a_variable_length_stays_symbolic_through_the_table() -> None:
    report = analyse_source(HEAD + SCRIPTS["table cut to a variable length"][0])
    [analysis] = report.models
    shapes = {c.layer.name: str(c.output) for c in analysis.model.calls}
    assert shapes["inputs + self.table[:, :length]"] == "(None, T, 16)"
    assert shapes["self.table[:, :length]"] == "(1, min(T, 50), 16)"


def test_keras_ops_shape_of_a_fixed_length_is_not_guessed() -> None:
    # keras.ops.shape gives Python ints there, and arange a constant archlint does not
    # follow into a layer: unknown, with the reason, never a number.
    report = analyse_source(HEAD + KERAS_OPS + "inp = keras.Input(shape=(20, 8))\n"
                            "model = keras.Model(inp, OpsPositions(64, 8)(inp))\n")
    [analysis] = report.models
    assert analysis.total is None
    assert any(d.code == "AL002" for d in report.diagnostics)
