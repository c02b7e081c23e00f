"""Tensor-operation calls checked against real TensorFlow and Keras 3 (tests.test_tensor_ops).

A case is a call as a script writes it: the qualified name of the function, its positional
and keyword arguments, with a shape wherever the function takes a tensor (the name table
says which parameters those are). A size written as a letter (``"T"``) is symbolic: the
test binds it to two different numbers and runs the call on zeros of each shape. No
expected result is written here; TensorFlow gives them.
"""

from __future__ import annotations

from itertools import count
from typing import Any, NamedTuple


class OpCase(NamedTuple):
    id: str
    qualified: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    # Numbers for the symbolic sizes, one mapping per run.
    bindings: tuple[dict[str, int], ...]


BINDINGS = ({"T": 5, "U": 7, "None": 2}, {"T": 9, "U": 4, "None": 3})
_ids = count()
CASES: list[OpCase] = []


def case(qualified: str, *args: Any, bindings: tuple[dict[str, int], ...] = BINDINGS,
         **kwargs: Any) -> None:
    CASES.append(OpCase(f"{next(_ids):03d}-{qualified}", qualified, args, kwargs, bindings))


def both(tf_name: str, keras_name: str, *args: Any, **kwargs: Any) -> None:
    """The same call through TensorFlow's and keras.ops's spellings."""
    case(tf_name, *args, **kwargs)
    case(keras_name, *args, **kwargs)


S = slice
E = Ellipsis

# Elementwise operations: NumPy broadcasting.
for a, b in [((2, 3), (2, 3)), ((4, 1, 3), (5, 1)), ((None, "T", 8), (8,)), ((2, 3), (4, 3)),
             (("T", 1), (1, "T")), ((), (3, 4)), ((2, "T"), (2, 3)), ((3, 1), (2, 1, 4)),
             (("T", 4), ("T", 1)), ((2, 3), (3, 2))]:
    both("tf.add", "keras.ops.add", a, b)
for name in ("subtract", "multiply", "maximum", "equal"):
    both(f"tf.{name}", f"keras.ops.{name}", (None, 1, 4), (3, 1))
both("tf.math.floordiv", "keras.ops.floor_divide", ("T", 3), (1, 3))
both("tf.math.squared_difference", "keras.ops.power", (2, 1), (1, 5))
both("tf.divide", "keras.ops.divide", (2, 3), (2, 4))
for op in ("add", "sub", "mul", "truediv", "pow"):
    case(f"operator.{op}", (None, "T", 4), (4,))
case("operator.mul", (3, 4), (4, 3))
both("tf.where", "keras.ops.where", (3, 1), (1, 4), ())
both("tf.where", "keras.ops.where", (3, 2), (3, 4), (3, 4))
case("tf.add_n", [(2, 3), (2, 3)])
case("tf.add_n", [(2, 3), (1, 3)])
case("tf.broadcast_to", (3, 1), (2, 3, 4))
case("keras.ops.broadcast_to", (3, 1), (2, 3, 4))
both("tf.broadcast_to", "keras.ops.broadcast_to", (3, 2), (3, 4))
both("tf.broadcast_to", "keras.ops.broadcast_to", (2, 3, 4), (3, 4))

# Shape-keeping functions of one tensor.
for name in ("sqrt", "exp", "abs", "tanh", "sigmoid"):
    both(f"tf.{name}", f"keras.ops.{name}", (None, "T", 3))
for name in ("relu", "gelu", "elu", "softplus", "leaky_relu", "silu"):
    both(f"tf.nn.{name}", f"keras.ops.{name}", ("T", 2, 3))
both("tf.cast", "keras.ops.cast", (2, "T"), "int32")
both("tf.nn.softmax", "keras.ops.softmax", (2, "T", 3), axis=1)
both("tf.nn.softmax", "keras.ops.softmax", (2, 3), axis=2)
both("tf.math.l2_normalize", "keras.ops.normalize", (2, 3), axis=-1)
case("tf.clip_by_value", (2, 3), 0.0, 1.0)
case("keras.ops.clip", (2, 3), 0.0, 1.0)
case("operator.neg", (2, "T"))

