"""One layer call's output shape and parameters, computed from its inputs' shapes.

``infer_call`` fills a call's output (memoized on the call, inputs first); ``model_calls``
lists the calls between a model's inputs and outputs. The engine totals and checks whole
models on top of these; the front end asks for single shapes (``x.shape``) through them.
"""

from __future__ import annotations

from archlint.dims import MAX_INT_BITS, format_shape
from archlint.graph import Call, Model, line_note
from archlint.layer_call import call_config
from archlint.layer_eval import infer_layer
from archlint.layer_types import label
from archlint.layers.base import (
    NDIM_MISMATCH,
    NONPOSITIVE_TIMESTEPS,
    OutputShape,
    Params,
    Shape,
    ShapeError,
    Unresolved,
)
from archlint.rank_free import (
    UnknownRank,
    fixed_rank_output,
    rank_free_output,
    unknown_rank_input,
)
from archlint.unknown import Unknown


def infer_call(call: Call) -> None:
    """Fill ``call.output`` and ``call.params`` (or ``call.error``), inputs first."""
    if call.output is not None or call.error is not None:
        return
    stack = [call]
    # Iterative post-order walk: deep models must not hit the recursion limit.
    while stack:
        current = stack[-1]
        pending = [r.call for r in current.inbound
                   if r.call.output is None and r.call.error is None]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        if current.output is None and current.error is None:
            _infer_one(current)


def _infer_one(call: Call) -> None:
    layer = call.layer
    if layer.instance is not None and layer.instance.config_error is not None:
        # Keras refuses the layer when it is created, whatever its inputs are.
        call.error = layer.instance.config_error
        return
    if layer.instance is not None and layer.class_name == "InputLayer":
        rank = unknown_rank_input(layer.instance)
        if rank is not None:
            call.output, call.params = rank, Params(0)
            return
    inputs: list[Shape] = []
    for ref in call.inbound:
        source = ref.call
        if source.error is not None:
            call.output = Unknown(f"not computed: `{source.layer.name}` fails first",
                                  call.span.line)
            return
        shape = source.output_at(ref.index)
        if isinstance(shape, UnknownRank) and len(call.inbound) == 1 and \
                layer.instance is not None and _after_unknown_rank(call, shape):
            return
        if shape is None or isinstance(shape, Unknown):
            # Not an UnknownRank: its known last axes are the input's, not this output's.
            call.output = Unknown(shape.reason, shape.line) if isinstance(
                shape, Unknown) else Unknown(
                f"`{source.layer.name}` has no output {ref.index}", call.span.line)
            return
        inputs.append(shape)
    if layer.instance is None:
        call.output = Unknown(f"`{layer.class_name}` is not supported", call.span.line)
        return
    options = call.options
    if layer.instance.spec.call_options.keys() >= {"values"}:
        # Operations read what TensorFlow computes of their inputs (tf.shape(x)[1]).
        options = {**options, "values": [r.call.value_at(r.index) for r in call.inbound]}
    try:
        result = infer_layer(layer.instance, inputs, options)
    except ShapeError as error:
        call.error = error
        return
    except Unresolved as unresolved:
        call.output = unresolved.unknown
        return
    except (ArithmeticError, TypeError, ValueError, KeyError, IndexError) as error:
        # A formula met a value it does not handle: say so rather than guess.
        call.output = Unknown(f"archlint cannot compute `{layer.name}`: {error}",
                              call.span.line)
        return
    if _oversized(result.shape, result.params):
        call.output = Unknown(f"archlint cannot compute `{layer.name}`: a size over "
                              f"{MAX_INT_BITS} bits, which no real model has", call.span.line)
        return
    first = layer.calls[0] if layer.calls else call
    if first is not call and _weights_differ(first.params, result.params):
        # A shared layer's weights are built by its first call; other inputs must fit them.
        call.error = ShapeError(
            NDIM_MISMATCH,
            f"{label(layer)} is shared: its first call"
            f"{line_note(first.span)} built weights for {_fmt_input(first)}, but this call gives "
            f"it {format_shape(inputs[0]) if inputs else '()'}; Keras refuses the mismatch")
        return
    call.output = result.shape
    call.params = result.params
    call.params_unknown = result.params_unknown
    call.value = layer.instance.spec.output_value(call_config(layer.instance, options), inputs)
    _check_lengths(call)


