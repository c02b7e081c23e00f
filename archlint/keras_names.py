"""Names Keras resolves from a string option: activations, initializers, regularizers and
constraints of a layer, and the loss and optimizer of ``compile()``.

A name Keras does not know is refused (when the layer is created, in ``compile()`` or when
training starts), so a typo such as ``activation="rellu"`` is an error archlint can report
at its line, with the closest valid name. The lists are each version's own: Keras 3 and
tf-keras differ (``"nonneg"`` is a tf-keras constraint, ``"hard_silu"`` a Keras 3
activation). ``tests/test_keras_names.py`` reads them from the installed Keras versions and
checks that they match these, and that both versions refuse the misspellings the tests use.
"""

from __future__ import annotations

KERAS3, TF_KERAS = "3", "2"
LABEL = {KERAS3: "Keras 3", TF_KERAS: "tf-keras"}
KINDS = ("activation", "initializer", "regularizer", "constraint", "loss", "optimizer")


def _versions(both: set[str], keras3: set[str], tf_keras: set[str]) -> dict[str, frozenset[str]]:
    return {KERAS3: frozenset(both | keras3), TF_KERAS: frozenset(both | tf_keras)}


# Optimizer names are matched case-insensitively, as both versions do; Keras 3's compile()
# also takes "crossentropy" and "ce" in any case (it picks the variant from the targets).
REGISTERED: dict[str, dict[str, frozenset[str]]] = {
    "activation": _versions(
        both={
            "elu", "exponential", "gelu", "hard_sigmoid", "leaky_relu", "linear",
            "log_softmax", "mish", "relu", "relu6", "selu", "sigmoid", "silu",
            "softmax", "softplus", "softsign", "swish", "tanh",
        },
        keras3={
            "celu", "glu", "hard_shrink", "hard_silu", "hard_swish", "hard_tanh",
            "log_sigmoid", "soft_shrink", "sparse_plus", "sparse_sigmoid", "sparsemax",
            "squareplus", "tanh_shrink", "threshold",
        },
        tf_keras=set(),
    ),
    "initializer": _versions(
        both={
            "GlorotNormal", "GlorotUniform", "HeNormal", "HeUniform", "Identity",
            "Initializer", "LecunNormal", "LecunUniform", "Ones", "Orthogonal",
            "RandomNormal", "RandomUniform", "TruncatedNormal", "VarianceScaling",
            "Zeros", "glorot_normal", "glorot_uniform", "he_normal", "he_uniform",
            "identity", "initializer", "lecun_normal", "lecun_uniform", "normal",
            "one", "ones", "orthogonal", "random_normal", "random_uniform",
            "truncated_normal", "uniform", "variance_scaling", "zero", "zeros",
        },
        keras3={
            "IdentityInitializer", "OrthogonalInitializer", "STFT", "STFTInitializer",
            "stft",
        },
        tf_keras={
            "Constant", "ConstantV2", "GlorotNormalV2", "GlorotUniformV2",
            "HeNormalV2", "HeUniformV2", "IdentityV2", "LecunNormalV2",
            "LecunUniformV2", "OnesV2", "OrthogonalV2", "RandomNormalV2",
            "RandomUniformV2", "TruncatedNormalV2", "VarianceScalingV2", "ZerosV2",
            "constant", "glorot_normalV2", "glorot_uniformV2", "he_normalV2",
            "he_uniformV2", "lecun_normalV2", "lecun_uniformV2",
        },
    ),
    "regularizer": _versions(
        both={
            "L1", "L1L2", "L2", "OrthogonalRegularizer", "Regularizer", "l1", "l2",
            "orthogonal_regularizer",
        },
        keras3={
            "l1l2", "regularizer",
        },
        tf_keras={
            "l1_l2",
        },
    ),
    "constraint": _versions(
        both={
            "Constraint", "MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm", "max_norm",
            "min_max_norm", "non_neg", "unit_norm",
        },
        keras3={
            "constraint",
        },
        tf_keras={
            "RadialConstraint", "maxnorm", "nonneg", "radial_constraint", "unitnorm",
        },
    ),
    "loss": _versions(
        both={
            "BCE", "BinaryCrossentropy", "BinaryFocalCrossentropy",
            "CategoricalCrossentropy", "CategoricalFocalCrossentropy",
            "CategoricalHinge", "CosineSimilarity", "Hinge", "Huber", "KLD",
            "KLDivergence", "LogCosh", "Loss", "MAE", "MAPE", "MSE", "MSLE",
            "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanSquaredError",
            "MeanSquaredLogarithmicError", "Poisson", "SparseCategoricalCrossentropy",
            "SquaredHinge", "bce", "binary_crossentropy", "binary_focal_crossentropy",
            "categorical_crossentropy", "categorical_focal_crossentropy",
            "categorical_hinge", "cosine_similarity", "hinge", "huber",
            "kl_divergence", "kld", "log_cosh", "mae", "mape", "mean_absolute_error",
            "mean_absolute_percentage_error", "mean_squared_error",
            "mean_squared_logarithmic_error", "mse", "msle", "poisson",
            "sparse_categorical_crossentropy", "squared_hinge",
        },
        keras3={
            "CTC", "Circle", "Dice", "Tversky", "ce", "circle", "crossentropy", "ctc",
            "dice", "tversky",
        },
        tf_keras={
            "huber_loss", "kullback_leibler_divergence", "logcosh",
        },
    ),
    "optimizer": _versions(
        both={
            "adadelta", "adagrad", "adam", "adamax", "adamw", "ftrl", "nadam",
            "rmsprop", "sgd",
        },
        keras3={
            "adafactor", "lion", "muon", "schedulefreeadamw",
        },
        tf_keras={
            "experimentaladadelta", "experimentaladagrad", "experimentaladam",
            "experimentalsgd",
        },
    ),
}
# Base classes: accepted by name, never the name a typo meant.
_NOT_SUGGESTED = frozenset({"Initializer", "initializer", "Regularizer", "regularizer",
                            "Constraint", "constraint", "Loss"})
