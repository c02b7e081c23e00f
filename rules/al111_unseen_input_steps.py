from collections.abc import Iterator

from archlint import codes
from archlint.cost.coverage import Unseen, unseen_steps
from archlint.diagnostics import Severity
from archlint.rule import Finding, Invalid, Rule, RuleContext


def _ranges(unseen: Unseen, shown: int = 4) -> str:
    """The unseen steps as the message lists them (0-based, a few at most).

    >>> _ranges(Unseen("x", 1, 16, ((2, 3), (6, 7), (10, 11), (14, 15), (18, 19))))
    '2-3, 6-7, 10-11, 14-15, ...'
    """
    parts = [f"{a}" if a == b else f"{a}-{b}" for a, b in unseen.steps[:shown]]
    return ", ".join(parts) + (", ..." if len(unseen.steps) > shown else "")


class UnseenInputSteps(Rule):
    """What it does: flags a model with a fixed-length input some of whose steps reach no
    output at all: the windows of its convolutions and poolings leave holes, because a
    stride is longer than the window the layers before it give one step (``Conv1D(8, 2,
    strides=4)`` reads steps 0-1, 4-5, 8-9...) or a dilation skips steps that no later
    layer fills in. It follows the steps each output uses back to the input, through
    convolutions, pooling, dilations, recurrent layers and merges, whatever the head
    (pooled or flattened). Steps dropped only at the end of a valid-padded layer are
    discarded-timesteps' (AL103).

    Why it matters: those inputs are information the model never reads. However long it
    trains, its predictions cannot depend on them; usually the strides or dilations were
    not meant to skip them.

    Example: ``Conv1D(8, 2, strides=4)`` on 64 steps, flattened into a Dense head: half of
    the steps never reach the output.

    Use instead: a kernel at least as long as the stride (``Conv1D(8, 4, strides=4)``),
    dilations that double from 1 with kernel 2 (a WaveNet/TCN stack), or pooling before
    striding.
    """

    code = codes.UNSEEN_INPUT_STEPS
    name = "unseen-input-steps"
    severity = Severity.WARNING
    summary = "Steps of a fixed-length input reach no output"
    INVALID = (
        Invalid(
            "from keras import layers, Input, Model\nx = Input(shape=(64, 3))\n"
            "h = layers.Flatten()(layers.Conv1D(8, 2, strides=4)(x))\n"
            "model = Model(x, layers.Dense(1)(h))\n",
            line=4, message="32 of the 64 steps on axis 1 of input 'input_layer' reach no "
                            "output (steps 2-3, 6-7"),
        Invalid(
            "from keras import layers, Input, Model\nx = Input(shape=(32, 1))\n"
            "h = layers.MaxPooling1D(2, strides=8)(layers.Conv1D(4, 2, dilation_rate=4)(x))\n"
            "model = Model(x, layers.GlobalAveragePooling1D()(h))\n",
            line=4, message="16 of the 32 steps on axis 1 of input 'input_layer' reach no "
                            "output (steps 2-3, 6-7, 10-11, 14-15, ..."),
    )
    VALID = (
        "from keras import layers, Input, Model\nx = Input(shape=(64, 3))\n"
        "h = layers.Flatten()(layers.Conv1D(8, 4, strides=4)(x))\n"
        "model = Model(x, layers.Dense(1)(h))\n",
        "from keras import layers, Input, Model\nx = Input(shape=(64, 1))\nh = x\n"
        "for d in (1, 2, 4, 8):\n"
        "    h = layers.Conv1D(4, 2, dilation_rate=d, padding='causal')(h)\n"
        "model = Model(x, layers.GlobalAveragePooling1D()(h))\n",
        "from keras import layers, Input, Model\nx = Input(shape=(None, 3))\n"
        "model = Model(x, layers.GlobalMaxPooling1D()(layers.Conv1D(8, 2, strides=4)(x)))\n",
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for analysis in ctx.models:
            for unseen in unseen_steps(analysis.model) or ():
                trailing = len(unseen.steps) == 1 and unseen.steps[0][1] == unseen.length - 1
                if trailing:
                    continue  # the end of a valid-padded layer's input: AL103 says it
                yield Finding(
                    f"Model '{analysis.model.name}': {unseen.count} of the {unseen.length} "
                    f"steps on axis {unseen.axis} of input '{unseen.input_name}' reach no "
                    f"output (steps {_ranges(unseen)}, counting from 0): a stride longer "
                    "than the window it moves, or a dilation's holes, skip them. Use a "
                    "kernel at least as long as the stride, or dilations that fill the gaps",
                    analysis.model.span, analysis.model.name)
