"""Shape and parameter propagation over the layer graph, and the checks that need it.

``analyse_model`` orders a model's calls and computes each one (``call_inference``),
totals its parameters, finds the shortest input each variable axis accepts, and turns
refusals and unknowns into events.
"""

from __future__ import annotations

from archlint import codes
from archlint.call_inference import infer_call, model_calls
from archlint.cost.totals import ModelCost, model_cost
from archlint.diagnostics import Event
from archlint.dims import Expr, Sym, is_monotone, requirement, symbols_of
from archlint.graph import Call, Layer, Model, Span
from archlint.keras3_equalization import check_equalization
from archlint.layer_eval import infer_layer
from archlint.layer_types import LayerInstance, label
from archlint.layers.base import NONPOSITIVE_TIMESTEPS, Params, Shape, ShapeError, Unresolved
from archlint.min_length import Minimum, min_common_value, min_symbol_value
from archlint.records import field, record
from archlint.unknown import Unknown, Unmodelled

UNRESOLVED_INFO = codes.UNRESOLVED_VALUE
DATA_DEPENDENT_REFUSAL = codes.DATA_DEPENDENT_REFUSAL
UNSUPPORTED = codes.UNSUPPORTED_CONSTRUCT
DUPLICATE_NAME = codes.DUPLICATE_LAYER_NAME
DISCONNECTED = codes.NDIM_MISMATCH


@record
class LengthBound:
    """The shortest value of a variable axis for which every layer gets >= 1 step.

    ``minimum`` is None when no value works, or when it cannot be worked out: then
    ``unknown_reason`` says why, the limiting layer is the one whose size (``expression``)
    or whose unknown output (no expression) it is, and ``at_least`` is what the layers
    archlint can follow need."""

    symbol: str
    minimum: int | None
    limiting_layer: str | None = None
    expression: str | None = None
    unknown_reason: str | None = None
    at_least: int | None = None
    # A named size (args.window): Keras knows it when it builds, and refuses smaller ones.
    named: bool = False


@record
class JointBound:
    """An axis over several variable lengths (``T+U-2`` after a time-axis concatenation)
    that the separate minimum lengths do not keep >= 1: ``T+U >= 3``."""

    requirement: str
    limiting_layer: str
    expression: str
    # The shortest length that satisfies it when every variable axis has that length
    # (None when no length does, or when it cannot be worked out: see ``unknown_reason``).
    common_minimum: int | None
    unknown_reason: str | None = None


@record
class ModelAnalysis:
    model: Model
    total_params: int | None = None
    trainable: int | None = None
    non_trainable: int | None = None
    unknown_params: list[str] = field(default_factory=list)
    bounds: list[LengthBound] = field(default_factory=list)
    joint_bounds: list[JointBound] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    # FLOPs and MACs per call and in total (archlint/cost/).
    cost: ModelCost = field(default_factory=ModelCost)

    @property
    def total(self) -> int | None:
        return self.total_params

    @property
    def shortest_common_length(self) -> int:
        """The shortest length every variable axis accepts when all have the same length
        (what ``crosscheck`` runs forward passes at)."""
        found = [b.minimum if b.minimum is not None else b.at_least for b in self.bounds]
        minima = [m for m in found if m is not None]
        minima += [b.common_minimum for b in self.joint_bounds if b.common_minimum is not None]
        return max(minima, default=1)


def analyse_model(model: Model, reported: set[int]) -> ModelAnalysis:
    """Shapes, totals, bounds and events of one model. ``reported`` holds the ids of
    calls whose events an earlier model already produced (shared sub-graphs)."""
    analysis = ModelAnalysis(model)
    calls = model_calls(model)
    for call in calls:
        infer_call(call)
    analysis.events.extend(check_equalization(model, calls))
    layers: dict[int, Layer] = {}  # by id, in order: a dict keeps this linear
    for call in calls:
        # Keras lists no InputLayer among a Sequential model's layers.
        if not (model.kind == "sequential" and call.layer.class_name == "InputLayer"):
            layers.setdefault(id(call.layer), call.layer)
    for layer in model.layers:  # layers of an unbuilt Sequential
        layers.setdefault(id(layer), layer)
    model.calls = calls
    model.layers = list(layers.values())
    _totals(analysis, model.layers)
    _bounds(analysis, calls)
    analysis.cost = model_cost(model, calls)
    for unknown in model.unresolved:
        analysis.events.append(Event(UNRESOLVED_INFO, f"{unknown.reason}; the model's graph "
                                     "is incomplete", Span(unknown.line or model.span.line),
                                     model=model.name))
    _disconnected(analysis, calls)
    for call in calls:
        if id(call) in reported:
            continue
        reported.add(id(call))
        analysis.events.extend(_call_events(call, model))
    if model.kind != "subclassed":  # Keras checks names only where a graph lists its layers
        inner = {id(c.layer) for c in calls if c.within is not None} - {
            id(c.layer) for c in calls if c.within is None}
        _duplicate_names(analysis, [layer for layer in model.layers if id(layer) not in inner])
    return analysis


