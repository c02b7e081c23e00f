"""``keras.applications.ResNet50(...)`` and the rest in a script: the model Keras builds
for those options, from the data ``archlint.applications`` ships (read only then), as a
functional model of the script; with ``input_tensor=t``, built on ``t``.
"""

from __future__ import annotations

import ast
from typing import Any

from archlint.codes import INVALID_OPTION
from archlint.diagnostics import Event
from archlint.frontend.keras_layers import UNSUPPORTED
from archlint.frontend.keras_values import ModelObject, Tensor
from archlint.frontend.lambda_layers import LambdaLayers
from archlint.frontend.saved_model import SavedModelError, models_from_config
from archlint.frontend.scope import span_of
from archlint.graph import Model
from archlint.layers.base import ShapeError
from archlint.unknown import Unknown


class ApplicationModels(LambdaLayers):
    """Pretrained backbones (their architecture; the weights are never read)."""

    def make_application(self, leaf: str, args: list[Any], kwargs: dict[str, Any],
                         node: ast.Call) -> Any:
        from archlint import applications  # its data is read only when a script uses one

        text = f"`{ast.unparse(node.func)}`"
        if args:
            return self._application_unknown(
                f"{text} is given positional arguments, which archlint does not follow",
                node)
        options = {k: v for k, v in kwargs.items() if k != "input_tensor"}
        tensor = kwargs.get("input_tensor")
        if tensor is not None and not isinstance(tensor, Tensor):
            return self._application_unknown(f"{text}: its input_tensor is not a Keras "
                                             "tensor archlint knows", node)
        if isinstance(tensor, Tensor):
            self.shapes.infer(tensor.ref.call)
            shape = tensor.ref.call.output_at(tensor.ref.index)
            if not isinstance(shape, tuple):
                return self._application_unknown(f"{text}: the shape of its input_tensor is "
                                                 "unknown", node)
            options["input_tensor_shape"] = shape[1:]
        made = applications.backbone_config(leaf, **options)
        if isinstance(made, applications.Refusal):
            self.events.append(Event(INVALID_OPTION, f"{text}: {made.message}",
                                     span_of(node)))
            return Unknown(f"Keras refuses {text}", node.lineno)
        if isinstance(made, Unknown):
            return self._application_unknown(f"{text}: {made.reason}", node)
        try:
            models = models_from_config(made, self.events)
        except (SavedModelError, ShapeError) as error:
            return self._application_unknown(f"{text}: {error}", node)
        if not models:
            return self._application_unknown(f"{text} could not be rebuilt", node)
        model = models[-1]
        model.span = span_of(node)
        for inner in models:  # findings on a backbone's layers point at the call
            for call in self.shapes.calls_of(inner):
                call.span = call.layer.span = model.span
        if isinstance(tensor, Tensor):  # Keras builds it on the given tensor
            output = self.call_model(ModelObject(model), [tensor], {}, node, as_block=False)
            if not isinstance(output, Tensor):
                return output
            built = Model(name=model.name, kind="functional", span=span_of(node),
                          inputs=[tensor.ref], outputs=[output.ref])
            self.models.append(built)
            return ModelObject(built)
        self.models.append(model)
        return ModelObject(model)

    def _application_unknown(self, reason: str, node: ast.Call) -> Unknown:
        self.events.append(Event(UNSUPPORTED, f"{reason}; its output is unknown",
                                 span_of(node)))
        return Unknown(reason, node.lineno)
