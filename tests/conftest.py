from __future__ import annotations

import pytest

from tests.counts import collect_worker_counts, write_counts
from tests.layer_cases import all_cases
from tests.oracle import needs_keras, run_oracle
from tests.test_layer_formulas import case_graph

# Fixture scripts are read by archlint, never imported (doctest collection would run them).
collect_ignore_glob = ["fixtures/*"]


@pytest.hookimpl(tryfirst=True)  # before -m deselects by mark
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that uses a fixture built with real Keras (``needs_keras``), directly or
    through another fixture, is a ``keras`` test even without its own mark."""
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        if info is None or item.get_closest_marker("keras") is not None:
            continue
        if any(getattr(definition.func, "needs_keras", False)
               for definitions in info.name2fixturedefs.values() for definition in definitions):
            item.add_marker(pytest.mark.keras)


@pytest.fixture(scope="session")
@needs_keras
def layer_oracle(request: pytest.FixtureRequest):
    """Every layer case built by each Keras version: {"3": results, "2": results}."""
    graphs = [case_graph(c) for c in all_cases()]
    cache = getattr(request.config, "cache", None)
    return {v: run_oracle(graphs, v, cache) for v in ("3", "2")}


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook: a worker has finished
def pytest_testnodedown(node: object, error: object) -> None:
    worker_output = getattr(node, "workeroutput", None)
    if worker_output:
        collect_worker_counts(node.config, worker_output)  # type: ignore[attr-defined]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter,
                            config: pytest.Config) -> None:
    """The counts the oracle tests reported (tests/counts.py)."""
    write_counts(config, terminalreporter)
