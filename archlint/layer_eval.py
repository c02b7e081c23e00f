"""From a class name and options to a layer instance, and from input shapes to its output.

The bridge between the front end (which collects options) and the layer catalog (which
holds the formulas): defaults, nested layers, unresolved options and declared input
constraints are handled here once, so that no formula has to.
"""

from __future__ import annotations

from typing import Any

from archlint.codes import INVALID_OPTION
from archlint.keras_names import KERAS3, name_problem, option_kind

# One call of a layer lives in layer_call, which the wrappers import too; kept here by name.
from archlint.layer_call import LayerOutput as LayerOutput
from archlint.layer_call import check_inputs as check_inputs
from archlint.layer_call import infer_layer as infer_layer
from archlint.layer_types import LayerInstance
from archlint.layers import lookup
from archlint.layers.base import ShapeError, Unresolved, target_versions
from archlint.layers.options import unmodelled_option, unmodelled_reason
from archlint.numpy_ints import as_ints, numpy_option_refusal
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
        if option not in raw:
            continue
        value = raw[option]

        def nested_layer(item: Any, option: str = option) -> Any:
            if not (isinstance(item, dict) and "class_name" in item):
                return item
            inner_name = item["config"].get("name", f"{option}_{item['class_name'].lower()}")
            return instantiate(item["class_name"], item["config"], inner_name, line=line,
                               column=column, end_line=end_line, keras=keras, target=target)

        # A list of layers (RNN's cells, Pipeline's layers) holds one instance per item.
        raw[option] = [nested_layer(v) for v in value] if isinstance(value, (list, tuple)) \
            else nested_layer(value)
    instance = LayerInstance(spec=spec, config=raw, name=name, line=line, column=column,
                             end_line=end_line, explicit=frozenset(config), target=target)
    keras2_only = {k: v for k, v in spec.keras2_defaults.items() if raw.get(k) is None}
    if target == "2":
        raw.update(keras2_only)
    unmodelled = unmodelled_option(spec, config)
    if unmodelled is not None:  # never ignored: the layer is unknown, the option named
        instance.unmodelled = unmodelled
        instance.unresolved = Unknown(unmodelled_reason(spec, unmodelled,
                                                        config[unmodelled]), line)
        return instance
    numpy = numpy_option_refusal(spec.class_name, raw)
    if numpy is not None:
        option, refused_by = numpy
        value = raw[option]
        if refused_by is None:
            instance.unresolved = Unknown(
                f"{spec.class_name} {option}={value!r} holds a NumPy integer, and archlint "
                "does not know whether Keras takes one there (int(...) makes it a plain int)",
                line)
            return instance
        if any(v in refused_by for v in target_versions(target)):
            error = ShapeError(INVALID_OPTION, f"{spec.class_name} {option}={value!r}: a NumPy "
                               "integer is not an int to Keras, which refuses it (int(...) "
                               "makes it a plain int)", refused_by=refused_by)
            outcome = error.for_target(target)
            assert isinstance(outcome, ShapeError)  # a version the script runs under refuses
            instance.config_error = outcome
            return instance
        raw = {k: as_ints(v) for k, v in raw.items()}
        instance.config = raw
    problem = _unknown_name(raw, keras) if keras is not None else None
    if problem is not None:  # Keras refuses it whatever the other options are
        instance.config_error = ShapeError(INVALID_OPTION, problem)
        return instance
    relevant = {k: v for k, v in raw.items()
                if k in spec.defaults or k in spec.nested or k in spec.aliases}
    unknown = first_unknown(relevant)
    nested_error = None
    for option in spec.nested:
        for inner in nested_instances(raw.get(option)):
            if unknown is None and inner.unresolved is not None:
                unknown, instance.unmodelled = inner.unresolved, inner.unmodelled
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
        accepted = spec.keras2_accepted(raw) if target == "2" and \
            isinstance(outcome, Unresolved) else None
        if accepted is not None:  # only Keras 3 refuses, and tf-keras builds what we model
            instance.config = accepted
        elif isinstance(outcome, Unresolved):
            instance.unresolved = outcome.unknown
        else:
            instance.config_error = outcome
    return instance


def nested_instances(value: Any) -> list[LayerInstance]:
    """The layer instances of a nested option: one layer, or a list of them."""
    items = value if isinstance(value, (list, tuple)) else [value]
    return [item for item in items if isinstance(item, LayerInstance)]


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
