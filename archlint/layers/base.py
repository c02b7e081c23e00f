"""What every layer kind declares: its constructor signature, defaults, input constraints,
one pure ``output_shape`` and one ``param_count``.

Formulas never see source code or Unknown values: the engine checks the configuration
first and only calls a formula once every option it declares is resolved.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from archlint import codes
from archlint.dims import Dim, Expr
from archlint.layer_types import NO_PARAMS as NO_PARAMS
from archlint.layer_types import LayerInstance as LayerInstance
from archlint.layer_types import OutputShape as OutputShape
from archlint.layer_types import Params as Params
from archlint.layer_types import Shape as Shape
from archlint.records import record
from archlint.unknown import Unknown

TimeOrderTrait = Literal["preserves", "pairs", "ignores"]

# Diagnostic codes a formula may raise (see archlint.codes; rules/ documents them).
NONPOSITIVE_TIMESTEPS = codes.NONPOSITIVE_TIMESTEPS
NDIM_MISMATCH = codes.NDIM_MISMATCH
INCOMPATIBLE_MERGE = codes.INCOMPATIBLE_MERGE
UNDEFINED_DIMENSION = codes.UNDEFINED_DIMENSION
INVALID_CONFIG = codes.INVALID_OPTION
GO_BACKWARDS_MISMATCH = codes.GO_BACKWARDS_MISMATCH
BIDIRECTIONAL_CONFIG_MISMATCH = codes.BIDIRECTIONAL_CONFIG_MISMATCH
ASYMMETRIC_MERGE = codes.ASYMMETRIC_MERGE

# Which Keras versions refuse a configuration (ShapeError.refused_by).
BOTH_VERSIONS = ("3", "2")
KERAS3_ONLY = ("3",)
KERAS2_ONLY = ("2",)


def target_versions(target: str) -> tuple[str, ...]:
    """The Keras versions a script for ``target`` ("3", "2" or "both") runs under."""
    return BOTH_VERSIONS if target == "both" else (target,)


class Unresolved(Exception):
    """A formula needs a size the front end could not resolve; the result is unknown."""

    def __init__(self, unknown: Unknown):
        super().__init__(unknown.reason)
        self.unknown = unknown


class ShapeError(Exception):
    """Keras would refuse this layer, at build time or at the first forward pass.

    The message names every option and size that led to the refusal.
    """

    def __init__(self, code: str, message: str, *, condition: str | None = None,
                 build_accepts: tuple[str, ...] = (),
                 refused_by: tuple[str, ...] = BOTH_VERSIONS):
        super().__init__(message)
        self.code = code
        self.message = message
        # For symbolic sizes: the input lengths for which the error happens ("T < 11").
        self.condition = condition
        # Keras versions ("3", "2") whose symbolic build accepts the layer and fail only
        # at its first forward pass.
        self.build_accepts = build_accepts
        # Keras versions that refuse it at all: ("3",) where tf-keras accepts the layer.
        self.refused_by = refused_by

    def refused_when_built(self, keras: str) -> bool:
        """Whether Keras ``keras`` raises when the script calls the layer on symbolic
        tensors; otherwise only a forward pass fails (a size it cannot see at build time)."""
        return (keras in self.refused_by and self.condition is None
                and keras not in self.build_accepts)

    def for_target(self, target: str) -> ShapeError | Unresolved:
        """This refusal as the script's Keras (``target``: "3", "2" or "both") meets it:
        unchanged where every version it runs under refuses; an honest unknown where none
        does (archlint models Keras 3's refusal, not what tf-keras builds instead); for
        "both", the message names the version that refuses."""
        versions = target_versions(target)
        refusing = [v for v in versions if v in self.refused_by]
        if not refusing:
            return Unresolved(Unknown(
                f"only Keras 3 refuses this layer ({self.message}); tf-keras (Keras 2), "
                "which this script uses, accepts it, and archlint does not model what it "
                "builds"))
        if len(refusing) < len(versions):
            suffix = (" (Keras 3 only: tf-keras, Keras 2, accepts it)" if refusing == ["3"]
                      else " (tf-keras, Keras 2, only: Keras 3 accepts it)")
            if suffix not in self.message and not (refusing == ["3"]
                                                   and "tf-keras" in self.message):
                self.message += suffix
                self.args = (self.message,)
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        # Reports cross process boundaries with --jobs: keep the keyword-only fields.
        return (_rebuild_shape_error, (self.code, self.message, self.condition,
                                       self.build_accepts, self.refused_by))


def _rebuild_shape_error(code: str, message: str, condition: str | None,
                         build_accepts: tuple[str, ...],
                         refused_by: tuple[str, ...]) -> ShapeError:
    return ShapeError(code, message, condition=condition, build_accepts=build_accepts,
                      refused_by=refused_by)


class keras3_only:  # used as a statement: ``with keras3_only():``
    """Marks every ShapeError raised inside as refused by Keras 3 only (tf-keras accepts
    the configuration: a check Keras 3 added, or an option tf-keras reads otherwise).
    ``when=False`` leaves them refused by both, for checks only some values escape."""

    def __init__(self, when: bool = True) -> None:
        self.when = when

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: object) -> None:
        if self.when and isinstance(error, ShapeError):
            error.refused_by = KERAS3_ONLY


@record(frozen=True)
class InputSpec:
    """Declared constraints on a layer's inputs, checked by the engine (like Keras's InputSpec)."""

    ndim: int | None = None
    min_ndim: int | None = None
    max_ndim: int | None = None
    # Number of input tensors: single-input layers take exactly one.
    min_inputs: int = 1
    max_inputs: int | None = 1


class LayerSpec:
    """One Keras layer class. Subclasses are registered with ``@register``.

    ``positional`` lists the constructor's positional parameters in Keras's order, so
    that ``Conv1D(32, 10)`` maps to ``filters=32, kernel_size=10``. ``defaults`` holds
    Keras's defaults for every option the formulas read; ``normalize`` turns user values
    into one canonical form (``kernel_size=3`` into ``(3,)``) and rejects invalid ones
    with ``ShapeError(INVALID_CONFIG, ...)``.
    """

    class_name: ClassVar[str]
    positional: ClassVar[tuple[str, ...]] = ()
    defaults: ClassVar[dict[str, Any]] = {}
    input_spec: ClassVar[InputSpec] = InputSpec()
    # Options whose value is another layer (wrappers).
    nested: ClassVar[tuple[str, ...]] = ()
    # Other names: of the class (MaxPool1D for MaxPooling1D), registered with it; or, for
    # InputLayer, other spellings of options that normalize() reads (Keras 2's input_shape).
    aliases: ClassVar[tuple[str, ...]] = ()
    # Options normalize() reads besides its defaults (tf-keras's time_major, say).
    reads: ClassVar[tuple[str, ...]] = ()
    # Options Keras has that the formulas do not cover, with the value that changes nothing
    # (Keras's default): given another value, they make the layer unknown (AL002 naming
    # the option; see archlint/layers/options.py).
    unmodelled: ClassVar[dict[str, Any]] = {}
    # Defaults tf-keras has where Keras 3 requires the option (used for tf-keras scripts).
    keras2_defaults: ClassVar[dict[str, Any]] = {}
    # tf-keras folds extra leading axes into the batch where Keras 3 refuses the rank.
    keras2_folds_leading_axes: ClassVar[bool] = False
    # Size options a named size may give (Dense's units): formulas accept an expression.
    sized_options: ClassVar[tuple[str, ...]] = ()
    # Traits the rules read (archlint/rule_helpers.py), declared here, not listed in rules.
    # A recurrent layer; its recurrent kernel holds ``gates`` blocks of units x units.
    recurrent: ClassVar[bool] = False
    gates: ClassVar[int | None] = None
    # What it does to the order of the time axis: "preserves" (output step t comes from
    # input steps at or near t), "pairs" (a merge of step t of each input with step t of
    # the others), "ignores" (pools over time), None (not modelled: nothing is assumed).
    time_order: ClassVar[TimeOrderTrait | None] = None
    # The activation it applies when none is given (None: no activation option of its own).
    default_activation: ClassVar[str | None] = None
    # The call's parameters that are its input tensors, in order, for a layer whose inputs
    # are separate arguments (``mha(query, value, key)``), not one tensor or list.
    call_inputs: ClassVar[tuple[str, ...]] = ()
    # Other call arguments the formulas read, with Keras's defaults
    # (``return_attention_scores=True`` adds an output); the formulas see them in config.
    call_options: ClassVar[dict[str, Any]] = {}
    # A class Keras 3 added: tf-keras has none of that name.
    keras3_class: ClassVar[bool] = False
    # A class of tf-keras that Keras 3 does not have (removed).
    tf_keras_class: ClassVar[bool] = False
    # A class an application defines for itself, not in keras.layers (ConvNeXt's LayerScale):
    # its module below ``keras.src``/``tf_keras.src``; only a saved or shipped graph holds it.
    application_module: ClassVar[str | None] = None

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        """Fill in defaults and put values in canonical form. Pure."""
        return {**self.defaults, **config}

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> OutputShape:
        raise NotImplementedError

    def param_count(self, config: dict[str, Any], inputs: list[Shape]) -> Params:
        return NO_PARAMS

    def output_value(self, config: dict[str, Any], inputs: list[Shape]) -> Any:
        """What TensorFlow computes of the output while it builds the graph (see
        archlint.ops.values); Ellipsis for a layer, whose output it never folds."""
        return Ellipsis

    def keras2_refusal(self, instance: LayerInstance, inputs: list[Shape]) -> str | None:
        """Why tf-keras refuses what Keras 3 builds (the formulas follow Keras 3), if it
        does: checked for scripts that may run under tf-keras."""
        if self.keras3_class:
            return f"tf-keras has no {self.class_name} layer (Keras 3 has)"
        return None

    def keras2_accepted(self, config: dict[str, Any]) -> dict[str, Any] | None:
        """The normalized options tf-keras builds the layer with where only Keras 3 refuses
        them and the formulas hold for what tf-keras builds; None where archlint does not
        model what tf-keras builds (the layer is then unknown for a tf-keras script)."""
        return None

    def keras2_unmodelled(self, instance: LayerInstance, inputs: list[Shape]) -> str | None:
        """Why tf-keras builds something else than the formulas' Keras 3 result, if it
        does: a tf-keras script then gets an honest unknown."""
        return None

    def needs_adapt(self, config: dict[str, Any]) -> str | None:
        """Why the layer cannot run before ``adapt()`` fills it from data (a vocabulary, bin
        boundaries), if so: a rebuild on zeros, as the crosscheck makes, cannot run it."""
        return None

    def output_count(self, config: dict[str, Any]) -> int | None:
        """How many tensors a call returns, from the options alone (None: not known so).
        Lets a script unpack ``out, h, c = LSTM(..., return_state=True)(x)`` even where
        the call's shapes cannot be computed."""
        return None

    def __repr__(self) -> str:
        return f"<LayerSpec {self.class_name}>"


