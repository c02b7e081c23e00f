"""The static path never runs a model script, and never imports what the script imports.

Each check runs archlint in a fresh Python process, so that nothing the test session
imported (pytest plugins, the Keras oracle) can hide an import archlint makes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "frontend"
REPOSITORY = Path(__file__).parent.parent
HEAVY_MODULES = ("tensorflow", "keras", "tf_keras", "numpy")

# Analyses the file named by argv[1]; prints the models and the heavy modules loaded.
_ANALYSE = f"""
import json, sys
from archlint.analysis import analyse_file
report = analyse_file(sys.argv[1])
print(json.dumps({{
    "models": {{m.model.name: m.total for m in report.models}},
    "codes": sorted({{d.code for d in report.diagnostics}}),
    "loaded": sorted(m for m in {HEAVY_MODULES!r} if m in sys.modules),
}}))
"""


def analyse_in_subprocess(script: Path, cwd: Path) -> tuple[subprocess.CompletedProcess, dict]:
    env = {**os.environ, "PYTHONPATH": str(REPOSITORY)}
    proc = subprocess.run([sys.executable, "-c", _ANALYSE, str(script)], cwd=cwd,
                          capture_output=True, text=True, check=False, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr
    return proc, json.loads(proc.stdout.strip().splitlines()[-1])


def test_a_script_with_side_effects_is_analysed_without_running(tmp_path: Path) -> None:
    script = tmp_path / "side_effects.py"
    shutil.copy(FIXTURES / "side_effects.py", script)
    proc, result = analyse_in_subprocess(script, tmp_path)
    assert result["models"] == {"functional": 14}
    assert "SCRIPT EXECUTED" not in proc.stdout + proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["side_effects.py"]


def test_the_seed_model_is_analysed_without_importing_keras(tmp_path: Path) -> None:
    _, result = analyse_in_subprocess(FIXTURES / "seed_model.py", tmp_path)
    assert result["models"] == {"functional": 82769}
    assert result["loaded"] == []
