"""Text classifiers that start with a TextVectorization layer, read by archlint and built by
real Keras 3 (with the vocabulary adapted on a few sentences, as a script does): every
figure archlint gives equals Keras's, and a width ``adapt`` decides stays unknown, with the
reason."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from archlint.analysis import analyse_source, default_settings
from archlint.dims import format_shape
from archlint.unknown import Unknown

HEAD = "import keras\nfrom keras import layers\n"
SENTENCES = '["the cat sat on the mat", "a dog ran", "the dog sat", "cats and dogs"]'
# A sequence classifier: max_tokens and output_sequence_length fix every size.
SEQUENCE = (
    f"texts = {SENTENCES}\n"
    "vectorize = layers.TextVectorization(max_tokens=50, output_sequence_length=12)\n"
    "vectorize.adapt(texts)\n"
    "inputs = keras.Input(shape=(1,), dtype='string')\n"
    "x = vectorize(inputs)\n"
    "x = layers.Embedding(50, 8)(x)\n"
    "x = layers.GlobalAveragePooling1D()(x)\n"
    "outputs = layers.Dense(2, activation='softmax')(x)\n"
    "model = keras.Model(inputs, outputs)\n"
)
# A bag of words without max_tokens: its width is the adapted vocabulary's size.
BAG_OF_WORDS = (
    f"texts = {SENTENCES}\n"
    "vectorize = layers.TextVectorization(output_mode='multi_hot')\n"
    "vectorize.adapt(texts)\n"
    "inputs = keras.Input(shape=(1,), dtype='string')\n"
    "x = vectorize(inputs)\n"
    "x = layers.Dense(4, activation='relu')(x)\n"
    "outputs = layers.Dense(2)(x)\n"
    "model = keras.Model(inputs, outputs)\n"
)
# Runs a script under Keras 3 and prints each layer's parameter count and the shape of its
# output in a forward pass on the sentences (what Keras 3 declares for a (batch, 1) input of
# an encoding TextVectorization keeps an axis the call drops).
_REAL_BUILD = r"""
import json, os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import keras
import numpy as np
scope = {}
exec(sys.stdin.read(), scope)
model = scope["model"]
layers = model.layers[1:]
probe = keras.Model(model.inputs, [layer.output for layer in layers])
values = probe(np.array(scope["texts"]).reshape(-1, 1))
print(json.dumps({"total": model.count_params(), "layers": [
    [list(value.shape)[1:], layer.count_params()] for value, layer in zip(values, layers)]}))