def as_tuple(value: Any, n: int, option: str) -> tuple[int, ...]:
    """Keras's ``standardize_tuple``: an int or an n-sequence of ints, as an n-tuple.

    >>> as_tuple(3, 2, "kernel_size"), as_tuple([2, 1], 2, "strides")
    ((3, 3), (2, 1))
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,) * n
    if isinstance(value, (list, tuple)) and len(value) == n and all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        return tuple(value)
    raise ShapeError(
        INVALID_CONFIG, f"{option}={value!r} must be an int or a tuple of {n} ints"
    )


def is_named(value: Any) -> bool:
    """An option value that is an expression over named sizes (``Dense(args.units)``)."""
    return isinstance(value, Expr) and value.fixed()


def require_known(dim: Dim, what: str) -> int:
    """A size that Keras needs at build time (a Dense input width, say): a number, or an
    expression over named sizes, which Keras knows as a number when it builds the layer."""
    if isinstance(dim, int):
        return dim
    if isinstance(dim, Expr) and dim.fixed():
        return dim  # type: ignore[return-value]
    if isinstance(dim, Unknown):
        raise Unresolved(dim)
    raise ShapeError(
        UNDEFINED_DIMENSION,
        f"{what} must be known when the layer is built, but it is {dim} "
        "(undefined until run time)",
    )
