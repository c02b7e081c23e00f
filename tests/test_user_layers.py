"""Layers the script defines (``class X(keras.layers.Layer)``): their ``__init__``,
``build(input_shape)`` with ``add_weight`` and ``call()`` are followed symbolically. Each
script is run by real Keras 3 and tf-keras in a subprocess; every model's parameter counts
and output shapes must equal archlint's.
"""

from __future__ import annotations

from typing import Any

import pytest

from archlint.analysis import Settings, analyse_source, default_settings
from tests.keras_scripts import keras_summary, ours, run_scripts, summary_of

HEAD = "import keras\nfrom keras import layers\nimport tensorflow as tf\n"

LINEAR = (
    "class Linear(layers.Layer):\n"
    "    def __init__(self, units=32, **kwargs):\n"
    "        super().__init__(**kwargs)\n"
    "        self.units = units\n"
    "    def build(self, input_shape):\n"
    "        self.w = self.add_weight(shape=(input_shape[-1], self.units),\n"
    "                                 initializer='random_normal', trainable=True)\n"
    "        self.b = self.add_weight(shape=(self.units,), initializer='zeros')\n"
    "        self.steps = self.add_weight(shape=(), initializer='zeros', trainable=False)\n"
    "    def call(self, inputs):\n"
    "        return tf.matmul(inputs, self.w) + self.b\n")

SCRIPTS = {
    "weights made in build": LINEAR + (
        "inp = keras.Input(shape=(12,))\n"
        "h = Linear(8)(inp)\n"
        "model = keras.Model(inp, layers.Dense(2)(h), name='linear_head')\n"),
    "a layer shared by two calls": LINEAR + (
        "shared = Linear(5)\n"
        "a = keras.Input(shape=(7,))\n"
        "b = keras.Input(shape=(7,))\n"
        "both = layers.Concatenate()([shared(a), shared(b)])\n"
        "model = keras.Model([a, b], both, name='siamese')\n"),
    "frozen by its constructor": LINEAR + (
        "inp = keras.Input(shape=(6,))\n"
        "model = keras.Model(inp, Linear(4, trainable=False)(inp), name='frozen')\n"),
    "residual block": (
        "class Residual(layers.Layer):\n"
        "    def __init__(self, filters, kernel_size=3, **kwargs):\n"
        "        super(Residual, self).__init__(**kwargs)\n"
        "        self.filters = filters\n"
        "        self.conv1 = layers.Conv1D(filters, kernel_size, padding='same')\n"
        "        self.norm = layers.BatchNormalization()\n"
        "        self.conv2 = layers.Conv1D(filters, kernel_size, padding='same')\n"
        "    def build(self, input_shape):\n"
        "        if input_shape[-1] != self.filters:\n"
        "            self.project = layers.Conv1D(self.filters, 1)\n"
        "        else:\n"
        "            self.project = None\n"
        "    def call(self, x, training=None):\n"
        "        h = self.conv1(x)\n"
        "        h = self.norm(h, training=training)\n"
        "        h = tf.nn.relu(h)\n"
        "        h = self.conv2(h)\n"
        "        shortcut = x if self.project is None else self.project(x)\n"
        "        return tf.nn.relu(h + shortcut)\n"
        "seq = keras.Input(shape=(40, 6))\n"
        "x = Residual(16)(seq)\n"
        "x = Residual(16)(x)\n"
        "x = layers.GlobalAveragePooling1D()(x)\n"
        "model = keras.Model(seq, layers.Dense(3)(x), name='resnet1d')\n"),
    "attention written by hand": (
        "class SelfAttention(layers.Layer):\n"
        "    def __init__(self, dim, **kwargs):\n"
        "        super().__init__(**kwargs)\n"
        "        self.dim = dim\n"
        "        self.query = layers.Dense(dim, use_bias=False)\n"
        "        self.key = layers.Dense(dim, use_bias=False)\n"
        "        self.value = layers.Dense(dim)\n"
        "    def call(self, x):\n"
        "        q, k, v = self.query(x), self.key(x), self.value(x)\n"
        "        scores = tf.matmul(q, k, transpose_b=True) / self.dim ** 0.5\n"
        "        weights = tf.nn.softmax(scores, axis=-1)\n"
        "        return tf.matmul(weights, v)\n"
        "tokens = keras.Input(shape=(10, 12))\n"
        "x = SelfAttention(8)(tokens)\n"
        "x = layers.LayerNormalization()(x)\n"
        "model = keras.Model(tokens, layers.Dense(2)(x[:, 0]), name='attention')\n"),
    "a base class and a subclass": (
        "class Base(layers.Layer):\n"
        "    def __init__(self, units, **kwargs):\n"
        "        super().__init__(**kwargs)\n"
        "        self.units = units\n"
        "    def build(self, input_shape):\n"
        "        self.kernel = self.add_weight(shape=(input_shape[-1], self.units))\n"
        "    def project(self, x):\n"
        "        return tf.matmul(x, self.kernel)\n"
        "class Gated(Base):\n"
        "    def __init__(self, units, **kwargs):\n"
        "        super().__init__(units, **kwargs)\n"
        "        self.gate = layers.Dense(units, activation='sigmoid')\n"
        "    def call(self, x):\n"
        "        return self.project(x) * self.gate(x)\n"
        "inp = keras.Input(shape=(9,))\n"
        "model = keras.Model(inp, Gated(4)(inp), name='gated')\n"),
    "sub-layers made in build and two outputs": (
        "class Split(layers.Layer):\n"
        "    def build(self, input_shape):\n"
        "        self.left = layers.Dense(input_shape[-1] // 2)\n"
        "        self.right = layers.Dense(3)\n"
        "    def call(self, x):\n"
        "        return self.left(x), self.right(x)\n"
        "inp = keras.Input(shape=(10,))\n"
        "a, b = Split()(inp)\n"
        "model = keras.Model(inp, layers.Concatenate()([a, b]), name='split')\n"),
    "names inside layers repeat": (
        "class Block(layers.Layer):\n"
        "    def __init__(self, **kwargs):\n"
        "        super().__init__(**kwargs)\n"
        "        self.dense = layers.Dense(3, name='inner')\n"
        "    def call(self, x):\n"
        "        return self.dense(x)\n"
        "inp = keras.Input(shape=(4,))\n"
        "model = keras.Model(inp, Block()(Block()(inp)), name='repeated_inner')\n"),
    "isinstance picks layers to freeze": LINEAR + (
        "model = keras.Sequential([keras.Input((10,)), layers.Dense(8), layers.Dropout(0.2),\n"
        "                          layers.BatchNormalization(), Linear(3)], name='picked')\n"
        "for layer in model.layers:\n"
        "    if isinstance(layer, (layers.BatchNormalization, Linear)):\n"
        "        layer.trainable = False\n"
        "    elif isinstance(layer, layers.Layer) and not isinstance(layer, layers.Dense):\n"
        "        layer.name\n"),
    "compute_output_shape agreeing with call": (
        "class Doubled(layers.Layer):\n"
        "    def call(self, x):\n"
        "        return tf.concat([x, x], axis=-1)\n"
        "    def compute_output_shape(self, input_shape):\n"
        "        return (*input_shape[:-1], 2 * input_shape[-1])\n"
        "inp = keras.Input(shape=(3, 4))\n"
        "model = keras.Model(inp, layers.Dense(2)(Doubled()(inp)), name='doubled')\n"),
    "in a Sequential": LINEAR + (
        "model = keras.Sequential([keras.Input(shape=(5,)), Linear(6), layers.Dense(1)],\n"
        "                         name='seq_linear')\n"),
}


