from collections.abc import Iterator

from archlint import codes
from archlint.diagnostics import Severity
from archlint.layers.base import LayerInstance
from archlint.rule import Finding, Invalid, Rule, RuleContext
from archlint.rule_helpers import activation_name, label, usable

CUDNN_LAYERS = frozenset({"LSTM", "GRU"})


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def cudnn_blockers(instance: LayerInstance) -> list[str]:
    """The options, as written, that keep Keras from running this LSTM or GRU with cuDNN.
    Options archlint cannot resolve are not listed."""
    config = instance.config
    if config.get("use_cudnn") is False:
        return []  # chosen explicitly
    found = []
    for option, wanted in (("activation", "tanh"), ("recurrent_activation", "sigmoid")):
        if option in config:
            name = activation_name(config[option])
            if name is not None and name != wanted:
                value = config[option]
                found.append(f"{option}={value!r}" if isinstance(value, str) else
                             f"{option}={name}")
    dropout = config.get("recurrent_dropout", 0)
    if _number(dropout) and dropout > 0:
        found.append(f"recurrent_dropout={dropout}")
    if config.get("unroll") is True:
        found.append("unroll=True")
    if config.get("use_bias") is False:
        found.append("use_bias=False")
    if instance.class_name == "GRU" and config.get("reset_after") is False:
        found.append("reset_after=False")
    return found


def _recurrent(instance: LayerInstance | None) -> LayerInstance | None:
    """The LSTM or GRU a layer runs (itself, or the forward half of a wrapper)."""
    if not usable(instance):
        return None
    if instance.class_name in CUDNN_LAYERS:
        return instance
    inner = instance.config.get("layer")
    if instance.class_name in ("Bidirectional", "TimeDistributed") and \
            isinstance(inner, LayerInstance):
        return _recurrent(inner)
    return None


class CudnnIncompatibleRnn(Rule):
    """What it does: reports an LSTM or GRU (also inside Bidirectional) with an option that
    rules out the cuDNN kernel: an activation other than tanh, a recurrent activation other
    than sigmoid, ``recurrent_dropout > 0``, ``unroll=True``, ``use_bias=False``, or, for
    GRU, ``reset_after=False``. Layers with ``use_cudnn=False`` are left alone.

    Why it matters: with the TensorFlow backend on a GPU, Keras runs LSTM and GRU with
    NVIDIA's fused cuDNN kernel only when every one of these options has its default;
    otherwise it falls back to a step-by-step loop that is typically several times
    slower. Nothing says so. ``activation="relu"`` copied from a tutorial, or
    ``recurrent_dropout`` for regularisation, is enough.

    Example: ``LSTM(64, activation="relu")`` or ``GRU(32, recurrent_dropout=0.2)``.

    Use instead: the default activations; ``dropout=`` (input dropout keeps cuDNN) or a
    Dropout layer between recurrent layers instead of ``recurrent_dropout``; or keep the
    option knowingly (``use_cudnn=False`` says so).
    """

    code = codes.CUDNN_INCOMPATIBLE_RNN
    name = "cudnn-incompatible-rnn"
    severity = Severity.INFO
    summary = "An LSTM or GRU option rules out the fast cuDNN kernel"
    INVALID = (
        Invalid(
            "from keras import layers, Input, Model\nx = Input(shape=(10, 3))\n"
            "model = Model(x, layers.LSTM(16, activation='relu')(x))\n",
            line=3, message="LSTM 'lstm' has activation='relu'"),
        Invalid(
            "from keras import layers, Input, Model\nx = Input(shape=(10, 3))\n"
            "model = Model(x, layers.Bidirectional(layers.GRU(8, recurrent_dropout=0.2))(x))\n",
            line=3, message="Bidirectional 'bidirectional' (its GRU) has"),
    )
    VALID = (
        "from keras import layers, Input, Model\nx = Input(shape=(10, 3))\n"
        "model = Model(x, layers.LSTM(16, dropout=0.2)(x))\n",
        "from keras import layers, Input, Model\nx = Input(shape=(10, 3))\n"
        "model = Model(x, layers.SimpleRNN(16, activation='relu')(x))\n",
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for analysis, layer in ctx.model_layers():
            recurrent = _recurrent(layer.instance)
            if recurrent is None:
                continue
            blockers = cudnn_blockers(recurrent)
            if not blockers:
                continue
            inside = "" if recurrent is layer.instance else f" (its {recurrent.class_name})"
            yield Finding(
                f"{label(layer)}{inside} has {', '.join(blockers)}: "
                "Keras then cannot use the cuDNN kernel, so on a GPU (TensorFlow "
                "backend) it runs a step-by-step loop, typically several times slower. "
                "Use the defaults (activation='tanh', recurrent_activation='sigmoid', "
                "recurrent_dropout=0, unroll=False, use_bias=True), dropout= instead of "
                "recurrent_dropout=, or (Keras 3) use_cudnn=False to keep them knowingly",
                layer.span, analysis.model.name, layer.name)