_VERSION_NAMES = {"3": "Keras 3", "2": "tf-keras (Keras 2)"}


def stray_call_events(calls: list[Call], reported: set[int],
                      versions: tuple[str, ...] = ("3",)) -> list[Event]:
    """Refusals in calls that no model reaches. Keras raises when the script makes such a
    call on symbolic tensors; a refusal only a forward pass would show never happens, since
    no model runs the call. ``versions`` are the Keras versions the script may run under:
    a refusal only some of them make names them."""
    events: list[Event] = []
    for call in calls:
        if id(call) in reported:
            continue
        infer_call(call)
        if call.error is None:
            continue
        refusing = [v for v in versions if _refused_when_called(call, v)]
        if not refusing:
            continue
        reported.add(id(call))
        found = _call_events(call, None)
        if len(refusing) < len(versions):
            others = " and ".join(_VERSION_NAMES[v] for v in versions if v not in refusing)
            note = (f" ({' and '.join(_VERSION_NAMES[v] for v in refusing)} refuses it when "
                    f"the script runs this line; {others} builds it and fails only if a "
                    "forward pass runs it)")
            found = [Event(e.code, e.message + note, e.span, e.model, e.layer)
                     if e.code == call.error.code else e for e in found]
        events.extend(found)
    return events


def _refused_when_called(call: Call, keras: str) -> bool:
    """Whether Keras raises when the script calls the layer on symbolic tensors, where
    every length archlint keeps symbolic (T-1) is None to Keras."""
    assert call.error is not None
    instance = call.layer.instance
    if instance is None:
        return True
    if not call.error.refused_when_built(keras):
        return False
    real: list[Shape] = []
    for ref in call.inbound:
        shape = ref.call.output_at(ref.index)
        if not isinstance(shape, tuple):
            return True  # cannot tell: report it, as for any refusal
        real.append(shape)
    # A named size is a number to Keras when it builds; only the other symbols are None.
    as_keras_sees = [tuple(None if isinstance(d, Expr) and not d.fixed() else d for d in s)
                     for s in real]
    if as_keras_sees == real:
        return True  # no symbolic length: Keras sees what archlint saw
    try:
        infer_layer(instance, real, call.options)
    except ShapeError:
        pass
    else:
        return True  # the refusal comes from the call's context (a shared layer's weights)
    try:
        infer_layer(instance, as_keras_sees, call.options)
    except ShapeError as seen:
        return seen.refused_when_built(keras)
    except (Unresolved, ArithmeticError, TypeError, ValueError, KeyError, IndexError):
        return True
    return False


def frozen(layer: Layer, model: Model) -> bool | Unknown:
    """Whether Keras counts all of the layer's weights as non-trainable in this model
    (``trainable=False`` on the layer or the model); Unknown when that is not known."""
    flags = (model.trainable, layer.trainable)
    if False in flags:
        return True
    return next((flag for flag in flags if isinstance(flag, Unknown)), False)


def layer_params(layer: Layer, model: Model) -> Params | None:
    """The layer's parameters as this model's summary counts them (None when unknown;
    with ``frozen`` unknown, the total is right but the split may not be)."""
    params = next((c.params for c in layer.calls if c.params is not None), None)
    if params is not None and frozen(layer, model) is True:
        return Params(0, params.total)
    return params


