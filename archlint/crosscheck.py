"""``archlint crosscheck``: archlint's numbers against real Keras builds of the same graphs.

Each model archlint finds is rebuilt in Keras from archlint's own graph (never by running
the script), in a subprocess per Keras version, and compared layer by layer on three
things: archlint's shape and params, what Keras declares after a symbolic build, and the
tensor a forward pass on zeros really produces. The forward pass is the truth.

Only archlint's layer classes and plain option values are sent to Keras: a model with
anything else is skipped with the option and line named (``archlint.oracle.allowed``). The
Keras process runs isolated from the working directory, and a call that crashes TensorFlow
is reported for its model while the other models keep their results
(``archlint.oracle.launch``).
"""

from __future__ import annotations

import importlib.util
import re
from typing import Any

from archlint.analysis import FileReport
from archlint.cost.flops import other_graph
from archlint.cost.poly import evaluate_cost
from archlint.dims import Expr, evaluate, holds_ragged
from archlint.engine import ModelAnalysis
from archlint.graph import Call
from archlint.keras3_declared import ISSUE as BIDIRECTIONAL_ISSUE
from archlint.layers.base import ShapeError
from archlint.oracle import launch
from archlint.oracle.export import call_key, layer_keys, model_request
from archlint.records import field, record
from archlint.unknown import Unknown

VERSIONS = {"3": ("keras", "tensorflow"), "2": ("tf_keras", "tf-keras")}
AGREE = "agree"
ARCHLINT_DIFFERS = "archlint differs"
KERAS_DECLARES_WRONG = "Keras declares wrong"
REFUSED_AS_EXPECTED = "refused, as archlint said"
NOT_REFUSED = "archlint said refused, Keras built it"
UNEXPECTED_REFUSAL = "Keras refused, archlint did not say so"
SKIPPED = "skipped"
LONGER_BY = 13  # the second forward pass binds variable axes to minimum + this
# A model with named sizes is built twice: every name bound to this (or its minimum), then
# to this plus NAMED_APART.
NAMED_VALUE = 7
NAMED_APART = 12


class KerasMissing(Exception):
    """TensorFlow or tf-keras is not installed."""


def missing_packages(versions: list[str]) -> list[str]:
    needed = []
    if importlib.util.find_spec("tensorflow") is None:
        needed.append("tensorflow")
    if "2" in versions and importlib.util.find_spec("tf_keras") is None:
        needed.append("tf-keras")
    return needed


@record
class LayerVerdict:
    name: str
    class_name: str
    archlint_shape: Any
    archlint_params: int | None
    declared_shape: Any = None
    declared_params: int | None = None
    forward_shapes: list[Any] = field(default_factory=list)
    forward_params: int | None = None
    verdict: str = AGREE
    note: str = ""
    # FLOPs of the first forward pass's call: archlint's (None when unknown) and TensorFlow's
    # profiler's; ``flops_note`` says why they are not compared, or how they differ.
    flops: int | None = None
    profiled_flops: int | None = None
    flops_note: str = ""


@record
class ModelVerdict:
    path: str
    model: str
    keras: str
    keras_version: str = ""
    lengths: list[int] = field(default_factory=list)
    layers: list[LayerVerdict] = field(default_factory=list)
    # The values the named sizes were bound to for this build.
    values: dict[str, int] = field(default_factory=dict)
    verdict: str = AGREE
    note: str = ""
    # The whole graph's FLOPs, archlint's and the profiler's (a graph without loops).
    flops: int | None = None
    profiled_flops: int | None = None

    @property
    def flops_differences(self) -> list[LayerVerdict]:
        return [layer for layer in self.layers if layer.flops_note.startswith("differs")]

    @property
    def archlint_agrees(self) -> bool:
        return self.verdict not in (ARCHLINT_DIFFERS, NOT_REFUSED, UNEXPECTED_REFUSAL) and all(
            layer.verdict != ARCHLINT_DIFFERS for layer in self.layers)


