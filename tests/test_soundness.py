"""Values the data decides stay unknown: a loop over a file is never run as if it were the
data, and nothing computed from what it fills becomes a number or an error.

Each script is small and written for the pattern it tests; the known parts of such scripts
are covered by the oracle fixtures of test_frontend.
"""

from __future__ import annotations

import time

import pytest

from archlint.analysis import FileReport, analyse_source
from archlint.engine import ModelAnalysis

HEAD = "import keras\nfrom keras import layers\nimport numpy as np\n"


def analyse(body: str) -> FileReport:
    return analyse_source(HEAD + body)


def only_model(report: FileReport) -> ModelAnalysis:
    assert len(report.models) == 1
    return report.models[0]


def assert_data_decides(report: FileReport, *layer_names: str, sized: tuple[str, ...] = ()
                        ) -> None:
    """No concrete parameter count for these layers, nor total, and no error anywhere: each
    is unknown, or an expression over a named size. The layers in ``sized`` take their
    output size from the data too: no concrete last axis."""
    analysis = only_model(report)
    layers = {layer.name: layer for layer in analysis.model.layers}
    for name in layer_names:
        call = layers[name].calls[0]
        assert call.params is None or not isinstance(call.params.total, int), \
            f"{name}: {call.params}"
        if name in sized and isinstance(call.output, tuple):
            assert not isinstance(call.output[-1], int), f"{name}: {call.output}"
    assert not isinstance(analysis.total, int), analysis.total
    assert [d.code for d in report.diagnostics if d.severity.value == "error"] == []


# Each script fills a container from data, then sizes the model with it.
FILLED_FROM_DATA = {
    "list appended in a loop over a file": (
        "chars = []\nfor line in open('data.txt'):\n    chars.append(line)\n"),
    "set updated in a loop over a file's lines": (
        "chars = set()\nwith open('data.txt') as f:\n"
        "    for line in f.read().split('\\n'):\n        chars.update(line)\n"
        "chars = sorted(chars)\n"),
    "list extended with data": "chars = ['<pad>']\nchars.extend(np.load('vocab.npy'))\n",
    "set given an item from data": "chars = {'a'}\nchars.add(np.load('x.npy')[0])\n",
    "dict keyed by data": "chars = {'<pad>': 0, np.load('k.npy')[0]: 1}\n",
    "comprehension over a filled list": (
        "words = []\nfor w in open('w.txt'):\n    words.append(w)\n"
        "chars = {c: i for i, c in enumerate(words)}\n"),
    "list filled in a while loop on data": (
        "chars = []\nf = open('d.txt')\nline = f.readline()\nwhile line:\n"
        "    chars.append(line)\n    line = f.readline()\n"),
    "list filled in a loop over a dataset": (
        "import tensorflow as tf\nds = tf.data.TextLineDataset('t.txt')\nchars = []\n"
        "for t in ds:\n    chars.append(t)\n"),
}


@pytest.mark.parametrize("name", sorted(FILLED_FROM_DATA))
def test_sizes_from_containers_filled_by_data_are_unknown(name: str) -> None:
    report = analyse(FILLED_FROM_DATA[name] +
                     "x = keras.Input(shape=(None, len(chars)))\n"
                     "h = layers.LSTM(16, name='lstm')(x)\n"
                     "y = layers.Dense(len(chars), name='head')(h)\n"
                     "model = keras.Model(x, y)\n")
    assert_data_decides(report, "lstm", "head", sized=("head",))
    assert any(d.code == "AL001" and "len(chars)" in d.message for d in report.diagnostics)


def test_the_unknown_names_the_loop_that_fills_the_container() -> None:
    report = analyse(FILLED_FROM_DATA["list appended in a loop over a file"] +
                     "x = keras.Input(shape=(len(chars),))\n"
                     "model = keras.Model(x, layers.Dense(8)(x))\n")
    message = next(d.message for d in report.diagnostics if d.code == "AL001")
    assert "`len(chars)`" in message and "loop over `open('data.txt')`" in message


def test_items_known_before_the_data_stay_known() -> None:
    # The first item is the script's own; how many follow is the data's.
    report = analyse("chars = ['<pad>', 4]\nfor c in open('c.txt'):\n    chars.append(c)\n"
                     "x = keras.Input(shape=(chars[1],))\n"
                     "h = layers.Dense(len(chars), name='by_data')(x)\n"
                     "model = keras.Model(x, h)\n")
    analysis = only_model(report)
    first = analysis.model.layers[0].calls[0]
    assert first.output == (None, 4)
    params = analysis.model.layers[1].calls[0].params
    assert params is None or not isinstance(params.total, int), params


def test_a_container_filled_by_a_known_loop_keeps_its_exact_size() -> None:
    report = analyse("sizes = []\nfor units in [32, 64, 16]:\n    sizes.append(units)\n"
                     "x = keras.Input(shape=(len(sizes),))\n"
                     "model = keras.Model(x, layers.Dense(sizes[-1])(x))\n")
    assert only_model(report).model.layers[0].calls[0].output == (None, 3)


def test_a_loop_over_data_that_builds_layers_leaves_the_model_unknown_not_short() -> None:
    report = analyse("x = inputs = keras.Input(shape=(16,))\nfor units in np.load('u.npy'):\n"
                     "    x = layers.Dense(units)(x)\nmodel = keras.Model(inputs, x)\n")
    analysis = only_model(report)
    assert analysis.total is None
    assert [d.code for d in report.diagnostics if d.severity.value == "error"] == []


