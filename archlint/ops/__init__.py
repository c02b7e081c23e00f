"""Shape formulas of tensor operations in model scripts: ``x + y``, ``x @ w``, ``x[:, -1]``,
and the common functions of ``keras.ops`` and ``tf`` (``concat``, ``reshape``,
``reduce_mean``, ``einsum``, ...).

Each formula is a pure function from input shapes (tuples of ``archlint.dims.Dim``) and
static options to the output shape, raising ``ShapeError`` where TensorFlow or Keras refuses
the call (with ``condition`` set when only some values of the symbolic sizes fail) and
``Unresolved`` where the shape cannot be known statically. Nothing here imports TensorFlow,
Keras or NumPy.

>>> lookup("tf.concat").call([(None, 3), (None, 4)], axis=-1)
(None, 7)
>>> lookup("keras.ops.mean").call((None, 5, 3), axis=1, keepdims=True)
(None, 1, 3)
>>> lookup("operator.getitem").call((None, 10, 4), (slice(None), -1))
(None, 4)
"""

from __future__ import annotations

from archlint.ops.table import AST_OPERATORS, SPELLINGS, Spelling


def lookup(qualified: str) -> Spelling | None:
    """The spelling of an operation by its qualified name (``tf.concat``,
    ``keras.ops.concatenate``, ``tf.math.reduce_mean``, ``operator.matmul``)."""
    return SPELLINGS.get(qualified)


__all__ = ["AST_OPERATORS", "SPELLINGS", "Spelling", "lookup"]