def _lengths(analysis: ModelAnalysis) -> tuple[int, ...]:
    minimum = analysis.shortest_common_length
    return (minimum, minimum + LONGER_BY)


def bind_lengths(shape: Any, length: int, values: dict[str, int] | None = None) -> Any:
    """archlint's shape (or list of shapes) as lists, every named size bound to its value
    in ``values``, every other symbol to ``length``, and the batch axis None, as forward
    passes are compared."""
    if isinstance(shape, list):
        return [bind_lengths(s, length, values) for s in shape]
    if shape == ():
        return []  # a scalar (tf.shape(x)[1]) has no batch axis
    if isinstance(shape, tuple):
        env = _Env(length, values or {})
        # A ragged axis has rows of several lengths: a forward pass shows it as None.
        return [None, *(d if d is None else UNKNOWN_SIZE if isinstance(d, Unknown)
                        else None if holds_ragged(d) else evaluate(d, env) for d in shape[1:])]
    return None


# A size archlint says it does not know: compared, it claims nothing (see _agrees).
UNKNOWN_SIZE = Unknown("a size archlint does not know")


def _agrees(ours: Any, truth: Any) -> bool:
    """archlint's bound shape against Keras's, a size archlint does not know agreeing with
    any: unknown is not a wrong number."""
    if isinstance(ours, list) and isinstance(truth, list):
        return len(ours) == len(truth) and all(_agrees(o, t) for o, t in zip(ours, truth))
    return ours is UNKNOWN_SIZE or ours == truth


class _Env(dict[str, int]):
    """Binds each named size to its value, every other symbol to one length."""

    def __init__(self, length: int, values: dict[str, int]):
        super().__init__()
        self.length = length
        self.named = values  # not `values`: that would hide dict.values()

    def __getitem__(self, key: str) -> int:
        return self.named.get(key, self.length)


def without_batch(shape: Any) -> Any:
    """A shape Keras reports (a list, or a list of lists), its batch axis None."""
    if shape and isinstance(shape[0], list):
        return [without_batch(s) for s in shape]
    return [None, *shape[1:]] if shape else shape


def _declared_matches(ours: Any, declared: Any, values: dict[str, int]) -> bool:
    if isinstance(ours, list):
        return isinstance(declared, list) and len(ours) == len(declared) and all(
            _declared_matches(o, d, values) for o, d in zip(ours, declared))
    if not isinstance(ours, tuple) or not isinstance(declared, list) or \
            (declared and isinstance(declared[0], list)) or len(ours) != len(declared):
        return False
    ours = tuple(evaluate(o, values) if isinstance(o, Expr) and o.fixed() else o for o in ours)
    return all((d is None and (o is None or isinstance(o, Expr))) or o == d
               or isinstance(o, Unknown) for o, d in zip(ours, declared))


def _first_error(analysis: ModelAnalysis, keras: str | None = None
                 ) -> tuple[Call, ShapeError] | None:
    """The first call archlint found an error in, with its error; with ``keras``, only an
    error that Keras version makes (a script for both may meet a Keras 3 refusal)."""
    return next(((c, c.error) for c in analysis.model.calls if c.error is not None
                 and (keras is None or keras in c.error.refused_by)), None)


def plan(reports: list[FileReport], profile: bool = False) -> tuple[
        list[dict[str, Any]], dict[str, Any], list[ModelVerdict]]:
    """Oracle requests for every model that can be rebuilt; skipped models get a verdict.
    With ``profile``, the oracle also gives TensorFlow's profiler's FLOPs."""
    requests, index, skipped = [], {}, []
    for report in reports:
        for number, analysis in enumerate(report.models):
            graph_id = f"{report.path}::{number}::{analysis.model.name}"
            reason = _unbuildable(analysis)
            if reason:
                skipped.append(ModelVerdict(report.path, analysis.model.name, "",
                                            verdict=SKIPPED, note=reason))
                continue
            lengths = _lengths(analysis)
            for values in _named_values(analysis):
                bound = ", ".join(f"{n}={v}" for n, v in values.items())
                graph = f"{graph_id}::{bound}" if values else graph_id
                try:
                    request = model_request(analysis.model, graph, lengths, values)
                except (ValueError, KeyError) as error:
                    skipped.append(ModelVerdict(report.path, analysis.model.name, "",
                                                verdict=SKIPPED, note=str(error)))
                    break
                if profile:
                    request["profile"] = True
                requests.append(request)
                index[graph] = (report, analysis, list(lengths) if any(
                    d is None for i in request["inputs"] for d in i["shape"]) else [], values)
    return requests, index, skipped


