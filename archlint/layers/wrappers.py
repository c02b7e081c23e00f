"""Wrappers: Bidirectional and TimeDistributed.

The wrapped layers arrive in the config as ``LayerInstance`` objects (see
``archlint.layer_eval.instantiate``); their shapes and parameters come from their own specs,
through the same engine call as any layer, so their input checks apply too.

Keras 3's ``Bidirectional.compute_output_shape`` looks only at the forward layer
(keras-team/keras#23688): with a backward layer of another width or class it *declares* a
shape that its forward pass does not produce. archlint computes the forward-pass truth;
``keras3_declared_output_shape`` tells what Keras 3 declares, for rules that warn about it.
"""

from __future__ import annotations

from typing import Any

from archlint.dims import Dim, format_shape
from archlint.layer_call import LayerOutput, infer_layer
from archlint.layer_types import label
from archlint.layers import register
from archlint.layers.base import (
    ASYMMETRIC_MERGE,
    BIDIRECTIONAL_CONFIG_MISMATCH,
    GO_BACKWARDS_MISMATCH,
    INVALID_CONFIG,
    KERAS3_ONLY,
    NONPOSITIVE_TIMESTEPS,
    InputSpec,
    LayerInstance,
    LayerSpec,
    OutputShape,
    Params,
    Shape,
    ShapeError,
    Unresolved,
)
from archlint.unknown import Unknown

MERGE_MODES = ("concat", "sum", "mul", "ave", None)
# Attributes Keras requires equal on both halves of a Bidirectional.
COMMON_ATTRIBUTES = ("stateful", "return_sequences", "return_state")
# What Keras needs of a layer it runs in both directions.
SEQUENCE_ATTRIBUTES = ("go_backwards", "return_sequences", "return_state", "stateful")


def _nested(config: dict[str, Any], option: str, wrapper: str) -> LayerInstance:
    """The wrapped layer of ``option``, with its own configuration error re-raised."""
    inner = config.get(option)
    if not isinstance(inner, LayerInstance):
        raise ShapeError(INVALID_CONFIG,
                         f"{wrapper} {option}={inner!r} must be a Keras layer instance")
    if inner.config_error is not None:
        raise inner.config_error
    return inner


def _weights(inner: LayerOutput) -> Params:
    """The wrapped layer's weights; weights it cannot count (a product of two named sizes)
    leave the wrapper's uncounted too."""
    if inner.params is None:
        raise Unresolved(inner.params_unknown or Unknown("the wrapped layer's weights"))
    return inner.params


def _split(shape: OutputShape, return_state: bool) -> tuple[Shape, list[Shape]]:
    """The output of a recurrent layer and its states (when return_state=True)."""
    if return_state and isinstance(shape, list):
        return shape[0], list(shape[1:])
    assert not isinstance(shape, list)
    return shape, []


def _broadcast(mode: str, fwd: Shape, bwd: Shape, names: tuple[str, str]) -> Shape:
    """Element-wise merge of the two directions: equal sizes, or a size 1 that broadcasts."""
    mismatch = ShapeError(
        ASYMMETRIC_MERGE,
        f"Bidirectional merge_mode={mode!r} combines element-wise the output of the forward "
        f"{names[0]} {format_shape(fwd)} with the output of the backward {names[1]} "
        f"{format_shape(bwd)}: their widths {fwd[-1]} and {bwd[-1]} differ (use "
        "merge_mode='concat' or give both layers the same units)",
        # Keras 3 declares the forward half only (keras-team/keras#23688) and fails at the
        # first forward pass; tf-keras traces both halves and refuses the call, unless an
        # axis is undefined then (a variable time axis): it builds it and fails later.
        build_accepts=("3", "2") if any(d is None for d in fwd[1:]) else ("3",),
    )
    if len(fwd) != len(bwd):
        raise mismatch
    out: list[Dim] = []
    for a, b in zip(fwd, bwd):
        if a == b or b == 1:
            out.append(a)
        elif a == 1:
            out.append(b)
        elif isinstance(a, int) and isinstance(b, int):
            raise mismatch
        else:
            out.append(a)
    return tuple(out)


def merge_directions(mode: str | None, fwd: Shape, bwd: Shape,
                     names: tuple[str, str] = ("layer", "layer")) -> Shape | list[Shape]:
    """The output of a Bidirectional from the outputs of its two halves.

    >>> merge_directions("concat", (None, 5, 24), (None, 5, 16))
    (None, 5, 40)
    >>> merge_directions("sum", (None, 24), (None, 1))
    (None, 24)
    >>> merge_directions(None, (None, 24), (None, 16))
    [(None, 24), (None, 16)]
    """
    if mode is None:
        return [fwd, bwd]
    if mode == "concat":
        return (*fwd[:-1], fwd[-1] + bwd[-1])  # type: ignore[operator]
    return _broadcast(mode, fwd, bwd, names)


