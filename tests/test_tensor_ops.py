"""The shape formulas of tensor operations (archlint.ops) against real TensorFlow and Keras 3.

Every case of ``tests.op_cases`` runs on zeros in one TensorFlow process per session
(``tests.op_oracle_worker``), once per binding of its symbolic sizes. For each binding, the
formula on the concrete shapes must give TensorFlow's shape, or refuse where it refuses; the
formula on the symbolic shapes must give an expression that evaluates to it (or refuse for
every binding, unless its refusal names a condition); with every symbolic size replaced by
None (undefined), each size the formula still claims must be the one TensorFlow produces.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from archlint.dims import Dim, Expr, Sym, evaluate
from archlint.layers.base import ShapeError, Unresolved
from archlint.ops import AST_OPERATORS, SPELLINGS, Spelling, lookup
from archlint.ops.table import formula_parameters
from archlint.oracle import launch
from archlint.unknown import Unknown
from tests.op_cases import CASES, OpCase

REPOSITORY = Path(__file__).parent.parent


def _sized(value: Any) -> bool:
    """An option that holds symbolic sizes (a reshape target read from ``tf.shape``)."""
    return isinstance(value, tuple) and any(isinstance(v, str) for v in value)


# What Keras sees when a script builds on keras.Input: every symbolic size is None.
SYMBOLIC = {"T": None, "U": None}
WORKER = "tests.op_oracle_worker:main"


# ---- Turning a case into symbolic, concrete and JSON arguments ----------------------------

def _tensor_positions(spelling: Spelling, case: OpCase) -> tuple[set[int], set[str]]:
    """Which positional arguments and which keywords of the call are tensors."""
    params = spelling.positional
    positions = set()
    for i in range(len(case.args)):
        name = params[min(i, len(params) - 1)] if params else ""
        star = next((p for p in params[:i + 1] if p.startswith("*")), None)
        if (star or name) in spelling.tensors:
            positions.add(i)
    return positions, {k for k in case.kwargs if k in spelling.tensors}


def _map_shapes(value: Any, dim: Any) -> Any:
    """Apply ``dim`` to every size of a shape, or of a list of shapes."""
    if isinstance(value, list):
        return [_map_shapes(v, dim) for v in value]
    return tuple(dim(d) for d in value)


def _symbolic(d: Any) -> Dim:
    return Sym(d) if isinstance(d, str) else d


def _bind(d: Any, env: dict[str, int]) -> Any:
    """A size of a run: a symbol's number; an undefined size (None, a batch) gets "None"'s."""
    if d is None:
        return env.get("None")
    return env[d] if isinstance(d, str) else d


def _arguments(case: OpCase, dim: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    spelling = lookup(case.qualified)
    assert spelling is not None, case.qualified
    positions, keywords = _tensor_positions(spelling, case)
    args = tuple(_map_shapes(a, dim) if i in positions or _sized(a) else a
                 for i, a in enumerate(case.args))
    kwargs = {k: _map_shapes(v, dim) if k in keywords or _sized(v) else v
              for k, v in case.kwargs.items()}
    return args, kwargs





def run_formula(case: OpCase, dim: Any) -> Any:
    """The formula's shape (as a list of lists), or ("refused", error) / ("unresolved", ...)."""
    args, kwargs = _arguments(case, dim)
    try:
        return lookup(case.qualified).call(*args, **kwargs)  # type: ignore[union-attr]
    except ShapeError as error:
        return ("refused", error)
    except Unresolved as error:
        return ("unresolved", error)


def _dtype(qualified: str, position: int) -> str:
    name = qualified.rsplit(".", 1)[-1]
    if "logical" in name or name in ("any", "all", "reduce_any", "reduce_all", "and_", "or_"):
        return "bool"
    if name == "where" and position == 0:
        return "bool"
    if name in ("one_hot", "sequence_mask") or (name in ("gather", "take") and position == 1):
        return "int32"
    return "float32"