def _named_values(analysis: ModelAnalysis) -> list[dict[str, int]]:
    """The values each build binds the model's named sizes to: none for a model without
    them; else two builds, every name at least its minimum."""
    names = sorted({name for layer in analysis.model.layers + [
        ref.call.layer for ref in analysis.model.inputs] if layer.instance is not None
        for name in layer.instance.config.get("named_sizes") or ()})
    if not names:
        return [{}]
    minima = {b.symbol: b.minimum for b in analysis.bounds if b.named and b.minimum}
    first = {name: max(NAMED_VALUE, minima.get(name, 1)) for name in names}
    return [first, {name: value + NAMED_APART for name, value in first.items()}]


def _unbuildable(analysis: ModelAnalysis) -> str:
    model = analysis.model
    if model.unresolved:
        return model.unresolved[0].reason
    if not model.calls:
        return "the model has no layers archlint could connect"
    refused = any(call.error is not None for call in model.calls)
    conditional = next((c for c in model.calls if c.error is not None and c.error.condition
                        and c.layer.instance is not None), None)
    if conditional is not None and any(
            isinstance(d, Expr) and d.fixed() for ref in conditional.inbound
            if isinstance(shape := ref.call.output_at(ref.index), tuple) for d in shape):
        return (f"Keras refuses `{conditional.layer.name}` only for some values of a named "
                "size (AL110)")
    for call in model.calls:
        if call.layer.instance is None:
            return f"layer `{call.layer.name}` ({call.layer.class_name}) is not supported"
        # A vocabulary or bins that adapt() fills from data: a rebuild on zeros cannot run.
        why = call.layer.instance.spec.needs_adapt(call.layer.instance.config)
        if why:
            return f"`{call.layer.name}` {why}"
        # Outputs after a refusal are unknown by design; Keras's refusal is what is compared.
        if isinstance(call.output, Unknown) and call.error is None and not refused:
            return f"`{call.layer.name}` has an unknown output: {call.output.reason}"
    return ""


def run_oracle(requests: list[dict[str, Any]], keras: str) -> dict[str, Any]:
    return launch.run_oracle(requests, keras)


def compare(index: dict[str, Any], payload: dict[str, Any], keras: str) -> list[ModelVerdict]:
    verdicts = []
    for result in payload["results"]:
        report, analysis, lengths, values = index[result["id"]]
        name = analysis.model.name
        if values:
            name += " [" + ", ".join(f"{n}={v}" for n, v in values.items()) + "]"
        verdict = ModelVerdict(report.path, name, keras, payload["meta"]["keras_version"],
                               lengths, values=values)
        if "oracle_error" in result:
            verdict.verdict, verdict.note = SKIPPED, result["oracle_error"].splitlines()[-1]
        else:
            _compare_model(verdict, analysis, result, keras)
        verdicts.append(verdict)
    return verdicts