@register
class Bidirectional(LayerSpec):
    """Runs ``layer`` forward and ``backward_layer`` (default: a copy of ``layer`` with
    ``go_backwards=True``) backward and merges them; parameters are the sum of both.

    >>> from archlint.layer_eval import instantiate
    >>> lstm = {"class_name": "LSTM", "config": {"units": 24, "return_sequences": True}}
    >>> gru = {"class_name": "GRU", "config": {"units": 16, "return_sequences": True,
    ...                                        "go_backwards": True}}
    >>> bi = instantiate("Bidirectional", {"layer": lstm, "backward_layer": gru}, "bi")
    >>> bi.spec.output_shape(bi.config, [(None, 5, 32)])
    (None, 5, 40)
    >>> bi.spec.param_count(bi.config, [(None, 5, 32)]).total
    7872
    """

    class_name = "Bidirectional"
    positional = ("layer", "merge_mode", "weights", "backward_layer")
    defaults = {"layer": None, "merge_mode": "concat", "backward_layer": None}
    nested = ("layer", "backward_layer")
    # The wrapped layers check their inputs themselves (ndim=3, or more for ConvLSTM).
    input_spec = InputSpec()

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        mode = config["merge_mode"]
        if mode not in MERGE_MODES:
            raise ShapeError(
                INVALID_CONFIG,
                f"Bidirectional merge_mode={mode!r} must be one of 'sum', 'mul', 'ave', "
                "'concat' or None",
            )
        forward = _nested(config, "layer", "Bidirectional")
        self._check_sequence_layer(forward, "layer")
        if config["backward_layer"] is None:
            config["backward_layer"] = self._default_backward(forward)
        backward = _nested(config, "backward_layer", "Bidirectional")
        self._check_sequence_layer(backward, "backward_layer")
        fwd_cfg, bwd_cfg = forward.config, backward.config
        if fwd_cfg["go_backwards"] == bwd_cfg["go_backwards"]:
            raise ShapeError(
                GO_BACKWARDS_MISMATCH,
                f"Bidirectional needs forward and backward layers with different go_backwards, "
                f"but the forward {label(forward)} and the backward {label(backward)} "
                f"both have go_backwards={fwd_cfg['go_backwards']}",
            )
        for attribute in COMMON_ATTRIBUTES:
            if bool(fwd_cfg[attribute]) != bool(bwd_cfg[attribute]):
                raise ShapeError(
                    BIDIRECTIONAL_CONFIG_MISMATCH,
                    f"Bidirectional needs the same {attribute} on both layers, but the forward "
                    f"{label(forward)} has {attribute}={fwd_cfg[attribute]} and the "
                    f"backward {label(backward)} has {attribute}={bwd_cfg[attribute]}",
                )
        return config

    @staticmethod
    def _check_sequence_layer(inner: LayerInstance, option: str) -> None:
        missing = [a for a in SEQUENCE_ATTRIBUTES if a not in inner.config]
        if missing:
            raise ShapeError(
                INVALID_CONFIG,
                f"Bidirectional {option}={label(inner)} must be a recurrent layer "
                f"(with {', '.join(SEQUENCE_ATTRIBUTES)}); {inner.class_name} has no "
                f"{missing[0]}",
            )

    @staticmethod
    def _default_backward(forward: LayerInstance) -> LayerInstance:
        """Keras 3 copies the forward layer with go_backwards=True (not flipped)."""
        if forward.config["go_backwards"]:
            raise ShapeError(
                GO_BACKWARDS_MISMATCH,
                f"Bidirectional without backward_layer copies {label(forward)} with "
                "go_backwards=True, but it already has go_backwards=True: Keras 3 refuses "
                "(tf-keras flips it instead)",
                refused_by=KERAS3_ONLY,
            )
        config = forward.spec.normalize({**forward.config, "go_backwards": True})
        return LayerInstance(spec=forward.spec, config=config, name=f"backward_{forward.name}",
                             line=forward.line, column=forward.column,
                             end_line=forward.end_line, explicit=forward.explicit,
                             target=forward.target)

    def _halves(self, config: dict[str, Any], inputs: list[Shape]
                ) -> tuple[LayerOutput, LayerOutput]:
        return (infer_layer(config["layer"], [inputs[0]]),
                infer_layer(config["backward_layer"], [inputs[0]]))

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> OutputShape:
        """The merged output, then (return_state) the forward states and backward states."""
        forward, backward = self._halves(config, inputs)
        fwd_shape, bwd_shape = forward.shape, backward.shape
        return_state = bool(config["layer"].config["return_state"])
        fwd, fwd_states = _split(fwd_shape, return_state)
        bwd, bwd_states = _split(bwd_shape, return_state)
        names = (label(config["layer"]), label(config["backward_layer"]))
        merged = merge_directions(config["merge_mode"], fwd, bwd, names)
        if not return_state:
            return merged
        outputs = merged if isinstance(merged, list) else [merged]
        return [*outputs, *fwd_states, *bwd_states]

    def param_count(self, config: dict[str, Any], inputs: list[Shape]) -> Params:
        forward, backward = self._halves(config, inputs)
        return _weights(forward) + _weights(backward)

    def output_count(self, config: dict[str, Any]) -> int | None:
        """One merged output (two with merge_mode=None), then each half's states."""
        halves = [config["layer"], config["backward_layer"]]
        counts = [half.spec.output_count(half.config) for half in halves]
        if None in counts:
            return None
        return (2 if config["merge_mode"] is None else 1) + sum(c - 1 for c in counts)


