"""Shape inference as the front end sees it: a service handed to the Keras object model,
so that ``x.shape``, ``model.layers`` and multi-output calls can be answered while the
script is walked, without the front end importing the engine's internals."""

from __future__ import annotations

from typing import Protocol

from archlint.call_inference import infer_call, model_calls
from archlint.graph import Call, Model


class ShapeService(Protocol):
    def infer(self, call: Call) -> None:
        """Fill ``call.output`` (or ``call.error``), inputs first."""
        ...

    def calls_of(self, model: Model) -> list[Call]:
        """The calls between the model's inputs and outputs, in the order they were made."""
        ...


class EngineShapes:
    """The engine's shape inference (call_inference)."""

    def infer(self, call: Call) -> None:
        infer_call(call)

    def calls_of(self, model: Model) -> list[Call]:
        return model_calls(model)
