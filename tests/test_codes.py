"""The codes registry: every code a producer can emit has a documented rule with examples,
and each code is spelled out once, in archlint/codes.py."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from archlint import codes
from archlint.plugins import load_rules

ROOT = Path(__file__).parent.parent
CODE = re.compile(r"AL\d{3}")
# Producers still spelling codes out; each literal maps to a name of archlint.codes.
NOT_YET_ON_THE_REGISTRY: set[str] = set()


def _sources() -> list[Path]:
    """Every module of archlint and of the built-in rules (archlint/rules links to rules/)."""
    files = [p for p in (ROOT / "archlint").rglob("*.py")
             if "rules" not in p.relative_to(ROOT / "archlint").parts[:1]]
    return sorted(files + list((ROOT / "rules").glob("*.py")))


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and \
                isinstance(body[0].value, ast.Constant):
            found.add(id(body[0].value))
    return found


def _code_literals(tree: ast.AST) -> list[tuple[str, int]]:
    """Strings that are exactly a code (not docstrings, not examples that mention one)."""
    skip = _docstrings(tree)
    return [(node.value, node.lineno) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and CODE.fullmatch(node.value) and id(node) not in skip]


def _registry_names(tree: ast.AST) -> set[str]:
    """Names of archlint.codes a module uses: ``codes.NAME`` or ``from archlint.codes
    import NAME``."""
    names: set[str] = set()
    imports_module = any(isinstance(node, ast.ImportFrom) and node.module == "archlint"
                         and any(alias.name == "codes" for alias in node.names)
                         for node in ast.walk(tree))
    for node in ast.walk(tree):
        if imports_module and isinstance(node, ast.Attribute) and \
                isinstance(node.value, ast.Name) and node.value.id == "codes":
            names.add(node.attr)
        elif isinstance(node, ast.ImportFrom) and node.module == "archlint.codes":
            names.update(alias.name for alias in node.names)
    return names


def _emitted() -> dict[str, list[str]]:
    """Every code a module of archlint names, with where it is named."""
    found: dict[str, list[str]] = {}
    for path in _sources():
        where = str(path.relative_to(ROOT))
        if where == "archlint/codes.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for value, line in _code_literals(tree):
            found.setdefault(value, []).append(f"{where}:{line}")
        for name in _registry_names(tree):
            assert name in codes.BUILTIN, f"{where} uses codes.{name}, which is not a code"
            found.setdefault(codes.BUILTIN[name], []).append(where)
    return found


def test_registry_codes_are_unique_and_well_formed() -> None:
    values = list(codes.BUILTIN.values())
    assert len(values) == len(set(values))
    assert all(CODE.fullmatch(value) for value in values)


def test_every_registry_code_has_its_rule() -> None:
    loaded, _ = load_rules(include_plugins=False)
    by_code = {entry.rule_class.code: entry.rule_class for entry in loaded}
    assert set(by_code) == set(codes.BUILTIN.values())
    for name, code in codes.BUILTIN.items():
        rule = by_code[code]
        assert rule.name == name.lower().replace("_", "-"), (code, rule.name)
        doc = rule.__doc__ or ""
        for section in ("What it does", "Why it matters", "Example", "Use instead"):
            assert section in doc, f"{code} lacks '{section}'"
        assert rule.VALID, code
        assert rule.INVALID or code == codes.RULE_CRASHED, code  # a crash is not a script


def test_every_code_a_producer_emits_is_in_the_registry() -> None:
    emitted = _emitted()
    assert emitted, "the scan found no producer"
    unknown = {code: where for code, where in emitted.items()
               if code not in codes.BUILTIN.values()}
    assert not unknown, f"codes outside archlint/codes.py: {unknown}"


def test_each_code_is_spelled_out_once() -> None:
    for path in _sources():
        where = str(path.relative_to(ROOT))
        if where in NOT_YET_ON_THE_REGISTRY:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        literals = _code_literals(tree)
        if where == "archlint/codes.py":
            assert sorted(value for value, _ in literals) == sorted(codes.BUILTIN.values())
        else:
            assert not literals, f"{where} spells out {literals}: use archlint.codes"
