"""The reference model (examples/seed_model.py) against real Keras builds of the same graph.

archlint's shapes and params must equal tf-keras's summary and every forward pass; Keras 3
must still show its known Bidirectional bug (declared 48 where 40 comes out), which archlint
reports as AL204.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from archlint.analysis import analyse_file
from archlint.oracle.export import model_request
from tests.oracle import needs_keras, run_oracle

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "seed_model.py"


@pytest.fixture(scope="module")
def seed_json() -> dict[str, Any]:
    env = {**os.environ, "NO_COLOR": "1"}
    result = subprocess.run([sys.executable, "-m", "archlint", "--format", "json", str(SEED)],
                            capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 1, result.stderr  # AL204 is a warning
    (file,) = json.loads(result.stdout)["files"]
    return file


@pytest.fixture(scope="module")
@needs_keras
def seed_oracle(request: pytest.FixtureRequest) -> dict[str, dict[str, Any]]:
    report = analyse_file(SEED)
    graph = model_request(report.models[0].model, "seed")
    cache = getattr(request.config, "cache", None)
    return {v: run_oracle([graph], v, cache)["seed"] for v in ("2", "3")}


def _truth(oracle: dict[str, Any], name: str) -> tuple[list[int | None], int]:
    run = oracle["forward"][0]
    shape = run["calls"][name]["shape"]
    params = run["params"][name]
    return [None, *shape[1:]], params["trainable"] + params["non_trainable"]


@pytest.mark.keras
def test_seed_layers_equal_tf_keras_and_forward_passes(seed_json, seed_oracle) -> None:
    (model,) = seed_json["models"]
    keras2 = seed_oracle["2"]
    total = 0
    for layer in model["layers"][1:]:
        shape, params = _truth(keras2, layer["name"])
        declared = keras2["calls"][layer["name"]]["declared_shape"]
        declared_params = keras2["layers"][layer["name"]]["declared_params"]
        assert layer["output_shape"] == shape == declared, layer["name"]
        assert layer["params"] == params == sum(declared_params.values()), layer["name"]
        assert (layer["output_shape"], layer["params"]) == _truth(seed_oracle["3"],
                                                                  layer["name"])
        total += params
    assert model["total_params"] == total
    assert model["trainable_params"] == total and model["non_trainable_params"] == 0
    assert [layer["class"] for layer in model["layers"]] == [
        "InputLayer", "Conv1D", "MaxPooling1D", "Bidirectional", "Bidirectional", "Flatten",
        "Dense", "Dense"]


@pytest.mark.keras
def test_keras3_declares_the_wrong_width_archlint_names_it(seed_json, seed_oracle) -> None:
    keras3 = seed_oracle["3"]
    declared = keras3["calls"]["Bidirectional_1"]["declared_shape"]
    real, _ = _truth(keras3, "Bidirectional_1")
    assert declared != real  # keras-team/keras#23688 is still there
    layers = seed_json["models"][0]["layers"]
    ours = next(entry for entry in layers if entry["name"] == "Bidirectional_1")
    assert ours["output_shape"] == real
    al204 = [d for d in seed_json["diagnostics"] if d["code"] == "AL204"]
    assert al204 and al204[0]["layer"] == "Bidirectional_1"
    assert f"reports {declared[-1]}" in al204[0]["message"]
    assert f"real output width is {real[-1]}" in al204[0]["message"]
    # The next Bidirectional is built on the wrong width: Keras 3 declares wrong params.
    declared_params = sum(keras3["layers"]["Bidirectional_2"]["declared_params"].values())
    real_params = _truth(keras3, "Bidirectional_2")[1]
    assert declared_params != real_params
    assert al204[1]["layer"] == "Bidirectional_2"
    assert f"shows {declared_params:,} parameters instead of {real_params:,}" in \
        al204[1]["message"]


@pytest.mark.keras
def test_text_report_shows_the_same_numbers(seed_oracle) -> None:
    env = {**os.environ, "NO_COLOR": "1"}
    out = subprocess.run([sys.executable, "-m", "archlint", str(SEED)], capture_output=True,
                         text=True, env=env, check=False).stdout
    keras2 = seed_oracle["2"]
    total = 0
    for name in keras2["calls"]:
        shape, params = _truth(keras2, name)
        total += params
        row = next(line for line in out.splitlines() if line.startswith(name + " "))
        assert "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")" in row
        assert f"{params:,}" in row
    assert f"Total params: {total:,}" in out
