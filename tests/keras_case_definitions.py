"""Classes and functions a Keras layer test defines for its cases (a user-defined RNN cell,
a Wrapper subclass, a function given to Lambda), put in the case's script as the test file
writes them: read from the file's AST, never imported or run, with the test file's imports
and the other definitions they use, in order. A class a test imports from another test
file (``from keras.src.layers.rnn.rnn_test import OneStateRNNCell``) is read from that file.
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass, field
from pathlib import Path

# Names the script's own head binds (``import keras``, ``from keras import layers``).
_HEAD_NAMES = frozenset({"keras", "layers"})


@dataclass(frozen=True)
class TestDefined:
    """A class or function of a test file, named by a case; ``node`` is its definition."""

    name: str
    path: Path
    node: ast.ClassDef | ast.FunctionDef = field(compare=False, hash=False, repr=False)

    def source(self) -> str:
        return self.name


@functools.cache
def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def module_file(module: str, keras_root: Path) -> Path | None:
    """The file of a ``keras.src...`` test module, below ``keras_root`` (keras/src/layers)."""
    parts = module.split(".")
    if parts[:3] != ["keras", "src", "layers"]:
        return None
    path = keras_root.joinpath(*parts[3:]).with_suffix(".py")
    return path if path.is_file() else None


def top_level(path: Path, name: str) -> ast.ClassDef | ast.FunctionDef | None:
    for node in parsed(path).body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef) and node.name == name:
            return node
    return None


def test_import(path: Path, name: str, keras_root: Path) -> TestDefined | None:
    """``name`` as a class another test file defines, when ``path`` imports it from one."""
    for node in parsed(path).body:
        if not (isinstance(node, ast.ImportFrom) and (node.module or "").endswith("_test")):
            continue
        for alias in node.names:
            if (alias.asname or alias.name) == name:
                other = module_file(node.module or "", keras_root)
                found = top_level(other, alias.name) if other else None
                return TestDefined(alias.name, other, found) if found and other else None
    return None


def script_head(definitions: list[TestDefined], keras_root: Path) -> tuple[list[str], list[str]]:
    """(the imports, the definitions' sources) that define ``definitions`` in a script,
    each once, every definition after those it uses."""
    imports: list[str] = []
    sources: list[str] = []
    done: set[tuple[Path, str]] = set()

    def add(definition: TestDefined) -> None:
        key = (definition.path, definition.name)
        if key in done:
            return
        done.add(key)
        for name in sorted(_names_used(definition.node)):
            _add_name(definition.path, name, add, imports, keras_root)
        sources.append(ast.unparse(definition.node))

    for definition in definitions:
        add(definition)
    return imports, sources


def _add_name(path: Path, name: str, add: object, imports: list[str], keras_root: Path) -> None:
    """What binds ``name`` at the top of ``path``: a definition (added first), an import."""
    if name in _HEAD_NAMES:
        return
    node = top_level(path, name)
    if node is not None:
        add(TestDefined(name, path, node))  # type: ignore[operator]
        return
    other = test_import(path, name, keras_root)
    if other is not None:
        add(other)  # type: ignore[operator]
        return
    for statement in parsed(path).body:
        text = _import_of(statement, name)
        if text is not None and text not in imports:
            imports.append(text)
            return


def _import_of(statement: ast.stmt, name: str) -> str | None:
    """The import statement binding ``name`` alone, as the file writes it."""
    if not isinstance(statement, ast.Import | ast.ImportFrom):
        return None
    for alias in statement.names:
        if (alias.asname or alias.name.split(".")[0]) == name:
            one = ast.Import(names=[alias]) if isinstance(statement, ast.Import) else \
                ast.ImportFrom(module=statement.module, names=[alias], level=statement.level)
            return ast.unparse(one)
    return None


def _names_used(node: ast.AST) -> set[str]:
    """Names a definition reads that it does not bind itself (bases, decorators, body)."""
    loaded = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)
              and isinstance(n.ctx, ast.Load)}
    bound = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)
             and isinstance(n.ctx, ast.Store | ast.Del)}
    bound |= {a.arg for n in ast.walk(node) if isinstance(n, ast.arguments)
              for a in [*n.posonlyargs, *n.args, *n.kwonlyargs,
                        *([n.vararg] if n.vararg else []), *([n.kwarg] if n.kwarg else [])]}
    bound |= {n.name for n in ast.walk(node) if isinstance(
        n, ast.FunctionDef | ast.ClassDef) and n is not node}
    bound |= {(a.asname or a.name).split(".")[0] for n in ast.walk(node)
              if isinstance(n, ast.Import | ast.ImportFrom) for a in n.names}
    return loaded - bound
