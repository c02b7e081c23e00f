"""Scripts written for the tests, run by real Keras 3 or tf-keras in a subprocess: each
model the script leaves in its namespace, with its parameter counts and output shapes (or
the refusal Keras raises), as archlint's analysis gives them (``ours``)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from archlint.engine import ModelAnalysis

_RUNNER = r"""
import json, os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
if sys.argv[1] == "2":
    import tf_keras
    sys.modules["keras"] = tf_keras
import keras
import numpy as np
out = {}
for name, source in json.loads(sys.stdin.read()).items():
    scope = {}
    try:
        exec(source, scope)
    except Exception as error:
        out[name] = {"refused": f"{type(error).__name__}: {error}"[:300]}
        continue
    models = {}
    for value in scope.values():
        if isinstance(value, keras.Model):
            # A subclassed model built by a call has no symbolic outputs: None.
            outputs = getattr(value, "_outputs", None) if not hasattr(value, "outputs") \
                else value.outputs
            models[value.name] = {
                "total": int(value.count_params()),
                "trainable": int(sum(np.prod(w.shape) for w in value.trainable_weights)),
                "outputs": None if outputs is None else [
                    [None if d is None else int(d) for d in tuple(o.shape)] for o in outputs]}
    out[name] = models
print(json.dumps(out))
"""


def run_scripts(sources: dict[str, str], version: str, timeout: int = 900) -> dict[str, Any]:
    """``{script name: {model name: figures}}`` from Keras ``version`` ("3" or "2")."""
    result = subprocess.run([sys.executable, "-c", _RUNNER, version],
                            input=json.dumps(sources), capture_output=True, text=True,
                            check=False, timeout=timeout)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def ours(analysis: ModelAnalysis) -> dict[str, Any]:
    outputs = [ref.call.output_at(ref.index) for ref in analysis.model.outputs]
    return {"total": analysis.total, "trainable": analysis.trainable,
            "outputs": [list(o) if isinstance(o, tuple) else o for o in outputs]}
