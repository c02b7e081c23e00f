"""Differential testing at scale: random architectures, archlint against real Keras.

N scripts (``ARCHLINT_DIFFERENTIAL_N``, 300 by default) are drawn deterministically from
``tests.architectures.architectures``; archlint reads each one (front end and engine, as
``archlint model.py`` would) and its own graph is exported with ``model_request``. One
process per Keras version (TensorFlow imported once) then, for every script:

* builds archlint's graph symbolically and runs it forward on zeros at the model's shortest
  accepted length and a longer one, as ``archlint crosscheck`` does (``build_graph``);
* runs the script itself, which tells whether archlint read it faithfully: the script
  and archlint's graph must be refused alike, and when built have the same layer count
  and parameter total.

It then asserts, per Keras version:

* every layer the forward pass reaches has archlint's output shape (variable axes bound
  to the pass's length) and parameter count;
* archlint reports an error-severity diagnostic exactly when Keras refuses the model (the
  script or archlint's graph at build, or a forward pass), except where archlint names a
  known Keras bug that explains the refusal: Keras 3 builds the layers after an asymmetric
  Bidirectional against a width it misreports (keras-team/keras#23688) and may refuse the
  model for it, while the forward pass runs; archlint's AL204 names that Bidirectional.

A failure lists each disagreement with the generated script and the layer, ready to be
saved as a regression fixture in tests/fixtures/differential/. The counts per Keras version
are printed to the terminal whether the test passes or not. ``benchmarks/differential.py``
runs the same comparison on thousands of scripts.

``oracle_main`` is the oracle process (JSON on stdin, results streamed to a file), started
by ``archlint.oracle.launch`` as ``archlint crosscheck`` starts its own.
"""

from __future__ import annotations

import builtins
import gc
import json
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from archlint.analysis import FileReport, Settings, analyse_source, default_settings
from archlint.cost.poly import evaluate_cost
from archlint.crosscheck import LONGER_BY, bind_lengths, without_batch
from archlint.diagnostics import Severity
from archlint.dims import symbols_of
from archlint.engine import ModelAnalysis
from archlint.graph import Call
from archlint.keras3_declared import ISSUE as BIDIRECTIONAL_ISSUE
from archlint.keras3_declared import refusals_outside_models, undeclared_reads
from archlint.layer_types import LayerInstance
from archlint.oracle.export import model_request
from archlint.oracle.launch import OracleProcess
from archlint.unknown import Unknown
from tests.architectures import architectures, env_avoid
from tests.counts import report_counts
from tests.oracle import KERAS_VERSIONS, needs_keras

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_N = 300
# Codes that mean archlint did not follow the script: never expected on generated scripts,
# except after a refusal (the outputs of a layer that fails cannot be unpacked).
NOT_FOLLOWED = ("AL001", "AL002", "AL003", "AL004")
RULE_CRASHED = "AL004"
KNOWN_BUG_CODE = "AL204"

# Outcomes of one script on one Keras version.
BUILT = "built, archlint agrees"
REFUSED = "refused, archlint agrees"
KNOWN_BUG = "refused by a known Keras bug archlint names"
DISAGREE = "disagreement"


def sample_size() -> int:
    return int(os.environ.get("ARCHLINT_DIFFERENTIAL_N", DEFAULT_N))