# Matrix products.
for a, b in [((3, 4), (4, 5)), ((2, 3, 4), (2, 4, 5)), ((2, 3, 4), (4, 5)), ((3, 4), (5, 6)),
             ((2, 1, 3, 4), (5, 4, 2)), ((None, "T", 4), (4, 8)), ((2, 3, 4), (3, 4, 5)),
             (("T", 4), (4, "T")), ((3, "T"), ("T", 2))]:
    both("tf.matmul", "keras.ops.matmul", a, b)
    case("operator.matmul", a, b)
for a, b in [((3, 4), (4,)), ((4,), (4, 5)), ((4,), (4,)), ((4,), (2, 4, 5)), ((), (3, 3))]:
    both("tf.matmul", "keras.ops.matmul", a, b)
case("tf.matmul", (2, 4, 3), (2, 4, 5), transpose_a=True)
case("tf.matmul", (3, 4), (5, 4), transpose_b=True)
case("tf.matmul", (3, 4), (4, 5), transpose_b=True)
both("tf.tensordot", "keras.ops.tensordot", (2, 3, 4), (3, 4, 5))
both("tf.tensordot", "keras.ops.tensordot", (2, 3), (3, 5), 1)
both("tf.tensordot", "keras.ops.tensordot", (2, 3, 4), (4, 3, 5), [[1, 2], [1, 0]])
both("tf.tensordot", "keras.ops.tensordot", (2, 3), (4, 5), 1)
case("keras.ops.dot", (2, 3, 4), (5, 4, 6))
case("keras.ops.dot", (3,), (3,))
case("keras.ops.dot", (2, 3), (3,))

# Indexing and slicing.
for index in [(S(None), -1), (E, S(None, 3)), (S(None), None), 0, -1, (S(1, None),),
              (S(None), S(1, None)), (S(None), S(None, -1)), (S(None), S(-3, None)),
              (S(None), S(None, None, -1)), (S(None), S(None, None, 2)), (S(None), S(2, -1)),
              (E, None), (None, E, 0), (S(None), S(1, -1, 2)), (S(None), S(-2, -1)),
              (S(None), S(None, 4)), (0, 0, 0), (0, 0, 0, 0), (E, E), (S(None), 20),
              (S(None), -20), (S(None), S(5, 2)), (S(None), S(None, None, -2)),
              (S(None), S(-1, None, -1)), (1, S(None), 2), (S(None), S(-100, 100))]:
    case("operator.getitem", (3, "T", 4), index)
case("operator.getitem", (3, 4), (S(None), 2))
case("operator.getitem", (3, 4), (S(None), 4))
case("operator.getitem", ("T", "U"), (S(1, None), S(None, -2)))

# Joining and splitting.
for shapes, axis in [([(2, 3), (2, 4)], -1), ([(2, 3), (4, 3)], 0), ([(2, 3), (3, 3)], 1),
                     ([(None, "T", 3), (None, 1, 3)], 1), ([(2, "T"), (2, "T")], 1),
                     ([(2, 3), (2, 3, 1)], 0), ([(2, 3), (2, 3)], 2), ([(2, 3)], 0),
                     ([("T", 3), ("T", 4)], -1), ([(2, 3), (2, 3), (2, 5)], -1)]:
    both("tf.concat", "keras.ops.concatenate", shapes, axis)
case("keras.ops.concatenate", [(2, 3), (4, 3)])
for shapes, axis in [([(2, 3), (2, 3)], 0), ([(2, 3), (2, 3)], -1), ([(2, "T")] * 3, 1),
                     ([(2, 3), (2, 4)], 0), ([(2, 3), (2, 3)], 3), ([(2, 3), (2, 3)], -3)]:
    both("tf.stack", "keras.ops.stack", shapes, axis)
for shape, how, axis in [((6, 4), 3, 0), ((6, 4), 3, 1), ((2, "T"), [2, -1], 1),
                         ((2, 7), [2, 5], 1), ((2, 7), [2, 4], 1), ((2, 7), [3, -1, 2], -1),
                         ((2, 3), [4, -1], 1), ((None, 8), 4, -1), ((2, 5), [0, 5], 1)]:
    case("tf.split", shape, how, axis)