# When each version refuses an unknown name of each kind (checked by the tests).
_LAYER_CREATED = "when the layer is created"
REFUSED_WHEN = {
    ("activation", KERAS3): _LAYER_CREATED, ("activation", TF_KERAS): _LAYER_CREATED,
    ("initializer", KERAS3): _LAYER_CREATED, ("initializer", TF_KERAS): _LAYER_CREATED,
    ("regularizer", KERAS3): _LAYER_CREATED,
    ("regularizer", TF_KERAS): "once the layer is used (tf-keras keeps the string until then)",
    ("constraint", KERAS3): _LAYER_CREATED, ("constraint", TF_KERAS): _LAYER_CREATED,
    ("loss", KERAS3): "when training starts", ("loss", TF_KERAS): "when training starts",
    ("optimizer", KERAS3): "in compile()", ("optimizer", TF_KERAS): "in compile()",
}


def option_kind(option: str) -> str | None:
    """The kind of name a layer option takes, by Keras's naming of its options.

    >>> option_kind("recurrent_activation"), option_kind("kernel_initializer")
    ('activation', 'initializer')
    >>> option_kind("units") is None
    True
    """
    if option in ("activation", "recurrent_activation"):
        return "activation"
    for kind in ("initializer", "regularizer", "constraint"):
        if option.endswith("_" + kind):
            return kind
    return None


def resolves(kind: str, name: str, keras: str) -> bool:
    """Whether Keras ``keras`` ("3" or "2") resolves ``name`` as a ``kind``.

    >>> resolves("activation", "relu", "3"), resolves("activation", "rellu", "3")
    (True, False)
    >>> resolves("optimizer", "Adam", "2"), resolves("constraint", "nonneg", "3")
    (True, False)
    """
    if ">" in name:  # a registered custom object ("package>name"): not ours to judge
        return True
    if kind == "optimizer":
        return name.lower() in REGISTERED[kind][keras]
    if kind == "loss" and keras == KERAS3 and name.lower() in ("crossentropy", "ce"):
        return True
    return name in REGISTERED[kind][keras]


def closest(kind: str, name: str, keras: str) -> str | None:
    """The valid name nearest to ``name``, in the same spelling style if one is close,
    else with case ignored.

    >>> closest("activation", "rellu", "3"), closest("activation", "ReLU", "3")
    ('relu', 'relu')
    >>> closest("initializer", "GlorotUnifrom", "2"), closest("constraint", "nonneg", "3")
    ('GlorotUniform', 'non_neg')
    """
    import difflib  # only when a name is wrong: the static path stays lean

    valid = sorted(n for n in REGISTERED[kind][keras] if n not in _NOT_SUGGESTED)
    found = difflib.get_close_matches(name, valid, n=1)
    if found:
        return found[0]
    by_lower = {n.lower(): n for n in valid}
    found = difflib.get_close_matches(name.lower(), list(by_lower), n=1)
    return by_lower[found[0]] if found else None


def name_problem(kind: str, name: str, keras: str, option: str) -> str | None:
    """Why Keras ``keras`` refuses ``option=name``, with the closest valid name; None when
    it resolves the name.

    >>> print(name_problem("activation", "rellu", "3", "activation"))
    activation='rellu' is not an activation name Keras knows (did you mean 'relu'?): Keras \
refuses it when the layer is created
    >>> print(name_problem("constraint", "nonneg", "3", "kernel_constraint"))
    kernel_constraint='nonneg' is a tf-keras constraint name that Keras 3 does not know \
(did you mean 'non_neg'?): Keras 3 refuses it when the layer is created
    """
    if resolves(kind, name, keras):
        return None
    suggestion = closest(kind, name, keras)
    hint = f" (did you mean {suggestion!r}?)" if suggestion else ""
    what = f"{option}={name!r}"
    when = REFUSED_WHEN[(kind, keras)]
    other = TF_KERAS if keras == KERAS3 else KERAS3
    if resolves(kind, name, other):
        return (f"{what} is a {LABEL[other]} {kind} name that {LABEL[keras]} does not "
                f"know{hint}: {LABEL[keras]} refuses it {when}")
    article = "an" if kind[0] in "aeiou" else "a"
    return f"{what} is not {article} {kind} name Keras knows{hint}: Keras refuses it {when}"