@pytest.fixture(scope="module")
def keras_figures() -> dict[str, Any]:
    sources = {name: HEAD + body for name, body in SCRIPTS.items()}
    return {version: run_scripts(sources, version) for version in ("3", "2")}


@pytest.mark.keras
@pytest.mark.parametrize("keras", ["3", "2"])
@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_user_defined_layers_match_keras(keras_figures: dict[str, Any], keras: str,
                                         name: str) -> None:
    _assert_figures_match(keras_figures[keras][name], HEAD + SCRIPTS[name])


def test_tensorflow_functions_inside_a_layer_call_are_not_refused() -> None:
    # Keras 3 refuses tf.* on its symbolic tensors, but a layer's call() gets the
    # backend's tensors: only the first script would fail.
    keras3 = Settings(default_settings().rules, keras="3")
    outside = analyse_source(HEAD + "inp = keras.Input(shape=(4,))\n"
                             "model = keras.Model(inp, tf.nn.relu(inp))\n", settings=keras3)
    inside = analyse_source(HEAD + SCRIPTS["residual block"], settings=keras3)
    assert [d.code for d in outside.diagnostics if d.severity.value == "error"] == ["AL208"]
    assert not [d for d in inside.diagnostics if d.severity.value == "error"]


def test_a_layer_whose_call_cannot_be_followed_is_unknown_with_its_reason() -> None:
    report = analyse_source(HEAD + (
        "class Opaque(layers.Layer):\n"
        "    def call(self, x):\n"
        "        return tf.py_function(lambda t: t, [x], tf.float32)\n"
        "inp = keras.Input(shape=(4,))\n"
        "model = keras.Model(inp, layers.Dense(2)(Opaque()(inp)))\n"))
    [warning] = [d for d in report.diagnostics if d.code == "AL002"]
    assert "Opaque" in warning.message and warning.span.line == 8
    assert report.models[0].total is None


