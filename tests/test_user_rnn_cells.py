"""Recurrent cells the script defines, run by ``RNN(cell)``, a list of cells or
``StackedRNNCells``: the output and states take the sizes the cell declares (``state_size``,
``output_size``), the parameters are the weights its ``build()`` makes for one step. Each
script is run by real Keras 3 and tf-keras in a subprocess, and called on data; every
model's parameter counts and output shapes must equal archlint's. What archlint cannot
follow in a cell leaves the RNN unknown, with the reason.
"""

from __future__ import annotations

from typing import Any

import pytest

from archlint.analysis import Settings, analyse_source, default_settings
from tests.keras_scripts import ours, run_scripts

HEAD = "import keras\nfrom keras import layers\nimport tensorflow as tf\n"

ONE_STATE = (
    "class OneState(layers.Layer):\n"
    "    def __init__(self, units, state_size=None, **kwargs):\n"
    "        super().__init__(**kwargs)\n"
    "        self.units = units\n"
    "        self.state_size = state_size if state_size else units\n"
    "    def build(self, input_shape):\n"
    "        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name='k')\n"
    "        self.recurrent = self.add_weight(shape=(self.units, self.units), name='r')\n"
    "        self.bias = self.add_weight(shape=(self.units,), initializer='zeros')\n"
    "    def call(self, inputs, states):\n"
    "        output = tf.matmul(inputs, self.kernel) + tf.matmul(states[0], self.recurrent)\n"
    "        return output + self.bias, [output]\n")

TWO_STATES = (
    "class TwoStates(layers.Layer):\n"
    "    def __init__(self, units, **kwargs):\n"
    "        super().__init__(**kwargs)\n"
    "        self.units = units\n"
    "        self.state_size = [units, units]\n"
    "        self.output_size = units\n"
    "    def build(self, input_shape):\n"
    "        self.kernel = self.add_weight(shape=(input_shape[-1], self.units))\n"
    "        self.recurrent = self.add_weight(shape=(self.units, 2 * self.units))\n"
    "        self.steps = self.add_weight(shape=(), initializer='zeros', trainable=False)\n"
    "    def call(self, inputs, states):\n"
    "        h = tf.matmul(inputs, self.kernel)\n"
    "        both = tf.matmul(states[0] + states[1], self.recurrent)\n"
    "        return h + both[:, :self.units], [h, both[:, self.units:]]\n")

WIDE_OUTPUT = (
    "class WideOutput(layers.Layer):\n"
    "    def __init__(self, units, **kwargs):\n"
    "        super().__init__(**kwargs)\n"
    "        self.units = units\n"
    "        self.state_size = (units,)\n"
    "    @property\n"
    "    def output_size(self):\n"
    "        return 2 * self.units\n"
    "    def build(self, input_shape):\n"
    "        self.kernel = self.add_weight(shape=(input_shape[-1], self.units))\n"
    "    def call(self, inputs, states):\n"
    "        h = tf.matmul(inputs, self.kernel) + states[0]\n"
    "        return tf.concat([h, h], axis=-1), [h]\n")

