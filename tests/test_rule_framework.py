"""The rules framework: rule modules stand alone, share only archlint's helpers, and their
doctests run (pytest collects doctests under archlint/, not under rules/)."""

from __future__ import annotations

import ast
import doctest
import importlib
from pathlib import Path

import pytest

import archlint.rules as builtin_rules
from archlint.analysis import analyse_source, default_settings
from archlint.package_scan import submodule_names
from archlint.rule import RuleContext

RULES_DIR = Path(__file__).parent.parent / "rules"
RULE_MODULES = submodule_names(builtin_rules.__path__)
MAX_LINES = 600


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            found.append("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("name", RULE_MODULES)
def test_rule_module_imports_no_other_rule_and_no_front_end(name: str) -> None:
    imports = _imports(RULES_DIR / f"{name}.py")
    assert not [m for m in imports if m.startswith(".") or m.startswith(
        ("archlint.rules", "rules"))], f"{name} imports another rule: {imports}"
    assert not [m for m in imports if m.startswith("archlint.frontend")], (
        f"{name} reads the front end's values: use archlint.graph's types")


@pytest.mark.parametrize("name", RULE_MODULES)
def test_rule_module_is_small(name: str) -> None:
    lines = (RULES_DIR / f"{name}.py").read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{name} has {lines} lines"


@pytest.mark.parametrize("name", RULE_MODULES)
def test_rule_module_doctests(name: str) -> None:
    module = importlib.import_module(f"{builtin_rules.__name__}.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0, f"{result.failed} doctest(s) of {name} failed"


def test_rule_doctests_are_found() -> None:
    module = importlib.import_module(f"{builtin_rules.__name__}.al103_discarded_timesteps")
    assert doctest.testmod(module).attempted >= 3


SHARED = (
    "from keras import layers, Input, Model\n"
    "x = Input(shape=(10, 4))\n"
    "h = layers.Dense(8)(x)\n"
    "inner = Model(x, h)\n"
    "outer = Model(x, layers.Dense(2)(inner(x)))\n"
)


def test_context_yields_each_call_and_layer_once() -> None:
    report = analyse_source(SHARED, "shared.py", default_settings())
    ctx = RuleContext("shared.py", report.models, [], report.layers)
    calls = [call for _, call in ctx.layer_calls()]
    layers = [layer for _, layer in ctx.model_layers()]
    assert len(calls) == len({id(c) for c in calls})
    assert len(layers) == len({id(layer) for layer in layers})
    every = {id(c) for analysis in report.models for c in analysis.model.calls}
    assert {id(c) for c in calls} == every
