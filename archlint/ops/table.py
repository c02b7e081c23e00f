"""The name table: every spelling of a tensor operation (``tf.concat``,
``keras.ops.concatenate``, ``x + y``) with how its arguments map onto a formula.

A spelling lists its own parameters in order (``positional``, ``*name`` takes the rest), which
of them are tensors (``tensors``; a list of tensors for ``concat``), and how a parameter is
called in the formula when the names differ (``options``: None for a parameter that does not
change the shape, such as ``dtype`` or ``name``; ``"*"`` for one passed by position).
``call`` binds a call's arguments the way Python would and runs the formula, given shapes for
the tensors and static values otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from archlint.layers.base import INVALID_CONFIG, OutputShape, ShapeError
from archlint.ops import elementwise as ew
from archlint.ops import gathering, indexing, joining, layout, reductions
from archlint.records import record


@record(frozen=True)
class Spelling:
    """One name of an operation, in one namespace, and its parameters."""

    qualified: str
    formula: Callable[..., OutputShape]
    positional: tuple[str, ...]
    tensors: tuple[str, ...]
    options: tuple[tuple[str, str | None], ...] = ()
    # Parameters without a default (the formula's default is another spelling's).
    required: tuple[str, ...] = ()
    # Parameters that may hold scalar tensors, read as values known only at run time.
    runtime: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.qualified.rsplit(".", 1)[-1]

    def bind(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        """The spelling's parameters by name, as Python binds the call."""
        bound: dict[str, Any] = {}
        params = list(self.positional)
        rest = next((p for p in params if p.startswith("*")), None)
        fixed = params[:params.index(rest)] if rest else params
        if len(args) > len(fixed) and rest is None:
            raise ShapeError(INVALID_CONFIG, f"{self.qualified} takes at most {len(fixed)} "
                             f"positional arguments, got {len(args)}")
        bound.update(zip(fixed, args))
        if rest:
            bound[rest] = tuple(args[len(fixed):])
        for key, value in kwargs.items():
            if key not in fixed:
                raise ShapeError(INVALID_CONFIG, f"{self.qualified} has no parameter {key!r}")
            if key in bound:
                raise ShapeError(INVALID_CONFIG, f"{self.qualified} got {key!r} twice")
            bound[key] = value
        return bound

    def call(self, *args: Any, **kwargs: Any) -> OutputShape:
        """The output shape of a call; tensors are given as shapes."""
        renames = dict(self.options)
        formula_args: list[Any] = []
        formula_kwargs: dict[str, Any] = {}
        bound = self.bind(args, kwargs)
        missing = [p for p in self.required if p not in bound]
        if missing:
            raise ShapeError(INVALID_CONFIG, f"{self.qualified} needs {', '.join(missing)}")
        # In the spelling's order, whatever order the keywords came in.
        for param in (p for p in self.positional if p in bound):
            value = bound[param]
            if param.startswith("*"):
                formula_args.extend(value)
                continue
            target = renames.get(param, param)
            if target == "*":
                formula_args.append(value)
            elif target is not None:
                formula_kwargs[target] = value
        needed = formula_parameters(self.formula)[len(formula_args):]
        missing = [p for p, has_default in needed if not has_default and p not in formula_kwargs]
        if missing:
            raise ShapeError(INVALID_CONFIG, f"{self.qualified} needs {', '.join(missing)}")
        return self.formula(*formula_args, **formula_kwargs)


def formula_parameters(formula: Callable[..., Any]) -> list[tuple[str, bool]]:
    """A formula's named parameters and whether each has a default (without ``inspect``,
    which is slow to import)."""
    code = formula.__code__
    names = code.co_varnames[:code.co_argcount]
    defaults = len(formula.__defaults__ or ())
    return [(name, i >= len(names) - defaults) for i, name in enumerate(names)]


SPELLINGS: dict[str, Spelling] = {}


def _add(names: str, formula: Callable[..., OutputShape], params: str, tensors: str,
         required: str = "", runtime: str = "", **options: str | None) -> None:
    for qualified in names.split():
        SPELLINGS[qualified] = Spelling(qualified, formula, tuple(params.split()),
                                        tuple(tensors.split()), tuple(options.items()),
                                        tuple(required.split()) or tuple(tensors.split()),
                                        tuple(runtime.split()))


def _prefixed(prefixes: str, names: str) -> str:
    return " ".join(f"{p}.{n}" for p in prefixes.split() for n in names.split())