def weight_sharers(layers: list[Layer]) -> dict[int, str]:
    """id(layer) -> the earlier layer whose weights it holds too: an RNN given the same cell
    object as an RNN before it, whose weights Keras counts once in the model's total (each
    row of its summary shows them)."""
    owners: dict[int, str] = {}
    found: dict[int, str] = {}
    for layer in layers:
        cell = layer.instance.config.get("cell") if layer.instance is not None else None
        if not isinstance(cell, LayerInstance):
            continue
        if id(cell) in owners:
            found[id(layer)] = owners[id(cell)]
        else:
            owners[id(cell)] = layer.name
    return found


def _totals(analysis: ModelAnalysis, layers: list[Layer]) -> None:
    total = Params(0, 0)
    split_unknown: Unknown | None = None
    shared = weight_sharers(layers)
    for layer in layers:
        if id(layer) in shared:
            continue  # counted with the layer whose cell it shares
        params = layer_params(layer, analysis.model)
        if params is None:
            analysis.unknown_params.append(layer.name)
            continue
        state = frozen(layer, analysis.model)
        if isinstance(state, Unknown) and params.total:
            split_unknown = split_unknown or state
        total = total + params
    # A graph with unresolved inputs or outputs may hold more layers than archlint sees.
    if not analysis.unknown_params and not analysis.model.unresolved:
        analysis.total_params = total.total
        if split_unknown is None:
            analysis.trainable, analysis.non_trainable = total.trainable, total.non_trainable
        else:
            analysis.events.append(Event(
                UNRESOLVED_INFO, f"{split_unknown.reason}: the total is known, but not how "
                "many parameters are trainable", Span(split_unknown.line or
                                                       analysis.model.span.line),
                model=analysis.model.name))


def _bounds(analysis: ModelAnalysis, calls: list[Call]) -> None:
    """For each symbol: the smallest input length that keeps every axis >= 1; and the axes
    over several symbols that those lengths alone do not keep >= 1."""
    found: dict[str, list[tuple[Minimum, Call, Expr]]] = {}
    several: list[tuple[Call, Expr]] = []
    for call in calls:
        shapes = call.output if isinstance(call.output, list) else [call.output]
        for shape in shapes:
            if not isinstance(shape, tuple):
                continue
            for dim in shape[1:]:
                if not isinstance(dim, Expr) or isinstance(dim, Sym):
                    continue
                symbols = dim.symbols()
                if len(symbols) != 1:
                    several.append((call, dim))
                    continue
                symbol = next(iter(symbols))
                found.setdefault(symbol, []).append((min_symbol_value(dim, symbol), call, dim))
    best = {symbol: _combined_bound(symbol, minima) for symbol, minima in found.items()}
    for call in calls:
        if call.layer.class_name == "InputLayer" and isinstance(call.output, tuple):
            for dim in call.output[1:]:
                if isinstance(dim, Sym) and not dim.named and dim.name not in best:
                    best[dim.name] = LengthBound(dim.name, 1, None, dim.name)
    _unknown_sizes(calls, best)
    named = _named_sizes(calls)
    for symbol, bound in best.items():
        bound.named = symbol in named
    analysis.bounds = [best[s] for s in sorted(best)]
    _joint_bounds(analysis, several, best)
    for bound in analysis.bounds:
        if bound.named and bound.minimum is not None and bound.minimum > 1 and \
                bound.limiting_layer is not None:
            analysis.events.append(_refused_below(analysis, bound, calls))
        if bound.minimum is None and bound.limiting_layer is not None and \
                bound.unknown_reason is None:
            # No input length is long enough: Keras refuses every input.
            analysis.events.append(Event(
                NONPOSITIVE_TIMESTEPS,
                f"'{bound.limiting_layer}' outputs {bound.expression} steps, which is below 1 "
                f"for every length of {bound.symbol}", analysis.model.span,
                model=analysis.model.name, layer=bound.limiting_layer))


def _named_sizes(calls: list[Call]) -> set[str]:
    """The named sizes the model's inputs hold."""
    return {dim.name for call in calls if call.layer.class_name == "InputLayer"
            and isinstance(call.output, tuple) for dim in call.output
            if isinstance(dim, Sym) and dim.named}


