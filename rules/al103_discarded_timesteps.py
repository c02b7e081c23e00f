from collections.abc import Iterator

from archlint import codes
from archlint.diagnostics import Severity
from archlint.dims import format_shape
from archlint.graph import Call
from archlint.layers.base import LayerInstance
from archlint.rule import Finding, Invalid, Rule, RuleContext
from archlint.rule_helpers import label

# Windowed layers and the option that holds their window.
CONVOLUTIONS = frozenset({"Conv1D", "Conv2D", "Conv3D", "SeparableConv1D", "SeparableConv2D",
                          "DepthwiseConv1D", "DepthwiseConv2D"})
POOLINGS = frozenset({"MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D",
                      "AveragePooling2D", "AveragePooling3D"})


def dropped_steps(length: int, span: int, stride: int) -> tuple[int, int]:
    """Windows a valid-padded layer makes over ``length`` steps, and the steps at the end
    that no window reaches.

    >>> dropped_steps(11, 2, 2)  # MaxPool1D(2) on 11 steps
    (5, 1)
    >>> dropped_steps(10, 3, 2)  # Conv1D(kernel_size=3, strides=2) on 10 steps
    (4, 1)
    >>> dropped_steps(11, 10, 1)
    (2, 0)
    """
    windows = (length - span) // stride + 1
    return windows, length - ((windows - 1) * stride + span)


def _window(instance: LayerInstance) -> tuple[tuple[int, ...], tuple[int, ...], str]:
    """Window spans (dilation included), strides, and the options as written."""
    config = instance.config
    if instance.class_name in POOLINGS:
        pools, strides = config["pool_size"], config["strides"]
        text = f"pool_size={_one(pools)}, strides={_one(strides)}"
        return tuple(pools), tuple(strides), text
    kernels, strides = config["kernel_size"], config["strides"]
    dilations = config["dilation_rate"]
    spans = tuple(d * (k - 1) + 1 for k, d in zip(kernels, dilations))
    text = f"kernel_size={_one(kernels)}, strides={_one(strides)}"
    if max(dilations) > 1:
        text += f", dilation_rate={_one(dilations)}"
    return spans, tuple(strides), text


def _one(values: tuple[int, ...]) -> object:
    return values[0] if len(values) == 1 else values


class DiscardedTimesteps(Rule):
    """What it does: flags a convolution or pooling layer with ``padding="valid"`` whose
    windows do not reach the end of its input: ``MaxPool1D(2)`` on 11 timesteps makes 5
    windows over the first 10 steps; ``Conv1D(8, 3, strides=2)`` on 10 steps makes 4
    windows over the first 9. Only concrete lengths are checked.

    Why it matters: Keras drops the trailing steps silently. In a time series they are the
    most recent observations, often the ones that matter most for a forecast.

    Example: ``MaxPool1D(pool_size=2)`` after a Conv1D that leaves 11 timesteps.

    Use instead: ``padding="same"`` (the last window is padded and every step is seen), a
    pool size or stride that tiles the length, or an input length that it tiles.
    """

    code = codes.DISCARDED_TIMESTEPS
    name = "discarded-timesteps"
    severity = Severity.INFO
    summary = "A valid-padded convolution or pooling drops the trailing steps"
    INVALID = (
        Invalid(
            "from keras import layers, Input, Model\nx = Input(shape=(11, 4))\n"
            "model = Model(x, layers.MaxPool1D(2)(x))\n",
            line=3, message="MaxPooling1D 'max_pooling1d' (pool_size=2, strides=2"),
        Invalid(
            "from keras import layers, Input, Model\nx = Input(shape=(10, 4))\n"
            "model = Model(x, layers.Conv1D(8, 3, strides=2)(x))\n",
            line=3, message="Conv1D 'conv1d' (kernel_size=3, strides=2, padding='valid')"),
    )
    VALID = (
        "from keras import layers, Input, Model\nx = Input(shape=(10, 4))\n"
        "model = Model(x, layers.MaxPool1D(2)(x))\n",
        "from keras import layers, Input, Model\nx = Input(shape=(11, 4))\n"
        "model = Model(x, layers.MaxPool1D(2, padding='same')(x))\n",
        "from keras import layers, Input, Model\nx = Input(shape=(None, 4))\n"
        "model = Model(x, layers.MaxPool1D(2)(x))\n",
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for analysis, call in ctx.layer_calls():
            message = self._message(call)
            if message is not None:
                yield Finding(message, call.span, analysis.model.name, call.layer.name)

    def _message(self, call: Call) -> str | None:
        instance = call.layer.instance
        if instance is None or instance.unresolved is not None or \
                instance.config_error is not None or call.error is not None:
            return None
        if instance.class_name not in CONVOLUTIONS | POOLINGS or len(call.inbound) != 1:
            return None
        if instance.config.get("padding") != "valid":
            return None
        ref = call.inbound[0]
        shape = ref.call.output_at(ref.index)
        if not isinstance(shape, tuple):
            return None
        spans, strides, options = _window(instance)
        rank = len(spans)
        first = 2 if instance.config.get("data_format") == "channels_first" else 1
        axes = range(first, first + rank)
        if len(shape) != rank + 2:
            return None
        losses = []
        for axis, span, stride in zip(axes, spans, strides):
            length = shape[axis]
            if not isinstance(length, int) or isinstance(length, bool) or length < span:
                continue
            windows, dropped = dropped_steps(length, span, stride)
            if dropped > 0:
                losses.append((axis, length, windows, dropped, stride))
        if not losses:
            return None
        head = f"{label(call.layer)} ({options}, padding='valid')"
        if rank == 1:
            _, length, windows, dropped, stride = losses[0]
            covered = length - dropped
            lost = "the last timestep never reaches" if dropped == 1 else \
                f"the last {dropped} timesteps never reach"
            made = f"makes 1 window over the first {covered}" if windows == 1 else \
                f"makes {windows} windows over the first {covered}"
            return (f"{head} on {length} timesteps {made}: {lost} the output. Use "
                    f"padding='same' ({-(-length // stride)} steps out, the last window "
                    f"padded), a window and stride that tile {length} steps, or give this "
                    f"layer {covered} or {covered + stride} steps")
        parts = [f"axis {axis}: {length} long, {windows} window{'s' if windows != 1 else ''}, "
                 f"the last {dropped} dropped"
                 for axis, length, windows, dropped, _ in losses]
        return (f"{head} does not tile its input {format_shape(shape)} ({'; '.join(parts)}): "
                "the dropped rows or columns never reach the output. Use padding='same', "
                "or a window and stride that tile the input")
