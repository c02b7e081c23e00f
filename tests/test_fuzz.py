"""Every input gets a normal answer: mutated scripts and saved models (tests/fuzzing.py), and
the inputs the fuzzing found crashes on, kept as regressions.

A larger run: ``python benchmarks/fuzz.py --n 3000 --saved 600 --seed 1``.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

from archlint.analysis import analyse_file, analyse_source
from tests.fuzz_mutations import saved_seeds
from tests.fuzzing import check_command_line, check_in_process, fuzz
from tests.oracle import run_oracle

SCRIPTS, SAVED, SEED = 300, 100, 0


def test_mutated_inputs_get_a_normal_answer() -> None:
    start = time.perf_counter()
    outcome = fuzz(SCRIPTS, SAVED, SEED, command_line_every=40)
    assert outcome.counts["script"] == SCRIPTS and outcome.counts["saved"] == SAVED
    assert outcome.counts["command line"] >= 10
    assert outcome.failures == {}
    assert time.perf_counter() - start < 120  # about 5 s on one core


# ---------------------------------------------------------------- what the fuzzing found

HEAD = "from keras import Input, Model, layers\n"


def _codes(source: str) -> list[str]:
    return [d.code for d in analyse_source(source, "model.py").diagnostics]


@pytest.mark.parametrize("size", ["0.5", "2.0", "-1", "'3'", "[2]"])
def test_input_shape_that_is_not_a_size_is_refused(size: str) -> None:
    # Was AttributeError: 'float' object has no attribute 'symbols' (a FloorDiv of 0.5).
    source = HEAD + (f"x = Input(shape=({size}, 4))\nh = layers.Conv1D(8, 3)(x)\n"
                     "model = Model(x, layers.MaxPooling1D(2)(h))\n")
    report = analyse_source(source, "model.py")
    (refusal,) = report.diagnostics
    assert refusal.code == "AL108" and "is not a size" in refusal.message


@pytest.mark.keras
def test_keras_refuses_those_input_shapes_too(request: pytest.FixtureRequest) -> None:
    graphs = [{"id": size, "inputs": [{"name": "x", "shape": [value, 4]}], "layers": {},
               "calls": [], "forward": []}
              for size, value in (("0.5", 0.5), ("2.0", 2.0), ("-1", -1), ("'3'", "3"))]
    for version in ("3", "2"):
        results = run_oracle(graphs, version, getattr(request.config, "cache", None))
        for graph in graphs:
            error = results[graph["id"]].get("oracle_error", "").strip().splitlines()
            assert error and re.search(r"Error: .*([Ss]hape|[Dd]imension)", error[-1]), (
                version, graph["id"], error[-1:])


def test_a_boolean_input_size_is_one() -> None:
    source = HEAD + "x = Input(shape=(True, 4))\nmodel = Model(x, layers.Dense(2)(x))\n"
    (analysis,) = analyse_source(source, "model.py").models
    assert analysis.model.calls[-1].output == (None, 1, 2)


def _lstm_state_config() -> dict[str, Any]:
    seed = next(s for s in saved_seeds() if s["name"] == "keras2/lstm_state.json")
    return json.loads(json.dumps(seed["json"]))


@pytest.mark.parametrize("index", [-(2**63), -1, 7])
def test_saved_model_naming_a_tensor_a_layer_does_not_have(tmp_path: Path, index: int) -> None:
    # Was IndexError in Call.output_at for a negative tensor index.
    config = _lstm_state_config()
    decoder = next(entry for entry in config["config"]["layers"] if entry["name"] == "decoder")
    decoder["inbound_nodes"][0][1][2] = index  # the initial state's tensor
    path = tmp_path / "model.json"
    path.write_text(json.dumps(config))
    assert check_in_process(path) is None
    report = analyse_file(path)
    assert report.error is None and len(report.models) == 1


def test_sizes_too_large_to_print_are_unknown(tmp_path: Path) -> None:
    # Were ValueError: Exceeds the limit (4300 digits) for integer string conversion.
    deep = HEAD + ("x = Input(shape=(None, 2))\nh = x\nfor i in range(5):\n"
                   "    h = layers.MaxPooling1D(1 << 4000)(h)\n"
                   "model = Model(x, layers.GlobalAveragePooling1D()(h))\n")
    wide = HEAD + ("x = Input(shape=(1 << 4000, 1 << 4000, 1 << 4000, 1 << 4000))\n"
                   "model = Model(x, layers.Dense(1 << 4000)(layers.Flatten()(x)))\n")
    for name, source in (("deep.py", deep), ("wide.py", wide)):
        path = tmp_path / name
        path.write_text(source)
        assert check_in_process(path) is None
        assert check_command_line(path, "text") is None
    (analysis,) = analyse_source(deep, "deep.py").models
    (bound,) = analysis.bounds
    # Two pooling layers are followed; the third's size is too large to keep.
    assert bound.minimum is None and bound.at_least == 1 << 8000
    assert bound.limiting_layer == "max_pooling1d_2"
