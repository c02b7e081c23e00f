"""Lambda layers whose function is made of tensor operations: the function is followed
with the tensor-operation formulas, the Lambda is one weightless layer. Each script is run
by real Keras 3 and tf-keras (the Keras version archlint is told, as ``--keras``); every
model's parameters and output shapes must equal archlint's, and where Keras refuses the
script, archlint reports an error."""

from __future__ import annotations

from typing import Any

import pytest

from archlint.analysis import Settings, analyse_source, default_settings
from archlint.unknown import Unknown
from tests.keras_scripts import ours, run_scripts

HEAD = ("import keras\nimport tensorflow as tf\nfrom keras import layers\n"
        "inp = keras.Input(shape=(10, 4), name='inp')\n")
SCRIPTS = {
    "slice": "m = keras.Model(inp, layers.Lambda(lambda x: x[:, -1])(inp), name='m')\n",
    "tf function inside": (
        "m = keras.Model(inp, layers.Lambda(lambda t: tf.reduce_mean(t, axis=1))(inp),\n"
        "                name='m')\n"),
    "keras.ops inside": (
        "m = keras.Model(inp, layers.Lambda(lambda t: keras.ops.mean(t, axis=1))(inp),\n"
        "                name='m')\n"),
    "a function of the script, with arguments": (
        "def first(x, k):\n"
        "    head = x[:, :k]\n"
        "    return tf.concat([head, head * 2.0], axis=-1)\n"
        "y = layers.Lambda(first, arguments={'k': 3})(inp)\n"
        "m = keras.Model(inp, layers.Dense(5)(y), name='m')\n"),
    "two inputs": (
        "s = layers.Lambda(lambda ab: ab[0] + ab[1])([inp, layers.Dense(4)(inp)])\n"
        "m = keras.Model(inp, s, name='m')\n"),
    "output_shape given, wrong": (
        "m = keras.Model(inp, layers.Lambda(lambda x: x[:, -1], output_shape=(7,))(inp),\n"
        "                name='m')\n"),
    "output_shape given as a function": (
        "y = layers.Lambda(lambda x: x[:, -1], output_shape=lambda s: (s[0], 9))(inp)\n"
        "m = keras.Model(inp, y, name='m')\n"),
    "in a Sequential": (
        "m = keras.Sequential([keras.Input((10, 4)), layers.Dense(6),\n"
        "                      layers.Lambda(lambda x: tf.reduce_max(x, axis=1)),\n"
        "                      layers.Dense(2)], name='m')\n"),
    "an index out of range": (
        "m = keras.Model(inp, layers.Lambda(lambda x: x[:, :, 9])(inp), name='m')\n"),
}


@pytest.fixture(scope="module")
def keras_figures() -> dict[str, Any]:
    sources = {name: HEAD + body for name, body in SCRIPTS.items()}
    return {version: run_scripts(sources, version) for version in ("3", "2")}


@pytest.mark.keras
@pytest.mark.parametrize("keras", ["3", "2"])
@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_lambda_layers_match_keras(keras_figures: dict[str, Any], keras: str,
                                   name: str) -> None:
    truth = keras_figures[keras][name]
    if "refused" in truth and "has no attribute 'ops'" in truth["refused"]:
        pytest.skip("tf-keras has no keras.ops")
    settings = Settings(default_settings().rules, keras=keras)
    report = analyse_source(HEAD + SCRIPTS[name], settings=settings)
    errors = [d for d in report.diagnostics if d.severity.value == "error"]
    if "refused" in truth:
        assert errors, truth["refused"]
        return
    assert errors == []
    analysis = next(a for a in report.models if a.model.name == "m")
    assert ours(analysis) == truth["m"]


def test_output_shape_differing_between_versions_is_unknown_for_both() -> None:
    report = analyse_source(HEAD + SCRIPTS["output_shape given, wrong"])
    lam = next(layer for layer in report.layers if layer.class_name == "Lambda")
    output = lam.calls[0].output
    assert isinstance(output, Unknown)
    assert ("Keras 3 declares (None, 7) (its output_shape=), tf-keras (None, 4) (what its "
            "function makes)") in output.reason


@pytest.mark.parametrize("body, why", [
    ("d = layers.Dense(3)\ny = layers.Lambda(lambda x: d(x))(inp)\n",
     "calls the layer `dense`, whose weights a Lambda does not track"),
    ("import numpy as np\ny = layers.Lambda(lambda x: np.fft.fft(x))(inp)\n",
     "the function of Lambda 'lambda'"),
])
def test_a_function_archlint_cannot_follow_leaves_the_lambda_unknown(body: str,
                                                                    why: str) -> None:
    report = analyse_source(HEAD + body + "m = keras.Model(inp, y, name='m')\n")
    lam = next(layer for layer in report.layers if layer.class_name == "Lambda")
    output = lam.calls[0].output
    assert isinstance(output, Unknown) and why in output.reason, output
    assert lam.calls[0].params is None or lam.calls[0].params.total == 0
    # What the function made is not left in the graph.
    assert sorted(layer.class_name for layer in report.layers) == sorted(
        ["InputLayer", "Lambda"] + (["Dense"] if "Dense" in body else []))
