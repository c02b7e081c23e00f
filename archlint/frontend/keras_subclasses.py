"""Layer classes of the script that derive from a Keras layer archlint has formulas for
(``class Flip(keras.layers.RandomFlip)``).

The options given to the Keras class's ``__init__`` make an instance of that class, held
by the object; ``super().call(inputs)`` in the script's call() (or the call itself, when the
class defines none) is a call of it, inside the layer's own node, with its shapes and
weights. Anything else the Keras class would do for the subclass is not followed.
"""

from __future__ import annotations

import ast
from typing import Any

from archlint.frontend.keras_layers import constructor_config
from archlint.frontend.keras_values import LayerObject
from archlint.frontend.user_layers import UserLayerObject, UserLayers
from archlint.frontend.values import Function
from archlint.graph import Layer
from archlint.layers import lookup

# Keras classes a subclass derives from for their behaviour, not for a formula.
_BASES_WITHOUT_FORMULA = frozenset({"Layer", "Wrapper", "Model", "Sequential", "InputLayer"})


class KerasSubclasses(UserLayers):
    """Script classes deriving from a Keras layer with formulas."""

    def base_init(self, obj: UserLayerObject, args: list[Any], kwargs: dict[str, Any],
                  node: ast.Call) -> None:
        super().base_init(obj, args, kwargs, node)
        path = obj.cls.library_class if obj.cls is not None else None
        leaf = path.rsplit(".", 1)[-1] if path else None
        spec = lookup(leaf) if leaf and leaf not in _BASES_WITHOUT_FORMULA else None
        if spec is None or spec.class_name != leaf or _holds_layer([args, kwargs]):
            return  # a wrapper's layer is made a nested instance by make_layer only
        options = {k: v for k, v in kwargs.items() if k not in ("name", "trainable")}
        layer = Layer(name=obj.layer.name, class_name=spec.class_name, span=obj.layer.span,
                      trainable=obj.layer.trainable)
        # Not one of the script's layers: the object's own node holds its call.
        self.instantiate_layer(layer, constructor_config(spec.positional, args, options))
        obj.base_layer = LayerObject(layer)

    def call_base_method(self, obj: Any, name: str, args: list[Any], kwargs: dict[str, Any],
                         node: ast.Call) -> Any:
        if name == "call" and isinstance(obj, UserLayerObject) and obj.base_layer is not None:
            return self.call_layer(obj.base_layer, args, kwargs, node)
        return super().call_base_method(obj, name, args, kwargs, node)

    def run_call(self, obj: UserLayerObject, args: list[Any], kwargs: dict[str, Any],
                 node: ast.Call) -> Any:
        own = obj.cls.member("call")[1] if obj.cls is not None else None
        if not isinstance(own, Function) and obj.base_layer is not None:
            return self.call_layer(obj.base_layer, args, kwargs, node)
        return super().run_call(obj, args, kwargs, node)


def _holds_layer(value: Any) -> bool:
    if isinstance(value, LayerObject):
        return True
    if isinstance(value, dict):
        return any(_holds_layer(v) for v in value.values())
    return isinstance(value, (list, tuple)) and any(_holds_layer(v) for v in value)
