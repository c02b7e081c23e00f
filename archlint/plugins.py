"""Rule discovery: the built-in rules and third-party rule packs.

A rule pack declares an entry point in the group ``archlint.rules`` whose value is a module
(every Rule subclass defined in it is loaded) or a single Rule class::

    [project.entry-points."archlint.rules"]
    mypack = "mypack.rules"

Entry points are found by reading the ``entry_points.txt`` of installed distributions
directly: ``importlib.metadata`` takes a tenth of a second on a large environment, which
would dominate a lint run.
"""

from __future__ import annotations

import importlib
import os
import sys
from types import ModuleType

from archlint.package_scan import submodule_names
from archlint.records import record
from archlint.rule import Rule

GROUP = "archlint.rules"
BUILTIN = "built-in"


@record(frozen=True)
class EntryPoint:
    name: str
    value: str
    distribution: str


def find_entry_points(group: str = GROUP) -> list[EntryPoint]:
    """Entry points of ``group`` in the distributions on ``sys.path``, first one wins."""
    found: dict[str, EntryPoint] = {}
    for entry in sys.path:
        try:
            listing = os.scandir(entry or ".")
        except OSError:
            continue
        with listing:
            dists = sorted(d.name for d in listing
                           if d.name.endswith((".dist-info", ".egg-info")))
        for dist in dists:
            try:
                with open(os.path.join(entry or ".", dist, "entry_points.txt"),
                          encoding="utf-8") as handle:
                    text = handle.read()
            except OSError:
                continue
            if f"[{group}]" not in text:
                continue
            for name, value in _section(text, group):
                found.setdefault(name, EntryPoint(name, value, dist.split("-")[0]))
    return list(found.values())


def _section(text: str, group: str) -> list[tuple[str, str]]:
    items, inside = [], False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("[") and line.endswith("]"):
            inside = line[1:-1].strip() == group
        elif inside and "=" in line and not line.startswith(("#", ";")):
            name, value = line.split("=", 1)
            items.append((name.strip(), value.strip()))
    return items


def rules_in(module: ModuleType) -> list[type[Rule]]:
    """The Rule subclasses a module defines (not the ones it imports)."""
    return [value for value in vars(module).values()
            if isinstance(value, type) and issubclass(value, Rule)
            and value.__module__ == module.__name__ and "code" in vars(value)]


def _load_value(value: str) -> list[type[Rule]]:
    module_name, _, attr = value.partition(":")
    module = importlib.import_module(module_name.strip())
    if attr:
        target = getattr(module, attr.strip())
        return [target] if isinstance(target, type) else list(target)
    if hasattr(module, "__path__"):  # a package: every module in it
        classes = []
        for name in submodule_names(module.__path__):
            classes.extend(rules_in(importlib.import_module(f"{module.__name__}.{name}")))
        return classes
    return rules_in(module)


@record(frozen=True)
class LoadedRule:
    rule_class: type[Rule]
    source: str  # "built-in" or the plugin's distribution name


@record
class PluginError:
    name: str
    message: str


def load_rules(include_plugins: bool = True) -> tuple[list[LoadedRule], list[PluginError]]:
    """Every rule class, built-in first, by code; plugins that fail to load are reported."""
    import archlint.rules as builtin_package

    loaded: dict[str, LoadedRule] = {}
    errors: list[PluginError] = []
    for rule_class in _load_value(builtin_package.__name__):
        loaded[rule_class.code] = LoadedRule(rule_class, BUILTIN)
    if include_plugins:
        for entry in find_entry_points():
            if entry.value == builtin_package.__name__:
                continue
            try:
                classes = _load_value(entry.value)
            except Exception as error:  # a broken plugin must not stop the others
                errors.append(PluginError(entry.name, f"{type(error).__name__}: {error}"))
                continue
            for rule_class in classes:
                if rule_class.code in loaded:
                    owner = loaded[rule_class.code].source
                    errors.append(PluginError(entry.name, f"rule code {rule_class.code} is "
                                              f"already defined by {owner}"))
                    continue
                loaded[rule_class.code] = LoadedRule(rule_class, entry.distribution)
    return [loaded[code] for code in sorted(loaded)], errors
