"""Third-party rules: a plugin package installed in a temporary directory is found through
the ``archlint.rules`` entry point, listed, configured and run like a built-in rule; a rule
that raises is reported as AL004 while the others still run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PLUGIN = '''
from archlint.diagnostics import Severity
from archlint.rule import Finding, Rule


class WideDense(Rule):
    """What it does: flags Dense layers wider than `max-units`.

    Why it matters: a demonstration.

    Example: ``Dense(512)``.

    Use instead: ``Dense(64)``.
    """

    code = "DM101"
    name = "wide-dense"
    severity = Severity.WARNING
    summary = "A Dense layer is wider than allowed"
    options = {"max-units": 256}
    VALID = ("from keras import layers, Input, Model\\nx = Input(shape=(8,))\\n"
             "model = Model(x, layers.Dense(4)(x))\\n",)
    INVALID = ("from keras import layers, Input, Model\\nx = Input(shape=(8,))\\n"
               "model = Model(x, layers.Dense(512)(x))\\n",)

    def check(self, ctx):
        for analysis in ctx.models:
            for layer in analysis.model.layers:
                units = layer.instance.config.get("units") if layer.instance else None
                if layer.class_name == "Dense" and units > self.settings["max-units"]:
                    yield Finding(f"Dense '{layer.name}' has {units} units", layer.span,
                                  analysis.model.name, layer.name)


class Crashes(Rule):
    """What it does: raises. Why it matters: tests AL004. Example: any. Use instead: none."""

    code = "DM102"
    name = "always-crashes"
    severity = Severity.ERROR
    summary = "Raises"

    def check(self, ctx):
        raise RuntimeError("boom")
'''

MODEL = ("from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
         "h = layers.Dense(512)(x)\nmodel = Model(x, layers.Dense(1)(h))\n")


@pytest.fixture(scope="module")
def plugin_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("plugin")
    package = root / "src"
    package.mkdir()
    (package / "demo_rules.py").write_text(PLUGIN)
    (package / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "archlint-demo-rules"\nversion = "0.1"\n'
        '[project.entry-points."archlint.rules"]\ndemo = "demo_rules"\n'
        '[tool.setuptools]\npy-modules = ["demo_rules"]\n')
    site = root / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--no-build-isolation", "--target", str(site), str(package)], check=True)
    return site


def archlint(site: Path, tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "archlint", *args], cwd=tmp,
                          capture_output=True, text=True, env=env, check=False)


def diagnostics(result: subprocess.CompletedProcess[str]) -> list[dict]:
    assert "Traceback" not in result.stderr, result.stderr
    return json.loads(result.stdout)["files"][0]["diagnostics"]


def test_plugin_rule_runs_crash_is_contained(plugin_path: Path, tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text(MODEL)
    found = diagnostics(archlint(plugin_path, tmp_path, "--format", "json", "model.py"))
    by_code = {d["code"]: d for d in found}
    assert by_code["DM101"]["message"] == "Dense 'dense' has 512 units"
    assert by_code["DM101"]["line"] == 3
    assert "DM102" in by_code["AL004"]["message"] and "boom" in by_code["AL004"]["message"]


def test_plugin_rule_is_listed_configured_and_selected(plugin_path: Path,
                                                       tmp_path: Path) -> None:
    listing = archlint(plugin_path, tmp_path, "rules").stdout
    row = next(line for line in listing.splitlines() if line.startswith("DM101"))
    assert "wide-dense" in row and "archlint_demo_rules" in row
    assert "wide-dense" in archlint(plugin_path, tmp_path, "explain", "DM101").stdout
    (tmp_path / "model.py").write_text(MODEL)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.archlint]\nignore = ["DM102"]\n'
        '[tool.archlint.rules.wide-dense]\nmax-units = 1024\n')
    assert diagnostics(archlint(plugin_path, tmp_path, "--format", "json", "model.py")) == []
    (tmp_path / "pyproject.toml").write_text('[tool.archlint]\nselect = ["DM"]\n')
    found = diagnostics(archlint(plugin_path, tmp_path, "--format", "json", "model.py"))
    assert sorted(d["code"] for d in found) == ["DM101"]  # AL004 is not selected