def draw_sources(n: int, avoid: frozenset[str] | None = None) -> list[str]:
    """``n`` distinct architecture scripts, the same ones on every run."""
    found: dict[str, None] = {}
    if n <= 0:
        return []
    strategy = architectures(diverse=True) if avoid is None else \
        architectures(avoid=avoid, diverse=True)

    @settings(max_examples=n, derandomize=True, database=None, deadline=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(source: str) -> None:
        found.setdefault(source)

    collect()
    return list(found)[:n]


# ----------------------------------------------------------------- archlint's side
@dataclass
class Case:
    """One generated script, read by archlint and ready for the oracle."""

    id: str
    source: str
    report: FileReport
    analysis: ModelAnalysis | None = None
    request: dict[str, Any] | None = None
    lengths: list[int] = field(default_factory=list)
    # Why archlint's reading cannot be compared (it did not follow the script).
    problem: str = ""
    # The graph holds operations on tensors, which the oracle does not rebuild: the
    # script's own model is the truth (refused alike, same parameters and output shapes).
    script_only: bool = False

    @property
    def errors(self) -> list[Any]:
        return [d for d in self.report.diagnostics if d.severity == Severity.ERROR]


def forward_lengths(analysis: ModelAnalysis) -> tuple[int, int]:
    """The shortest length every variable axis accepts, and a longer one (as crosscheck)."""
    minimum = analysis.shortest_common_length
    return minimum, minimum + LONGER_BY


def prepare(case_id: str, source: str, keras: str = "3") -> Case:
    """archlint's reading of a script, as it runs under Keras ``keras`` (the scripts import
    ``keras``, and each version's oracle runs them under that version)."""
    settings = default_settings()
    report = analyse_source(source, f"{case_id}.py", Settings(settings.rules, keras=keras))
    case = Case(case_id, source, report)
    crashed = [d for d in report.diagnostics if d.code == RULE_CRASHED]
    followed = [d for d in report.diagnostics if d.code in NOT_FOLLOWED]
    if crashed or (followed and not case.errors):
        case.problem = "archlint did not follow the script: " + "; ".join(
            f"{d.code} line {d.span.line}: {d.message}" for d in crashed or followed)
        return case
    if not report.models:
        case.problem = "archlint found no model"
        return case
    # The script's `model` comes last; the others are blocks it calls as layers.
    case.analysis = analysis = report.models[-1]
    if analysis.model.unresolved or not analysis.model.calls:
        case.problem = "archlint's graph of the model is incomplete"
        return case
    refused = any(c.error is not None for c in analysis.model.calls)
    for call in analysis.model.calls:
        if isinstance(call.output, Unknown) and call.error is None and not refused:
            case.problem = f"archlint left `{call.layer.name}` unknown: {call.output.reason}"
            return case
    lengths = forward_lengths(analysis)
    try:
        case.request = model_request(analysis.model, case_id, lengths)
    except (ValueError, KeyError) as error:
        if any(c.layer.class_name == "TensorOp" for c in analysis.model.calls):
            case.script_only = True
            case.lengths = [lengths[0]]  # the script's model runs forward at that length
            return case
        case.problem = f"archlint's graph cannot be exported: {error}"
        return case
    variable = any(d is None for i in case.request["inputs"] for d in i["shape"])
    case.lengths = list(lengths) if variable else []
    if feed_forward(analysis):
        case.request["profile"] = "total"  # the whole graph's FLOPs, by TensorFlow's profiler
    return case


def feed_forward(analysis: ModelAnalysis) -> bool:
    """No layer loops (the profiler cannot see into a while_loop) and archlint knows the
    model's FLOPs."""
    return not isinstance(analysis.cost.flops, Unknown) and not any(
        c.layer.instance is not None and (c.layer.instance.spec.recurrent or any(
            isinstance(v, LayerInstance) and v.spec.recurrent
            for v in c.layer.instance.config.values())) for c in analysis.model.calls)


def prepare_all(sources: list[str], prefix: str = "arch") -> list[Case]:
    return [prepare(f"{prefix}{i:05d}", s) for i, s in enumerate(sources)]


# ----------------------------------------------------------------- the oracle process
def _load_keras(version: str) -> Any:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if version == "2":
        import tf_keras as keras
    else:
        import keras
    return keras


def _keras_importer(keras: Any) -> Any:
    """``__import__`` for the scripts: ``keras`` is the Keras under test (tf-keras for 2)."""
    real = builtins.__import__

    def importer(name: str, globals: Any = None, locals: Any = None, fromlist: Any = (),
                 level: int = 0) -> Any:
        if name == "keras" or name.startswith("keras."):
            module = keras
            for part in name.split(".")[1:]:
                module = getattr(module, part)
            return module if fromlist or "." not in name else keras
        return real(name, globals, locals, fromlist, level)

    return importer


def _error(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) < 2000 else text[:2000] + "..."


def clear_session(keras: Any) -> None:
    """Fresh layer names for the next graph. Keras 3's own ``gc.collect()`` here would cost
    more than the graph: the process collects every ``COLLECT_EVERY`` graphs instead."""
    try:
        keras.backend.clear_session(free_memory=False)
    except TypeError:  # tf-keras has no such option (and does not collect)
        keras.backend.clear_session()


COLLECT_EVERY = 50


def run_script(keras: Any, source: str, length: int | None = None) -> dict[str, Any]:
    """Run one script: Keras's own verdict, and what its model is made of; with
    ``length``, also its model's forward pass on zeros (variable axes that long)."""
    clear_session(keras)
    namespace: dict[str, Any] = {
        "__builtins__": {**vars(builtins), "__import__": _keras_importer(keras)},
        "__name__": "architecture"}
    try:
        exec(compile(source, "<architecture>", "exec"), namespace)
        model = namespace["model"]
        params = sum(layer.count_params() for layer in model.layers if layer.built)
        outputs = [[None if d is None else int(d) for d in tuple(o.shape)]
                   for o in model.outputs]
    except Exception as exc:  # Keras refuses: that is the answer we want.
        return {"error": _error(exc)}
    found = {"error": None, "layers": _layer_count(keras, model), "params": params,
             "outputs": outputs}
    if length is not None:
        import numpy as np

        try:
            model([np.zeros([1] + [length if d is None else d for d in tuple(i.shape)[1:]],
                            dtype=getattr(i.dtype, "name", i.dtype)) for i in model.inputs])
        except Exception as exc:
            found["forward_error"] = _error(exc)
    return found


def _layer_count(keras: Any, model: Any, top: bool = True) -> int:
    """The layers of the model, those of a model called as a layer included (archlint's
    graph holds their calls), without the input layers of such models."""
    count = 0
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            count += _layer_count(keras, layer, top=False)
        elif type(layer).__name__ in ("TFOpLambda", "SlicingOpLambda"):
            continue  # tf-keras's wrapper of an operation on tensors: not a layer in Keras 3
        elif top or type(layer).__name__ != "InputLayer":
            count += 1
    return count


def oracle_main(argv: list[str] | None = None) -> int:
    """Read a list of graphs (as ``archlint.oracle.build``) and scripts (``{"id": "script:
    <case id>", "script": source}``), stream the results (``--stream``)."""
    from archlint.oracle.build import Stream, build_graph, parse_args, serve

    args = parse_args(argv, "the differential test's oracle")
    items = json.load(sys.stdin)
    stream = Stream(args.stream)
    started = time.perf_counter()
    keras = _load_keras(args.keras)
    seconds = {"import": time.perf_counter() - started, "graphs": 0.0, "scripts": 0.0}
    stream.write(meta={"keras_version": keras.__version__})
    gc.freeze()  # TensorFlow's own objects: never worth a collector's visit
    done = 0

    def run(item: dict[str, Any]) -> dict[str, Any]:
        nonlocal done
        begun = time.perf_counter()
        if "script" in item:
            result = {"id": item["id"], **run_script(keras, item["script"],
                                                     item.get("length"))}
        else:
            clear_session(keras)
            result = build_graph(keras, item, stream)
        seconds["scripts" if "script" in item else "graphs"] += time.perf_counter() - begun
        done += 1
        if done % COLLECT_EVERY == 0:
            gc.collect()
        return result

    serve(items, run, stream)
    stream.write(meta={"seconds": seconds})
    return 0


# The script itself runs with Keras 3 only (running every script again with tf-keras would
# double its process's time); with tf-keras, the scripts below, read as tf-keras runs them:
# Saved scripts (tests/fixtures/differential), scripts archlint has no graph of and
# scripts where archlint reports a refusal outside the model run with every version.
SCRIPT_VERSIONS = ("3",)
FIXTURE_PREFIX = "fixture:"
SCRIPT_PREFIX = "script:"
ORACLE_ENTRY = "tests.test_differential:oracle_main"


class Oracle:
    """One oracle process for every case on one Keras version, started at once so that
    the versions run side by side (one core each)."""

    def __init__(self, cases: list[Case], keras: str):
        self.keras = keras
        items = [c.request for c in cases if c.request is not None]
        items += [{"id": SCRIPT_PREFIX + c.id, "script": c.source,
                   **({"length": c.lengths[0]} if c.script_only else {})} for c in cases
                  if keras in SCRIPT_VERSIONS or c.id.startswith(FIXTURE_PREFIX)
                  or c.request is None or any(d.model is None for d in c.errors)]
        threads = {"TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1"}
        self.process = OracleProcess(items, keras, entry=ORACLE_ENTRY, paths=[str(ROOT)],
                                     env=threads)
        self._payload: dict[str, Any] | None = None

    def result(self) -> dict[str, Any]:
        """``{"meta", "results": [graph results], "scripts": {case id: script result}}``;
        a script that crashed TensorFlow is refused with the crash as its error."""
        if self._payload is None:
            payload = self.process.result()
            results, scripts = [], {}
            for result in payload["results"]:
                item_id = str(result.pop("id", ""))
                if item_id.startswith(SCRIPT_PREFIX):
                    crashed = result.get("crashed")
                    scripts[item_id[len(SCRIPT_PREFIX):]] = \
                        {"error": crashed["message"]} if crashed else result
                else:
                    results.append({"id": item_id, **result})
            self._payload = {"meta": payload["meta"], "results": results, "scripts": scripts}
        return self._payload

    def close(self) -> None:
        self.process.close()


# ----------------------------------------------------------------- comparison
def call_id(call: Call) -> str:
    layer = call.layer
    return layer.name if len(layer.calls) == 1 else f"{layer.name}#{layer.calls.index(call)}"


def short(message: str, limit: int = 300) -> str:
    text = message.split("Arguments received by")[0].split("Call arguments received by")[0]
    text = " ".join(text.replace("\x1b[1m", "").replace("\x1b[0m", "").split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


@dataclass
class Refusal:
    where: str  # "in the script", "at build", "at the forward pass on [...]"
    call: str | None  # the failing call of archlint's graph, when known
    error: str


def graph_refusal(result: dict[str, Any]) -> Refusal | None:
    if "build_error" in result:
        error = result["build_error"]
        return Refusal("at build", error["call"], error["error"])
    for run in result["forward"]:
        if "error" in run:
            return Refusal(f"at the forward pass on {run['input_shapes']}",
                           run["error"]["call"], run["error"]["error"])
    return None


@dataclass
class Verdict:
    case: Case
    keras: str
    outcome: str = DISAGREE
    refused: bool = False  # Keras refused the model
    problems: list[str] = field(default_factory=list)
    compared: int = 0  # layers compared with a forward pass
    # Whether archlint and Keras's graph build blame the same layer (refusals).
    same_site: bool | None = None
    flops_compared: bool = False  # total FLOPs compared with TensorFlow's profiler


def _upstream_names(call: Call) -> set[str]:
    """Names of every layer ``call`` depends on, itself included."""
    seen: dict[int, Call] = {}
    stack = [call]
    while stack:
        current = stack.pop()
        if id(current) not in seen:
            seen[id(current)] = current
            stack.extend(ref.call for ref in current.inbound)
    return {c.layer.name for c in seen.values()}


def _known_bug(case: Case, refusal: Refusal, keras: str, forward_ran: bool) -> bool:
    """Keras 3 refused the symbolic build on, or after, a Bidirectional that archlint flags
    with AL204, while the forward passes (the real tensors) ran."""
    if keras != "3" or refusal.where != "at build" or refusal.call is None or \
            case.analysis is None or not forward_ran:
        return False
    named = {d.layer for d in case.report.diagnostics if d.code == KNOWN_BUG_CODE}
    call = next((c for c in case.analysis.model.calls if call_id(c) == refusal.call), None)
    return call is not None and bool(named & _upstream_names(call))


def _reads_undeclared_output(case: Case, keras: str) -> bool:
    """The script reads an output Keras 3 does not declare for a Bidirectional (it counts
    the forward layer's states twice, keras-team/keras#23688) and archlint says so with
    AL204: Keras 3 cannot even index it, in the script or in archlint's graph."""
    if keras != "3":
        return False
    named = {d.layer for d in case.report.diagnostics if d.code == KNOWN_BUG_CODE}
    return any(read.bidirectional.layer.name in named
               for read in undeclared_reads(case.report.layers))


def _refused_on_declared_width(case: Case, keras: str) -> bool:
    """The script makes a call no model reaches that Keras 3 refuses because it is built on
    a Bidirectional's misdeclared shape (keras-team/keras#23688), and archlint says so with
    AL204 on that call."""
    if keras != "3" or case.analysis is None:
        return False
    named = {d.layer for d in case.report.diagnostics if d.code == KNOWN_BUG_CODE}
    in_models = {id(c) for m in case.report.models for c in m.model.calls}
    return any(r.call.layer.name in named
               for r in refusals_outside_models(case.report.layers, in_models))


def _compare_layers(case: Case, result: dict[str, Any], verdict: Verdict) -> None:
    """Every call the forward passes reached, where archlint has numbers for it."""
    assert case.analysis is not None
    inputs = {id(ref.call) for ref in case.analysis.model.inputs}
    for call in case.analysis.model.calls:
        if id(call) in inputs or call.error is not None or call.output is None or \
                isinstance(call.output, Unknown):
            continue
        cid = call_id(call)
        runs = [(i, run) for i, run in enumerate(result["forward"]) if cid in run["calls"]]
        if not runs:
            continue
        verdict.compared += 1
        where = f"layer `{cid}` ({call.layer.class_name}, line {call.span.line})"
        for i, run in runs:
            ours = bind_lengths(call.output, case.lengths[i] if case.lengths else 0)
            theirs = without_batch(run["calls"][cid]["shape"])
            if ours != theirs:
                verdict.problems.append(
                    f"{where}: archlint's shape {ours} (symbolic {call.output}), the forward "
                    f"pass on {run['input_shapes']} gives {theirs}")
                break
        params = call.params.total if call.params is not None else None
        forward = runs[0][1]["params"].get(call.layer.name)
        forward_params = sum(forward.values()) if forward else None
        if params != forward_params:
            verdict.problems.append(f"{where}: archlint counts {params} parameters, the "
                                    f"forward pass {forward_params}")


def _fidelity(case: Case, result: dict[str, Any], script: dict[str, Any],
              verdict: Verdict) -> None:
    """archlint's graph must be the script's model: refused alike, built alike."""
    graph_error = result.get("build_error", {}).get("error")
    if script["error"] is not None and graph_error is None and any(
            d.model is None for d in case.errors):
        # The script fails on a call no model reaches: archlint reports that call itself
        # (a refusal outside the model graph), so the model graph alone builds.
        return
    if (script["error"] is None) != (graph_error is None):
        said = "built" if graph_error is None else f"refused: {short(graph_error)}"
        ran = "built" if script["error"] is None else f"refused: {short(script['error'])}"
        verdict.problems.append(f"archlint's graph of the script is not the script's model: "
                                f"the script is {ran}; archlint's graph is {said}")
        return
    if script["error"] is None:
        # Operations on tensors are no layers of Keras 3's model, and tf-keras's wrappers of
        # them are left out of its count (_layer_count): compared without them.
        operations = sum(1 for entry in case.request["layers"].values()
                         if entry["class_name"] == "TensorOp") if case.request else 0
        layers = len(result["layers"]) - operations + len(case.request["inputs"]) \
            if case.request else 0
        declared = sum(sum(p["declared_params"].values()) for p in result["layers"].values())
        unbuilt = len(case.request["layers"]) - len(result["layers"]) if case.request else 0
        if unbuilt == 0 and (layers, declared) != (script["layers"], script["params"]):
            verdict.problems.append(
                f"archlint's graph of the script is not the script's model: the script's "
                f"model has {script['layers']} layers and {script['params']} parameters, "
                f"archlint's graph {layers} layers and {declared} parameters (as declared)")


def _compare_flops(case: Case, result: dict[str, Any], verdict: Verdict) -> None:
    """archlint's total FLOPs against TensorFlow's profiler on the whole graph, at the first
    forward pass's length."""
    profiled = result.get("profile", {}).get("total")
    if profiled is None or case.analysis is None:
        return
    ours = evaluate_cost(case.analysis.cost.flops, {s: case.lengths[0] if case.lengths else 0
                                                    for s in _symbols(case.analysis)})
    verdict.flops_compared = True
    if ours != profiled:
        verdict.problems.append(f"archlint counts {ours} FLOPs per sample "
                                f"({case.analysis.cost.flops}), TensorFlow's profiler "
                                f"{profiled}")


def _symbols(analysis: ModelAnalysis) -> set[str]:
    return {name for ref in analysis.model.inputs if isinstance(
        shape := ref.call.output_at(ref.index), tuple) for d in shape
        for name in symbols_of(d)}


def _compare_script(case: Case, script: dict[str, Any], verdict: Verdict) -> None:
    """A graph with tensor operations: its parameters and output shapes are the script's
    (a length archlint keeps symbolic is None to Keras)."""
    assert case.analysis is not None
    verdict.compared += 1
    outputs = []
    for ref in case.analysis.model.outputs:
        shape = ref.call.output_at(ref.index)
        outputs.append([d if isinstance(d, int) else None for d in shape]
                       if isinstance(shape, tuple) else shape)
    ours = (case.analysis.total, outputs)
    if ours != (script["params"], script["outputs"]):
        verdict.problems.append(f"archlint gives {ours[0]} parameters and outputs {outputs}, "
                                f"the script's model {script['params']} and "
                                f"{script['outputs']}")


def judge(case: Case, result: dict[str, Any] | None, script: dict[str, Any] | None,
          keras: str) -> Verdict:
    verdict = Verdict(case, keras)
    refusals = []
    undeclared = _reads_undeclared_output(case, keras) or \
        _refused_on_declared_width(case, keras)
    if script is not None and script["error"] is not None:
        refusals.append(Refusal("in the script", None, script["error"]))
    elif script is not None and "forward_error" in script:
        refusals.append(Refusal("in a forward pass of the script's model", None,
                                script["forward_error"]))
    if result is not None and "oracle_error" in result:
        if not undeclared:
            verdict.problems.append("the oracle could not build archlint's graph: "
                                    + result["oracle_error"].splitlines()[-1])
    elif result is not None:
        graph = graph_refusal(result)
        if graph is not None:
            refusals.insert(0, graph)
        if script is not None and not undeclared:
            # (Keras 3 stops the script at the undeclared output; its graph is another.)
            _fidelity(case, result, script, verdict)
        if case.analysis is not None:
            _compare_layers(case, result, verdict)
    misreported = keras == "3" and any(d.code == KNOWN_BUG_CODE for d in case.report.diagnostics)
    if case.script_only and script is not None and script["error"] is None and \
            "forward_error" not in script and not misreported:
        # (Keras 3 declares the wrong width after the Bidirectional AL204 names.)
        _compare_script(case, script, verdict)
    if result is not None and case.analysis is not None and not refusals:
        _compare_flops(case, result, verdict)
    verdict.refused = bool(refusals)
    errors = case.errors
    if case.problem and not (errors and refusals):
        verdict.problems.append(case.problem)
    if refusals and errors:
        verdict.outcome = REFUSED
        failing = next((c for c in case.analysis.model.calls if c.error is not None),
                       None) if case.analysis is not None else None
        if failing is not None and not refusals[0].where.startswith("in "):
            verdict.same_site = call_id(failing) == refusals[0].call or (
                refusals[0].call is None and failing.layer.instance is not None
                and failing.layer.instance.config_error is not None)
    elif not refusals and not errors:
        verdict.outcome = BUILT
    elif refusals:
        forward_ran = result is not None and "build_error" in result and all(
            "error" not in run for run in result["forward"])
        # Keras 3 built the script's model on the width it misreports after the
        # Bidirectional AL204 names: only the forward pass fails.
        misbuilt = misreported and case.script_only and \
            refusals[0].where.startswith("in a forward pass")
        if undeclared or misbuilt or _known_bug(case, refusals[0], keras, forward_ran):
            verdict.outcome = KNOWN_BUG
        else:
            first = refusals[0]
            at = f" (layer `{first.call}`)" if first.call else ""
            verdict.problems.append(f"Keras {keras} refused {first.where}{at}: "
                                    f"{short(first.error)}; archlint reported no error")
    else:
        first = errors[0]
        verdict.problems.append(f"archlint reported {first.code} on `{first.layer}` (line "
                                f"{first.span.line}): {first.message}; Keras {keras} "
                                "built the model and ran it forward")
    if verdict.problems:
        verdict.outcome = DISAGREE
    return verdict


def run_cases(cases: list[Case], keras: str, oracle: Oracle | None = None
              ) -> tuple[list[Verdict], dict[str, Any]]:
    """Judge every case on one Keras version; also the oracle's meta (Keras's version
    number, seconds spent importing, building graphs and running scripts)."""
    payload = (oracle or Oracle(cases, keras)).result()
    results = {r["id"]: r for r in payload["results"]}
    scripts = payload["scripts"]
    verdicts = [judge(c, results.get(c.id), scripts.get(c.id), keras) for c in cases]
    return verdicts, payload["meta"]


def summary(verdicts: list[Verdict], keras: str, meta: dict[str, Any]) -> str:
    counts = Counter(v.outcome for v in verdicts)
    version = meta.get("keras_version", "?")
    seconds = meta.get("seconds", {})
    timing = ", ".join(f"{k} {v:.0f} s" for k, v in seconds.items())
    refused = sum(v.refused for v in verdicts)
    sites = [v.same_site for v in verdicts if v.same_site is not None]
    layers = sum(v.compared for v in verdicts)
    nested = sum("block" in v.case.source for v in verdicts)
    operations = sum(v.case.script_only for v in verdicts)
    rebuilt = sum(bool(v.case.request) and any(
        e["class_name"] == "TensorOp" for e in v.case.request["layers"].values())
        for v in verdicts)
    return (f"differential Keras {keras} ({version}): {len(verdicts)} architectures, "
            f"{len(verdicts) - refused} built, {refused} refused; archlint agrees on "
            f"{counts[BUILT]} built and {counts[REFUSED]} refused ({sum(sites)}/{len(sites)} "
            f"blaming the same layer), {counts[KNOWN_BUG]} known-bug exceptions "
            f"({BIDIRECTIONAL_ISSUE}), {counts[DISAGREE]} disagreements; {layers} layers "
            f"compared with forward passes; {sum(v.flops_compared for v in verdicts)} "
            "feed-forward totals compared with TensorFlow's profiler; "
            f"{nested} call a model as a layer, "
            f"{rebuilt} with tensor operations rebuilt by the oracle, {operations} judged on "
            "the script's model; "
            f"oracle {timing}")


def describe(verdict: Verdict) -> str:
    case = verdict.case
    lines = [f"--- {case.id} (Keras {verdict.keras}), forward lengths "
             f"{case.lengths or 'fixed'}"]
    lines += [f"  * {p}" for p in verdict.problems]
    lines.append("  script:")
    lines += [f"    {line}" for line in case.source.splitlines()]
    return "\n".join(lines)


# ----------------------------------------------------------------- the test
FIXTURES = ROOT / "tests" / "fixtures" / "differential"
KNOWN_ARCHLINT_BUG = "# differential: known archlint bug"


def fixture_cases() -> list[Case]:
    """Saved scripts: regressions that must agree, and known archlint bugs (first line
    ``# differential: known archlint bug``, or ``... bug (Keras 3)`` for one version) that
    must still disagree until fixed."""
    return [prepare(f"{FIXTURE_PREFIX}{path.stem}", path.read_text())
            for path in sorted(FIXTURES.glob("*.py"))]


def known_bug_versions(case: Case) -> tuple[str, ...]:
    """The Keras versions on which a saved script is a known archlint bug."""
    first = case.source.split("\n", 1)[0]
    if not first.startswith(KNOWN_ARCHLINT_BUG):
        return ()
    named = tuple(v for v in KERAS_VERSIONS if f"Keras {v}" in first)
    return named or KERAS_VERSIONS


def is_known_bug(case: Case, keras: str) -> bool:
    return keras in known_bug_versions(case)


@pytest.fixture(scope="module")
def differential_cases() -> list[Case]:
    return fixture_cases() + prepare_all(draw_sources(sample_size(), env_avoid()))


@pytest.fixture(scope="module")
def cases_by_version(differential_cases: list[Case]) -> dict[str, list[Case]]:
    """archlint's reading of each script as it runs under each Keras version."""
    return {keras: differential_cases if keras == "3" else [
        prepare(c.id, c.source, keras) for c in differential_cases] for keras in KERAS_VERSIONS}


@pytest.fixture(scope="module")
@needs_keras
def oracles(cases_by_version: dict[str, list[Case]]) -> Any:
    """Both Keras versions' processes, running side by side."""
    started = {keras: Oracle(cases_by_version[keras], keras) for keras in KERAS_VERSIONS}
    yield started
    for oracle in started.values():
        oracle.close()


@pytest.fixture(scope="module")
def verdicts(cases_by_version: dict[str, list[Case]], oracles: dict[str, Oracle]) -> Any:
    cache: dict[str, tuple[list[Verdict], dict[str, Any]]] = {}

    def of(keras: str) -> tuple[list[Verdict], dict[str, Any]]:
        if keras not in cache:
            cache[keras] = run_cases(cases_by_version[keras], keras, oracles[keras])
        return cache[keras]

    return of


@pytest.mark.keras
@pytest.mark.parametrize("keras", KERAS_VERSIONS)
def test_archlint_agrees_with_keras_on_random_architectures(
        keras: str, verdicts: Any, request: pytest.FixtureRequest,
        record_property: Any) -> None:
    found, meta = verdicts(keras)
    generated = [v for v in found if not v.case.id.startswith(FIXTURE_PREFIX)]
    line = summary(generated, keras, meta)
    record_property("differential", line)
    report_counts(request.config, "Differential test against Keras", line)
    bad = [v for v in found if v.outcome == DISAGREE and not is_known_bug(v.case, keras)]
    assert not bad, f"{line}\n\n" + "\n\n".join(describe(v) for v in bad)


@pytest.mark.keras
@pytest.mark.parametrize("keras", KERAS_VERSIONS)
def test_known_archlint_bugs_still_disagree(keras: str, verdicts: Any) -> None:
    """Each saved known bug must still show: once archlint is fixed, its script loses the
    marker and becomes a regression test (and tests.architectures.DEFAULT_AVOID may drop
    the construct it stands for)."""
    found, _ = verdicts(keras)
    known = [v for v in found if is_known_bug(v.case, keras)]
    if not known:
        pytest.skip(f"no known archlint bug is saved for Keras {keras}")
    fixed = [v.case.id for v in known if v.outcome != DISAGREE]
    assert not fixed, (f"archlint now agrees with Keras {keras} on {fixed}: remove the "
                       f"'{KNOWN_ARCHLINT_BUG}' line from those scripts")


if __name__ == "__main__":
    sys.exit(oracle_main())