SCRIPTS = {
    "one state, sequences": ONE_STATE + (
        "inp = keras.Input(shape=(6, 4))\n"
        "x = layers.RNN(OneState(5), return_sequences=True)(inp)\n"
        "x = layers.RNN(OneState(3, state_size=[3]), go_backwards=True)(x)\n"
        "model = keras.Model(inp, layers.Dense(2)(x), name='one_state')\n"),
    "two states returned": TWO_STATES + (
        "inp = keras.Input(shape=(5, 3))\n"
        "out, h, c = layers.RNN(TwoStates(4), return_state=True)(inp)\n"
        "model = keras.Model(inp, layers.Concatenate()([out, h, c]), name='two_states')\n"),
    "output size of its own": WIDE_OUTPUT + (
        "inp = keras.Input(shape=(7, 2))\n"
        "x = layers.RNN(WideOutput(3), return_sequences=True)(inp)\n"
        "model = keras.Model(inp, x, name='wide')\n"),
    "a list of cells": ONE_STATE + TWO_STATES + (
        "inp = keras.Input(shape=(6, 4))\n"
        "x = layers.RNN([OneState(3), TwoStates(5), OneState(2)])(inp)\n"
        "model = keras.Model(inp, x, name='stack')\n"),
    "StackedRNNCells with a Keras cell": ONE_STATE + (
        "cells = layers.StackedRNNCells([layers.GRUCell(6), OneState(3)])\n"
        "inp = keras.Input(shape=(6, 4))\n"
        "x = layers.RNN(cells, return_sequences=True)(inp)\n"
        "model = keras.Model(inp, x, name='mixed')\n"),
    "in a Sequential": ONE_STATE + (
        "model = keras.Sequential([keras.Input(shape=(8, 3)), layers.RNN(OneState(4)),\n"
        "                          layers.Dense(1)], name='sequential')\n"),
    "a subclass of a Keras cell": (
        "class Small(layers.GRUCell):\n"
        "    def __init__(self, **kwargs):\n"
        "        super().__init__(3, reset_after=False, **kwargs)\n"
        "inp = keras.Input(shape=(6, 4))\n"
        "x = layers.RNN([Small(), layers.LSTMCell(2)], return_sequences=True)(inp)\n"
        "model = keras.Model(inp, x, name='keras_cell')\n"),
    "an RNN called twice": ONE_STATE + (
        "shared = layers.RNN(OneState(3))\n"
        "a = keras.Input(shape=(6, 4))\n"
        "b = keras.Input(shape=(9, 4))\n"
        "both = layers.Concatenate()([shared(a), shared(b)])\n"
        "model = keras.Model([a, b], both, name='shared')\n"),
    # One Keras cell given to two RNNs: its weights are shared, counted once in the total.
    "a Keras cell shared by two RNNs": (
        "cell = layers.LSTMCell(8)\n"
        "inp = keras.Input(shape=(5, 8))\n"
        "x = layers.RNN(cell, return_sequences=True)(inp)\n"
        "model = keras.Model(inp, layers.RNN(cell)(x), name='shared_cell')\n"),
    # A cell of the script's given to two RNNs: built once, on the first RNN's steps.
    "a script's cell shared by two RNNs": ONE_STATE + (
        "cell = OneState(6)\n"
        "inp = keras.Input(shape=(5, 6))\n"
        "x = layers.RNN(cell, return_sequences=True)(inp)\n"
        "model = keras.Model(inp, layers.RNN(cell)(x), name='shared_user_cell')\n"),
    "a frozen cell": ONE_STATE + (
        "inp = keras.Input(shape=(6, 4))\n"
        "x = layers.RNN(OneState(5, trainable=False))(inp)\n"
        "model = keras.Model(inp, layers.Dense(2)(x), name='frozen')\n"),
}


@pytest.fixture(scope="module")
def keras_figures() -> dict[str, Any]:
    sources = {name: HEAD + body for name, body in SCRIPTS.items()}
    return {version: run_scripts(sources, version, forward=True) for version in ("3", "2")}


