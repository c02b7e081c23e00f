from __future__ import annotations

import pytest

from tests.keras_layer_cases import SUMMARY_KEY
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


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter,
                            config: pytest.Config) -> None:
    """The counts of tests/test_keras_own_layer_cases.py, when it ran."""
    lines = config.stash.get(SUMMARY_KEY, None)
    if lines:
        terminalreporter.section("Keras's own layer tests as an oracle")
        for line in lines:
            terminalreporter.write_line(line)