# keras.ops: NumPy's names and semantics.
_UNARY_KERAS = ("sqrt exp log log1p expm1 abs absolute square tanh sigmoid relu relu6 gelu "
                "silu swish elu selu softplus softsign leaky_relu hard_sigmoid negative sign "
                "floor ceil round rsqrt reciprocal erf sin cos zeros_like ones_like "
                "logical_not")
_add(_prefixed("keras.ops", _UNARY_KERAS), ew.identity, "x", "x")
_add("keras.ops.stop_gradient", ew.identity, "variable", "variable", variable="x")
_add("keras.ops.cast", ew.identity, "x dtype", "x", dtype=None)
_add("keras.ops.clip", ew.identity, "x x_min x_max", "x", x_min=None, x_max=None)
_add("keras.ops.softmax keras.ops.log_softmax keras.ops.normalize", ew.along_axis,
     "x axis", "x")
# keras.activations on a tensor (Keras 3 and tf-keras): shape-preserving.
_add(_prefixed("keras.activations", "selu softplus softsign silu swish tanh sigmoid "
                                    "exponential hard_sigmoid hard_silu hard_swish linear "
                                    "mish relu6"), ew.identity, "x", "x")
_add("keras.activations.relu", ew.identity, "x negative_slope max_value threshold", "x",
     negative_slope=None, max_value=None, threshold=None)
_add("keras.activations.elu", ew.identity, "x alpha", "x", alpha=None)
_add("keras.activations.gelu", ew.identity, "x approximate", "x", approximate=None)
_add("keras.activations.leaky_relu", ew.identity, "x negative_slope", "x",
     negative_slope=None)
_add("keras.activations.softmax keras.activations.log_softmax", ew.along_axis, "x axis",
     "x")
# keras.applications' preprocess_input on an image tensor: scaled or channels reordered.
_APPLICATION_MODULES = (
    "convnext", "densenet", "efficientnet", "efficientnet_v2", "inception_resnet_v2",
    "inception_v3", "mobilenet", "mobilenet_v2", "mobilenet_v3", "nasnet", "resnet",
    "resnet50", "resnet_v2", "vgg16", "vgg19", "xception")
_add(_prefixed("keras.applications", " ".join(
    f"{m}.preprocess_input" for m in _APPLICATION_MODULES)), ew.identity, "x data_format",
     "x", data_format=None)
_BINARY_KERAS = ("add subtract multiply divide true_divide floor_divide mod power maximum "
                 "minimum equal not_equal greater greater_equal less less_equal logical_and "
                 "logical_or")
_add(_prefixed("keras.ops", _BINARY_KERAS), ew.broadcast, "x1 x2", "x1 x2",
     x1="*", x2="*")
_add("keras.ops.where", ew.where, "condition x1 x2", "condition x1 x2", x1="x", x2="y")
_add("keras.ops.matmul", ew.matmul, "x1 x2", "x1 x2")
_add("keras.ops.dot", ew.dot, "x1 x2", "x1 x2")
_add("keras.ops.tensordot", ew.tensordot, "x1 x2 axes", "x1 x2")
_add("keras.ops.einsum", reductions.einsum, "subscripts *operands", "*operands",
     subscripts="*")
_add("keras.ops.broadcast_to", ew.broadcast_to, "x shape", "x")
_add(_prefixed("keras.ops", "mean sum max min prod any all amax amin std var logsumexp"),
     reductions.reduce, "x axis keepdims", "x")
_add("keras.ops.argmax keras.ops.argmin", reductions.arg_reduce, "x axis keepdims", "x")
_add("keras.ops.concatenate", joining.concatenate, "xs axis", "xs")
_add("keras.ops.stack", joining.stack, "x axis", "x", x="xs")
_add("keras.ops.split", joining.array_split, "x indices_or_sections axis", "x")
_add("keras.ops.unstack", joining.unstack, "x num axis", "x", x="value")
_add("keras.ops.tile", joining.numpy_tile, "x repeats", "x")
_add("keras.ops.repeat", joining.repeat, "x repeats axis", "x")
_add("keras.ops.reshape", layout.reshape, "x newshape", "x", newshape="shape")
_add("keras.ops.ravel", layout.ravel, "x", "x")
_add("keras.ops.expand_dims", layout.expand_dims, "x axis", "x")
_add("keras.ops.squeeze", layout.squeeze, "x axis", "x")
_add("keras.ops.transpose", layout.transpose, "x axes", "x", axes="perm")
_add("keras.ops.swapaxes", layout.swapaxes, "x axis1 axis2", "x")
_add("keras.ops.moveaxis", layout.moveaxis, "x source destination", "x")
_add("keras.ops.one_hot", layout.one_hot, "x num_classes axis dtype sparse", "x",
     x="indices", num_classes="depth", dtype=None, sparse=None)