def test_predictions_on_data_in_a_loop_are_not_graph_building() -> None:
    report = analyse("x = keras.Input(shape=(4,))\nmodel = keras.Model(x, layers.Dense(2)(x))\n"
                     "for batch in range(50):\n    out = model(np.zeros((8, 4)), training=False)\n"
                     "    pred = model.predict(np.zeros((8, 4)))\n")
    assert [d.code for d in report.diagnostics] == []
    assert only_model(report).total is not None


def test_one_finding_per_source_site_however_often_a_loop_reaches_it() -> None:
    report = analyse("x = inputs = keras.Input(shape=(16,))\nfor i in range(5):\n"
                     "    x = layers.Lambda(lambda t: t.numpy() * 2)(x)\n"
                     "model = keras.Model(inputs, x)\n")
    sites = [(d.code, d.span.line, d.span.column) for d in report.diagnostics]
    assert sites and len(sites) == len(set(sites))
    assert len(only_model(report).model.layers) == 6  # every pass still builds its layer


def test_a_long_training_loop_is_not_unrolled_and_what_it_changes_is_unknown() -> None:
    start = time.perf_counter()
    report = analyse("x = keras.Input(shape=(4,))\nmodel = keras.Model(x, layers.Dense(2)(x))\n"
                     "total = 0\nfor epoch in range(100000):\n    for step in range(1000):\n"
                     "        total += step\n        model.train_on_batch(np.zeros((8, 4)))\n"
                     "y = keras.Input(shape=(total,))\n"
                     "other = keras.Model(y, layers.Dense(3, name='after')(y))\n")
    elapsed = time.perf_counter() - start
    assert elapsed < 5, "the loop was unrolled"  # generous: unrolled it takes minutes
    other = next(m for m in report.models if m.model.name != "functional")
    assert other.total is None
    assert not report.diagnostics or all(d.severity.value != "error"
                                         for d in report.diagnostics)


def test_a_long_loop_that_builds_layers_is_followed_to_the_end() -> None:
    report = analyse("x = inputs = keras.Input(shape=(4,))\nfor i in range(300):\n"
                     "    x = layers.Dense(4)(x)\nmodel = keras.Model(inputs, x)\n")
    analysis = only_model(report)
    assert len(analysis.model.layers) == 301
    assert analysis.total == 300 * analysis.model.layers[1].calls[0].params.total


def test_a_cheap_loop_that_computes_a_size_is_followed_exactly() -> None:
    report = analyse("units = 1\nfor i in range(200):\n    units = (units * 3) % 1000 + 1\n"
                     "x = keras.Input(shape=(units,))\n"
                     "model = keras.Model(x, layers.Dense(2)(x))\n")
    expected = 1
    for _ in range(200):
        expected = (expected * 3) % 1000 + 1
    assert only_model(report).model.layers[0].calls[0].output == (None, expected)


# Layers used outside graph building are used: AL502 is for layers nothing touches again.
USED_OUTSIDE_THE_GRAPH = {
    "adapted": "norm = layers.Normalization()\nnorm.adapt(np.load('x.npy'))\n",
    "called on data": "norm = layers.Normalization()\nout = norm(np.load('x.npy'))\n",
    "captured by a lambda": (
        "import tensorflow as tf\nnorm = layers.Normalization()\n"
        "ds = tf.data.Dataset.from_tensor_slices(np.load('x.npy'))\n"
        "ds = ds.map(lambda x: norm(x))\n"),
    "returned by a helper": (
        "def make():\n    norm = layers.Normalization()\n    return norm\nlayer = make()\n"),
    "passed to a function": "norm = layers.Normalization()\nregister(norm)\n",
    "returned inside a lambda": (
        "def make():\n    lookup = layers.StringLookup()\n    enc = layers.CategoryEncoding(4)\n"
        "    return lambda f: enc(lookup(f))\nencode = make()\n"),
}


@pytest.mark.parametrize("name", sorted(USED_OUTSIDE_THE_GRAPH))
def test_layers_used_outside_graph_building_are_not_unused(name: str) -> None:
    report = analyse(USED_OUTSIDE_THE_GRAPH[name] +
                     "x = keras.Input(shape=(4,))\nmodel = keras.Model(x, layers.Dense(2)(x))\n")
    assert "AL502" not in [d.code for d in report.diagnostics]


def test_a_layer_nothing_touches_again_is_still_unused() -> None:
    report = analyse("spare = layers.Dense(3)\n"
                     "x = keras.Input(shape=(4,))\nmodel = keras.Model(x, layers.Dense(2)(x))\n")
    assert [(d.code, d.span.line) for d in report.diagnostics] == [("AL502", 4)]


def test_a_subclassed_model_without_call_is_not_said_to_define_its_graph_there() -> None:
    report = analyse("class GAN(keras.Model):\n    def train_step(self, data):\n"
                     "        return {}\n\nclass Net(keras.Model):\n"
                     "    def call(self, x):\n        return x\n\ngan = GAN()\nnet = Net()\n")
    messages = {d.span.line: d.message for d in report.diagnostics if d.code == "AL001"}
    assert "no call() of its own" in messages[12] and "call()" not in messages[12].split(
        "no call() of its own")[1]
    assert "defined by call()" in messages[13]