def _keras_refusal(result: dict[str, Any]) -> str | None:
    crashed = result.get("crashed")
    if crashed is not None:
        where = "at the forward pass" if crashed["phase"] == "forward" else "at build"
        return f"{where}: {crashed['message']}"
    if "build_error" in result:
        return f"at build: {_short(result['build_error']['error'])}"
    for run in result["forward"]:
        if "error" in run:
            return f"at the forward pass: {_short(run['error']['error'])}"
    return None


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _short(message: str, limit: int = 240) -> str:
    """Keras's error, first meaningful lines only: its call-argument dumps say nothing new."""
    text = _ANSI.sub("", message).split("Arguments received by")[0]
    text = text.split("Call arguments received by")[0]
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _compare_model(verdict: ModelVerdict, analysis: ModelAnalysis, result: dict[str, Any],
                   keras: str) -> None:
    refusal = _keras_refusal(result)
    failing = _first_error(analysis, keras)
    if failing is not None:
        call, error = failing
        if refusal:
            verdict.verdict = REFUSED_AS_EXPECTED
            verdict.note = f"{error.code} on `{call.layer.name}`; Keras {refusal}"
        else:
            verdict.verdict = NOT_REFUSED
            verdict.note = f"archlint reported {error.code} on `{call.layer.name}`"
        return
    if refusal:
        verdict.verdict, verdict.note = UNEXPECTED_REFUSAL, f"Keras {refusal}"
    input_ids = {id(ref.call) for ref in analysis.model.inputs}
    keys = layer_keys(analysis.model)
    bug_after: set[int] = set()
    for call in analysis.model.calls:
        if id(call) in input_ids:
            continue
        verdict.layers.append(_compare_call(call, result, keras, bug_after, verdict.lengths,
                                            keys[id(call.layer)],
                                            call_key(call, input_ids, keys),
                                            verdict.values))
    if "profile" in result:
        _compare_flops(verdict, analysis, result)
    if verdict.verdict == AGREE:
        if any(layer.verdict == ARCHLINT_DIFFERS for layer in verdict.layers):
            verdict.verdict = ARCHLINT_DIFFERS
        elif any(layer.verdict == KERAS_DECLARES_WRONG for layer in verdict.layers):
            verdict.verdict = KERAS_DECLARES_WRONG


def _compare_call(call: Call, result: dict[str, Any], keras: str, bug_after: set[int],
                  lengths: list[int], layer_key: str, call_id: str,
                  values: dict[str, int] | None = None) -> LayerVerdict:
    values = values or {}
    params = evaluate(call.params.total, values) if call.params is not None else None
    layer = LayerVerdict(call.layer.name, call.layer.class_name, call.output, params)
    declared = result["calls"].get(call_id, {}).get("declared_shape")
    declared_params = result["layers"].get(layer_key, {}).get("declared_params")
    layer.declared_shape = declared
    layer.declared_params = sum(declared_params.values()) if declared_params else None
    runs = [(i, run) for i, run in enumerate(result["forward"]) if call_id in run["calls"]]
    layer.forward_shapes = [without_batch(run["calls"][call_id]["shape"]) for _, run in runs]
    forward_params = runs[0][1]["params"].get(layer_key) if runs else None
    layer.forward_params = sum(forward_params.values()) if forward_params else None
    # Every variable axis of pass i was bound to lengths[i].
    ours = [bind_lengths(call.output, lengths[i] if lengths else 0, values) for i, _ in runs]
    # Parameters archlint says it does not know (a product of named sizes) are not compared.
    unknown = params is None and call.params_unknown is not None
    forward_ok = _agrees(ours, layer.forward_shapes) and (
        unknown or params == layer.forward_params)
    declared_ok = declared is not None and _declared_matches(call.output, declared, values) and \
        (unknown or params == layer.declared_params)
    crashed = result.get("crashed") or {}
    if call.error is not None and keras not in call.error.refused_by:
        # A refusal of the other Keras version: archlint gives no figures for this one.
        layer.verdict = SKIPPED
        layer.note = f"not compared: archlint reports {call.error.code} for the other version"
    elif not runs:
        layer.verdict, layer.note = SKIPPED, "no forward pass reached this layer"
        if crashed.get("call") == call_id:
            layer.note = crashed["message"]
    elif not forward_ok:
        layer.verdict = ARCHLINT_DIFFERS
        layer.note = "archlint's numbers differ from the forward pass: an archlint bug"
    elif not declared_ok:
        layer.verdict = KERAS_DECLARES_WRONG
        upstream = any(id(ref.call) in bug_after for ref in call.inbound)
        if keras == "3" and (call.layer.class_name == "Bidirectional" or upstream):
            layer.note = f"known Keras 3 bug {BIDIRECTIONAL_ISSUE}"
            bug_after.add(id(call))
        else:
            layer.note = "Keras's declared shape/params differ from its own forward pass"
    return layer