def _encode(value: Any) -> Any:
    if isinstance(value, slice):
        return {"slice": [value.start, value.stop, value.step]}
    if value is Ellipsis:
        return {"ellipsis": True}
    if isinstance(value, tuple):
        return {"tuple": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    return value


def _encode_tensors(value: Any, dtype: str) -> Any:
    if isinstance(value, list):
        return [_encode_tensors(v, dtype) for v in value]
    return {"tensor": list(value), "dtype": dtype}


def worker_call(case: OpCase, env: dict[str, Any], run: int | str) -> dict[str, Any]:
    spelling = lookup(case.qualified)
    assert spelling is not None
    positions, keywords = _tensor_positions(spelling, case)
    args, kwargs = _arguments(case, lambda d: _bind(d, env))
    return {"id": f"{case.id}/{run}", "qualified": case.qualified,
            "args": [_encode_tensors(a, _dtype(case.qualified, i)) if i in positions
                     else _encode(a) for i, a in enumerate(args)],
            "kwargs": {k: _encode_tensors(v, "float32") if k in keywords else _encode(v)
                       for k, v in kwargs.items()}}


# Calls a functional model makes on keras.Input tensors; a reshape target of symbolic sizes
# is a tensor there, which the table does not model.
def _sized_option(case: OpCase) -> bool:
    spelling = lookup(case.qualified)
    assert spelling is not None, case.qualified
    positions, keywords = _tensor_positions(spelling, case)
    return any(_sized(a) for i, a in enumerate(case.args) if i not in positions) or \
        any(_sized(v) for k, v in case.kwargs.items() if k not in keywords)


KERAS_CASES = [c for c in CASES if c.qualified.startswith(("keras.ops.", "operator."))
               and not _sized_option(c)]


# ---- The oracle, once per session ---------------------------------------------------------

@pytest.fixture(scope="session")
def tensorflow_results(request: pytest.FixtureRequest) -> dict[str, dict[str, Any]]:
    calls = [worker_call(c, env, run) for c in CASES for run, env in enumerate(c.bindings)]
    calls += [{**worker_call(c, SYMBOLIC, "symbolic"), "symbolic": True} for c in KERAS_CASES]
    calls += [{"id": f"signature/{name}", "qualified": name, "signature": True}
              for name in SPELLINGS if not name.startswith("operator.")]
    stdin = json.dumps(calls, sort_keys=True)
    key = "archlint/op_oracle/" + hashlib.sha256(
        (stdin + os.environ.get("TF_ENABLE_ONEDNN_OPTS", "")).encode()).hexdigest()[:20]
    cache = getattr(request.config, "cache", None)
    cached = cache.get(key, None) if cache is not None else None
    if cached is not None:
        return cached
    proc = launch.run_isolated(WORKER, [], stdin, env={"KERAS_BACKEND": "tensorflow"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = {r["id"]: r for r in json.loads(proc.stdout)["results"]}
    if cache is not None:
        cache.set(key, results)
    return results


def _as_lists(result: Any) -> Any:
    if isinstance(result, list):
        return [_as_lists(r) for r in result]
    return list(result)


def _agrees(claimed: Any, actual: Any, env: dict[str, int]) -> bool:
    """Whether every size the formula claims (an int, or an expression once its symbols are
    bound) is the one TensorFlow produced; None and Unknown claim nothing but the rank."""
    if claimed and isinstance(claimed[0], list):
        return (len(claimed) == len(actual)
                and all(_agrees(c, a, env) for c, a in zip(claimed, actual)))
    if len(claimed) != len(actual) or (actual and isinstance(actual[0], list)):
        return False
    for c, a in zip(claimed, actual):
        if isinstance(c, (int, Expr)) and evaluate(c, env) != a:
            return False
    return True


def _refused(outcome: Any) -> bool:
    return isinstance(outcome, tuple) and outcome[:1] == ("refused",)


def _unresolved(outcome: Any) -> bool:
    return isinstance(outcome, tuple) and outcome[:1] == ("unresolved",)


def _settled(outcome: Any) -> bool:
    """A shape or a list of shapes, not a refusal nor an unknown."""
    return not (isinstance(outcome, tuple) and outcome[:1] in (("refused",), ("unresolved",)))


def _describe(outcome: Any) -> str:
    if isinstance(outcome, tuple) and outcome[:1] in (("refused",), ("unresolved",)):
        return f"{outcome[0]}: {outcome[1]}"
    return repr(outcome)


@pytest.mark.keras
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_formula_matches_tensorflow(case: OpCase, tensorflow_results: dict) -> None:
    symbolic = run_formula(case, _symbolic)
    undefined = run_formula(case, lambda d: None if isinstance(d, str) else d)
    tf_refusals = []
    for run, env in enumerate(case.bindings):
        real = tensorflow_results[f"{case.id}/{run}"]
        shown = real.get("shape", f"{real.get('error')}: {real.get('message')}")
        concrete = run_formula(case, lambda d, env=env: _bind(d, env))
        where = f"{case.qualified} with {env}: formula {_describe(concrete)}, TensorFlow {shown}"
        if "error" in real:
            tf_refusals.append(True)
            assert _refused(concrete), where
            continue
        tf_refusals.append(False)
        if _unresolved(concrete):
            continue  # an honest unknown claims nothing
        assert _settled(concrete), where
        assert _as_lists(concrete) == real["shape"], where
        if _settled(symbolic):
            assert _agrees(_as_lists(symbolic), real["shape"], env), \
                f"{where}; symbolic formula {symbolic}"
        if _settled(undefined):
            assert _agrees(_as_lists(undefined), real["shape"], env), \
                f"{where}; with undefined sizes {undefined}"
    for outcome in (symbolic, undefined):
        if _refused(outcome) and outcome[1].condition is None:
            # A refusal without condition holds for every value of the sizes.
            assert all(tf_refusals), f"{case.qualified}: {outcome[1]} but TensorFlow accepts"


@pytest.mark.keras
def test_the_oracle_answered_every_call(tensorflow_results: dict) -> None:
    """The oracle ran every call (a crash would leave some without a result)."""
    expected = {f"{c.id}/{run}" for c in CASES for run in range(len(c.bindings))}
    assert expected <= set(tensorflow_results)


@pytest.mark.keras
@pytest.mark.parametrize("case", KERAS_CASES, ids=[c.id for c in KERAS_CASES])
def test_keras_symbolic_build_agrees(case: OpCase, tensorflow_results: dict) -> None:
    """keras.ops on KerasTensors (a functional model's build): every size Keras declares,
    the formula knows too, and a call the formula refuses for every size, Keras refuses
    or fails at the forward pass (checked above); a refusal at build time that the formula
    does not make is listed in KERAS_BUILD_REFUSALS."""
    real = tensorflow_results[f"{case.id}/symbolic"]
    undefined = run_formula(case, lambda d: None if isinstance(d, str) else d)
    symbolic = run_formula(case, _symbolic)
    if "error" in real:
        listed = (case.qualified, repr(case.args)) in KERAS_BUILD_REFUSALS
        assert _refused(undefined) or _refused(symbolic) or listed, \
            f"{case.qualified}: Keras refuses at build time ({real['message']}), the " \
            f"formula gives {_describe(undefined)}"
        return
    assert (case.qualified, repr(case.args)) not in KERAS_BUILD_REFUSALS
    for outcome in (undefined, symbolic):
        if _settled(outcome):
            assert _keeps_known(_as_lists(outcome), real["shape"]), \
                f"{case.qualified}: Keras declares {real['shape']}, the formula {outcome}"


def _keeps_known(claimed: Any, declared: Any) -> bool:
    """Every size Keras declares as a number, the formula gives as that number (or as an
    expression, which Keras cannot write)."""
    if claimed and isinstance(claimed[0], list):
        return len(claimed) == len(declared) and all(map(_keeps_known, claimed, declared))
    if len(claimed) != len(declared):
        return False
    return all(d is None or c == d or isinstance(c, Expr) for c, d in zip(claimed, declared))


# Calls Keras refuses when it builds on symbolic tensors, though they run on zeros: its
# reshape does not infer a -1 next to a 0 on an empty tensor, as TensorFlow does.
KERAS_BUILD_REFUSALS = {("keras.ops.reshape", "((2, 0, 4), (0, -1))"),
                        ("keras.ops.reshape", "((2, 0, 3), (0, 4, -1))")}


@pytest.mark.keras
def test_every_spelling_is_a_real_function_with_those_parameters(tensorflow_results: dict
                                                                 ) -> None:
    """Each name of the table exists in TensorFlow or Keras 3, and the parameters the table
    lists are the first of its signature, in order."""
    wrong = []
    for name, spelling in SPELLINGS.items():
        if name.startswith("operator."):
            continue
        real = tensorflow_results[f"signature/{name}"]
        listed = list(spelling.positional)
        if real.get("parameters", [])[:len(listed)] != listed:
            wrong.append(f"{name}: table {listed}, real {real.get('parameters', real)}")
    assert not wrong, "\n".join(wrong)


# ---- Unit tests, no TensorFlow -----------------------------------------------------------

def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 150
    assert all(lookup(c.qualified) is not None for c in CASES)


def test_every_spelling_names_its_tensors_among_its_parameters() -> None:
    for name, spelling in SPELLINGS.items():
        assert name == spelling.qualified
        assert set(spelling.tensors) <= set(spelling.positional), name
        assert {k for k, _ in spelling.options} <= set(spelling.positional), name


def test_every_option_names_a_parameter_of_the_formula() -> None:
    for name, spelling in SPELLINGS.items():
        accepted = {p for p, _ in formula_parameters(spelling.formula)}
        renames = dict(spelling.options)
        for param in spelling.positional:
            target = renames.get(param, param)
            if target not in (None, "*") and not param.startswith("*"):
                assert target in accepted, f"{name}: {param} -> {target} not in {accepted}"


def test_a_missing_argument_is_a_configuration_error() -> None:
    with pytest.raises(ShapeError, match=r"tf\.reshape needs shape"):
        lookup("tf.reshape").call((2, 3))  # type: ignore[union-attr]


def test_every_ast_operator_has_a_spelling() -> None:
    assert all(lookup(name) is not None for name in AST_OPERATORS.values())


def test_arguments_bind_as_python_binds_them() -> None:
    concat = lookup("tf.concat")
    assert concat is not None
    assert concat.call([(2, 3), (2, 4)], 1) == concat.call(values=[(2, 3), (2, 4)], axis=1)
    with pytest.raises(ShapeError, match="no parameter 'dim'"):
        concat.call([(2, 3)], dim=0)
    with pytest.raises(ShapeError, match="got 'axis' twice"):
        concat.call([(2, 3)], 0, axis=0)
    einsum = lookup("tf.einsum")
    assert einsum is not None and einsum.call("ij,jk->ik", (2, 3), (3, 4)) == (2, 4)


def test_unknown_sizes_stay_unknown_per_axis() -> None:
    unknown = Unknown("args.width comes from the command line")
    assert lookup("tf.concat").call([(2, unknown), (2, 3)], 0) == (4, 3)  # type: ignore
    out = lookup("keras.ops.add").call((unknown, 3), (1, 3))  # type: ignore[union-attr]
    assert out[0] is unknown and out[1] == 3
    assert lookup("tf.reshape").call((unknown, 4), (-1, 2))[0] is unknown  # type: ignore
    with pytest.raises(Unresolved):
        lookup("tf.squeeze").call((unknown, 4))  # type: ignore[union-attr]
    with pytest.raises(Unresolved):
        lookup("operator.getitem").call((2, 3), unknown)  # type: ignore[union-attr]


def test_symbolic_slices_give_expressions() -> None:
    T = Sym("T")
    getitem = lookup("operator.getitem")
    assert getitem is not None
    assert getitem.call((None, T, 4), (slice(None), slice(1, None))) == (None, T - 1, 4)
    assert str(getitem.call((None, T), (slice(None), slice(-3, None)))[1]) == "min(T, 3)"


def test_refusals_carry_the_lengths_that_fail() -> None:
    T = Sym("T")
    with pytest.raises(ShapeError) as error:
        lookup("tf.add").call((2, T), (2, 3))  # type: ignore[union-attr]
    assert error.value.condition == "T != 3 and T != 1"
    with pytest.raises(ShapeError) as error:
        lookup("tf.squeeze").call((T, 3), 0)  # type: ignore[union-attr]
    assert error.value.condition == "T != 1"


def test_importing_the_formulas_loads_nothing_heavy() -> None:
    code = ("import sys, time; t = time.perf_counter(); import archlint.ops; "
            "print(sorted(m for m in ('numpy', 'tensorflow', 'keras') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env={**os.environ, "PYTHONPATH": str(REPOSITORY)})
    assert proc.stdout.strip() == "[]"