@pytest.mark.keras
@pytest.mark.parametrize("keras", ["3", "2"])
@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_user_defined_cells_match_keras(keras_figures: dict[str, Any], keras: str,
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


def unknowns(body: str) -> tuple[Any, str]:
    report = analyse_source(HEAD + body)
    (analysis,) = report.models
    return analysis, " ".join(d.message for d in report.diagnostics if d.code == "AL002")


def test_a_shared_cell_given_other_steps_leaves_that_rnn_unknown() -> None:
    # Keras builds the cell once, on (None, 6): the second RNN's steps are (None, 4).
    report = analyse_source(HEAD + ONE_STATE + (
        "cell = OneState(6)\n"
        "a = layers.RNN(cell)(keras.Input(shape=(5, 6)))\n"
        "inp = keras.Input(shape=(5, 4))\n"
        "model = keras.Model(inp, layers.RNN(cell)(inp))\n"))
    (analysis,) = [a for a in report.models if a.model.name == "functional"]
    assert analysis.total is None
    assert any("was built on steps of shape (None, 6)" in d.message
               for d in report.diagnostics)


def test_one_cell_twice_in_a_stack_leaves_the_rnn_unknown() -> None:
    analysis, _ = unknowns(ONE_STATE + (
        "cell = OneState(4)\n"
        "inp = keras.Input(shape=(5, 4))\n"
        "model = keras.Model(inp, layers.RNN([cell, cell])(inp))\n"))
    assert analysis.total is None


def test_a_state_size_archlint_cannot_read_leaves_the_rnn_unknown() -> None:
    analysis, messages = unknowns(
        "import os\n"
        "class Cell(layers.Layer):\n"
        "    def __init__(self, **kwargs):\n"
        "        super().__init__(**kwargs)\n"
        "        self.state_size = int(os.environ['UNITS'])\n"
        "    def call(self, inputs, states):\n"
        "        return states[0], states\n"
        "inp = keras.Input(shape=(7, 5))\n"
        "model = keras.Model(inp, layers.RNN(Cell())(inp))\n")
    assert not isinstance(analysis.total, int)
    assert "recurrent cell `Cell` is not followed" in messages


def test_a_weight_archlint_cannot_follow_leaves_the_parameters_unknown() -> None:
    analysis, messages = unknowns(
        "class Cell(layers.Layer):\n"
        "    state_size = 4\n"
        "    def build(self, input_shape):\n"
        "        self.k = self.add_weight(shape=(input_shape[0], 4))  # the batch: None\n"
        "    def call(self, inputs, states):\n"
        "        return states[0], states\n"
        "inp = keras.Input(shape=(7, 5))\n"
        "model = keras.Model(inp, layers.RNN(Cell())(inp))\n")
    assert not isinstance(analysis.total, int)
    assert ours(analysis)["outputs"] == [[None, 4]]
    assert "weights of the recurrent cell `Cell` are not followed" in messages


def test_a_cell_without_a_call_or_a_state_size_is_unknown() -> None:
    for body in ("    state_size = 4\n", "    def call(self, inputs, states):\n"
                 "        return inputs, states\n"):
        analysis, messages = unknowns(
            "class Cell(layers.Layer):\n" + body +
            "inp = keras.Input(shape=(7, 5))\n"
            "model = keras.Model(inp, layers.RNN(Cell())(inp))\n")
        assert ours(analysis)["outputs"] != [[None, 4]]
        assert "recurrent cell `Cell` is not followed" in messages


def test_a_wrapper_around_an_rnn_of_a_user_cell_is_unknown() -> None:
    """Bidirectional copies its RNN through get_config and from_config: Keras 3 refuses a
    cell whose constructor takes arguments its get_config does not give, tf-keras builds."""
    analysis, messages = unknowns(ONE_STATE + (
        "inp = keras.Input(shape=(6, 3))\n"
        "x = layers.Bidirectional(layers.RNN(OneState(4), return_sequences=True))(inp)\n"
        "model = keras.Model(inp, x)\n"))
    assert not isinstance(analysis.total, int)
    assert ours(analysis)["outputs"] != [[None, 6, 8]]
    assert "Bidirectional around `rnn`, an RNN of a cell the script defines" in messages


CALLS = HEAD + (
    "class Wider(layers.Layer):\n"
    "    def __init__(self, units, **kwargs):\n"
    "        super().__init__(**kwargs)\n"
    "        self.units = units\n"
    "        self.state_size = units\n"
    "    def build(self, input_shape):\n"
    "        self.kernel = self.add_weight(shape=(input_shape[-1], self.units))\n"
    "    def call(self, inputs, states):\n"
    "        h = tf.matmul(inputs, self.kernel) + states[0]\n"
    "        return tf.concat([h, h], axis=-1), [h]\n"
    "class Holder(layers.Layer):\n"
    "    def __init__(self, units, **kwargs):\n"
    "        super().__init__(**kwargs)\n"
    "        self.state_size = units\n"
    "        self.dense = layers.Dense(units)\n"
    "    def call(self, inputs, states):\n"
    "        h = self.dense(inputs) + states[0]\n"
    "        return h, [h]\n"
    "class Opaque(layers.Layer):\n"
    "    state_size = 3\n"
    "    def build(self, input_shape):\n"
    "        self.kernel = self.add_weight(shape=(input_shape[-1], 3))\n"
    "    def call(self, inputs, states):\n"
    "        h = tf.linalg.expm(tf.matmul(inputs, self.kernel)[:, :, None] * tf.ones((1, 1, 3)))\n"
    "        return h[:, :, 0] + states[0], [h[:, :, 0]]\n"
    "inp = keras.Input(shape=(5, 3))\n"
    "wider = keras.Model(inp, layers.RNN(Wider(4))(inp), name='wider')\n"
    "holder = keras.Model(inp, layers.RNN(Holder(4))(inp), name='holder')\n"
    "opaque = keras.Model(inp, layers.RNN(Opaque())(inp), name='opaque')\n")


@pytest.mark.keras
def test_the_cells_call_is_traced_on_a_step() -> None:
    """A call() that makes another width than it declares (Keras 3 declares one, the data
    gets the other) or calls a layer (Keras 3 and tf-keras count its weights apart) leaves
    the RNN unknown; one archlint cannot follow leaves it unknown under tf-keras, while
    Keras 3 declares the sizes without running it."""
    truth = {v: run_scripts({"calls": CALLS}, v, forward=True)["calls"] for v in ("3", "2")}
    assert truth["3"]["wider"]["outputs"] == [[None, 4]]
    assert truth["3"]["wider"]["forward"] == [[2, 8]]
    assert truth["3"]["holder"]["total"] != truth["2"]["holder"]["total"]
    found = {}
    for version in ("3", "2"):
        report = analyse_source(CALLS, settings=Settings(default_settings().rules,
                                                         keras=version))
        found[version] = {a.model.name: ours(a) for a in report.models}
        messages = " ".join(d.message for d in report.diagnostics if d.code == "AL002")
        assert "makes ((None, 8), (None, 4)) where it declares output_size 4" in messages
        assert "calls the layer `dense`" in messages
        assert "archlint cannot follow the call() of the cell `Opaque`" in messages
        for name in ("wider", "holder"):
            assert found[version][name]["total"] is None
            assert not isinstance(found[version][name]["outputs"][0], list)
    expected = dict(truth["3"]["opaque"])
    assert expected.pop("forward") == [[2, 3]]
    assert found["3"]["opaque"] == expected
    assert found["2"]["opaque"]["total"] is None