_add("keras.ops.size", layout.scalar, "x", "x", x="input")
_add("keras.ops.cumsum keras.ops.cumprod", reductions.numpy_cumulative, "x axis dtype", "x",
     dtype=None)

_add("keras.ops.take", gathering.take, "x indices axis", "x indices")
_add("keras.ops.pad", gathering.pad, "x pad_width mode constant_values", "x",
     pad_width="paddings", mode=None, constant_values=None)
_add("keras.ops.top_k", gathering.top_k, "x k sorted", "x", sorted=None)
_add("keras.ops.arange", gathering.arange, "start stop step dtype", "", dtype=None,
     runtime="start stop step")
_add("keras.ops.zeros keras.ops.ones", gathering.from_shape, "shape dtype", "", dtype=None)
_add("keras.ops.full", gathering.from_shape, "shape fill_value dtype", "", fill_value=None,
     dtype=None)
_add("keras.ops.flip keras.ops.sort", ew.identity, "x axis", "x", axis=None)
_add("keras.ops.roll", ew.identity, "x shift axis", "x", shift=None, axis=None)
_add("keras.ops.triu keras.ops.tril", ew.identity, "x k", "x", k=None)

# TensorFlow: its own names, and its own semantics where they differ (tf.split, tf.tile,
# tf.matmul, tf.argmax's default axis).
_UNARY_TF = "sqrt exp abs square tanh sigmoid negative sign floor round logical_not"
_UNARY_TF_MATH = ("sqrt exp log log1p expm1 abs square tanh sigmoid negative sign floor ceil "
                  "round rsqrt reciprocal erf sin cos logical_not")
_UNARY_TF_NN = "relu relu6 gelu silu swish elu selu softplus softsign leaky_relu"
_add(_prefixed("tf", _UNARY_TF) + " " + _prefixed("tf.math", _UNARY_TF_MATH)
     + " tf.nn.sigmoid tf.nn.tanh", ew.identity, "x", "x")
_add("tf.stop_gradient tf.identity tf.zeros_like tf.ones_like", ew.identity, "input", "input",
     input="x")
_add(_prefixed("tf.nn", _UNARY_TF_NN), ew.identity, "features", "features",
     features="x")
_add("tf.cast", ew.identity, "x dtype name", "x", dtype=None, name=None)
_add("tf.clip_by_value", ew.identity, "t clip_value_min clip_value_max name", "t",
     t="x", clip_value_min=None, clip_value_max=None, name=None)
_add("tf.nn.softmax tf.nn.log_softmax tf.math.softmax", ew.along_axis,
     "logits axis name", "logits", logits="x", name=None)
_add("tf.math.l2_normalize tf.nn.l2_normalize", ew.along_axis, "x axis epsilon name", "x",
     epsilon=None, name=None)
_BINARY_TF = ("add subtract multiply divide truediv maximum minimum equal not_equal greater "
              "greater_equal less less_equal logical_and logical_or pow")
_BINARY_TF_MATH = _BINARY_TF + " floordiv floormod mod squared_difference"
_add(_prefixed("tf", _BINARY_TF) + " " + _prefixed("tf.math", _BINARY_TF_MATH),
     ew.broadcast, "x y", "x y", x="*", y="*")
_add("tf.add_n tf.math.add_n", ew.same_shape, "inputs name", "inputs", name=None)
_add("tf.where", ew.where, "condition x y name", "condition x y", name=None)
_add("tf.matmul tf.linalg.matmul", ew.tf_matmul,
     "a b transpose_a transpose_b adjoint_a adjoint_b", "a b")
_add("tf.tensordot tf.linalg.tensordot", ew.tensordot, "a b axes", "a b", "a b axes",
     a="x1", b="x2")
_add("tf.einsum tf.linalg.einsum", reductions.einsum, "equation *inputs", "*inputs",
     equation="*")
_add("tf.broadcast_to", ew.broadcast_to, "input shape", "input", input="x")
_TF_REDUCE = "mean sum max min prod any all logsumexp"
_add(" ".join(f"tf.reduce_{n} tf.math.reduce_{n}" for n in _TF_REDUCE.split())
     + " tf.math.reduce_std tf.math.reduce_variance", reductions.reduce,
     "input_tensor axis keepdims", "input_tensor", input_tensor="x")