for shape, how, axis in [((6, 4), 3, 0), ((6, 4), 3, 1), ((2, "T"), [2], 1), ((7,), [2, 5], 0),
                         ((7,), [2, 9], 0), ((7,), [4, 2], 0), ((2, 8), 4, -1),
                         ((2, 7), [0, 3], 1)]:
    case("keras.ops.split", shape, how, axis)
both("tf.unstack", "keras.ops.unstack", (2, 3, 4), axis=1)
both("tf.unstack", "keras.ops.unstack", (2, 3, 4), axis=-1)
for shape, reps in [((2, 3), [1, 4]), ((2, "T"), [3, 2]), ((2, 3), [2]), ((2, 3), [2, 2, 2])]:
    case("tf.tile", shape, reps)
    case("keras.ops.tile", shape, reps)
for shape, reps, axis in [((2, "T"), 2, 1), ((2, 3), 2, None), ((3,), [1, 2, 3], 0),
                          ((3, 2), [1, 2], 0), ((2, 3), 3, -1)]:
    both("tf.repeat", "keras.ops.repeat", shape, reps, axis)

# Rearranging axes.
for shape, target in [((2, 3, 4), (-1, 2)), ((2, 3, 4), (6, 4)), ((2, 3, 4), (5, 5)),
                      ((2, "T", 4), (2, -1)), ((2, "T", 4), (-1,)), ((2, 3), (-1, -1)),
                      ((2, 6), (-1, 4)), ((2, "T", 6), (2, "T", 3, 2)),
                      ((2, "T", 6), (2, "T", -1)), ((2, 3), (3, 2)), ((2, 5), (-1, 3))]:
    both("tf.reshape", "keras.ops.reshape", shape, target)
case("keras.ops.ravel", (2, "T", 4))
for shape, axis in [((2, 3), -1), ((2, 3), 0), ((2, 3), 2), ((2, 3), 3), ((2, 3), -3),
                    ((2, 3), -4), ((2, "T"), 1)]:
    both("tf.expand_dims", "keras.ops.expand_dims", shape, axis)
case("keras.ops.expand_dims", (4,), (0, 2))
for shape, axis in [((2, 1, 3), 1), ((2, 1, 3, 1), None), ((2, 3), 1), ((1, 2, 1), [0, 2]),
                    ((2, 1, 3), -2), ((2, 1), 2), ((1, 1), None), (("T", 1, 3), 1)]:
    both("tf.squeeze", "keras.ops.squeeze", shape, axis)
for shape, perm in [((2, 3, 4), (0, 2, 1)), ((2, 3, 4), None), ((2, "T", 4), (1, 0, 2)),
                    ((2, 3, 4), (0, 1)), ((2, 3, 4), (0, 0, 1)), ((2, 3, 4), (0, 1, 3)),
                    ((2, 3), (1, 0))]:
    both("tf.transpose", "keras.ops.transpose", shape, perm)
case("keras.ops.swapaxes", (2, 3, 4), 0, -1)
case("keras.ops.moveaxis", (2, 3, 4), 0, -1)
case("keras.ops.moveaxis", (2, 3, 4), (0, 1), (2, 0))
for shape, depth, axis in [((2, "T"), 5, -1), ((2, 3), 4, 1), ((2, 3), 4, 0), ((3,), 0, -1),
                           ((2, 3), 4, 3)]:
    both("tf.one_hot", "keras.ops.one_hot", shape, depth, axis=axis)
case("tf.shape", (2, "T", 4))
case("tf.shape", ())
case("tf.size", (2, 3))
case("keras.ops.size", (2, 3))

# Reductions.
for name in ("mean", "sum", "max", "min", "prod"):
    both(f"tf.reduce_{name}", f"keras.ops.{name}", (2, "T", 4), axis=1)
for axis, keepdims in [(None, False), (None, True), (-1, True), ((0, 2), False), ((0, 2), True),
                       ((1, 1), False), (3, False), (-4, False), ((), False), ([0, -1], True)]:
    both("tf.reduce_mean", "keras.ops.mean", (2, "T", 4), axis=axis, keepdims=keepdims)
