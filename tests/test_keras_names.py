"""Names Keras resolves from a string (``activation="relu"``, ``loss="mse"``...): archlint's
lists against the names installed Keras 3 and tf-keras really resolve, and misspelt names
reported as AL108 at their line, with the closest valid name.

Real Keras is the oracle twice: the registered names are read from each version
(tests/keras_registry.py), and each misspelling is given to a real layer, ``compile()`` and
``fit()`` to see that the version refuses it where archlint says it does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from archlint.analysis import analyse_source
from archlint.keras_names import KINDS, REFUSED_WHEN, REGISTERED, resolves
from tests.oracle import needs_keras

ROOT = Path(__file__).resolve().parent.parent

# Misspellings refused by both versions, then names only one version knows, then names
# both know (so the probe is seen to accept what it should).
TYPOS = [
    ("activation", "rellu"), ("activation", "Relu"), ("activation", "sofmax"),
    ("activation", "leakyrelu"), ("initializer", "glorot_unifrom"),
    ("initializer", "he_norml"), ("initializer", "GlorotUniforme"), ("regularizer", "l3"),
    ("regularizer", "L2L1"), ("constraint", "non_negative"), ("constraint", "maxnorm2"),
    ("loss", "msee"), ("loss", "binary_crossentrophy"), ("loss", "mean_sqaured_error"),
    ("optimizer", "adamm"), ("optimizer", "rmsprob"), ("optimizer", "sgdd"),
]
ONE_VERSION = [
    ("activation", "hard_silu"), ("initializer", "constant"), ("regularizer", "l1l2"),
    ("regularizer", "l1_l2"), ("constraint", "nonneg"), ("loss", "logcosh"),
    ("loss", "crossentropy"), ("optimizer", "lion"), ("optimizer", "experimentaladam"),
]
KNOWN = [("activation", "relu"), ("initializer", "he_normal"), ("regularizer", "L2"),
         ("constraint", "max_norm"), ("loss", "mae"), ("optimizer", "Adam")]
# Where an unknown name is refused: the stage tests/keras_registry.py reports, as archlint
# words it in its message.
STAGE_WORDS = {"construction": "when the layer is created", "compile": "in compile()",
               "fit": "when training starts"}
STAGE_WORDS_TF_KERAS_REGULARIZER = "once the layer is used"


@pytest.fixture(scope="module")
@needs_keras
def registry() -> dict[str, dict[str, Any]]:
    """Per Keras version: the names it resolves, and where it refuses each test name."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    request = json.dumps([list(t) for t in TYPOS + ONE_VERSION + KNOWN])
    found = {}
    for version in ("3", "2"):
        proc = subprocess.run([sys.executable, "-m", "tests.keras_registry", version],
                              input=request, capture_output=True, text=True, cwd=ROOT,
                              env=env, check=False)
        assert proc.returncode == 0, proc.stderr[-3000:]
        found[version] = json.loads(proc.stdout)
    return found


@pytest.mark.keras
@pytest.mark.parametrize("version", ["3", "2"])
def test_registered_names_are_the_ones_keras_resolves(registry, version: str) -> None:
    names = registry[version]["names"]
    for kind in KINDS:
        assert sorted(REGISTERED[kind][version]) == names[kind], (
            f"{kind} names of Keras {version} changed: update archlint/keras_names.py")


@pytest.mark.keras
@pytest.mark.parametrize("version", ["3", "2"])
def test_keras_refuses_what_archlint_reports_where_it_says(registry, version: str) -> None:
    for kind, name, stage in registry[version]["typos"]:
        assert (stage is None) == resolves(kind, name, version), (kind, name, version, stage)
        if stage is None:
            continue
        words = REFUSED_WHEN[(kind, version)]
        if (kind, version) == ("regularizer", "2"):
            assert stage == "fit" and words.startswith(STAGE_WORDS_TF_KERAS_REGULARIZER)
        else:
            assert words == STAGE_WORDS[stage], (kind, name, version, stage)


@pytest.mark.keras
def test_each_misspelling_is_refused_by_both_versions(registry) -> None:
    for version in ("3", "2"):
        refused = {(kind, name) for kind, name, stage in registry[version]["typos"]
                   if stage is not None}
        assert set(TYPOS) <= refused, set(TYPOS) - refused
        assert not refused & set(KNOWN)
    for kind, name in ONE_VERSION:
        assert resolves(kind, name, "3") != resolves(kind, name, "2"), (kind, name)


def findings(source: str) -> list[tuple[int, str]]:
    report = analyse_source(source, "m.py")
    return [(d.span.line, d.message) for d in report.diagnostics if d.code == "AL108"]


def test_misspelt_layer_options_are_errors_at_their_line() -> None:
    source = ("from keras import layers, Input, Model\n"
              "x = Input(shape=(10, 3))\n"
              "h = layers.LSTM(8, recurrent_activation='sigmoide')(x)\n"
              "y = layers.Dense(2, kernel_initializer='glorot_unifrom')(h)\n"
              "model = Model(x, y)\n")
    (lstm, dense) = findings(source)
    assert lstm[0] == 3 and "recurrent_activation='sigmoide'" in lstm[1]
    assert "did you mean 'sigmoid'?" in lstm[1] and "when the layer is created" in lstm[1]
    assert dense[0] == 4 and "did you mean 'glorot_uniform'?" in dense[1]


def test_misspelt_compile_names_point_at_the_string() -> None:
    source = ("from keras import layers, Input, Model\n"
              "x = Input(shape=(4,))\n"
              "model = Model(x, [layers.Dense(1)(x), layers.Dense(1)(x)])\n"
              "model.compile(optimizer='rmsprob',\n"
              "              loss={'a': 'mse', 'b': 'binary_crossentrophy'})\n")
    (optimizer, loss) = findings(source)
    assert optimizer[0] == 4 and "did you mean 'rmsprop'?" in optimizer[1]
    assert "in compile()" in optimizer[1]
    assert loss[0] == 5 and "did you mean 'binary_crossentropy'?" in loss[1]
    assert "when training starts" in loss[1]


def test_a_name_one_version_lacks_is_checked_against_the_scripts_keras() -> None:
    body = ("x = Input(shape=(4,))\n"
            "model = Model(x, layers.Dense(2, activation='hard_silu',\n"
            "                              kernel_constraint='nonneg')(x))\n")
    keras3 = findings("from keras import layers, Input, Model\n" + body)
    assert len(keras3) == 1 and "kernel_constraint='nonneg' is a tf-keras constraint name" \
        in keras3[0][1] and "Keras 3 refuses it" in keras3[0][1]
    tf_keras = findings("from tf_keras import layers, Input, Model\n" + body)
    assert len(tf_keras) == 1 and "activation='hard_silu' is a Keras 3 activation name" \
        in tf_keras[0][1] and "tf-keras refuses it" in tf_keras[0][1]


def test_valid_names_and_custom_objects_are_not_reported() -> None:
    valid = ("from keras import layers, Input, Model\n"
             "x = Input(shape=(4,))\n"
             "model = Model(x, layers.Dense(2, activation='gelu', bias_initializer='zeros',\n"
             "                              kernel_regularizer='L2')(x))\n"
             "model.compile(optimizer='AdamW', loss='CE')\n")
    assert findings(valid) == []
    custom = ("import keras\nfrom keras import layers, Input, Model\n"
              "keras.utils.get_custom_objects()['rellu'] = keras.activations.relu\n"
              "x = Input(shape=(4,))\n"
              "model = Model(x, layers.Dense(2, activation='rellu')(x))\n")
    assert findings(custom) == []
