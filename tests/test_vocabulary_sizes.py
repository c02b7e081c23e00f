"""Sizes read from vocabulary layers (``vectorize.vocabulary_size()``, ``len(lookup.
get_vocabulary())``): exact where ``vocabulary=`` fixes them, named sizes where ``adapt()``
decides them. Each script is run by real Keras 3 and tf-keras; a named size bound to the
number Keras found (``--set``) gives Keras's figures."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from archlint.analysis import analyse_source, default_settings
from archlint.dims import Expr
from tests.keras_scripts import ours, run_scripts

HEAD = "import keras\nfrom keras import layers\n"
SCRIPTS = {
    "vocabulary given": (
        "lookup = layers.StringLookup(vocabulary=['a', 'b', 'c'], mask_token='')\n"
        "ints = layers.IntegerLookup(vocabulary=[5, 6, 7], num_oov_indices=2)\n"
        "hot = layers.StringLookup(vocabulary=['a', 'b'], mask_token='', output_mode='one_hot')\n"
        "words = layers.TextVectorization(vocabulary=['x', 'y'], output_mode='multi_hot')\n"
        "seqs = layers.TextVectorization(vocabulary=['x', 'y', 'z'])\n"
        "inp = keras.Input(shape=(4,))\n"
        "heads = [layers.Dense(lookup.vocabulary_size())(inp),\n"
        "         layers.Dense(len(lookup.get_vocabulary()))(inp),\n"
        "         layers.Dense(ints.vocabulary_size())(inp),\n"
        "         layers.Dense(len(ints.get_vocabulary()))(inp),\n"
        "         layers.Dense(hot.vocabulary_size())(inp),\n"
        "         layers.Dense(len(words.get_vocabulary()))(inp),\n"
        "         layers.Dense(len(words.get_vocabulary(include_special_tokens=False)))(inp),\n"
        "         layers.Dense(seqs.vocabulary_size())(inp)]\n"
        "model = keras.Model(inp, heads, name='heads')\n"),
    "vocabulary adapted": (
        "texts = ['the cat sat on the mat', 'a dog ran', 'the dog sat', 'cats and dogs']\n"
        "vectorize = layers.TextVectorization(max_tokens=1000, output_sequence_length=12)\n"
        "vectorize.adapt(texts)\n"
        "vocab = vectorize.get_vocabulary()\n"
        "labels = layers.StringLookup()\n"
        "labels.adapt(['pos', 'neg', 'pos', 'mixed'])\n"
        "inputs = keras.Input(shape=(1,), dtype='string')\n"
        "x = layers.Embedding(vectorize.vocabulary_size(), 8)(vectorize(inputs))\n"
        "x = layers.GlobalAveragePooling1D()(x)\n"
        "heads = [layers.Dense(len(vocab))(x), layers.Dense(labels.vocabulary_size())(x)]\n"
        "model = keras.Model(inputs, heads, name='model')\n"
        "# Probes: the sizes Keras found, as the width of a Dense.\n"
        "p = keras.Input(shape=(1,))\n"
        "probe = keras.Model(p, [layers.Dense(vectorize.vocabulary_size())(p),\n"
        "                        layers.Dense(len(vocab))(p),\n"
        "                        layers.Dense(labels.vocabulary_size())(p)], name='probe')\n"),
}
NAMES = ("vectorize.vocabulary_size()", "len(vocab)", "labels.vocabulary_size()")


@pytest.fixture(scope="module")
def keras_figures() -> dict[str, Any]:
    sources = {name: HEAD + body for name, body in SCRIPTS.items()}
    return {version: run_scripts(sources, version) for version in ("3", "2")}


@pytest.mark.keras
@pytest.mark.parametrize("keras", ["3", "2"])
def test_a_vocabulary_given_fixes_the_sizes(keras_figures: dict[str, Any], keras: str) -> None:
    report = analyse_source(HEAD + SCRIPTS["vocabulary given"])
    [analysis] = report.models
    assert ours(analysis) == keras_figures[keras]["vocabulary given"]["heads"]


@pytest.mark.keras
@pytest.mark.parametrize("keras", ["3", "2"])
def test_an_adapted_vocabulary_is_a_named_size(keras_figures: dict[str, Any],
                                               keras: str) -> None:
    truth = keras_figures[keras]["vocabulary adapted"]
    report = analyse_source(HEAD + SCRIPTS["vocabulary adapted"])
    model = next(a for a in report.models if a.model.name == "model")
    assert isinstance(model.total, Expr)
    assert {str(s) for s in model.total.symbols()} >= set(NAMES)
    assert any("the size of the vocabulary adapt() finds in the data (at most "
               "max_tokens=1000)" in d.message for d in report.diagnostics)
    # Bound to the sizes Keras found, every figure is Keras's.
    sizes = [shape[-1] for shape in truth["probe"]["outputs"]]
    settings = copy.copy(default_settings())  # the shared defaults stay unbound
    settings.values = dict(zip(NAMES, sizes))
    bound = analyse_source(HEAD + SCRIPTS["vocabulary adapted"], settings=settings)
    for analysis in bound.models:
        assert ours(analysis) == truth[analysis.model.name], analysis.model.name