def _compare_flops(verdict: ModelVerdict, analysis: ModelAnalysis,
                   result: dict[str, Any]) -> None:
    """archlint's FLOPs of each call against the profiler's, on the first forward pass
    (its lengths and named sizes); a difference is reported, not a verdict on shapes."""
    env = _Env(verdict.lengths[0] if verdict.lengths else 0, verdict.values)
    profiled = result["profile"]
    input_ids = {id(ref.call) for ref in analysis.model.inputs}
    keys = layer_keys(analysis.model)
    calls = [c for c in analysis.model.calls if id(c) not in input_ids]
    ragged = any(c.layer.instance is not None and c.layer.instance.config.get("ragged")
                 for c in analysis.model.calls if id(c) in input_ids)
    for call, layer in zip(calls, verdict.layers):
        ours = analysis.cost.calls.get(call)
        truth = profiled["calls"].get(call_key(call, input_ids, keys), {})
        layer.profiled_flops = truth.get("flops")
        layer.flops = evaluate_cost(ours.flops, env) if ours is not None else None
        differs = other_graph(call.layer.instance, verdict.keras) \
            if call.layer.instance is not None else None
        if ragged:
            layer.flops_note = ("not checked: TensorFlow's profiler does not count the "
                                "operations of ragged tensors")
        elif ours is not None and isinstance(ours.flops, Unknown):
            layer.flops_note = f"not checked: archlint does not know ({ours.flops.reason})"
        elif differs:
            builds, follows = ("tf-keras", "Keras 3") if verdict.keras == "2" else \
                ("Keras 3", "tf-keras")
            layer.flops_note = (f"not checked: {builds} builds {differs} from other "
                                f"operations than {follows}, whose graph archlint's figure "
                                "follows")
        elif "error" in truth or layer.profiled_flops is None:
            layer.flops_note = "not checked: " + truth.get("error", "no profile of this call")
        elif layer.flops != layer.profiled_flops:
            layer.flops_note = (f"differs: archlint {layer.flops:,}, TensorFlow's profiler "
                                f"{layer.profiled_flops:,}")
        else:
            layer.flops_note = "agree"
    if "total" in profiled and not ragged:
        verdict.flops = evaluate_cost(analysis.cost.flops, env)
        verdict.profiled_flops = profiled["total"]


def crosscheck(reports: list[FileReport], versions: list[str],
               on_start: Any = None, profile: bool = True) -> list[ModelVerdict]:
    missing = missing_packages(versions)
    if missing:
        raise KerasMissing(" ".join(missing))
    requests, index, verdicts = plan(reports, profile)
    for keras in versions:
        if on_start is not None:
            on_start(keras, len(requests))
        if requests:
            verdicts.extend(compare(index, run_oracle(requests, keras), keras))
    # A notebook's notes name lines of its joined cells: name the cell and its line instead.
    cells = {r.path: r.cells for r in reports if r.cells is not None}
    for verdict in verdicts:
        if verdict.path in cells:
            verdict.note = cells[verdict.path].in_cells(verdict.note)
            for layer in verdict.layers:
                layer.note = cells[verdict.path].in_cells(layer.note)
    order = {path: i for i, path in enumerate(dict.fromkeys(r.path for r in reports))}
    return sorted(verdicts, key=lambda v: (order.get(v.path, 0), v.model, -int(v.keras or 0)))
