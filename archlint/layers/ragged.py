"""Layers on ragged tensors: which ones act row by row, which ones Keras cannot apply.

A ragged tensor (``keras.Input(shape=(None,), ragged=True)``, TensorFlow only) has axes
whose length differs from row to row: archlint marks them with ragged symbols
(``Sym(ragged=True)``). Keras's layers declare the same shapes for ragged and dense
inputs, but many of them fail when the model is called on one, and some give what the
rows' lengths decide. So a layer keeps figures on a ragged input only where a forward pass
on ragged data gives the declared shape, in the Keras versions the script runs under;
``tests/test_ragged_inputs.py`` checks every entry below in both versions.
"""

from __future__ import annotations

from archlint.codes import RAGGED_TENSOR_REFUSED
from archlint.dims import Sym, holds_ragged
from archlint.layer_types import LayerInstance, OutputShape, Shape, label
from archlint.layers.base import (
    BOTH_VERSIONS,
    KERAS2_ONLY,
    KERAS3_ONLY,
    ShapeError,
    Unresolved,
    target_versions,
)
from archlint.unknown import Unmodelled

_KERAS3, _KERAS2 = KERAS3_ONLY, KERAS2_ONLY
_NAMES = {"3": "Keras 3", "2": "tf-keras"}

# Layers whose forward pass on a ragged tensor gives their declared shape (ragged axes
# kept or reduced away), by the Keras versions where it does.
ROW_BY_ROW: dict[str, tuple[str, ...]] = {
    **dict.fromkeys((
        "Embedding", "Dropout", "SpatialDropout1D", "GaussianNoise", "GaussianDropout",
        "Activation", "ReLU", "LeakyReLU", "ELU", "PReLU", "Softmax", "Rescaling",
        "Identity", "LayerNormalization", "Add", "Subtract", "Multiply", "Average",
        "Maximum", "Minimum", "Concatenate", "GlobalAveragePooling1D",
        "GlobalMaxPooling1D", "IntegerLookup", "Hashing", "CategoryEncoding",
    ), BOTH_VERSIONS),
    **dict.fromkeys(("BatchNormalization", "UnitNormalization", "RMSNormalization"), _KERAS3),
    **dict.fromkeys(("Dense", "LSTM", "GRU", "SimpleRNN", "Bidirectional", "TimeDistributed",
                     "Masking", "ActivityRegularization"), _KERAS2),
}

# Layers Keras cannot apply to a ragged tensor: the versions that fail, those among them
# that still build the model (the error comes when it is called), and what Keras says.
FAILS_ON_RAGGED: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    **dict.fromkeys(("Dense", "TimeDistributed"), (
        _KERAS3, _KERAS3, "object of type 'RaggedTensor' has no len()")),
    **dict.fromkeys(("LSTM", "GRU", "SimpleRNN", "Bidirectional"), (
        _KERAS3, _KERAS3, "Cannot index into an inner ragged dimension")),
    "Masking": (_KERAS3, _KERAS3, "a reshape of the ragged values fails"),
    "ActivityRegularization": (_KERAS3, _KERAS3,
                               "'RaggedTensor' object has no attribute 'ndim'"),
    "Conv1D": (BOTH_VERSIONS, _KERAS3, "the ragged tensor is not converted to a dense one"),
    "BatchNormalization": (_KERAS2, (), "'RaggedTensor' object has no attribute 'set_shape'"),
    "UnitNormalization": (_KERAS2, (), "the ragged tensor is not converted to a dense one"),
}


def is_ragged(shape: Shape) -> bool:
    return any(holds_ragged(d) for d in shape)


def check_ragged_call(instance: LayerInstance, inputs: list[Shape],
                      output: OutputShape) -> None:
    """Nothing when the layer's figures hold on ragged inputs; raises ShapeError where
    Keras fails when the model is called, Unresolved where archlint cannot tell."""
    if not any(is_ragged(s) for s in inputs):
        return
    name, target = label(instance), instance.target
    versions = target_versions(target)
    failing = FAILS_ON_RAGGED.get(instance.class_name)
    if failing is not None and any(v in failing[0] for v in versions):
        refused_by, builds, said = failing
        at_build = [v for v in refused_by if v not in builds]
        when = ("Keras builds the model, but calling it fails" if not at_build else
                "Keras refuses it when the model is built" if not builds else
                f"{_NAMES[builds[0]]} builds the model but fails when it is called, "
                f"{_NAMES[at_build[0]]} refuses it when the model is built")
        raise ShapeError(RAGGED_TENSOR_REFUSED, f"{name} is called on a ragged tensor: {when} "
                         f"({said})", build_accepts=builds,
                         refused_by=refused_by).for_target(target)
    passing = ROW_BY_ROW.get(instance.class_name, ())
    if not all(v in passing for v in versions):
        raise Unresolved(Unmodelled(
            f"{name} on a ragged tensor: archlint does not know what it gives there (the "
            "rows' lengths may decide it)"))
    outputs = output if isinstance(output, list) else [output]
    for shape in outputs:
        if isinstance(shape, tuple) and any(holds_ragged(d) and not isinstance(d, Sym)
                                            for d in shape):
            raise Unresolved(Unmodelled(
                f"{name} computes a size from a ragged axis ({shape}), which differs from "
                "row to row"))
