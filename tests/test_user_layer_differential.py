"""Differential test of user-defined layers: random scripts made of layers the script
defines (``tests/user_layer_scripts.py``), each run by real Keras 3 and tf-keras in one
subprocess per version, against archlint's reading of the same script: every model's
total and trainable parameters and output shapes must agree. ``ARCHLINT_USER_LAYER_N``
scripts are drawn (40 by default); the counts are printed whether the test passes or not.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from archlint.analysis import Settings, analyse_source, default_settings
from tests.counts import report_counts
from tests.keras_scripts import ours, run_scripts
from tests.user_layer_scripts import user_layer_script

COUNT = int(os.environ.get("ARCHLINT_USER_LAYER_N", "40"))
SCRIPTS = {f"drawn_{seed}": user_layer_script(seed) for seed in range(COUNT)}


@pytest.fixture(scope="module")
def keras_figures() -> dict[str, Any]:
    return {version: run_scripts(SCRIPTS, version) for version in ("3", "2")}


@pytest.mark.keras
@pytest.mark.parametrize("keras", ["3", "2"])
def test_user_defined_layers_agree_with_keras_on_random_scripts(
        keras_figures: dict[str, Any], keras: str,
        request: pytest.FixtureRequest) -> None:
    # Read as a script for that Keras: where the two differ (what a frozen layer's flag
    # covers), each has its own figures.
    settings = Settings(default_settings().rules, keras=keras)
    agreed, refused, disagreements = 0, 0, []
    for name, source in SCRIPTS.items():
        truth = keras_figures[keras][name]
        report = analyse_source(source, settings=settings)
        errors = [d for d in report.diagnostics if d.severity.value == "error"]
        if "refused" in truth:
            refused += 1
            if not errors:
                disagreements.append(f"{name}: Keras refuses ({truth['refused']}), "
                                     "archlint reports no error")
            continue
        found = {a.model.name: ours(a) for a in report.models}
        wrong = [f"{model}: Keras {figures}, archlint {found.get(model)}"
                 for model, figures in truth.items() if found.get(model) != figures]
        if errors or wrong:
            disagreements.append(f"{name}: {'; '.join(wrong) or errors[0].message}\n{source}")
        else:
            agreed += 1
    report_counts(request.config, "Differential test against Keras",
                  f"user-defined layers vs Keras {keras}: {len(SCRIPTS)} scripts, "
              f"{agreed} built and agreeing, {refused} refused by Keras, "
              f"{len(disagreements)} disagreements")
    assert not disagreements, "\n\n".join(disagreements[:3])
