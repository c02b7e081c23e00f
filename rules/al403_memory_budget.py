from collections.abc import Iterator

from archlint import codes
from archlint.cost.memory import MemoryEstimate, WeightBytes, add, bytes_text, model_memory
from archlint.cost.model_costs import batch_size_of, keras_target
from archlint.cost.optimizer import OptimizerState
from archlint.diagnostics import Severity
from archlint.rule import Finding, Invalid, Rule, RuleContext


def _largest_batch(estimate: MemoryEstimate, budget: int) -> int | None:
    """The largest batch whose estimate fits the budget (None: not a number, or none).

    >>> from archlint.cost.memory import WeightBytes
    >>> from archlint.cost.optimizer import OptimizerState
    >>> _largest_batch(MemoryEstimate(WeightBytes(100, 0), 10, OptimizerState("sgd", 0, 0)),
    ...                250)
    5
    """
    fixed, per_sample = estimate.fixed, estimate.activations
    if not isinstance(fixed, int) or not isinstance(per_sample, int) or per_sample <= 0:
        return None
    batch = (budget - fixed) // per_sample
    return batch if batch >= 1 else None


class MemoryBudget(Rule):
    """What it does: reports a model whose training memory estimate exceeds
    ``memory-budget`` (``memory-budget = "16GiB"`` in ``[tool.archlint]``; off until one is
    set) at the batch size of ``--batch-size``, ``batch-size`` or the script's
    ``fit(batch_size=...)``. The estimate is the weights (in their stored dtypes), one
    gradient per trainable weight, the compiled optimizer's state, and the output of every
    layer call times the batch size. Without a batch size it reports a model whose weights,
    gradients and optimizer state alone exceed the budget.

    Why it matters: a model that does not fit fails with an out-of-memory error only once
    it is on the accelerator, after the data pipeline is built; the estimate says so
    before, and which batch size fits.

    Example: a ``Dense(4096)`` on a flattened ``(64, 64, 64)`` feature map: 4 GiB of
    float32 weights, 16 GiB to train with Adam (weights, gradients and two moments).

    Use instead: a smaller batch (the message gives the largest that fits), global pooling
    or downsampling before dense layers, mixed precision for the activations, or a
    budget that fits the hardware.
    """

    code = codes.MEMORY_BUDGET
    name = "memory-budget"
    severity = Severity.WARNING
    summary = "The training memory estimate is above the budget"
    EXAMPLE_SETTINGS = {"memory_budget": 2**30, "batch_size": 32}
    INVALID = (
        Invalid(
            "import keras\nfrom keras import layers\nx = keras.Input(shape=(64, 64, 64))\n"
            "model = keras.Model(x, layers.Dense(4096)(layers.Flatten()(x)))\n"
            "model.compile(optimizer='adam', loss='mse')\n",
            line=4, message="needs about 17,214,013,452 B (16.0 GiB) to train with batch "
                            "size 32"),
    )
    VALID = (
        "import keras\nfrom keras import layers\nx = keras.Input(shape=(64, 64, 64))\n"
        "h = layers.GlobalAveragePooling2D()(x)\n"
        "model = keras.Model(x, layers.Dense(4096)(h))\n"
        "model.compile(optimizer='adam', loss='mse')\n",
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        budget = ctx.memory_budget
        if budget is None:
            return
        for analysis in ctx.models:
            model = analysis.model
            batch = batch_size_of(model, ctx.batch_size)
            estimate = model_memory(model, batch, keras_target(model))
            total = estimate.training if batch is not None else estimate.fixed
            if not isinstance(total, int) or total <= budget:
                continue
            weights, optimizer = estimate.weights, estimate.optimizer
            # The total is a number: so are its parts.
            assert isinstance(weights, WeightBytes) and isinstance(optimizer, OptimizerState)
            assert isinstance(weights.total, int) and isinstance(weights.trainable, int)
            state = add(estimate.fixed, -weights.total, -weights.trainable)
            parts = (f"weights {bytes_text(weights.total)}, gradients "
                     f"{bytes_text(weights.trainable)}, {optimizer.name} state "
                     f"{bytes_text(state)}")
            if batch is not None:
                parts += f", activations {batch} x {bytes_text(estimate.activations)}"
                fits = _largest_batch(estimate, budget)
                advice = (f"a batch of {fits} fits" if fits is not None else
                          "no batch size fits")
                needs = f"to train with batch size {batch}"
            else:
                advice, needs = "no batch size fits", "before any activation"
            yield Finding(
                f"Model '{model.name}' needs about {bytes_text(total)} {needs} ({parts}), "
                f"above memory-budget={bytes_text(budget)}: {advice}. Use a smaller batch, "
                "fewer weights before the dense layers, or a budget that fits",
                model.span, model.name)
