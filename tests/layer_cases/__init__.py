"""Tables of layer options, one module per layer family, each a list named ``CASES``.

Every case is computed by archlint's engine and built with real Keras (Keras 3 and tf-keras)
by ``tests/test_layer_formulas.py``; no expected number is written here by hand.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class LayerCase:
    """One layer, one configuration, one input: the unit of the formula tests.

    ``input_shapes`` excludes the batch axis; ``None`` marks a variable axis, bound to each
    of ``lengths`` in turn for the forward passes. ``known_bug`` maps a Keras version
    ("2" or "3") to the issue that explains why its *declared* shape or params differ from
    what its forward pass produces (archlint must match the forward pass).
    """

    id: str
    class_name: str
    config: dict[str, Any]
    input_shapes: tuple[tuple[int | None, ...], ...]
    dtype: str = "float32"
    lengths: tuple[int, ...] = (9, 23)
    known_bug: dict[str, str] = field(default_factory=dict)
    # The error code archlint must raise when Keras refuses the case (None: any code).
    error_code: str | None = None
    # Where the two Keras versions really behave differently (their forward passes differ),
    # the case is checked only against the versions listed, with a comment saying why.
    versions: tuple[str, ...] = ("3", "2")
    # Refused by TensorFlow's reference kernels (archlint's error_code) but run by its oneDNN
    # CPU kernels: with oneDNN on, archlint must still refuse it, and Keras runs it.
    runs_with_onednn: bool = False
    # Where only one version refuses the case ("3": a check Keras 3 added; "2": tf-keras),
    # checked against both: the other version must build it.
    refused_by: tuple[str, ...] = ("3", "2")
    # tf-keras builds something other than Keras 3 here: archlint gives a tf-keras script
    # an unknown instead of Keras 3's numbers.
    keras2_unknown: bool = False
    # Call arguments other than the inputs (``return_attention_scores=True``).
    call: dict[str, Any] = field(default_factory=dict)


def _describe(value: Any) -> str:
    if isinstance(value, dict) and "class_name" in value:
        inner = ",".join(f"{k}={_describe(v)}" for k, v in value["config"].items())
        return f"{value['class_name']}({inner})"
    return repr(value).replace(" ", "")


def case(class_name: str, *input_shapes: tuple[int | None, ...], dtype: str = "float32",
         lengths: tuple[int, ...] = (9, 23), known_bug: dict[str, str] | None = None,
         error_code: str | None = None, versions: tuple[str, ...] = ("3", "2"),
         runs_with_onednn: bool = False, refused_by: tuple[str, ...] = ("3", "2"),
         keras2_unknown: bool = False, layer_dtype: str | None = None,
         call: dict[str, Any] | None = None, **config: Any) -> LayerCase:
    """``case("Conv1D", (20, 6), filters=4, kernel_size=3)`` with an id made from its options.

    ``dtype`` is the input's; ``layer_dtype`` is the layer's own ``dtype=`` option; ``call``
    holds the call's other arguments."""
    if layer_dtype is not None:
        config = {**config, "dtype": layer_dtype}
    options = ",".join(f"{k}={_describe(v)}" for k, v in config.items())
    shapes = ";".join(str(tuple(s)).replace(" ", "") for s in input_shapes)
    called = "".join(f",{k}={_describe(v)}" for k, v in (call or {}).items())
    return LayerCase(
        id=f"{class_name}[{options}]<-{shapes}{called}",
        class_name=class_name,
        config=config,
        input_shapes=tuple(tuple(s) for s in input_shapes),
        dtype=dtype,
        lengths=lengths,
        known_bug=known_bug or {},
        error_code=error_code,
        versions=versions,
        runs_with_onednn=runs_with_onednn,
        refused_by=refused_by,
        keras2_unknown=keras2_unknown,
        call=call or {},
    )


def layer(class_name: str, **config: Any) -> dict[str, Any]:
    """A nested layer for wrapper options: ``Bidirectional(layer=layer("LSTM", units=4))``."""
    return {"class_name": class_name, "config": config}


def all_cases() -> list[LayerCase]:
    cases: list[LayerCase] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        cases.extend(getattr(module, "CASES", []))
    ids = [c.id for c in cases]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ValueError(f"duplicate layer case ids: {sorted(duplicates)}")
    return cases