MODELS = {
    "a Model subclass made functionally": (
        "class CustomModel(keras.Model):\n"
        "    def train_step(self, data):\n"
        "        return super().train_step(data)\n"
        "inp = keras.Input(shape=(3,))\n"
        "model = CustomModel(inp, layers.Dense(2)(inp))\n"),
    "a functional init inside __init__": (
        "class Wrapped(keras.Model):\n"
        "    def __init__(self, width, **kwargs):\n"
        "        inp = keras.Input(shape=(4,))\n"
        "        out = layers.Dense(width)(layers.Dense(8)(inp))\n"
        "        super().__init__(inputs=inp, outputs=out, **kwargs)\n"
        "model = Wrapped(3, name='wrapped')\n"),
    "a subclassed model called on an input": (
        "class Mlp(keras.Model):\n"
        "    def __init__(self, units=16, **kwargs):\n"
        "        super().__init__(**kwargs)\n"
        "        self.hidden = [layers.Dense(units, activation='relu') for _ in range(2)]\n"
        "        self.out = layers.Dense(1)\n"
        "    def call(self, x):\n"
        "        for layer in self.hidden:\n"
        "            x = layer(x)\n"
        "        return self.out(x)\n"
        "model = Mlp(name='mlp')\n"
        "y = model(keras.Input(shape=(10,)))\n"),
    "a subclassed model inside a functional one": (
        "class Encoder(keras.Model):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.conv = layers.Conv1D(8, 3, activation='relu')\n"
        "        self.pool = layers.GlobalMaxPooling1D()\n"
        "    def call(self, x):\n"
        "        return self.pool(self.conv(x))\n"
        "encoder = Encoder()\n"
        "seq = keras.Input(shape=(30, 4))\n"
        "model = keras.Model(seq, layers.Dense(2)(encoder(seq)), name='classifier')\n"),
    "a frozen layer freezes its sub-layers": (
        "class Block(layers.Layer):\n"
        "    def __init__(self, **kwargs):\n"
        "        super().__init__(**kwargs)\n"
        "        self.dense = layers.Dense(5)\n"
        "        self.norm = layers.BatchNormalization()\n"
        "    def call(self, x):\n"
        "        return self.norm(self.dense(x))\n"
        "inp = keras.Input(shape=(6,))\n"
        "frozen = Block()\n"
        "frozen.trainable = False\n"
        "model = keras.Model(inp, layers.Dense(1)(frozen(inp)), name='partly_frozen')\n"),
}


@pytest.fixture(scope="module")
def keras_model_figures() -> dict[str, Any]:
    sources = {name: HEAD + body for name, body in MODELS.items()}
    return {version: run_scripts(sources, version) for version in ("3", "2")}


@pytest.mark.keras
@pytest.mark.parametrize("keras", ["3", "2"])
@pytest.mark.parametrize("name", sorted(MODELS))
def test_user_defined_models_match_keras(keras_model_figures: dict[str, Any], keras: str,
                                         name: str) -> None:
    _assert_figures_match(keras_model_figures[keras][name], HEAD + MODELS[name])


def _assert_figures_match(truth: dict[str, Any], source: str) -> None:
    """Every model Keras built from the script has archlint's counts and output shapes."""
    assert "refused" not in truth, truth
    report = analyse_source(source)
    assert [d for d in report.diagnostics if d.severity.value == "error"] == []
    found = {a.model.name: ours(a) for a in report.models}
    assert set(truth) <= set(found), (sorted(truth), sorted(found))
    for model, figures in truth.items():
        if figures["outputs"] is None:  # Keras keeps no symbolic output for it
            figures = {**figures, "outputs": found[model]["outputs"]}
        assert found[model] == figures, model


def test_layer_names_inside_user_defined_layers_need_not_be_unique() -> None:
    # Keras checks the names of a model's own layers; those inside a layer are its own.
    report = analyse_source(HEAD + (
        "class Block(layers.Layer):\n"
        "    def __init__(self, **kwargs):\n"
        "        super().__init__(**kwargs)\n"
        "        self.dense = layers.Dense(3, name='inner')\n"
        "    def call(self, x):\n"
        "        return self.dense(x)\n"
        "inp = keras.Input(shape=(4,))\n"
        "model = keras.Model(inp, Block()(Block()(inp)))\n"))
    assert not [d for d in report.diagnostics if d.code == "AL501"]