def _refused_below(analysis: ModelAnalysis, bound: LengthBound, calls: list[Call]) -> Event:
    """Keras refuses the model when a named size is below its minimum (AL110)."""
    call = next(c for c in calls if c.layer.name == bound.limiting_layer)
    return Event(
        DATA_DEPENDENT_REFUSAL,
        f"{label(call.layer)} outputs {bound.expression} steps: "
        f"Keras refuses the model when {bound.symbol} < {bound.minimum}, which the data "
        "decides", call.span, model=analysis.model.name, layer=call.layer.name)


def _combined_bound(symbol: str, minima: list[tuple[Minimum, Call, Expr]]) -> LengthBound:
    """Every size must be >= 1: one that no length satisfies decides, then one whose
    minimum is unknown (a bound without it could be wrong), then the largest minimum."""
    for minimum, call, dim in minima:
        if minimum is None:
            return LengthBound(symbol, None, call.layer.name, str(dim))
    known = [(m, call, dim) for m, call, dim in minima if isinstance(m, int)]
    largest = max(known, key=lambda item: item[0], default=None)
    for minimum, call, dim in minima:
        if not isinstance(minimum, Unknown):
            continue
        if largest is not None and is_monotone(dim) and dim.evaluate({symbol: largest[0]}) >= 1:
            continue  # a growing size already >= 1 at the largest known minimum
        return LengthBound(symbol, None, call.layer.name, str(dim), minimum.reason,
                           largest[0] if largest is not None else 1)
    assert largest is not None
    return LengthBound(symbol, largest[0], largest[1].layer.name, str(largest[2]))


def _unknown_sizes(calls: list[Call], best: dict[str, LengthBound]) -> None:
    """A layer whose output is unknown may need a longer input than the layers archlint
    follows: the bound over that input's lengths is then only a lower one."""
    for call in calls:
        if not isinstance(call.output, Unknown) or call.error is not None:
            continue
        for ref in call.inbound:
            shape = ref.call.output_at(ref.index)
            if not isinstance(shape, tuple):
                continue
            for dim in shape[1:]:
                for symbol in sorted(symbols_of(dim)):
                    bound = best.get(symbol)
                    if bound is None or bound.minimum is None:
                        continue
                    best[symbol] = LengthBound(
                        symbol, None, call.layer.name, None,
                        f"`{call.layer.name}` takes {dim} steps and its output is unknown "
                        f"({call.output.describe()})", bound.minimum)


def _joint_bounds(analysis: ModelAnalysis, axes: list[tuple[Call, Expr]],
                  best: dict[str, LengthBound]) -> None:
    seen: set[str] = set()
    for call, dim in axes:
        separate = {s: best[s].minimum if s in best else 1 for s in dim.symbols()}
        minima = {s: m for s, m in separate.items() if m is not None}
        if len(minima) < len(separate):
            continue  # a separate length is already unknown, or no length works
        if is_monotone(dim) and dim.evaluate(minima) >= 1:
            continue  # already kept >= 1 by the separate minimum lengths
        text = requirement(dim)
        if text in seen:
            continue
        seen.add(text)
        common = min_common_value(dim) if is_monotone(dim) else Unknown(
            "the size does not grow with the input lengths")
        if isinstance(common, Unknown):
            analysis.joint_bounds.append(JointBound(text, call.layer.name, str(dim), None,
                                                    common.reason))
            continue
        analysis.joint_bounds.append(JointBound(text, call.layer.name, str(dim), common))
        if common is None:
            analysis.events.append(Event(
                NONPOSITIVE_TIMESTEPS,
                f"'{call.layer.name}' outputs {dim} steps, which is below 1 for every "
                "input length", analysis.model.span, model=analysis.model.name,
                layer=call.layer.name))


def _disconnected(analysis: ModelAnalysis, calls: list[Call]) -> None:
    inputs = {id(ref.call) for ref in analysis.model.inputs}
    for call in calls:
        if call.layer.class_name == "InputLayer" and id(call) not in inputs and \
                analysis.model.kind == "functional" and not analysis.model.unresolved:
            analysis.events.append(Event(
                DISCONNECTED,
                f"the model's outputs depend on input `{call.layer.name}`, which is not in "
                "its inputs: Keras refuses this graph (graph disconnected)",
                analysis.model.span, model=analysis.model.name, layer=call.layer.name))


