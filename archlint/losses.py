"""The loss a model is compiled with, per output, as rules read it: its family and
whether it takes logits.

>>> parse_loss("mse")
Loss(label="'mse'", family='regression', from_logits=False)
"""

from __future__ import annotations

from typing import Any

from archlint.graph import KerasConstruct, KerasName, Model
from archlint.records import record

# Loss names (lower case, without underscores) by family.
LOSS_FAMILIES = {
    "categoricalcrossentropy": "categorical", "categoricalfocalcrossentropy": "categorical",
    "binarycrossentropy": "binary", "bce": "binary", "binaryfocalcrossentropy": "binary",
    "sparsecategoricalcrossentropy": "sparse",
    "meansquarederror": "regression", "mse": "regression", "meanabsoluteerror": "regression",
    "mae": "regression", "meanabsolutepercentageerror": "regression", "mape": "regression",
    "meansquaredlogarithmicerror": "regression", "msle": "regression",
    "huber": "regression", "logcosh": "regression", "poisson": "regression",
}
# Loss classes whose first positional argument is from_logits.
FROM_LOGITS_FIRST = frozenset({"binarycrossentropy", "categoricalcrossentropy",
                               "sparsecategoricalcrossentropy"})


@record(frozen=True)
class Loss:
    label: str  # as the script names it
    family: str | None  # categorical, sparse, binary, regression, or None
    from_logits: bool | None  # None: unknown


def parse_loss(value: object) -> Loss | None:
    """A loss given to compile(): a string, a function, or a Loss object.

    >>> from archlint.frontend.values import KerasObject
    >>> parse_loss("binary_crossentropy")
    Loss(label="'binary_crossentropy'", family='binary', from_logits=False)
    >>> parse_loss(KerasObject("keras.losses.CategoricalCrossentropy", (True,)))
    Loss(label='CategoricalCrossentropy(from_logits=True)', family='categorical', \
from_logits=True)
    """
    if isinstance(value, str):
        key = value.lower().replace("_", "")
        return Loss(repr(value), LOSS_FAMILIES.get(key), False)
    if isinstance(value, KerasConstruct):
        leaf = value.path.rsplit(".", 1)[-1]
        key = leaf.lower().replace("_", "")
        kwargs = dict(value.kwargs)
        logits: Any = kwargs.get("from_logits", False)
        if "from_logits" not in kwargs and key in FROM_LOGITS_FIRST and value.args:
            logits = value.args[0]
        from_logits = logits if isinstance(logits, bool) else None
        label = f"{leaf}(from_logits={logits})" if from_logits else f"{leaf}()"
        return Loss(label, LOSS_FAMILIES.get(key), from_logits)
    if isinstance(value, KerasName):
        leaf = value.path.rsplit(".", 1)[-1]
        return Loss(leaf, LOSS_FAMILIES.get(leaf.lower().replace("_", "")), False)
    return None


def output_losses(model: Model) -> list[Loss | None]:
    """The loss of each model output (a single loss applies to every output)."""
    count = len(model.outputs)
    loss = model.compile.loss if model.compile is not None else None
    if isinstance(loss, dict):
        return [parse_loss(loss.get(ref.call.layer.name)) for ref in model.outputs]
    if isinstance(loss, (list, tuple)):
        return [parse_loss(v) for v in loss] if len(loss) == count else [None] * count
    return [parse_loss(loss)] * count
