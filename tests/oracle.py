"""Run graphs through real Keras in a subprocess, once per Keras version per test session.

Results are cached in pytest's cache keyed by the request, so a rerun with unchanged cases
does not pay for the TensorFlow import; a clean checkout (CI) always builds afresh.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from typing import Any

KERAS_VERSIONS = ("3", "2")


def run_oracle(graphs: list[dict[str, Any]], keras: str, cache: Any = None) -> dict[str, Any]:
    """Results by graph id, plus ``"__meta__"`` with the Keras version that built them."""
    request = json.dumps(graphs, sort_keys=True)
    key = f"archlint/oracle/{keras}/" + hashlib.sha256(request.encode()).hexdigest()[:20]
    if cache is not None:
        cached = cache.get(key, None)
        if cached is not None:
            return cached
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    proc = subprocess.run(
        [sys.executable, "-m", "archlint.oracle.build", "--keras", keras],
        input=request, capture_output=True, text=True, env=env, check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"Keras {keras} oracle failed:\n{proc.stderr[-4000:]}")
    payload = json.loads(proc.stdout)
    results = {r["id"]: r for r in payload["results"]}
    results["__meta__"] = payload["meta"]
    if cache is not None:
        cache.set(key, results)
    return results
