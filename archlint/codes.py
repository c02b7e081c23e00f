"""Every built-in diagnostic code, once: producers and rules use these names.

A code is never reused. Each one has a rule in ``rules/`` (named after the constant in
kebab case, ``NDIM_MISMATCH`` is ``ndim-mismatch``) with its documentation and examples.
Plain string constants, so that importing them costs nothing at start-up.
"""

from __future__ import annotations

from typing import Final

# The front end and the runner: what archlint could not read or run.
UNRESOLVED_VALUE: Final = "AL001"
UNSUPPORTED_CONSTRUCT: Final = "AL002"
SYNTAX_ERROR: Final = "AL003"
RULE_CRASHED: Final = "AL004"

# Shapes Keras refuses, or that leave a layer with too little to work on.
NONPOSITIVE_TIMESTEPS: Final = "AL101"
TOO_FEW_TIMESTEPS: Final = "AL102"
DISCARDED_TIMESTEPS: Final = "AL103"
NDIM_MISMATCH: Final = "AL104"
INCOMPATIBLE_MERGE: Final = "AL105"
UNDEFINED_DIMENSION: Final = "AL106"
MINIMUM_INPUT_LENGTH: Final = "AL107"
INVALID_OPTION: Final = "AL108"
ATTENTION_OVER_BATCH: Final = "AL109"
DATA_DEPENDENT_REFUSAL: Final = "AL110"
UNSEEN_INPUT_STEPS: Final = "AL111"
RAGGED_TENSOR_REFUSED: Final = "AL112"

# Recurrent layers and the direction of time.
GO_BACKWARDS_MISMATCH: Final = "AL201"
BIDIRECTIONAL_CONFIG_MISMATCH: Final = "AL202"
ASYMMETRIC_MERGE: Final = "AL203"
KERAS3_ASYMMETRIC_BIDIRECTIONAL: Final = "AL204"
REVERSED_SEQUENCE_MERGE: Final = "AL205"
STANDALONE_GO_BACKWARDS: Final = "AL206"
CUDNN_INCOMPATIBLE_RNN: Final = "AL207"
TF_FUNCTION_ON_KERAS_TENSOR: Final = "AL208"
KERAS3_UNBUILT_SUBCLASSED_MODEL: Final = "AL209"
KERAS3_DROPPED_LAYER: Final = "AL210"

# Output heads and losses.
SINGLE_UNIT_SOFTMAX: Final = "AL301"
LOSS_ACTIVATION_MISMATCH: Final = "AL302"
RELU_OUTPUT: Final = "AL303"
OUTPUT_DROPOUT: Final = "AL304"

# Parameter counts and memory.
PARAMETER_HOTSPOT: Final = "AL401"
PARAMETER_BUDGET: Final = "AL402"
MEMORY_BUDGET: Final = "AL403"

# The script itself: names, unused layers, suppressions.
DUPLICATE_LAYER_NAME: Final = "AL501"
UNUSED_LAYER: Final = "AL502"
UNUSED_SUPPRESSION: Final = "AL503"

# Every built-in code by its name.
BUILTIN: Final[dict[str, str]] = {
    name: value for name, value in globals().items()
    if name.isupper() and isinstance(value, str) and value.startswith("AL")
}
