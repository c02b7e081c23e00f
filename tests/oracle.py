"""Run graphs through real Keras in a subprocess, once per Keras version per test session.

The process is started by ``archlint.oracle.launch``, as ``archlint crosscheck`` starts it.
Results are cached in pytest's cache keyed by the request and the oneDNN setting, so a rerun
with unchanged cases does not pay for the TensorFlow import; a clean checkout (CI) always
builds afresh.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from typing import Any, TypeVar

from archlint.oracle import launch

F = TypeVar("F", bound=Callable[..., Any])

KERAS_VERSIONS = ("3", "2")


def needs_keras(fixture: F) -> F:
    """Declares that a fixture builds with real Keras: tests/conftest.py marks every test
    using it ``keras``, so that ``pytest -m "not keras"`` never starts TensorFlow.

    Put it under ``@pytest.fixture``."""
    fixture.needs_keras = True  # type: ignore[attr-defined]
    return fixture


def run_oracle(graphs: list[dict[str, Any]], keras: str, cache: Any = None) -> dict[str, Any]:
    """Results by graph id, plus ``"__meta__"`` with the Keras version that built them."""
    request = json.dumps(graphs, sort_keys=True)
    # oneDNN on or off changes what TensorFlow's CPU kernels do with some inputs.
    request += os.environ.get("TF_ENABLE_ONEDNN_OPTS", "")
    request += "weight-bytes"  # results hold each layer's weight bytes since
    key = f"archlint/oracle/{keras}/" + hashlib.sha256(request.encode()).hexdigest()[:20]
    if cache is not None:
        cached = cache.get(key, None)
        if cached is not None:
            return cached
    payload = launch.run_oracle(graphs, keras)
    results = {r["id"]: r for r in payload["results"]}
    results["__meta__"] = payload["meta"]
    if cache is not None:
        cache.set(key, results)
    return results
