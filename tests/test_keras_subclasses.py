"""Layer classes of the script that derive from a Keras class other than Layer: from a
layer archlint has formulas for (``super().call()``, or no call() of their own, runs it on
the options their ``__init__`` passes on), from ``Wrapper`` (``self.layer`` is the layer it
wraps); and, in Keras 3, a layer whose call() archlint does not follow takes the shape its
``compute_output_shape`` declares. Each script is run by real Keras 3 and tf-keras in a
subprocess, and called on data; every model's figures must equal archlint's.
"""

from __future__ import annotations

from typing import Any

import pytest

from archlint.analysis import Settings, analyse_source, default_settings
from tests.keras_scripts import ours, run_scripts

HEAD = "import keras\nfrom keras import layers\nimport tensorflow as tf\n"

SCRIPTS = {
    "a Dense with its own call": (
        "class Doubled(layers.Dense):\n"
        "    def call(self, inputs):\n"
        "        return super().call(inputs) * 2.0\n"
        "inp = keras.Input(shape=(6,))\n"
        "model = keras.Model(inp, Doubled(4, use_bias=False)(inp), name='doubled')\n"),
    "a Dense with its own __init__ and no call": (
        "class Wide(layers.Dense):\n"
        "    def __init__(self, **kwargs):\n"
        "        super().__init__(16, activation='relu', **kwargs)\n"
        "inp = keras.Input(shape=(5,))\n"
        "x = Wide(name='wide')(inp)\n"
        "model = keras.Model(inp, layers.Dense(2)(x), name='wide_dense')\n"),
    "a Conv1D passing its options on": (
        "class Smooth(layers.Conv1D):\n"
        "    def __init__(self, filters, **kwargs):\n"
        "        super().__init__(filters, 5, padding='same', **kwargs)\n"
        "    def call(self, inputs, training=None):\n"
        "        return tf.nn.relu(super().call(inputs))\n"
        "inp = keras.Input(shape=(20, 3))\n"
        "x = Smooth(8)(inp)\n"
        "model = keras.Model(inp, layers.GlobalAveragePooling1D()(x), name='smooth')\n"),
    "a frozen subclass": (
        "class Frozen(layers.Dense):\n"
        "    pass\n"
        "inp = keras.Input(shape=(3,))\n"
        "model = keras.Model(inp, Frozen(4, trainable=False)(inp), name='frozen')\n"),
    "a Wrapper": (
        "class Twice(layers.Wrapper):\n"
        "    def call(self, inputs):\n"
        "        return self.layer(self.layer(inputs))\n"
        "inp = keras.Input(shape=(4,))\n"
        "x = Twice(layers.Dense(4))(inp)\n"
        "y = Twice(layer=layers.BatchNormalization())(x)\n"
        "model = keras.Model(inp, y, name='wrapped')\n"),
}


@pytest.fixture(scope="module")
def keras_figures() -> dict[str, Any]:
    sources = {name: HEAD + body for name, body in SCRIPTS.items()}
    return {version: run_scripts(sources, version, forward=True) for version in ("3", "2")}


@pytest.mark.keras
@pytest.mark.parametrize("keras", ["3", "2"])
@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_subclasses_of_keras_layers_match_keras(keras_figures: dict[str, Any], keras: str,
                                                name: str) -> None:
    report = analyse_source(HEAD + SCRIPTS[name],
                            settings=Settings(default_settings().rules, keras=keras))
    assert [d for d in report.diagnostics if d.severity.value == "error"] == []
    assert not [d for d in report.diagnostics if d.code in ("AL001", "AL002")]
    found = {a.model.name: ours(a) for a in report.models}
    truth = keras_figures[keras][name]
    assert truth, f"Keras {keras} built no model"
    for model, figures in truth.items():
        forward = figures.pop("forward")
        assert forward == [[2, *o[1:]] for o in figures["outputs"]], "declared is not real"
        assert found[model] == figures, model


DECLARED = (
    "class Hsv(layers.Layer):\n"
    "    def call(self, inputs):\n"
    "        return tf.image.rgb_to_hsv(inputs)\n"
    "    def compute_output_shape(self, input_shape):\n"
    "        return input_shape\n"
    "inp = keras.Input(shape=(8, 8, 3))\n"
    "model = keras.Model(inp, layers.Flatten()(Hsv()(inp)), name='hsv')\n")


@pytest.mark.keras
def test_keras_3_takes_the_declared_shape_of_a_call_archlint_does_not_follow() -> None:
    truth = run_scripts({"hsv": HEAD + DECLARED}, "3", forward=True)["hsv"]["hsv"]
    keras3 = analyse_source(HEAD + DECLARED,
                            settings=Settings(default_settings().rules, keras="3"))
    (analysis,) = keras3.models
    assert truth.pop("forward") == [[2, *truth["outputs"][0][1:]]]
    assert ours(analysis) == truth
    (warning,) = [d for d in keras3.diagnostics if d.code == "AL002"]
    assert "compute_output_shape declares" in warning.message
    assert "tf.image.rgb_to_hsv" in warning.message
    # tf-keras runs call() to know the output: unknown.
    keras2 = analyse_source(HEAD + DECLARED,
                            settings=Settings(default_settings().rules, keras="2"))
    assert ours(keras2.models[0])["outputs"] != truth["outputs"]


def test_a_subclass_of_a_keras_wrapper_is_unknown_with_its_reason() -> None:
    report = analyse_source(HEAD + (
        "class Both(layers.Bidirectional):\n"
        "    def call(self, inputs):\n"
        "        return super().call(inputs)\n"
        "inp = keras.Input(shape=(5, 3))\n"
        "model = keras.Model(inp, Both(layers.LSTM(4))(inp))\n"))
    (analysis,) = report.models
    assert analysis.total is None
    messages = " ".join(d.message for d in report.diagnostics if d.code == "AL002")
    assert "the layer class `Both` is not followed" in messages