def test_a_library_call_on_known_values_is_not_said_to_depend_on_the_data() -> None:
    report = analyse_source(HEAD + "import numpy as np\n"
                            "inp = keras.Input(shape=(int(np.sqrt(64)),))\n"
                            "model = keras.Model(inp, layers.Dense(2)(inp))\n")
    [info] = [d for d in report.diagnostics if d.code == "AL001"]
    assert "library call on known values that archlint does not compute" in info.message


BUILT_BY_BUILD = (
    "class Mlp(keras.Model):\n"
    "    def __init__(self, **kwargs):\n"
    "        super().__init__(**kwargs)\n"
    "        self.hidden = layers.Dense(6)\n"
    "        self.out = layers.Dense(2)\n"
    "    def call(self, x):\n"
    "        return self.out(self.hidden(x))\n"
    "model = Mlp(name='mlp')\n"
    "model.build((None, 5))\n")


@pytest.mark.keras
def test_build_builds_a_subclassed_model_in_tf_keras_only() -> None:
    truth = {version: run_scripts({"built": HEAD + BUILT_BY_BUILD}, version)["built"]["mlp"]
             for version in ("3", "2")}
    assert truth["3"]["total"] == 0 < truth["2"]["total"]  # Keras 3 leaves its layers unbuilt
    for keras, code in (("3", ["AL209"]), ("2", [])):
        report = analyse_source(HEAD + BUILT_BY_BUILD,
                                settings=Settings(default_settings().rules, keras=keras))
        assert [d.code for d in report.diagnostics if d.code == "AL209"] == code
        # What the first call on that shape builds: tf-keras's figures.
        assert ours(report.models[0])["total"] == truth["2"]["total"]


ROWS_CHECKED = ("weights made in build", "residual block", "attention written by hand",
                "a base class and a subclass", "names inside layers repeat",
                "sub-layers made in build and two outputs")


@pytest.fixture(scope="module")
def keras_rows() -> dict[str, Any]:
    sources = {name: HEAD + SCRIPTS[name] for name in ROWS_CHECKED}
    return {version: run_scripts(sources, version, rows=True) for version in ("3", "2")}


@pytest.mark.keras
@pytest.mark.parametrize("keras", ["3", "2"])
@pytest.mark.parametrize("name", ROWS_CHECKED)
def test_a_user_defined_layer_is_one_summary_row_with_its_total(
        keras_rows: dict[str, Any], keras: str, name: str) -> None:
    # Keras's summary: one row per layer of the model, a user-defined layer's row counting
    # the weights of the layers its call() calls; operations on tensors left out (tf-keras
    # lists those it wraps at the top level, Keras 3 none).
    report = analyse_source(HEAD + SCRIPTS[name])
    for model, figures in keras_rows[keras][name].items():
        analysis = next(a for a in report.models if a.model.name == model)
        # An input's automatic name is each version's own (input_layer, input_1).
        assert _layers_only(summary_of(analysis)) == _layers_only(
            keras_summary(figures["rows"])), model


def _layers_only(rows: list[list[Any]]) -> list[list[Any]]:
    return [row for row in rows if row[1] != "InputLayer"]


WRONG_DECLARATION = (
    "class Wrong(layers.Layer):\n"
    "    def call(self, x):\n"
    "        return tf.concat([x, x], axis=-1)\n"
    "    def compute_output_shape(self, input_shape):\n"
    "        return input_shape\n"
    "inp = keras.Input(shape=(4,))\n"
    "model = keras.Model(inp, Wrong()(inp), name='wrong')\n")


@pytest.mark.keras
def test_keras_3_declares_what_compute_output_shape_says() -> None:
    truth = {v: run_scripts({"w": HEAD + WRONG_DECLARATION}, v)["w"]["wrong"]["outputs"]
             for v in ("3", "2")}
    assert truth["3"] != truth["2"]  # Keras 3: the declaration; tf-keras: what call() makes
    keras3 = analyse_source(HEAD + WRONG_DECLARATION,
                            settings=Settings(default_settings().rules, keras="3"))
    [warning] = [d for d in keras3.diagnostics if d.code == "AL002"]
    assert "compute_output_shape" in warning.message
    assert keras3.models[0].total is None or ours(keras3.models[0])["outputs"] != truth["3"]
    keras2 = analyse_source(HEAD + WRONG_DECLARATION,
                            settings=Settings(default_settings().rules, keras="2"))
    assert ours(keras2.models[0])["outputs"] == truth["2"]
