"""One call of a layer: the declared input checks, then its formulas.

Needs nothing but the layer instance (its spec comes with it), so that the wrappers, whose
formulas call the layers they wrap, import it without importing the layer catalog.
"""

from __future__ import annotations

from typing import Any

from archlint.codes import INCOMPATIBLE_MERGE, INVALID_OPTION, NDIM_MISMATCH
from archlint.dims import NonLinear, format_shape
from archlint.layer_types import LayerInstance, OutputShape, Params, Shape, label
from archlint.layers.base import BOTH_VERSIONS, KERAS3_ONLY, ShapeError, Unresolved
from archlint.layers.quantization import keras2_keyword_refusal
from archlint.layers.ragged import check_ragged_call
from archlint.records import record
from archlint.unknown import Unknown, first_unknown


@record(frozen=True)
class LayerOutput:
    shape: OutputShape
    params: Params | None
    # Why params is None: the shape is known, the weights depend on an unknown value.
    params_unknown: Unknown | None = None


def check_inputs(instance: LayerInstance, inputs: list[Shape]) -> None:
    """Keras's InputSpec check: number of inputs and their ranks."""
    spec = instance.spec.input_spec
    name = label(instance)
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
    return format_shape(shape)


def call_config(instance: LayerInstance, options: dict[str, Any] | None = None
                ) -> dict[str, Any]:
    """The options one call's formulas read: the layer's, then the call's arguments that
    its spec declares (``return_attention_scores``), defaults filled in."""
    declared = instance.spec.call_options
    if not declared:
        return instance.config
    given = {k: v for k, v in (options or {}).items() if k in declared}
    return {**instance.config, **declared, **given}


def infer_layer(instance: LayerInstance, inputs: list[Shape],
                options: dict[str, Any] | None = None) -> LayerOutput:
    """Output shape and parameters of one call of a layer; ``options`` are the call's
    arguments other than its inputs (``return_attention_scores=True``).

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
    config = call_config(instance, options)
    unknown = first_unknown({k: config[k] for k in instance.spec.call_options})
    if unknown is not None:
        raise Unresolved(unknown)
    try:
        check_inputs(instance, inputs)
        output = instance.spec.output_shape(config, inputs)
        if instance.spec.tf_keras_class and instance.target != "2":
            raise ShapeError(INVALID_OPTION, f"Keras 3 has no {instance.class_name} layer "
                             "(tf-keras has)", refused_by=KERAS3_ONLY)
    except ShapeError as error:
        raise error.for_target(instance.target) from None
    check_ragged_call(instance, inputs, output)
    if instance.target != "3":
        _keras2_check(instance, inputs)
    try:
        params = instance.spec.param_count(config, inputs)
    except Unresolved as unresolved:
        return LayerOutput(output, None, unresolved.unknown)
    except NonLinear as product:  # a product of two named sizes: the shape stays known
        return LayerOutput(output, None, Unknown(str(product)))
    return LayerOutput(output, params)


def _keras2_check(instance: LayerInstance, inputs: list[Shape]) -> None:
    """Where tf-keras parts from Keras 3 on a layer the formulas accept: its refusal, or
    (for a tf-keras script) an unknown where it builds something else."""
    spec = instance.spec
    refusal = keras2_keyword_refusal(instance) or spec.keras2_refusal(instance, inputs)
    if refusal is not None:
        raise ShapeError(INVALID_OPTION, refusal, refused_by=("2",)).for_target(instance.target)
    other = spec.keras2_unmodelled(instance, inputs) if instance.target == "2" else None
    if other is not None:
        raise Unresolved(Unknown(f"tf-keras (Keras 2), which this script uses, {other}; "
                                 "archlint models Keras 3 there"))
