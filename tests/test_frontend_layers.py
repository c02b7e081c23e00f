"""The front end's layering: the Python evaluator knows nothing of Keras, and every module
of archlint stays small enough to read at once."""

from __future__ import annotations

import ast
from pathlib import Path

ARCHLINT = Path(__file__).resolve().parent.parent / "archlint"
# The Python evaluator, and what it may import from archlint: its own modules, the value
# vocabulary, and the generic records (unknowns, events, source spans).
EVALUATOR = ("scope", "folding", "code_walks", "library", "expressions", "calls", "evaluator")
EVALUATOR_MAY_IMPORT = {
    *(f"archlint.frontend.{name}" for name in EVALUATOR),
    "archlint.frontend.values", "archlint.unknown", "archlint.records",
    "archlint.diagnostics", "archlint.graph", "archlint.codes",
}
MAX_MODULE_LINES = 600


def _archlint_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and \
                node.module.startswith("archlint"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("archlint"))
    return found


def test_the_python_evaluator_imports_nothing_of_keras() -> None:
    for name in EVALUATOR:
        imported = _archlint_imports(ARCHLINT / "frontend" / f"{name}.py")
        assert imported <= EVALUATOR_MAY_IMPORT, (name, imported - EVALUATOR_MAY_IMPORT)


def test_the_evaluator_names_no_keras_value() -> None:
    keras_names = {"Tensor", "LayerObject", "ModelObject", "SequentialObject", "KerasObject",
                   "keras_api"}
    for name in EVALUATOR:
        tree = ast.parse((ARCHLINT / "frontend" / f"{name}.py").read_text())
        used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        assert not used & keras_names, (name, used & keras_names)


def test_no_module_of_archlint_or_its_rules_is_over_600_lines() -> None:
    paths = [p for p in ARCHLINT.rglob("*.py") if "rules" not in p.relative_to(ARCHLINT).parts]
    paths += list((ARCHLINT.parent / "rules").glob("*.py"))
    long = {str(p.relative_to(ARCHLINT.parent)): n for p in paths
            if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES}
    assert not long


def test_shapes_come_from_the_injected_service() -> None:
    from archlint.frontend.interpreter import Interpreter
    from archlint.frontend.shape_service import EngineShapes
    from archlint.graph import Call

    class Recording(EngineShapes):
        def __init__(self) -> None:
            self.asked: list[str] = []

        def infer(self, call: Call) -> None:
            self.asked.append(call.layer.name)
            super().infer(call)

    source = ("import keras\nx = keras.Input(shape=(8,))\ny = keras.layers.Dense(4)(x)\n"
              "units = y.shape[-1]\nmodel = keras.Model(x, keras.layers.Dense(units)(y))\n")
    shapes = Recording()
    interpreter = Interpreter(ast.parse(source), source, shapes=shapes)
    interpreter.run()
    assert shapes.asked == ["dense"]
    assert isinstance(interpreter.globals.vars["units"], int)  # resolved by the service
