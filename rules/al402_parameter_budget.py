from collections.abc import Iterator

from archlint import codes
from archlint.diagnostics import Severity
from archlint.rule import Finding, Invalid, Rule, RuleContext
from archlint.rule_helpers import label, layer_params

# Bytes per float32 parameter; training with Adam adds a gradient and two moments.
BYTES = 4
ADAM_FACTOR = 4


def _size(params: int) -> str:
    """Memory of ``params`` float32 values.

    >>> _size(82_769), _size(411_041_920)
    ('331 kB', '1.6 GB')
    """
    size = params * BYTES
    for unit, scale in (("GB", 1e9), ("MB", 1e6)):
        if size >= scale:
            return f"{size / scale:,.1f} {unit}"
    return f"{size / 1e3:,.0f} kB"


class ParameterBudget(Rule):
    """What it does: reports a model whose total parameter count exceeds ``max-params``
    (default 100,000,000; set your own budget in ``[tool.archlint.rules.parameter-budget]``),
    with its float32 size and its three largest layers. When some layers' parameters are
    unknown, the known ones are a lower bound, reported once it already exceeds the budget.

    Why it matters: parameters cost memory (4 bytes each in float32, about 4 times that
    while training with Adam), time, and data to fit them. An accidental Flatten of a large
    feature map into a Dense layer easily adds hundreds of millions.

    Example: ``Flatten()`` of a ``(224, 224, 64)`` feature map into ``Dense(128)``:
    411 million parameters.

    Use instead: global pooling or more downsampling before the dense layers, fewer units,
    or a budget that fits the model (``max-params``).
    """

    code = codes.PARAMETER_BUDGET
    name = "parameter-budget"
    severity = Severity.WARNING
    summary = "The model has more parameters than the budget allows"
    options = {"max-params": None}  # off until a budget is configured
    EXAMPLE_OPTIONS = {"max-params": 100_000_000}
    INVALID = (
        Invalid(
            "from keras import layers, Input, Model\nx = Input(shape=(224, 224, 64))\n"
            "model = Model(x, layers.Dense(128)(layers.Flatten()(x)))\n",
            line=3, message="Model 'functional' has 411,041,920 parameters, above"),
    )
    VALID = (
        "from keras import layers, Input, Model\nx = Input(shape=(224, 224, 64))\n"
        "h = layers.GlobalAveragePooling2D()(x)\n"
        "model = Model(x, layers.Dense(128)(h))\n",
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        budget = self.settings["max-params"]
        if budget is None:
            return
        for analysis in ctx.models:
            counts = [(layer, layer_params(layer)) for layer in analysis.model.layers]
            known = [(layer, n) for layer, n in counts if n is not None]
            unknown = len(counts) - len(known)
            counted = analysis.total
            exact = isinstance(counted, int)  # not an expression over a named size
            total = counted if isinstance(counted, int) else sum(n for _, n in known)
            if total <= budget:
                continue
            whose = "1 layer's" if unknown == 1 else f"{unknown} layers'"
            amount = f"{total:,}" if exact else \
                f"at least {total:,} ({whose} parameters unknown)"
            largest = sorted(known, key=lambda item: -item[1])[:3]
            top = ", ".join(f"{label(layer)} {n:,} ({n / total:.0%})"
                            for layer, n in largest if n)
            yield Finding(
                f"Model '{analysis.model.name}' has {amount} parameters, above "
                f"max-params={budget:,}: {_size(total)} of float32 weights, about "
                f"{_size(total * ADAM_FACTOR)} while training with Adam. Largest: "
                f"{top}. Use global pooling or more downsampling before dense layers, "
                "fewer units, or raise max-params",
                analysis.model.span, analysis.model.name)
