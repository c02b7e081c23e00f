"""The README's example output is what archlint really prints."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROMPT = "$ archlint examples/seed_model.py\n"


def test_readme_example_output_is_current() -> None:
    readme = (ROOT / "README.md").read_text()
    start = readme.index(PROMPT) + len(PROMPT)
    documented = readme[start:readme.index("```", start)]
    actual = subprocess.run([sys.executable, "-m", "archlint", "examples/seed_model.py"],
                            capture_output=True, text=True, cwd=ROOT, check=False,
                            env={**os.environ, "NO_COLOR": "1"}).stdout
    assert documented == actual


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    command = 'pip install -e ".[test]" && python -m pytest'
    assert command in readme
    assert command in (ROOT / ".ci" / "run").read_text()


def test_readme_states_the_first_commands_exit_status() -> None:
    readme = (ROOT / "README.md").read_text()
    setup = readme[readme.index("## Set-up"):readme.index("## What it prints")]
    assert "archlint examples/seed_model.py" in setup
    result = subprocess.run([sys.executable, "-m", "archlint", "examples/seed_model.py"],
                            capture_output=True, text=True, cwd=ROOT, check=False,
                            env={**os.environ, "NO_COLOR": "1"})
    assert f"exits with status {result.returncode}" in " ".join(setup.split())
