"""From a class name and options to a layer instance, and from input shapes to its output.

The bridge between the front end (which collects options) and the layer catalog (which
holds the formulas): defaults, nested layers, unresolved options and declared input
constraints are handled here once, so that no formula has to.
"""

from __future__ import annotations

from typing import Any

from archlint.dims import NonLinear
from archlint.keras_names import KERAS3, name_problem, option_kind
from archlint.layers import lookup
from archlint.layers.base import (
    BOTH_VERSIONS,
    INCOMPATIBLE_MERGE,
    INVALID_CONFIG,
    KERAS3_ONLY,
    NDIM_MISMATCH,
    LayerInstance,
    OutputShape,
    Params,
    Shape,
    ShapeError,
    Unresolved,
)
from archlint.records import record
from archlint.unknown import Unknown, first_unknown


class UnsupportedLayer(Exception):
    """A layer class archlint has no formulas for."""

    def __init__(self, class_name: str):
        super().__init__(class_name)
        self.class_name = class_name


def instantiate(class_name: str, config: dict[str, Any], name: str, *, line: int = 0,
                column: int = 0, end_line: int = 0, keras: str | None = KERAS3,
                target: str = "3") -> LayerInstance:
    """A layer instance with its options normalized; nested ``{"class_name", "config"}``
    dictionaries and LayerInstance values become nested instances. A string option Keras
    resolves by name (an activation, initializer, regularizer or constraint) must be a name
    Keras ``keras`` ("3" or "2") knows; None skips that check. ``target`` is the Keras the
    script runs under ("3", "2" or "both"): a tf-keras script gets tf-keras's defaults where
    Keras 3 requires an option, and a script for both is told what tf-keras would do.

    Raises UnsupportedLayer for a class the catalog does not know.
    """
    spec = lookup(class_name)
    if spec is None:
        raise UnsupportedLayer(class_name)
    raw = dict(config)
    for option in spec.nested:
        value = raw.get(option)
        if isinstance(value, dict) and "class_name" in value:
            inner_name = value["config"].get("name", f"{option}_{value['class_name'].lower()}")
            raw[option] = instantiate(value["class_name"], value["config"], inner_name,
                                      line=line, column=column, end_line=end_line,
                                      keras=keras, target=target)
    instance = LayerInstance(spec=spec, config=raw, name=name, line=line, column=column,
                             end_line=end_line, explicit=frozenset(config), target=target)
    keras2_only = {k: v for k, v in spec.keras2_defaults.items() if raw.get(k) is None}
    if target == "2":
        raw.update(keras2_only)
    problem = _unknown_name(raw, keras) if keras is not None else None
    if problem is not None:  # Keras refuses it whatever the other options are
        instance.config_error = ShapeError(INVALID_CONFIG, problem)
        return instance
    relevant = {k: v for k, v in raw.items()
                if k in spec.defaults or k in spec.nested or k in spec.aliases}
    unknown = first_unknown(relevant)
    nested_error = None
    for option in spec.nested:
        inner = raw.get(option)
        if isinstance(inner, LayerInstance):
            unknown = unknown or inner.unresolved
            nested_error = nested_error or inner.config_error
    if unknown is not None:
        instance.unresolved = unknown
        return instance
    if nested_error is not None:  # Keras refuses the wrapper when it refuses what it wraps
        instance.config_error = nested_error
        return instance
    try:
        instance.config = spec.normalize(raw)
    except ShapeError as error:
        if target == "both" and keras2_only:
            given = ", ".join(f"{k}={v!r}" for k, v in keras2_only.items())
            error.message += (f" (under tf-keras, Keras 2, the default {given} applies and "
                              "the layer is accepted)")
        outcome = error.for_target(target)
        if isinstance(outcome, Unresolved):
            instance.unresolved = outcome.unknown
        else:
            instance.config_error = outcome
    return instance