def _call_events(call: Call, model: Model | None) -> list[Event]:
    layer = call.layer
    events: list[Event] = []
    if call.error is not None:
        message = call.error.message
        if f"'{layer.name}'" not in message:
            message = f"{label(layer)}: {message}"
        code = call.error.code
        if call.error.condition:
            if _on_named_sizes(call, call.error.condition):
                # Keras refuses it for some values of a size the data decides, not all.
                code = DATA_DEPENDENT_REFUSAL
                message += (f": Keras refuses it only for some values of a size the data "
                            f"decides; fails when {call.error.condition} ({call.error.code})")
            else:
                message += f" ({call.error.condition})"
        events.append(Event(code, message, call.span,
                            model=model.name if model else None, layer=layer.name))
    instance = layer.instance
    named = instance.config.get("named_sizes") if instance is not None else None
    if named and call is layer.calls[0]:
        # One finding per input (one per source site), naming every named size it holds.
        names = ", ".join(f"`{name}`" for name in named)
        which = f"the named size {names}" if len(named) == 1 else f"the named sizes {names}"
        reasons = "; ".join(dict.fromkeys(named.values()))  # sizes of one origin: said once
        message = (f"{label(layer)}: {reasons}; archlint "
                   f"keeps {which}: the sizes and parameter counts computed from "
                   f"{'it' if len(named) == 1 else 'them'} are expressions")
        if call.params_unknown is not None:  # one finding per site: say both here
            message += (f"; its own parameter count is unknown: "
                        f"{_reason(call.params_unknown, layer)}")
        events.append(Event(UNRESOLVED_INFO, message, layer.span,
                            model=model.name if model else None, layer=layer.name))
    if isinstance(call.output, Unmodelled) and call.error is None and not any(
            ref.call.output_at(ref.index) is call.output for ref in call.inbound):
        events.append(Event(UNSUPPORTED, f"{call.output.reason}; its output shape and "
                            "parameters are unknown", call.span,
                            model=model.name if model else None, layer=layer.name))
    if instance is not None and instance.unresolved is not None and call is layer.calls[0]:
        events.append(Event(
            UNSUPPORTED if instance.unmodelled else UNRESOLVED_INFO,
            f"{label(layer)}: {_reason(instance.unresolved, layer)}; its output "
            "shape and parameters are unknown", layer.span,
            model=model.name if model else None, layer=layer.name))
    if call.params_unknown is not None and call is layer.calls[0] and not named:
        events.append(Event(
            UNRESOLVED_INFO,
            f"{label(layer)}: {_reason(call.params_unknown, layer)}; its "
            "parameter count is unknown", layer.span,
            model=model.name if model else None, layer=layer.name))
    return events


def _on_named_sizes(call: Call, condition: str) -> bool:
    """Whether a refusal's condition is about a named size of the call's inputs."""
    names = {name for ref in call.inbound
             if isinstance(shape := ref.call.output_at(ref.index), tuple)
             for dim in shape if isinstance(dim, Expr) and dim.fixed()
             for name in dim.symbols()}
    instance = call.layer.instance
    if instance is not None:  # options given as named sizes (Conv1D(args.filters))
        names |= set(instance.config.get("named_sizes") or ())
    return any(name in condition for name in names)


def _reason(unknown: Unknown, layer: Layer) -> str:
    """An unknown's reason, with its line only when that is not the layer's own line."""
    return unknown.reason if unknown.line in (None, layer.span.line) else unknown.describe()


def _other_layer(layer: Layer) -> str:
    """``the Dense on line 7``; a saved model has no lines."""
    if layer.span.line:
        return f"the {layer.class_name} on line {layer.span.line}"
    return f"another {layer.class_name}"


def _duplicate_names(analysis: ModelAnalysis, layers: list[Layer]) -> None:
    seen: dict[str, Layer] = {}
    for layer in layers:
        if layer.class_name == "TensorOp":
            continue  # an operation, named by its source text here: Keras names it itself
        first = seen.get(layer.name)
        if first is not None:
            analysis.events.append(Event(
                DUPLICATE_NAME,
                f"layer name '{layer.name}' is already used by "
                f"{_other_layer(first)}; Keras refuses a model whose layer names are not unique",
                layer.span, model=analysis.model.name, layer=layer.name))
        else:
            seen[layer.name] = layer
