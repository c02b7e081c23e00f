"""RNN(cell) in model scripts: cells built as arguments or as variables, lists of cells,
StackedRNNCells, states unpacked from return_state, Bidirectional around an RNN, and a
Pipeline of layers. Each script is run by real Keras 3 and tf-keras in a subprocess; every
model's parameter counts and output shapes must equal archlint's. The calls archlint does
not follow stay unknown, with their reason (cells of the script's own:
tests/test_user_rnn_cells.py).
"""

from __future__ import annotations

from typing import Any

import pytest

from archlint.analysis import analyse_source
from archlint.layer_eval import infer_layer, instantiate
from archlint.layers.base import Unresolved
from tests.keras_scripts import ours, run_scripts

HEAD = "import keras\nfrom keras import layers\n"
SCRIPTS = {
    "a cell as the argument": (
        "inp = keras.Input(shape=(10, 8))\n"
        "x = layers.RNN(layers.LSTMCell(16), return_sequences=True)(inp)\n"
        "x = layers.RNN(layers.GRUCell(4, reset_after=False), go_backwards=True)(x)\n"
        "model = keras.Model(inp, layers.Dense(2)(x), name='one_cell')\n"),
    "a cell in a variable": (
        "cell = layers.SimpleRNNCell(6, use_bias=False)\n"
        "inp = keras.Input(shape=(6, 5))\n"
        "model = keras.Model(inp, layers.RNN(cell, return_sequences=True)(inp),\n"
        "                    name='variable_cell')\n"),
    "a list of cells": (
        "cells = [layers.GRUCell(8), layers.LSTMCell(4), layers.SimpleRNNCell(3)]\n"
        "inp = keras.Input(shape=(7, 5))\n"
        "model = keras.Model(inp, layers.RNN(cells)(inp), name='stack')\n"),
    "StackedRNNCells": (
        "stack = layers.StackedRNNCells([layers.LSTMCell(6), layers.GRUCell(2)])\n"
        "inp = keras.Input(shape=(7, 5))\n"
        "model = keras.Model(inp, layers.RNN(stack, return_sequences=True)(inp),\n"
        "                    name='stacked_cells')\n"),
    "states unpacked": (
        "inp = keras.Input(shape=(7, 5))\n"
        "out, h, c = layers.RNN(layers.LSTMCell(4), return_state=True)(inp)\n"
        "model = keras.Model(inp, layers.Concatenate()([out, h, c]), name='states')\n"),
    "Bidirectional around an RNN": (
        "inp = keras.Input(shape=(9, 3))\n"
        "x = layers.Bidirectional(layers.RNN(layers.GRUCell(5), return_sequences=True))(inp)\n"
        "x = layers.Bidirectional(layers.RNN([layers.LSTMCell(2), layers.GRUCell(3)]),\n"
        "                         merge_mode='sum')(x)\n"
        "model = keras.Model(inp, x, name='bidirectional')\n"),
    # Keras 3 only (tf-keras has none of these classes).
    "a Pipeline": (
        "inp = keras.Input(shape=(16, 16, 3))\n"
        "augment = layers.Pipeline([layers.RandomFlip(), layers.RandomColorDegeneration(0.5),\n"
        "                           layers.AdaptiveAveragePooling2D((4, 3))])\n"
        "x = layers.Flatten()(augment(inp))\n"
        "model = keras.Model(inp, layers.Dense(3)(x), name='pipeline')\n"),
    "a ReversibleEmbedding": (
        "tokens = keras.Input(shape=(12,), dtype='int32')\n"
        "x = layers.ReversibleEmbedding(100, 16, tie_weights=False)(tokens)\n"
        "x = layers.RNN(layers.GRUCell(8))(x)\n"
        "model = keras.Model(tokens, x, name='reversible')\n"),
}
KERAS3_ONLY = {"a Pipeline", "a ReversibleEmbedding"}


@pytest.fixture(scope="module")
def keras_figures() -> dict[str, Any]:
    sources = {name: HEAD + body for name, body in SCRIPTS.items()}
    keras2 = {name: source for name, source in sources.items() if name not in KERAS3_ONLY}
    return {"3": run_scripts(sources, "3"), "2": run_scripts(keras2, "2")}


@pytest.mark.keras
@pytest.mark.parametrize("keras", ["3", "2"])
@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_rnn_cell_scripts_match_keras(keras_figures: dict[str, Any], keras: str,
                                      name: str) -> None:
    if keras == "2" and name in KERAS3_ONLY:
        pytest.skip("tf-keras has no such class")
    report = analyse_source(HEAD + "from keras import ops\n" * (name in KERAS3_ONLY)
                            + SCRIPTS[name])
    assert [d for d in report.diagnostics if d.severity.value == "error"] == []
    assert not [d for d in report.diagnostics if d.code in ("AL001", "AL002")]
    found = {a.model.name: ours(a) for a in report.models}
    truth = keras_figures[keras][name]
    assert truth, f"Keras {keras} built no model"
    for model, figures in truth.items():
        assert found[model] == figures, model


def test_a_cell_of_the_users_own_without_a_call_is_unknown_with_its_reason() -> None:
    source = HEAD + (
        "class MinimalCell(layers.Layer):\n"
        "    def __init__(self, units, **kwargs):\n"
        "        super().__init__(**kwargs)\n"
        "        self.units = units\n"
        "        self.state_size = units\n"
        "inp = keras.Input(shape=(7, 5))\n"
        "model = keras.Model(inp, layers.RNN(MinimalCell(4))(inp))\n")
    report = analyse_source(source)
    (analysis,) = report.models
    assert analysis.total is None or not isinstance(analysis.total, int)
    messages = " ".join(d.message for d in report.diagnostics)
    assert "MinimalCell" in messages
    assert "defines no call(inputs, states)" in messages


def test_stacked_cells_with_return_state_are_unknown() -> None:
    """Keras 3 returns each stacked cell's states in a list of their own."""
    cells = [{"class_name": "GRUCell", "config": {"units": 4}},
             {"class_name": "SimpleRNNCell", "config": {"units": 6}}]
    rnn = instantiate("RNN", {"cell": cells, "return_state": True}, "rnn")
    with pytest.raises(Unresolved) as unknown:
        infer_layer(rnn, [(None, 5, 12)])
    assert "of their own" in unknown.value.unknown.reason
    assert rnn.spec.output_count(rnn.config) is None


def test_adaptive_pooling_on_another_rank_is_unknown() -> None:
    """Keras 3 pools by the input's rank and declares the class's: no number to give."""
    pool = instantiate("AdaptiveAveragePooling2D", {"output_size": 2}, "pool")
    with pytest.raises(Unresolved) as unknown:
        infer_layer(pool, [(None, 8, 3)])
    assert "as a 1-D input" in unknown.value.unknown.reason


def test_a_reverse_call_of_a_reversible_embedding_is_unknown() -> None:
    source = HEAD + (
        "tokens = keras.Input(shape=(12,), dtype='int32')\n"
        "embedding = layers.ReversibleEmbedding(100, 16)\n"
        "x = layers.Dense(16)(embedding(tokens))\n"
        "model = keras.Model(tokens, embedding(x, reverse=True))\n")
    report = analyse_source(source)
    messages = " ".join(d.message for d in report.diagnostics)
    assert "called with reverse=True" in messages