"""


def real_build(script: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", _REAL_BUILD], input=HEAD + script,
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def archlint_layers(script: str):
    report = analyse_source(HEAD + script, settings=default_settings())
    [analysis] = report.models
    return analysis, [layer for layer in analysis.model.layers if layer.calls][1:]


@pytest.mark.keras
def test_a_sequence_classifier_has_every_figure_keras_has() -> None:
    real = real_build(SEQUENCE)
    analysis, layers = archlint_layers(SEQUENCE)
    assert [layer.class_name for layer in layers] == [
        "TextVectorization", "Embedding", "GlobalAveragePooling1D", "Dense"]
    for layer, (shape, params) in zip(layers, real["layers"]):
        assert list(layer.calls[0].output[1:]) == shape, layer.class_name
        assert layer.calls[0].params.total == params, layer.class_name
    assert analysis.total == real["total"]


@pytest.mark.keras
def test_a_bag_of_words_without_max_tokens_keeps_the_vocabulary_width_unknown() -> None:
    real = real_build(BAG_OF_WORDS)
    analysis, layers = archlint_layers(BAG_OF_WORDS)
    vectorize, hidden, head = layers
    width = vectorize.calls[0].output[1]
    assert isinstance(width, Unknown)
    assert "vocabulary size is set by adapt()" in width.reason
    assert vectorize.calls[0].params.total == real["layers"][0][1]
    # Keras's width is the adapted vocabulary's size: a number archlint does not guess.
    assert real["layers"][0][0] == [len(set(" ".join(json.loads(SENTENCES)).split())) + 1]
    assert hidden.calls[0].params is None and analysis.total is None
    # What the width does not decide stays known.
    assert list(head.calls[0].output[1:]) == real["layers"][2][0]
    assert head.calls[0].params.total == real["layers"][2][1]


def _output(class_name: str, shape: tuple, **config):
    from archlint.layer_eval import infer_layer, instantiate

    return infer_layer(instantiate(class_name, config, name="layer"), [shape]).shape


def test_an_adapted_vocabulary_keeps_its_width_unknown_and_says_what_fixes_it() -> None:
    capped = _output("TextVectorization", (None, 1), max_tokens=100, output_mode="count")
    assert capped[0] is None and isinstance(capped[1], Unknown)
    assert "at most max_tokens=100; pad_to_max_tokens=True fixes it" in capped[1].reason
    assert _output("TextVectorization", (None, 1), max_tokens=100, output_mode="count",
                   pad_to_max_tokens=True) == (None, 100)
    lookup = _output("StringLookup", (None, 3), output_mode="one_hot")
    assert lookup[:2] == (None, 3) and isinstance(lookup[2], Unknown)


def test_a_vocabulary_the_script_loads_leaves_the_other_axes_known() -> None:
    loaded = Unknown("vocab comes from a file read at run time")
    assert _output("StringLookup", (None, 3), vocabulary=loaded) == (None, 3)
    assert _output("TextVectorization", (None,), vocabulary=loaded,
                   output_sequence_length=10) == (None, 10)
    width = _output("TextVectorization", (None,), vocabulary="vocab.txt",
                    output_mode="multi_hot")[1]
    assert "read from the file 'vocab.txt'" in width.reason


# A vocabulary given in the script: crosscheck rebuilds it and runs it on strings.
GIVEN_VOCABULARY = (
    "texts = ['the cat sat']\n"
    "inputs = keras.Input(shape=(1,), dtype='string')\n"
    "x = layers.TextVectorization(vocabulary=['the', 'cat', 'sat'],\n"
    "                             output_sequence_length=6)(inputs)\n"
    "x = layers.Embedding(10, 4)(x)\n"
    "outputs = layers.Dense(2)(layers.Flatten()(x))\n"
    "model = keras.Model(inputs, outputs)\n"
)


def test_crosscheck_skips_a_model_whose_vocabulary_adapt_fills() -> None:
    from archlint.crosscheck import SKIPPED, plan

    reports = [analyse_source(HEAD + script, settings=default_settings())
               for script in (SEQUENCE, BAG_OF_WORDS)]
    requests, _, skipped = plan(reports)
    assert requests == [] and [v.verdict for v in skipped] == [SKIPPED, SKIPPED]
    assert all("takes its vocabulary from adapt()" in v.note for v in skipped)


@pytest.mark.keras
def test_crosscheck_agrees_on_a_model_with_a_given_vocabulary() -> None:
    from archlint.crosscheck import AGREE, crosscheck

    report = analyse_source(HEAD + GIVEN_VOCABULARY, settings=default_settings())
    verdicts = crosscheck([report], ["3", "2"])
    assert [(v.keras, v.verdict) for v in verdicts] == [("3", AGREE), ("2", AGREE)]


def test_a_sequence_length_from_the_command_line_is_a_named_size() -> None:
    script = ("import argparse\n"
              "parser = argparse.ArgumentParser()\n"
              "parser.add_argument('--seq-len', type=int, default=40)\n"
              "args = parser.parse_args()\n"
              "inputs = keras.Input(shape=(1,), dtype='string')\n"
              "x = layers.TextVectorization(max_tokens=500,\n"
              "                             output_sequence_length=args.seq_len)(inputs)\n"
              "x = layers.Embedding(500, 4)(x)\n"
              "model = keras.Model(inputs, layers.Dense(2)(layers.Flatten()(x)))\n")
    _, layers = archlint_layers(script)
    assert [format_shape(layer.calls[0].output) for layer in layers[:3]] == [
        "(None, args.seq_len)", "(None, args.seq_len, 4)", "(None, 4*args.seq_len)"]