def _weights_differ(first: Params | None, this: Params | None) -> bool:
    """Whether two calls of one layer need different weights for every value of the data:
    only counts that are numbers can say so (an unknown or a named size may match)."""
    if first is None or this is None:
        return False
    counts = (first.trainable, first.non_trainable, this.trainable, this.non_trainable)
    return all(isinstance(c, int) for c in counts) and first != this


def _after_unknown_rank(call: Call, shape: UnknownRank) -> bool:
    """A layer on a tensor of unknown rank: what holds whatever the rank (see rank_free)."""
    instance = call.layer.instance
    assert instance is not None
    if instance.unresolved is not None or instance.config_error is not None:
        return False
    if instance.class_name == "Flatten":
        call.output, call.params = (None, Unknown(shape.reason, shape.line)), Params(0)
        return True
    found = rank_free_output(instance, shape)
    if found is not None:
        call.output, call.params, call.params_unknown = found
        return True
    fixed = fixed_rank_output(instance, shape)
    if fixed is None:
        return False
    call.output, call.params, call.params_unknown = fixed.shape, fixed.params, \
        fixed.params_unknown
    return True


def _oversized(output: OutputShape, params: Params | None) -> bool:
    """Sizes no model has, which Python cannot even print (over 4,300 digits)."""
    shapes = output if isinstance(output, list) else [output]
    sizes = [d for shape in shapes if isinstance(shape, tuple) for d in shape
             if isinstance(d, int)]
    if params is not None:
        sizes += [n for n in (params.trainable, params.non_trainable) if isinstance(n, int)]
    return any(abs(size).bit_length() > MAX_INT_BITS for size in sizes)


def _fmt_input(call: Call) -> str:
    ref = call.inbound[0] if call.inbound else None
    shape = ref.call.output_at(ref.index) if ref is not None else None
    return format_shape(shape) if isinstance(shape, tuple) else "its input"


def _check_lengths(call: Call) -> None:
    """A concrete axis of size 0 or less is a refusal (AL101); except an empty axis the
    layer did not make: an input of size 0 (Keras builds ``Input(shape=(3, 0))``) and what
    a layer keeps of one (LayerNormalization over it has no weights and runs)."""
    shapes = call.output if isinstance(call.output, list) else [call.output]
    given_empty = call.layer.class_name == "InputLayer" or any(
        isinstance(shape, tuple) and any(isinstance(d, int) and d == 0 for d in shape[1:])
        for shape in (ref.call.output_at(ref.index) for ref in call.inbound))
    for shape in shapes:
        if not isinstance(shape, tuple):
            continue
        for axis, dim in enumerate(shape[1:], start=1):
            if isinstance(dim, int) and (dim < 0 or (dim == 0 and not given_empty)):
                call.error = ShapeError(
                    NONPOSITIVE_TIMESTEPS,
                    f"{label(call.layer)} leaves {dim} steps on axis "
                    f"{axis} (output {format_shape(shape)})")
                call.output = None
                return


def model_calls(model: Model) -> list[Call]:
    """The calls between the model's inputs and outputs, in the order the script made them."""
    seen: dict[int, Call] = {}
    stack = [ref.call for ref in model.outputs]
    input_calls = {id(ref.call) for ref in model.inputs}
    while stack:
        call = stack.pop()
        if id(call) in seen:
            continue
        seen[id(call)] = call
        if id(call) not in input_calls:
            stack.extend(ref.call for ref in (*call.inbound, *call.side_inputs))
    return sorted(seen.values(), key=lambda c: c.order)