both("tf.reduce_any", "keras.ops.any", (2, 3), axis=0)
both("tf.reduce_all", "keras.ops.all", (2, 3), axis=-1, keepdims=True)
both("tf.math.reduce_logsumexp", "keras.ops.logsumexp", (2, 3), axis=1)
both("tf.math.reduce_std", "keras.ops.std", (2, 3), axis=0)
for axis in (None, 0, -1, 2):
    both("tf.argmax", "keras.ops.argmax", (2, 3), axis=axis)
case("keras.ops.argmin", (2, 3, 4), axis=1, keepdims=True)
case("tf.math.cumsum", (2, 3), axis=1)
case("keras.ops.cumsum", (2, 3))
case("keras.ops.cumsum", (2, 3), axis=1)

# einsum.
for equation, shapes in [("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]), ("ij->ji", [(2, 3)]),
                         ("...ij,...jk->...ik", [(7, 2, 3), (3, 4)]),
                         ("ij,jk", [(2, 3), (3, 4)]), ("bi,bi->b", [(4, 3), (4, 5)]),
                         ("bti,ij->btj", [(2, "T", 3), (3, 5)]), ("ii->i", [(3, 3)]),
                         ("ij->", [(2, 3)]), ("bij,bkj->bik", [(2, 3, 4), (2, 5, 4)]),
                         ("...i,...i->...", [(2, 3, 4), (3, 4)]), ("ij,jk->ik", [(2, 3)]),
                         ("bhqd,bhkd->bhqk", [(2, 4, "T", 8), (2, 4, "T", 8)]),
                         ("ij,jk->il", [(2, 3), (3, 4)]), ("ijk->ij", [(2, 3)])]:
    both("tf.einsum", "keras.ops.einsum", equation, *shapes)

# Undefined and symbolic sizes, and the refusals around them.
both("tf.squeeze", "keras.ops.squeeze", (None, 1, 5), None)
both("tf.squeeze", "keras.ops.squeeze", (2, "T", 1), None)
both("tf.squeeze", "keras.ops.squeeze", (2, "T", 1), -1)
both("tf.squeeze", "keras.ops.squeeze", ("T", 3), 0)
both("tf.concat", "keras.ops.concatenate", [(None, 4), (None, 4)], 0)
both("tf.concat", "keras.ops.concatenate", [("T", 4), ("U", 4)], 0)
both("tf.concat", "keras.ops.concatenate", [("T", 4), ("T", 5)], 0)
both("tf.einsum", "keras.ops.einsum", "...ij,...jk->...ik", (2, 3, 4), (5, 4, 6))
both("tf.einsum", "keras.ops.einsum", "...ij,...jk->...ik", (2, 1, 3, 4), (5, 4, 6))
both("tf.einsum", "keras.ops.einsum", "btd,bsd->bts", (None, "T", 8), (None, "U", 8))
both("tf.einsum", "keras.ops.einsum", "ab...,b->a...", (2, 3, 4, 5), (3,))
for shape, how, axis in [((2, "T"), 2, 1), ((None, 4), [1, 3], -1), ((2, "T"), [1, 1, -1], 1)]:
    case("tf.split", shape, how, axis)
case("keras.ops.split", (2, "T"), [1, 3], 1)
case("keras.ops.split", (None, 9), 3, 1)
both("tf.one_hot", "keras.ops.one_hot", (2, 3), -1, axis=-1)
both("tf.reshape", "keras.ops.reshape", (2, 0, 4), (0, -1))
both("tf.reshape", "keras.ops.reshape", (None, "T", 8), (-1, 4))
both("tf.reshape", "keras.ops.reshape", (2, 3, 4), (-2, 12))
case("tf.tile", (2, 3), [-1, 1])
both("tf.expand_dims", "keras.ops.expand_dims", (None, "T"), -1)
both("tf.transpose", "keras.ops.transpose", (2, 3, 4), (-1, 0, 1))
both("tf.stack", "keras.ops.stack", [(2, 3)], 1)
both("tf.stack", "keras.ops.stack", [("T", 3), ("T", 3)], 1)
both("tf.reduce_sum", "keras.ops.sum", (None, "T", 3), axis=[1, 2])
both("tf.reduce_max", "keras.ops.max", (None, "T", 3), axis=-2, keepdims=True)
case("keras.ops.argmax", (2, 3, 4), keepdims=True)
case("tf.matmul", (None, "T", 4), (None, "T", 4), transpose_b=True)
case("tf.matmul", (5, 2, 3), (1, 3, 4))
both("tf.nn.softmax", "keras.ops.softmax", (None, "T"), axis=-1)
both("tf.one_hot", "keras.ops.one_hot", (None, "T"), 7, axis=1)
both("tf.repeat", "keras.ops.repeat", (None, "T", 2), 3, 1)
both("tf.tile", "keras.ops.tile", (None, "T"), [1, 2])
for index in [(S(None), S(None, None, 3)), (S(None), S(1, None, 2)), (S(None), S(-2, None)),
              (S(None), S(None, -2)), (S(None), S(None, 1)), (S(None), S(0, None, -1)),
              (S(None), S(-5, -1, 2)), (E, 0), (E, -1, None), (None, None)]:
    case("operator.getitem", (None, "T", "U"), index)
case("operator.getitem", (None, 3), (S(None), S(None), 0))
case("operator.add", (None, "T", 4), (None, "U", 4))
case("operator.matmul", (None, "T", 4), (4,))
case("keras.ops.matmul", (None, "T", 4), (4,))
both("tf.reshape", "keras.ops.reshape", (2, 0, 3), (0, 4, -1))
both("tf.reshape", "keras.ops.reshape", (2, 3), (0, -1))
both("tf.reshape", "keras.ops.reshape", (2, 0), (3, -1))

# Picking, padding and making tensors.
for params, indices, axis in [((10, 4), (None, 3), 0), ((2, 10, 4), (2, 3), 1),
                              ((10, 4), (3,), 2), ((10, 4), (3,), -1)]:
    case("tf.gather", params, indices, axis=axis)
    case("keras.ops.take", params, indices, axis=axis)
case("tf.gather", (10, 4), (5,))
case("keras.ops.take", (10, 4), (5,))
case("tf.gather", (2, 10, 4), (2, 3), axis=1, batch_dims=1)
case("tf.gather", (2, 10, 4), (2, 3), axis=0, batch_dims=1)
for shape, paddings in [((2, "T", 3), [[0, 0], [2, 1], [0, 0]]), ((2, 3), [[1, 1]]),
                        ((2, 3), [[0, 0], [-1, 0]])]:
    case("tf.pad", shape, paddings)
for shape, width in [((2, "T"), 1), ((2, 3), (1, 2)), ((2, 3), ((0, 0), (1, 2))),
                     ((2, 3), ((1, 2),)), ((2, 3), ((0, 0), (1, 2), (3, 3)))]:
    case("keras.ops.pad", shape, width)
both("tf.math.top_k", "keras.ops.top_k", (None, 10), 3)
both("tf.math.top_k", "keras.ops.top_k", (2, 3), 4)
both("tf.math.top_k", "keras.ops.top_k", (2, "T"), 3)
case("tf.sequence_mask", (None,), 20)
case("tf.sequence_mask", (2, 3), 5)
for bounds in [(5,), (2, 11, 3), (5, 2), (10, 0, -3), (0,), (2, 9, 2)]:
    both("tf.range", "keras.ops.arange", *bounds)
both("tf.zeros", "keras.ops.zeros", [2, 3])
both("tf.ones", "keras.ops.ones", (4,))
case("tf.fill", [2, 3], 1.0)
both("tf.random.normal", "keras.random.normal", [2, 3])
both("tf.random.uniform", "keras.random.uniform", (4,), maxval=2.0)
both("tf.random.truncated_normal", "keras.random.truncated_normal", [3, 1], stddev=0.5)
case("keras.ops.full", [2, 3], 1.0)
case("tf.reverse", (2, "T"), [1])
case("keras.ops.flip", (2, "T"), 1)
case("tf.roll", (2, 5), 1, 1)
case("keras.ops.roll", (2, 5), 1, 1)
case("keras.ops.triu", (3, 3))
