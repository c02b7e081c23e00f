"""The pre-commit hook, with the real pre-commit package, in a temporary git repository whose
configuration points at this checkout: a clean model passes, a broken one is blocked, in a
script or in a notebook."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLEAN = ("from keras import layers, Input, Model\nx = Input(shape=(20, 6))\n"
         "h = layers.Conv1D(8, 3, padding='same')(x)\nm = Model(x, layers.Dense(1)(h))\n")
BROKEN = ("from keras import layers, Input, Model\nx = Input(shape=(5, 6))\n"
          "h = layers.Conv1D(8, 10)(x)\nm = Model(x, layers.Dense(1)(h))\n")


def notebook(*sources: str) -> str:
    cells = [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
              "source": source} for source in sources]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def git(repo: Path, *args: str, env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[str]:
    env = {**(env or os.environ), "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, env=env,
                          check=False)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_hook_passes_clean_models_and_blocks_broken_ones(tmp_path: Path) -> None:
    pytest.importorskip("pre_commit")
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout.strip()
    repo = tmp_path / "project"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {ROOT}\n  rev: {rev}\n  hooks:\n  - id: archlint\n")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "NO_COLOR": "1"}
    install = subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=repo,
                             capture_output=True, text=True, env=env, check=False)
    assert install.returncode == 0, install.stdout + install.stderr

    (repo / "clean_a.py").write_text(CLEAN)
    (repo / "clean_b.py").write_text(CLEAN.replace("8", "16"))
    (repo / "clean.ipynb").write_text(notebook("%matplotlib inline", CLEAN))
    git(repo, "add", ".")
    commit = git(repo, "commit", "-m", "clean models", env=env)
    assert commit.returncode == 0, commit.stdout + commit.stderr
    assert "archlint" in commit.stdout + commit.stderr

    (repo / "broken.py").write_text(BROKEN)
    git(repo, "add", "broken.py")
    blocked = git(repo, "commit", "-m", "broken model", env=env)
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, output
    assert "AL101" in output and "broken.py:3" in output
    assert "Conv1D 'conv1d'" in output

    git(repo, "rm", "-q", "--cached", "broken.py")
    (repo / "broken.py").unlink()
    (repo / "broken.ipynb").write_text(notebook("!nvidia-smi", BROKEN))
    git(repo, "add", "broken.ipynb")
    blocked = git(repo, "commit", "-m", "broken notebook", env=env)
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, output
    assert "broken.ipynb:cell 2:3:5: AL101" in output
