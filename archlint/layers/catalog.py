"""The public layer classes of ``keras.layers`` (Keras 3) and ``tf_keras.layers`` that have no
formula in archlint, each with the reason it cannot have one.

Every other public layer class of either package has a ``LayerSpec`` (``lookup(name)``);
``tests/test_layer_catalog.py`` lists the installed packages' classes and fails on a class
that is in neither place. A script that uses one of these gets an unknown output shape,
with the reason given here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from archlint.records import record

if TYPE_CHECKING:
    from archlint.layers.base import LayerSpec

KERAS3 = "3"
TF_KERAS = "2"


@record(frozen=True)
class NoFormula:
    """A layer class without a formula: why, and which Keras has the class."""

    class_name: str
    reason: str
    versions: tuple[str, ...] = (KERAS3, TF_KERAS)


_SUBCLASS = ("a base class: a model holds an instance of a subclass the user wrote, whose "
             "call() is code archlint does not run")
_FOREIGN = ("wraps a model of another framework ({}): its shapes and weights are that "
            "model's code, which archlint does not read")

NO_FORMULA: tuple[NoFormula, ...] = (
    NoFormula("Layer", _SUBCLASS),
    NoFormula("Wrapper", _SUBCLASS + " (a wrapper of another layer)"),
    NoFormula("AbstractRNNCell", _SUBCLASS + " (a recurrent cell)", (TF_KERAS,)),
    NoFormula("Lambda", "its function decides the output shape, and archlint does not run "
                        "the function"),
    NoFormula("JaxLayer", _FOREIGN.format("a JAX function"), (KERAS3,)),
    NoFormula("FlaxLayer", _FOREIGN.format("a Flax module"), (KERAS3,)),
    NoFormula("TorchModuleWrapper", _FOREIGN.format("a PyTorch module"), (KERAS3,)),
    NoFormula("TFSMLayer", "loads a TensorFlow SavedModel from disk when the script runs: "
                           "its shapes are the saved model's, unknown to a static reading",
              (KERAS3,)),
    NoFormula("DenseFeatures", "its output width is the sum of its feature columns' widths, "
                               "tf.feature_column objects that archlint does not follow",
              (TF_KERAS,)),
    NoFormula("RandomHeight", "its output height is random in training and the input's at "
                              "inference, so the shape depends on the mode the model is "
                              "called in", (TF_KERAS,)),
    NoFormula("RandomWidth", "its output width is random in training and the input's at "
                             "inference, so the shape depends on the mode the model is "
                             "called in", (TF_KERAS,)),
)

_BY_NAME = {entry.class_name: entry for entry in NO_FORMULA}


def no_formula(class_name: str) -> NoFormula | None:
    """Why a Keras layer class has no formula, if it is one of those.

    >>> no_formula("Lambda").versions
    ('3', '2')
    """
    return _BY_NAME.get(class_name)


def formula_options(spec: LayerSpec) -> list[str]:
    """The options a layer's formulas read: the positional ones in Keras's order, then the
    others, then the layers it holds.

    >>> from archlint.layers import lookup
    >>> formula_options(lookup("Dense"))[:2]
    ['units', 'activation']
    """
    options: list[str] = []
    for option in (*spec.positional, *spec.defaults, *spec.nested):
        if option not in options:
            options.append(option)
    return options
