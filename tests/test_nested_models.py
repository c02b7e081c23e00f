"""Models called as layers: a Sequential block called on a tensor (built by that call when
it has no input shape), a function returning a Sequential, a functional model inside
another; and models rewired from a built one (``get_layer``, ``.layers[i]``). Each script
is run by real Keras 3 and tf-keras in a subprocess; every model's parameter counts and
output shapes must equal archlint's.
"""

from __future__ import annotations

from typing import Any

import pytest

from archlint.analysis import analyse_source
from tests.keras_scripts import ours, run_scripts

HEAD = "import keras\nfrom keras import layers\n"
SCRIPTS = {
    "rewired from a built model": (
        "inp = keras.Input(shape=(16,))\n"
        "h = layers.Dense(8, name='hidden')(inp)\n"
        "model = keras.Model(inp, layers.Dense(2, name='head')(h), name='full')\n"
        "features = keras.Model(model.input, model.get_layer('hidden').output,\n"
        "                       name='features')\n"
        "probe = keras.Model(model.inputs, model.layers[1].output, name='probe')\n"
        "by_index = keras.Model(model.input, model.get_layer(index=2).output, name='idx')\n"
        "stacked = keras.Model(model.input, layers.Dense(3)(model.output), name='stacked')\n"),

    "encoder called on an input": (
        "encoder = keras.Sequential([layers.Dense(32, activation='relu'), layers.Dense(8)],\n"
        "                           name='encoder')\n"
        "inp = keras.Input(shape=(20,))\n"
        "model = keras.Model(inp, layers.Dense(1)(encoder(inp)), name='outer')\n"),
    "blocks from a function": (
        "def block(filters, name):\n"
        "    return keras.Sequential([layers.Conv2D(filters, 3, padding='same'),\n"
        "                             layers.ReLU()], name=name)\n"
        "img = keras.Input(shape=(16, 12, 3))\n"
        "x = block(8, 'b1')(img)\n"
        "x = block(4, 'b2')(x)\n"
        "x = layers.GlobalAveragePooling2D()(x)\n"
        "cnn = keras.Model(img, layers.Dense(10)(x), name='cnn')\n"),
    "functional inside functional": (
        "a = keras.Input(shape=(5,))\n"
        "sub = keras.Model(a, layers.Dense(3)(a), name='sub')\n"
        "b = keras.Input(shape=(5,))\n"
        "c = keras.Input(shape=(5,))\n"
        "both = layers.Concatenate()([sub(b), sub(c)])\n"
        "outer = keras.Model([b, c], layers.Dense(2)(both), name='outer')\n"),
    "built Sequential on a time axis": (
        "head = keras.Sequential([keras.Input((None, 6)), layers.Conv1D(4, 3),\n"
        "                         layers.GlobalMaxPooling1D()], name='head')\n"
        "seq = keras.Input(shape=(30, 6))\n"
        "model = keras.Model(seq, layers.Dense(2)(head(seq)), name='outer')\n"),
    "multi-output sub-model": (
        "a = keras.Input(shape=(7,))\n"
        "h = layers.Dense(4)(a)\n"
        "two = keras.Model(a, [h, layers.Dense(2)(h)], name='two')\n"
        "x = keras.Input(shape=(7,))\n"
        "p, q = two(x)\n"
        "model = keras.Model(x, layers.Concatenate()([p, q]), name='outer')\n"),
}



@pytest.fixture(scope="module")
def keras_figures() -> dict[str, Any]:
    sources = {name: HEAD + body for name, body in SCRIPTS.items()}
    return {version: run_scripts(sources, version) for version in ("3", "2")}


@pytest.mark.keras
@pytest.mark.parametrize("keras", ["3", "2"])
@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_nested_models_match_keras(keras_figures: dict[str, Any], keras: str,
                                   name: str) -> None:
    report = analyse_source(HEAD + SCRIPTS[name])
    assert [d for d in report.diagnostics if d.severity.value == "error"] == []
    found = {a.model.name: ours(a) for a in report.models}
    truth = keras_figures[keras][name]
    assert set(truth) <= set(found), (sorted(truth), sorted(found))
    for model, figures in truth.items():
        assert found[model] == figures, model


def test_the_first_call_builds_a_sequential_with_no_input_shape() -> None:
    report = analyse_source(HEAD + SCRIPTS["encoder called on an input"])
    encoder = next(a for a in report.models if a.model.name == "encoder")
    assert isinstance(encoder.total, int)  # a number, checked against Keras above
    assert not [d for d in report.diagnostics if d.code in ("AL001", "AL002")]
