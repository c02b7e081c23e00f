from __future__ import annotations

import pytest

from tests.layer_cases import all_cases
from tests.oracle import run_oracle
from tests.test_layer_formulas import case_graph

# Fixture scripts are read by archlint, never imported (doctest collection would run them).
collect_ignore_glob = ["fixtures/*"]


@pytest.fixture(scope="session")
def layer_oracle(request: pytest.FixtureRequest):
    """Every layer case built by each Keras version: {"3": results, "2": results}."""
    graphs = [case_graph(c) for c in all_cases()]
    cache = getattr(request.config, "cache", None)
    return {v: run_oracle(graphs, v, cache) for v in ("3", "2")}
