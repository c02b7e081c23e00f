"""Findings true under one Keras version only name it; a script that says which Keras it
runs under gets that version's behaviour. The figures are checked against real builds in
the oracle-marked tests."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

import pytest

from archlint.analysis import Settings, analyse_source, default_settings

AVERAGE_POOLING = ("x = keras.Input((10, 4))\ny = layers.AveragePooling1D()(x)\n"
                   "m = keras.Model(x, y)\n")
EMBEDDING_FIRST = ("m = keras.Sequential([layers.Embedding(100, 8, input_length=12), "
                   "layers.Flatten(), layers.Dense(3)])\n")
HEADS = {
    "2": "import tf_keras as keras\nfrom tf_keras import layers\n",
    "both": "from tensorflow import keras\nfrom tensorflow.keras import layers\n",
    "3": "import keras\nfrom keras import layers, ops\n",
}


def analyse(head: str, body: str, keras: str = "auto"):
    settings = default_settings()
    return analyse_source(HEADS[head] + body, settings=Settings(settings.rules, keras=keras))


def test_keras_3_refuses_average_pooling_without_pool_size_and_says_so() -> None:
    report = analyse("3", AVERAGE_POOLING)
    [error] = [d for d in report.diagnostics if d.severity.value == "error"]
    assert "Keras 3" in error.message and "tf-keras" not in error.message


def test_a_script_for_either_version_is_told_what_tf_keras_does() -> None:
    report = analyse("both", AVERAGE_POOLING)
    [error] = [d for d in report.diagnostics if d.severity.value == "error"]
    assert "Keras 3 has no default" in error.message
    assert "under tf-keras, Keras 2, the default pool_size=(2,) applies" in error.message


def test_a_tf_keras_script_gets_tf_keras_defaults() -> None:
    report = analyse("2", AVERAGE_POOLING)
    assert [d.code for d in report.diagnostics if d.severity.value == "error"] == []
    assert report.models[0].model.layers[1].calls[0].output == (None, 5, 4)


def test_the_setting_overrides_what_the_imports_say() -> None:
    report = analyse("both", AVERAGE_POOLING, keras="2")
    assert [d.code for d in report.diagnostics if d.severity.value == "error"] == []
    report = analyse("2", AVERAGE_POOLING, keras="3")
    assert [d.code for d in report.diagnostics if d.severity.value == "error"] == ["AL108"]


def test_tf_keras_builds_a_sequential_that_starts_with_an_embedding() -> None:
    analysis = analyse("2", EMBEDDING_FIRST).models[0]
    assert analysis.model.layers[0].calls[0].output == (None, 12, 8)
    assert analysis.total is not None


def test_for_either_version_the_unbuilt_sequential_names_both() -> None:
    report = analyse("both", EMBEDDING_FIRST)
    message = next(d.message for d in report.diagnostics if d.code == "AL001")
    assert "Keras 3 builds it on the first data it sees" in message
    assert "tf-keras (Keras 2) builds it at once" in message
    assert report.models[0].total is None


_REAL_BUILD = r"""
import json, os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import tf_keras as keras
from tf_keras import layers
out = {}
exec(sys.stdin.read(), {"keras": keras, "layers": layers, "out": out})
print(json.dumps(out))
"""


@pytest.mark.keras
def test_tf_keras_figures_match_a_real_tf_keras_build() -> None:
    program = (AVERAGE_POOLING + "out['pool'] = list(y.shape)[1:]\n" + EMBEDDING_FIRST.replace(
        "m =", "s =") + "out['params'] = s.count_params()\n"
        "out['embedding'] = list(s.layers[0].output_shape)[1:]\n")
    proc = subprocess.run([sys.executable, "-c", _REAL_BUILD], input=program,
                          capture_output=True, text=True, check=True)
    real = json.loads(proc.stdout.strip().splitlines()[-1])
    pooled = analyse("2", AVERAGE_POOLING).models[0].model.layers[1].calls[0].output
    assert list(pooled[1:]) == real["pool"]
    sequential = analyse("2", EMBEDDING_FIRST).models[0]
    assert sequential.total == real["params"]
    assert list(sequential.model.layers[0].calls[0].output[1:]) == real["embedding"]


def run_cli(tmp_path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "archlint", *args], cwd=tmp_path,
                          capture_output=True, text=True, check=False)


def test_keras_option_and_setting_on_the_command_line(tmp_path) -> None:
    (tmp_path / "m.py").write_text(HEADS["both"] + AVERAGE_POOLING)
    assert run_cli(tmp_path, "m.py").returncode == 1  # Keras 3 refuses it
    assert run_cli(tmp_path, "--keras", "2", "m.py").returncode == 0
    (tmp_path / "pyproject.toml").write_text('[tool.archlint]\nkeras = "2"\n')
    assert run_cli(tmp_path, "m.py").returncode == 0
    (tmp_path / "pyproject.toml").write_text('[tool.archlint]\nkeras = "4"\n')
    bad = run_cli(tmp_path, "m.py")
    assert bad.returncode == 2 and "`keras` must be one of" in bad.stderr
    assert "Traceback" not in bad.stderr


# A refusal Keras 3 added (tf-keras lower-cases a pooling padding), and one tf-keras has
# (strides with dilation in a depthwise convolution, which Keras 3 decomposes). That each
# version really behaves so is checked by tests/test_layer_formulas.py (refused_by cases).
UPPER_CASE_PADDING = ("x = keras.Input((9, 3))\ny = layers.MaxPooling1D(2, padding='SAME')(x)\n"
                      "z = layers.Dense(4)(y)\nm = keras.Model(x, z)\n")
STRIDED_DILATED = ("x = keras.Input((12, 3))\n"
                   "y = layers.DepthwiseConv1D(3, strides=2, dilation_rate=3)(x)\n"
                   "m = keras.Model(x, y)\n")


def errors(report) -> list:
    return [d for d in report.diagnostics if d.severity.value == "error"]


def test_a_keras_3_refusal_is_an_honest_unknown_for_a_tf_keras_script() -> None:
    report = analyse("2", UPPER_CASE_PADDING)
    assert errors(report) == []
    pool, dense = report.models[0].model.layers[1:3]
    assert "only Keras 3 refuses" in pool.calls[0].output.reason
    # What follows keeps what does not depend on it: Dense(4) on ? features is unknown too.
    assert not isinstance(dense.calls[0].output, tuple)
    assert any("only Keras 3 refuses" in d.message for d in report.diagnostics)


def test_a_keras_3_refusal_names_keras_3_for_a_script_for_either_version() -> None:
    [error] = errors(analyse("both", UPPER_CASE_PADDING))
    assert error.message.endswith("(Keras 3 only: tf-keras, Keras 2, accepts it)")
    [error] = errors(analyse("3", UPPER_CASE_PADDING))
    assert "tf-keras" not in error.message


def test_a_tf_keras_refusal_is_an_error_for_tf_keras_only() -> None:
    assert errors(analyse("3", STRIDED_DILATED)) == []
    [error] = errors(analyse("2", STRIDED_DILATED))
    assert "strides=(2,) > 1 cannot be combined with dilation_rate=(3,)" in error.message
    [error] = errors(analyse("both", STRIDED_DILATED))
    assert error.message.endswith("(tf-keras, Keras 2, only: Keras 3 accepts it)")


@pytest.mark.parametrize(("guard", "target"), [
    ("assert keras.__version__.startswith('3')\n", "3"),
    ("if int(keras.__version__.split('.')[0]) < 3:\n    raise SystemExit('needs Keras 3')\n",
     "3"),
    ("import sys\nif not keras.__version__ >= '3':\n    sys.exit(1)\n", "3"),
    ("assert keras.__version__[0] == '2', 'tf.keras 2 only'\n", "2"),
    # A guard on a minor release says nothing of the major for every release: either.
    ("assert keras.__version__ >= '3.6'\n", "both"),
    ("if keras.__version__.startswith('3'):\n    print('new')\n", "both"),
])
def test_a_guard_on_the_keras_version_says_which_keras_runs_the_script(guard: str,
                                                                        target: str) -> None:
    from archlint.frontend.keras_target import target_of
    source = HEADS["both"] + guard
    assert target_of(ast.parse(source), "auto", source) == target


def test_a_keras_3_guard_makes_a_keras_3_finding_plain() -> None:
    report = analyse("both", "assert keras.__version__.startswith('3')\n" + AVERAGE_POOLING)
    [error] = errors(report)
    assert "tf-keras" not in error.message