def _keras2_check(instance: LayerInstance, inputs: list[Shape]) -> None:
    """Where tf-keras parts from Keras 3 on a layer the formulas accept: its refusal, or
    (for a tf-keras script) an unknown where it builds something else."""
    spec = instance.spec
    refusal = spec.keras2_refusal(instance, inputs)
    if refusal is not None:
        raise ShapeError(INVALID_CONFIG, refusal, refused_by=("2",)).for_target(instance.target)
    other = spec.keras2_unmodelled(instance, inputs) if instance.target == "2" else None
    if other is not None:
        raise Unresolved(Unknown(f"tf-keras (Keras 2), which this script uses, {other}; "
                                 "archlint models Keras 3 there"))


def _unknown_name(config: dict[str, Any], keras: str) -> str | None:
    """The first string option naming an activation, initializer, regularizer or
    constraint that Keras ``keras`` does not know, as a message."""
    for option, value in config.items():
        kind = option_kind(option) if isinstance(value, str) else None
        if kind is not None:
            problem = name_problem(kind, value, keras, option)
            if problem is not None:
                return problem
    return None


@record(frozen=True)
class LayerOutput:
    shape: OutputShape
    params: Params | None
    # Why params is None: the shape is known, the weights depend on an unknown value.
    params_unknown: Unknown | None = None


def check_inputs(instance: LayerInstance, inputs: list[Shape]) -> None:
    """Keras's InputSpec check: number of inputs and their ranks."""
    spec = instance.spec.input_spec
    name = f"{instance.class_name} '{instance.name}'"
    count = len(inputs)
    if count < spec.min_inputs or (spec.max_inputs is not None and count > spec.max_inputs):
        if spec.max_inputs == 1:
            expected = "1 input"
        elif spec.max_inputs is None:
            expected = f"at least {spec.min_inputs} inputs"
        else:
            expected = f"{spec.min_inputs} to {spec.max_inputs} inputs"
        code = INCOMPATIBLE_MERGE if spec.max_inputs != 1 else NDIM_MISMATCH
        raise ShapeError(code, f"{name} expects {expected}, but is called on {count}")
    hint = getattr(instance.spec, "ndim_hint", "")
    hint = f"; {hint}" if hint else ""
    for shape in inputs:
        ndim = len(shape)
        if spec.ndim is not None and ndim != spec.ndim:
            folds = ndim > spec.ndim and instance.spec.keras2_folds_leading_axes
            raise ShapeError(NDIM_MISMATCH, f"{name} expects ndim={spec.ndim}, "
                             f"but its input has ndim={ndim} {_fmt(shape)}{hint}",
                             refused_by=KERAS3_ONLY if folds else BOTH_VERSIONS)
        if spec.min_ndim is not None and ndim < spec.min_ndim:
            raise ShapeError(NDIM_MISMATCH, f"{name} expects ndim>={spec.min_ndim}, "
                             f"but its input has ndim={ndim} {_fmt(shape)}{hint}")
        if spec.max_ndim is not None and ndim > spec.max_ndim:
            raise ShapeError(NDIM_MISMATCH, f"{name} expects ndim<={spec.max_ndim}, "
                             f"but its input has ndim={ndim} {_fmt(shape)}{hint}")


def _fmt(shape: Shape) -> str:
    from archlint.dims import format_shape

    return format_shape(shape)


def infer_layer(instance: LayerInstance, inputs: list[Shape]) -> LayerOutput:
    """Output shape and parameters of one call of a layer.

    Raises ShapeError where Keras would refuse the call, Unresolved where an option or a
    size the formulas need is unknown.
    """
    if instance.unresolved is not None:
        raise Unresolved(instance.unresolved)
    if instance.config_error is not None:
        raise instance.config_error
    for shape in inputs:
        if isinstance(shape, Unknown):
            raise Unresolved(shape)
    try:
        check_inputs(instance, inputs)
        shape = instance.spec.output_shape(instance.config, inputs)
    except ShapeError as error:
        raise error.for_target(instance.target) from None
    if instance.target != "3":
        _keras2_check(instance, inputs)
    try:
        params = instance.spec.param_count(instance.config, inputs)
    except Unresolved as unresolved:
        return LayerOutput(shape, None, unresolved.unknown)
    except NonLinear as product:  # a product of two named sizes: the shape stays known
        return LayerOutput(shape, None, Unknown(str(product)))
    return LayerOutput(shape, params)