_add("tf.argmax tf.argmin tf.math.argmax tf.math.argmin", reductions.tf_arg_reduce,
     "input axis", "input")
_add("tf.concat", joining.concatenate, "values axis", "values", "values axis", values="xs")
_add("tf.stack", joining.stack, "values axis", "values", values="xs")
_add("tf.split", joining.split, "value num_or_size_splits axis", "value")
_add("tf.unstack", joining.unstack, "value num axis", "value")
_add("tf.tile", joining.tile, "input multiples", "input")
_add("tf.repeat", joining.repeat, "input repeats axis", "input", input="x")
_add("tf.reshape", layout.reshape, "tensor shape", "tensor", tensor="x")
_add("tf.expand_dims", layout.expand_dims, "input axis", "input", input="x")
_add("tf.squeeze", layout.squeeze, "input axis", "input", input="x")
_add("tf.transpose", layout.transpose, "a perm", "a", a="x")
_add("tf.one_hot", layout.one_hot, "indices depth on_value off_value axis", "indices",
     on_value=None, off_value=None)
_add("tf.shape", layout.shape_of, "input out_type", "input", out_type=None)
_add("tf.size tf.rank", layout.scalar, "input", "input")
_add("tf.math.cumsum tf.math.cumprod tf.cumsum", ew.along_axis, "x axis", "x")
_add("tf.gather", gathering.gather, "params indices validate_indices axis batch_dims",
     "params indices", validate_indices=None)
_add("tf.pad", gathering.pad, "tensor paddings mode constant_values", "tensor", tensor="x",
     mode=None, constant_values=None)
_add("tf.math.top_k tf.nn.top_k", gathering.top_k, "input k sorted", "input", input="x",
     sorted=None)
_add("tf.sequence_mask", gathering.sequence_mask, "lengths maxlen dtype", "lengths",
     dtype=None)
_add("tf.range", gathering.arange, "start limit delta dtype", "", limit="stop", delta="step",
     runtime="start limit delta",
     dtype=None, required="start")
_add("tf.zeros tf.ones", gathering.from_shape, "shape dtype", "", dtype=None, runtime="shape")
_add("tf.fill", gathering.from_shape, "dims value", "", dims="shape", value=None,
     runtime="dims")
# Random tensors: the shape they are asked for, whatever the distribution.
_add("tf.random.normal tf.random.truncated_normal", gathering.from_shape,
     "shape mean stddev dtype seed name", "", mean=None, stddev=None, dtype=None, seed=None,
     name=None, runtime="shape")
_add("tf.random.uniform", gathering.from_shape, "shape minval maxval dtype seed name", "",
     minval=None, maxval=None, dtype=None, seed=None, name=None, runtime="shape")
_add("keras.random.normal keras.random.truncated_normal", gathering.from_shape,
     "shape mean stddev dtype seed", "", mean=None, stddev=None, dtype=None, seed=None,
     runtime="shape")
_add("keras.random.uniform", gathering.from_shape, "shape minval maxval dtype seed", "",
     minval=None, maxval=None, dtype=None, seed=None, runtime="shape")
_add("tf.reverse", ew.identity, "tensor axis", "tensor", tensor="x", axis=None)
_add("tf.roll", ew.identity, "input shift axis", "input", input="x", shift=None, axis=None)

# Python operators, on TensorFlow tensors (a KerasTensor's ``@`` is keras.ops.matmul).
for _op in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "lt", "le", "gt", "ge",
            "and_", "or_"):
    _add(f"operator.{_op}", ew.broadcast, "a b", "a b", a="*", b="*")
_add("operator.neg operator.pos operator.abs operator.invert", ew.identity, "a", "a", a="x")
_add("operator.matmul", ew.tf_matmul, "a b", "a b")
_add("operator.getitem", indexing.getitem, "a b", "a", a="x", b="index", runtime="b")

# The operator of each ``ast`` node, for a front end that meets ``x @ y`` or ``-x``.
AST_OPERATORS = {
    "Add": "operator.add", "Sub": "operator.sub", "Mult": "operator.mul",
    "Div": "operator.truediv", "FloorDiv": "operator.floordiv", "Mod": "operator.mod",
    "Pow": "operator.pow", "MatMult": "operator.matmul", "USub": "operator.neg",
    "UAdd": "operator.pos", "Lt": "operator.lt", "LtE": "operator.le", "Gt": "operator.gt",
    "GtE": "operator.ge", "BitAnd": "operator.and_", "BitOr": "operator.or_",
    "Invert": "operator.invert",
}
