"""Every layer formula against real Keras: the cases in ``tests/layer_cases``, built by
Keras 3 (tensorflow) and Keras 2 (tf-keras), declared shapes and forward passes on zeros.

The forward pass is the truth. archlint must equal it on every case; where a Keras
version declares something else, the case must name the known Keras bug.
"""

from __future__ import annotations

from typing import Any

import pytest

from archlint.cost.dtypes import layer_policy
from archlint.cost.memory import WeightBytes, weight_bytes
from archlint.crosscheck import bind_lengths, without_batch
from archlint.dims import Dim, Expr, Sym
from archlint.graph import Layer, Span
from archlint.keras_names import KERAS3, TF_KERAS
from archlint.layer_eval import LayerOutput, infer_layer, instantiate
from archlint.layers.base import ShapeError, Unresolved
from tests.layer_cases import LayerCase, all_cases

CASES = all_cases()
SYMBOL = "T"


def case_graph(case: LayerCase) -> dict[str, Any]:
    """The oracle request for one case: inputs, the layer, one call, forward lengths."""
    inputs = [{"name": f"in{i}", "shape": list(s), "dtype": case.dtype}
              for i, s in enumerate(case.input_shapes)]
    variable = any(d is None for s in case.input_shapes for d in s)
    # A fixed-shape case needs one forward pass; a variable one, one per length.
    lengths = case.lengths if variable else case.lengths[:1]
    forward = [[[length if d is None else d for d in s] for s in case.input_shapes]
               for length in lengths]
    call: dict[str, Any] = {"id": "layer", "layer": "layer",
                            "inbound": [[i["name"], 0] for i in inputs]}
    if case.call:
        call["call_kwargs"] = case.call
    return {
        "id": case.id,
        "inputs": inputs,
        "layers": {"layer": {"class_name": case.class_name, "config": case.config}},
        "calls": [call],
        "forward": forward,
    }


def layer_policy_of(instance: Any) -> Any:
    """The dtype policy of a case's layer (no global policy in a case)."""
    return layer_policy(Layer("layer", instance.class_name, Span(0), instance))


def archlint_output(case: LayerCase, target: str = "3") -> LayerOutput:
    """archlint's result for the case in a script that runs under Keras ``target``."""
    instance = instantiate(case.class_name, case.config, name="layer",
                           keras=TF_KERAS if target == "2" else KERAS3, target=target)
    shapes = [(None, *(Sym(SYMBOL) if d is None else d for d in s)) for s in case.input_shapes]
    return infer_layer(instance, shapes, case.call)


def declared_matches(ours: Any, declared: Any) -> bool:
    """Keras declares None where archlint keeps a symbolic expression; ints must agree."""
    if isinstance(ours, list):  # several outputs
        return isinstance(declared, list) and len(ours) == len(declared) and all(
            declared_matches(o, d) for o, d in zip(ours, declared))
    if len(ours) != len(declared):
        return False
    return all(_dim_matches(o, d) for o, d in zip(ours, declared))


def _dim_matches(ours: Dim, declared: int | None) -> bool:
    if declared is None:
        return ours is None or isinstance(ours, Expr)
    return ours == declared


def with_token_counts(ours: Any, truth: Any) -> Any:
    """archlint's None past the batch axis of a layer on strings is a count of tokens, which
    the strings decide: it takes the forward pass's value."""
    if not isinstance(ours, list) or not isinstance(truth, list) or len(ours) != len(truth):
        return ours
    if ours and isinstance(ours[0], list):
        return [with_token_counts(o, t) for o, t in zip(ours, truth)]
    return [t if axis > 0 and o is None else o for axis, (o, t) in enumerate(zip(ours, truth))]


def refusal(result: dict[str, Any]) -> str | None:
    """Keras's error message if it refused the layer at build or at any forward pass."""
    if "build_error" in result:
        return result["build_error"]["error"]
    for run in result["forward"]:
        if "error" in run:
            return run["error"]["error"]
    return None


@pytest.mark.keras
@pytest.mark.parametrize("keras", ["3", "2"])
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_layer_formula(case: LayerCase, keras: str, layer_oracle: dict[str, Any]) -> None:
    if keras not in case.versions:
        pytest.skip(f"checked against Keras {'/'.join(case.versions)} only")
    result = layer_oracle[keras][case.id]
    assert "oracle_error" not in result, result.get("oracle_error")
    keras_error = refusal(result)
    if keras_error is None and case.runs_with_onednn and layer_oracle[keras]["__meta__"].get(
            "onednn"):
        # TensorFlow's oneDNN kernel runs what its reference kernels refuse; archlint refuses.
        with pytest.raises(ShapeError) as raised:
            archlint_output(case)
        assert raised.value.code == case.error_code, raised.value.message
        return
    if keras_error is not None:
        assert keras in case.refused_by, f"Keras {keras} refuses: {keras_error}"
        with pytest.raises(ShapeError) as raised:
            archlint_output(case, target=keras)
        if case.error_code:
            assert raised.value.code == case.error_code, raised.value.message
        assert raised.value.refused_by == case.refused_by, raised.value.message
        return
    if len(case.refused_by) == 1:  # one version refuses: the other must build it
        assert keras not in case.refused_by, f"Keras {keras} builds what the case says it refuses"
    try:
        ours = archlint_output(case, target=keras)
    except ShapeError as error:
        pytest.fail(f"archlint refuses ({error.code}: {error.message}) what Keras {keras} builds")
    except Unresolved as unresolved:
        # Only where tf-keras parts from the Keras 3 formulas: an unknown, never a number.
        assert keras == "2" and (case.refused_by == ("3",) or case.keras2_unknown), (
            unresolved.unknown.reason)
        return
    assert not (keras == "2" and case.keras2_unknown), "a tf-keras number archlint gives"
    for length, run in zip(case.lengths, result["forward"]):
        truth = without_batch(run["calls"]["layer"]["shape"])
        bound = bind_lengths(ours.shape, length)
        if case.dtype == "string":
            bound = with_token_counts(bound, truth)
        assert bound == truth, f"forward pass with T={length}"
        assert ours.params.trainable == run["params"]["layer"]["trainable"]
        assert ours.params.non_trainable == run["params"]["layer"]["non_trainable"]
    declared = result["calls"]["layer"]["declared_shape"]
    declared_params = result["layers"]["layer"]["declared_params"]
    keras_agrees = declared_matches(ours.shape, declared) and declared_params == {
        "trainable": ours.params.trainable, "non_trainable": ours.params.non_trainable}
    if keras in case.known_bug:
        assert not keras_agrees, f"Keras {keras} no longer shows {case.known_bug[keras]}"
    else:
        assert keras_agrees, f"Keras {keras} declares {declared} {declared_params}"
        _check_weight_bytes(case, ours, result["layers"]["layer"]["weight_bytes"])


def _check_weight_bytes(case: LayerCase, ours: LayerOutput, real: dict[str, Any]) -> None:
    """The bytes of the weights Keras builds, by their dtypes: archlint's, or unknown
    where it says why (never another number)."""
    instance = instantiate(case.class_name, case.config, name="layer")
    shape = (None, *(Sym(SYMBOL) if d is None else d for d in case.input_shapes[0])) \
        if case.input_shapes else None
    found = weight_bytes(instance, ours.params, shape, layer_policy_of(instance))
    if isinstance(found, WeightBytes):
        assert [found.trainable, found.non_trainable] == [real["trainable"],
                                                          real["non_trainable"]]