def keras3_declared_output_shape(config: dict[str, Any], inputs: list[Shape]) -> OutputShape:
    """What Keras 3 *declares* for a Bidirectional (keras-team/keras#23688): the forward
    layer's output and states stand in for the backward layer's.

    Differs from the real output when the halves differ in width or in number of states;
    layers built downstream on the declared shape get wrong weights.

    >>> from archlint.layer_eval import instantiate
    >>> lstm = {"class_name": "LSTM", "config": {"units": 24}}
    >>> gru = {"class_name": "GRU", "config": {"units": 16, "go_backwards": True}}
    >>> bi = instantiate("Bidirectional", {"layer": lstm, "backward_layer": gru}, "bi")
    >>> keras3_declared_output_shape(bi.config, [(None, 5, 32)])
    (None, 48)
    """
    forward: LayerInstance = config["layer"]
    return_state = bool(forward.config["return_state"])
    fwd, states = _split(infer_layer(forward, [inputs[0]]).shape, return_state)
    mode = config["merge_mode"]
    merged: Shape | list[Shape]
    if mode == "concat":
        merged = (*fwd[:-1], fwd[-1] * 2)  # type: ignore[operator]
    elif mode is None:
        merged = [fwd, fwd]
    else:
        merged = fwd
    if not return_state:
        return merged
    outputs = merged if isinstance(merged, list) else [merged]
    return [*outputs, *states, *states]


@register
class TimeDistributed(LayerSpec):
    """Applies ``layer`` to every ``input[:, t]``: the output is ``(batch, timesteps)``
    followed by the wrapped layer's per-step output; parameters are the wrapped layer's.

    >>> from archlint.layer_eval import instantiate
    >>> dense = {"class_name": "Dense", "config": {"units": 3}}
    >>> td = instantiate("TimeDistributed", {"layer": dense}, "td")
    >>> td.spec.output_shape(td.config, [(None, 5, 7)])
    (None, 5, 3)
    """

    class_name = "TimeDistributed"
    time_order = "preserves"
    positional = ("layer",)
    defaults = {"layer": None}
    nested = ("layer",)
    input_spec = InputSpec(min_ndim=3)

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        _nested(config, "layer", "TimeDistributed")
        return config

    def _step(self, config: dict[str, Any], shape: Shape) -> tuple[Shape, LayerOutput]:
        inner: LayerInstance = config["layer"]
        step = infer_layer(inner, [(shape[0], *shape[2:])])
        step_shape = step.shape
        if isinstance(step_shape, list):
            raise ShapeError(
                INVALID_CONFIG,
                f"TimeDistributed cannot wrap {label(inner)}: it returns "
                f"{len(step_shape)} outputs (return_state=True?), Keras needs one tensor",
            )
        steps = shape[1]
        if isinstance(steps, int) and steps <= 0:
            # Keras 3 stacks an empty list of steps and fails; tf-keras returns 0 steps.
            raise ShapeError(
                NONPOSITIVE_TIMESTEPS,
                f"TimeDistributed({inner.class_name}) on {steps} timesteps "
                f"{format_shape(shape)}: Keras 3 fails on an empty time axis",
                refused_by=KERAS3_ONLY,
            )
        return step_shape, step

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        step_shape, _ = self._step(config, inputs[0])
        return (step_shape[0], inputs[0][1], *step_shape[1:])

    def param_count(self, config: dict[str, Any], inputs: list[Shape]) -> Params:
        return _weights(self._step(config, inputs[0])[1])
