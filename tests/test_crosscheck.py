"""``archlint crosscheck`` on the bundled examples, with real Keras 3 and tf-keras."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.oracle import needs_keras

ROOT = Path(__file__).resolve().parent.parent


def crosscheck(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "archlint", "crosscheck", *args],
                          cwd=ROOT, capture_output=True, text=True, check=False,
                          env={**os.environ, "NO_COLOR": "1"})


@pytest.fixture(scope="module")
@needs_keras
def examples() -> dict:
    result = crosscheck("--keras", "both", "--format", "json", "examples/seed_model.py",
                        "examples/variable_length.py", "examples/shape_errors.py",
                        "examples/user_layers.py")
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def _model(payload: dict, path: str, keras: str, name: str = "functional") -> dict:
    return next(m for m in payload["models"] if m["path"].endswith(path)
                and m["keras"] == keras and m["model"] == name)


@pytest.mark.keras
def test_seed_agrees_with_tf_keras_everywhere(examples: dict) -> None:
    model = _model(examples, "seed_model.py", "2")
    assert model["verdict"] == "agree" and model["archlint_agrees"]
    assert len(model["layers"]) == 7
    assert all(layer["verdict"] == "agree" for layer in model["layers"])


@pytest.mark.keras
def test_seed_keras3_declared_bug_is_named(examples: dict) -> None:
    model = _model(examples, "seed_model.py", "3")
    assert model["archlint_agrees"]
    layers = {layer["name"]: layer for layer in model["layers"]}
    first = layers["Bidirectional_1"]
    assert first["verdict"] == "Keras declares wrong"
    assert "keras-team/keras#23688" in first["note"]
    assert first["archlint"]["output_shape"] == first["forward"]["output_shapes"][0]
    assert first["declared"]["output_shape"] != first["archlint"]["output_shape"]
    second = layers["Bidirectional_2"]
    assert second["declared"]["params"] != second["forward"]["params"]
    assert second["archlint"]["params"] == second["forward"]["params"]
    assert "keras-team/keras#23688" in second["note"]


@pytest.mark.keras
def test_symbolic_lengths_are_bound_for_forward_passes(examples: dict) -> None:
    for keras in ("3", "2"):
        model = _model(examples, "variable_length.py", keras, "any_length")
        assert model["forward_lengths"] == [11, 24]  # the minimum accepted length, and longer
        assert model["verdict"] == "agree"
        pooled = next(x for x in model["layers"] if x["name"] == "max_pooling1d")
        assert pooled["archlint"]["output_shape"] == [None, "(T-9)//2", 32]
        assert [s[1] for s in pooled["forward"]["output_shapes"]] == [1, 7]


@pytest.mark.keras
def test_refusals_are_confirmed_by_keras(examples: dict) -> None:
    for keras in ("3", "2"):
        refused = [m for m in examples["models"]
                   if m["path"].endswith("shape_errors.py") and m["keras"] == keras]
        assert len(refused) == 3
        assert all(m["verdict"] == "refused, as archlint said" for m in refused), refused


@pytest.mark.keras
def test_user_defined_layers_and_tensor_operations_are_rebuilt_and_agree(
        examples: dict) -> None:
    # Each operation is rebuilt by its name in archlint's table, each user-defined layer as
    # the weights its build() made: nothing of the script runs.
    for keras in ("3", "2"):
        model = _model(examples, "user_layers.py", keras, "user_layers")
        assert model["verdict"] == "agree", model
        kinds = {layer["class"] for layer in model["layers"]}
        assert {"TensorOp", "Affine", "Residual", "SelfAttention"} <= kinds
        assert all(layer["verdict"] == "agree" for layer in model["layers"])
        # A position table cut to the input's length by tf.shape(x)[1], at any length.
        tagger = _model(examples, "user_layers.py", keras, "tagger")
        assert tagger["verdict"] == "agree", tagger
        names = {layer["name"] for layer in tagger["layers"]}
        assert "self.table[:, :tf.shape(x)[1]]" in names
        assert all(layer["verdict"] == "agree" for layer in tagger["layers"])


def test_missing_tensorflow_exits_two_with_the_install_command() -> None:
    code = ("import sys; sys.modules['tensorflow'] = None; sys.modules['tf_keras'] = None; "
            "sys.argv = ['archlint', 'crosscheck', 'examples/seed_model.py']; "
            "from archlint.entry import run; run()")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 2
    assert "pip install tensorflow tf-keras" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.keras
def test_flops_agree_with_tensorflows_profiler(examples: dict) -> None:
    """Each layer's FLOPs against the profiler on archlint's own graph: the seed's and the
    variable-length model's (their recurrent layers by one unrolled step), both versions."""
    for path, name in (("seed_model.py", "functional"), ("variable_length.py", "any_length")):
        for keras in ("3", "2"):
            layers = _model(examples, path, keras, name)["layers"]
            assert all(layer["flops"]["note"] == "agree" for layer in layers), layers
            assert all(layer["flops"]["archlint"] == layer["flops"]["profiler"]
                       for layer in layers)
    conv = next(x for x in _model(examples, "variable_length.py", "3", "any_length")["layers"]
                if x["name"] == "conv1d")
    assert conv["flops"]["profiler"] > 0  # at the first pass's length, T = 11
