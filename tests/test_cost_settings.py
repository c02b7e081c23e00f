"""The batch size and memory budget settings (``--batch-size``, ``batch-size``,
``memory-budget``, ``fit(batch_size=...)``) and how the reports show the estimates."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from archlint.analysis import analyse_source
from archlint.config import ConfigError, byte_size, load_config
from archlint.cost.memory import add
from archlint.cost.model_costs import model_costs
from archlint.plugins import load_rules

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ("import keras\nfrom keras import layers\nx = keras.Input((None, 4))\n"
          "model = keras.Model(x, layers.Dense(2)(layers.Conv1D(3, 3)(x)))\n"
          "model.compile(optimizer='adam', loss='mse')\n")


def _archlint(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "archlint", *args], cwd=tmp_path,
                          capture_output=True, text=True, check=False,
                          env={**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(ROOT)})


def test_sizes_and_batch_sizes_are_read_or_refused(tmp_path: Path) -> None:
    rules, _ = load_rules(include_plugins=False)
    config = load_config({"batch-size": 8, "memory-budget": "2 GB"}, tmp_path, rules)
    assert (config.batch_size, config.memory_budget) == (8, 2 * 10**9)
    assert byte_size("512MiB", "x") == 512 * 2**20
    for table in ({"batch-size": 0}, {"batch-size": "8"}, {"memory-budget": "16 parsecs"},
                  {"memory-budget": -1}, {"memory-budget": True}):
        with pytest.raises(ConfigError):
            load_config(table, tmp_path, rules)


def test_training_estimate_is_symbolic_in_b_and_t_until_a_batch_is_given() -> None:
    model = analyse_source(SCRIPT).models[0].model
    memory = model_costs(model).memory
    assert memory.training is None  # B times a length in T: beyond a linear expression
    assert memory.training_text() == f"{memory.fixed:,} + B*({memory.activations}) B"
    assert "T" in str(memory.activations)
    assert model_costs(model, 4).memory.training == add(memory.fixed, 4 * memory.activations)


def test_fit_batch_size_is_used_and_the_option_overrides_it(tmp_path: Path) -> None:
    script = tmp_path / "m.py"
    script.write_text(SCRIPT.replace("(None, 4)", "(10, 4)") +
                      "model.fit(None, None, batch_size=16)\n")
    found = json.loads(_archlint(tmp_path, "--format", "json", "m.py").stdout)
    memory = found["files"][0]["models"][0]["memory"]
    assert memory["batch_size"] == 16 and isinstance(memory["training_bytes"], int)
    found = json.loads(_archlint(tmp_path, "--format", "json", "--batch-size", "2",
                                 "m.py").stdout)
    memory2 = found["files"][0]["models"][0]["memory"]
    assert memory2["batch_size"] == 2
    per_sample = memory["activation_bytes_per_sample"]
    assert memory["training_bytes"] - memory2["training_bytes"] == 14 * per_sample
    layers = found["files"][0]["models"][0]["layers"]
    assert [layer["receptive_field"] for layer in layers][1] == [{"size": 3, "stride": 1}]


def test_memory_budget_from_the_configuration(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(SCRIPT.replace("(None, 4)", "(1000, 4)"))
    (tmp_path / "pyproject.toml").write_text(
        '[tool.archlint]\nmemory-budget = "100KB"\nbatch-size = 64\n')
    result = _archlint(tmp_path, "m.py")
    assert "AL403" in result.stdout and "a batch of" in result.stdout, result.stdout
    assert _archlint(tmp_path, "--batch-size", "1", "m.py").stdout.count("AL403") == 0
    assert _archlint(tmp_path, "--batch-size", "0", "m.py").returncode == 2
