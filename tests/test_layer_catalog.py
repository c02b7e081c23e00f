"""Every public layer class of the installed ``keras.layers`` (Keras 3) and
``tf_keras.layers`` has a formula in archlint, or an entry in ``archlint/layers/catalog.py``
saying why it cannot have one; ``archlint layers`` lists both.

The installed packages are listed at test time, in a subprocess, so a Keras upgrade that adds
a layer class fails here until the class gets a formula or a reason.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from archlint.layers import all_specs, lookup
from archlint.layers.catalog import NO_FORMULA, no_formula
from tests.oracle import needs_keras

ROOT = Path(__file__).resolve().parent.parent
# Formulas written apart from this catalog, listed here until they are merged with it.
LIST_CLASSES = """
import inspect, json, keras, tf_keras

def classes(package):
    found = []
    for name in dir(package.layers):
        value = getattr(package.layers, name)
        if not name.startswith("_") and inspect.isclass(value) and issubclass(
                value, package.layers.Layer):
            found.append(name)
    return sorted(found)

print(json.dumps({"3": classes(keras), "2": classes(tf_keras)}))
"""


@pytest.fixture(scope="module")
@needs_keras
def installed() -> dict[str, list[str]]:
    """The public layer classes of each installed Keras: {"3": [...], "2": [...]}."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    proc = subprocess.run([sys.executable, "-c", LIST_CLASSES], capture_output=True,
                          text=True, cwd=ROOT, env=env, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.splitlines()[-1])


@pytest.mark.parametrize("version", ["3", "2"])
def test_every_layer_class_has_a_formula_or_a_reason(installed: dict[str, list[str]],
                                                     version: str) -> None:
    missing = [name for name in installed[version] if lookup(name) is None
               and no_formula(name) is None]
    assert not missing, (f"Keras {version} layer classes with neither a formula nor a reason "
                         f"in archlint/layers/catalog.py: {missing}")


def test_the_reasons_name_keras_classes_of_the_versions_they_say(
        installed: dict[str, list[str]]) -> None:
    for entry in NO_FORMULA:
        where = tuple(v for v in ("3", "2") if entry.class_name in installed[v])
        assert where == entry.versions, (entry.class_name, where)


def test_formulas_of_one_version_are_classes_of_that_version_only(
        installed: dict[str, list[str]]) -> None:
    for spec in all_specs():
        if spec.keras3_class or spec.tf_keras_class:
            version, other = ("3", "2") if spec.keras3_class else ("2", "3")
            assert spec.class_name in installed[version], spec.class_name
            assert spec.class_name not in installed[other], spec.class_name


def test_a_class_has_a_formula_or_a_reason_not_both() -> None:
    both = [entry.class_name for entry in NO_FORMULA if lookup(entry.class_name) is not None]
    assert not both


def archlint_layers() -> str:
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.run([sys.executable, "-m", "archlint", "layers"], capture_output=True,
                          text=True, cwd=ROOT, env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_archlint_layers_lists_formulas_with_options_and_the_reasons() -> None:
    lines = {line.split()[0]: line for line in archlint_layers().splitlines() if line}
    for spec in all_specs():
        assert spec.class_name in lines, spec.class_name
    assert "options: cell, return_sequences, return_state" in lines["RNN"]
    assert "options: units, activation, recurrent_activation, use_bias" in lines["LSTMCell"]
    assert "options: layer, power_iterations" in lines["SpectralNormalization"]
    assert "[Keras 3 only]" in lines["AdaptiveMaxPooling2D"]
    assert "options: output_size, data_format" in lines["AdaptiveMaxPooling2D"]
    assert "options: none" in lines["Identity"]
    for entry in NO_FORMULA:
        assert f"no formula: {entry.reason}" in lines[entry.class_name], entry.class_name
    assert "[tf-keras only]" in lines["DenseFeatures"]
    assert "[tf-keras only]" in lines["LocallyConnected2D"]
