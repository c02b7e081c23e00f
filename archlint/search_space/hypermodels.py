"""Which functions of a script are KerasTuner hypermodels, read from the syntax alone.

A hypermodel is a top-level function whose first parameter is used as KerasTuner's ``hp``
(``hp.Int(...)``, ``hp.Choice(...)``, ``with hp.conditional_scope(...)``...), or one the
script hands to a tuner (``kt.RandomSearch(build_model, ...)``, ``hypermodel=build_model``),
or the ``build(self, hp)`` of a top-level class deriving from ``HyperModel`` or using its
``hp`` so (named ``Class.build``).
"""

from __future__ import annotations

import ast

from archlint.records import record

HP_METHODS = frozenset({"Int", "Float", "Choice", "Boolean", "Fixed", "conditional_scope"})
TUNERS = frozenset({"RandomSearch", "Hyperband", "BayesianOptimization", "GridSearch",
                    "Tuner", "SklearnTuner"})


@record(frozen=True)
class Hypermodel:
    name: str
    parameter: str
    line: int
    end_line: int


def find_hypermodels(tree: ast.Module) -> list[Hypermodel]:
    """The script's hypermodel functions, in the order they are defined.

    >>> find_hypermodels(ast.parse("def build(hp):\\n    return hp.Int('u', 1, 4)\\n"))
    [Hypermodel(name='build', parameter='hp', line=1, end_line=2)]
    """
    given = _given_to_tuners(tree)
    found = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            params = [*node.args.posonlyargs, *node.args.args]
            if params and (node.name in given or _uses_as_hp(node, params[0].arg)):
                found.append(Hypermodel(node.name, params[0].arg, node.lineno,
                                        node.end_lineno or node.lineno))
        elif isinstance(node, ast.ClassDef):
            derives = any((b.attr if isinstance(b, ast.Attribute) else getattr(b, "id", ""))
                          == "HyperModel" for b in node.bases)
            for method in node.body:
                if not isinstance(method, ast.FunctionDef) or method.name != "build":
                    continue
                params = [*method.args.posonlyargs, *method.args.args]
                if len(params) >= 2 and (derives or _uses_as_hp(method, params[1].arg)):
                    found.append(Hypermodel(f"{node.name}.build", params[1].arg,
                                            method.lineno, method.end_lineno or method.lineno))
    return found


def _uses_as_hp(function: ast.FunctionDef, name: str) -> bool:
    return any(isinstance(node, ast.Attribute) and node.attr in HP_METHODS and
               isinstance(node.value, ast.Name) and node.value.id == name
               for node in ast.walk(function))


def _given_to_tuners(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if called not in TUNERS:
            continue
        arguments = [*node.args[:1], *(k.value for k in node.keywords
                                       if k.arg == "hypermodel")]
        names |= {a.id for a in arguments if isinstance(a, ast.Name)}
    return names
