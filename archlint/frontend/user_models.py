"""The Keras half of the front end, seventh layer: models the script defines.

A ``keras.Model`` subclass is one of two things, as in Keras. Constructed with inputs and
outputs (``CustomModel(inputs, outputs)``, often to override ``train_step``), it is a
functional model. Otherwise it is a layer whose ``call()`` is its graph: its graph is
built where Keras builds it, by ``model.build(input_shape)`` or by a first call on a Keras
tensor; a model nothing builds lists the layers it made, with what is known of them.
"""

from __future__ import annotations

import ast
from typing import Any

from archlint.codes import KERAS3_UNBUILT_SUBCLASSED_MODEL
from archlint.diagnostics import Event
from archlint.frontend.keras_layers import flatten_tensors
from archlint.frontend.keras_values import LayerObject, ModelObject, SequentialObject, Tensor
from archlint.frontend.scope import span_of
from archlint.frontend.user_cells import UserCells
from archlint.frontend.user_layers import UserLayerObject
from archlint.frontend.values import UserClass
from archlint.graph import Call, Layer, Model
from archlint.unknown import Unknown

_NOT_BUILT = ("its graph is defined by call(), and nothing in the script builds it on a "
              "known input shape (model.build(shape), or a call on keras.Input); Keras "
              "builds it on the first data it sees")


class UserModels(UserCells):
    """Instances of the script's Model subclasses."""

    def make_user_model(self, cls: UserClass, args: list[Any], kwargs: dict[str, Any],
                        node: ast.Call) -> Any:
        obj = self.make_user_layer(cls, args, kwargs, node)
        if obj.functional is not None:
            return obj.functional
        model = Model(name=obj.layer.name, kind="subclassed", span=span_of(node))
        model.unresolved.append(Unknown(_NOT_BUILT if cls.member("call")[0] else (
            f"`{cls.name}` has no call() of its own (its behaviour lives in methods such "
            "as train_step), so its graph is not known"), node.lineno))
        obj.model = model
        self.models.append(model)
        return obj

    def functional_init(self, obj: UserLayerObject, args: list[Any],
                        kwargs: dict[str, Any], node: ast.Call) -> bool:
        """``super().__init__(inputs, outputs)`` in a Model subclass: a functional model.
        False when the arguments are not a graph's."""
        if not (len(args) >= 2 or "outputs" in kwargs):
            return False
        given = dict(kwargs)
        given.setdefault("name", self.names.auto(obj.layer.class_name))
        made = self.make_model(args, given, node)
        obj.layer.name = made.model.name
        obj.functional = made
        return True

    def build_user_model(self, obj: UserLayerObject, shape: Any, node: ast.Call) -> None:
        """``model.build(input_shape)``: its call() on inputs of that shape, as tf-keras
        builds it and as the first call on data builds it in Keras 3, whose own build()
        leaves the layers unbuilt (checked in the tests)."""
        model = obj.model
        if model is None or model.outputs:
            return
        if self.keras != "2":
            only = "" if self.keras == "3" else " (Keras 3 only: tf-keras builds them there)"
            self.events.append(Event(
                KERAS3_UNBUILT_SUBCLASSED_MODEL,
                f"Keras 3's Model.build(input_shape) does not build the layers of the "
                f"subclassed model `{model.name}`{only}: its summary() shows 0 parameters "
                "and 'unbuilt' until the model is called on data; the figures here are those "
                "its first call on that shape builds. Call the model on "
                "keras.Input(shape=...) instead to have them built", span_of(node),
                model=model.name))
        shapes = shape if isinstance(shape, list) and shape and \
            isinstance(shape[0], (tuple, list)) else [shape]
        inputs: list[Tensor] = []
        for one in shapes:
            if not isinstance(one, (tuple, list)):
                model.unresolved = [one if isinstance(one, Unknown) else Unknown(
                    f"`{self.host.text(node)}`: an input shape archlint cannot read",
                    node.lineno)]
                return
            # Named after the model: Keras makes no InputLayer here, so none is counted.
            layer = self.make_layer("InputLayer", [], {
                "batch_shape": tuple(one), "name": f"{model.name}_input_{len(inputs)}"},
                node).layer
            layer.referenced = True  # the model's own input, whatever its call() does
            inputs.append(Tensor(self.input_call(layer)))
        given: Any = inputs if len(inputs) > 1 else inputs[0]
        outputs = self.run_call(obj, [given], {}, node)
        self.set_model_graph(obj, inputs, outputs, node)

    def set_model_graph(self, obj: UserLayerObject, inputs: list[Tensor], outputs: Any,
                        node: ast.Call) -> None:
        model = obj.model
        if model is None or model.outputs:
            return
        tensors = flatten_tensors(outputs) if isinstance(outputs, (Tensor, list, tuple)) \
            else None
        if not isinstance(tensors, list) or not tensors:
            model.unresolved = [outputs if isinstance(outputs, Unknown) else Unknown(
                f"the call() of `{obj.layer.class_name}` returns something that is not a "
                "Keras tensor", node.lineno)]
            return
        model.unresolved = []
        model.inputs = [t.ref for t in inputs]
        model.outputs = [t.ref for t in tensors]

    def call_layer(self, obj: LayerObject, args: list[Any], kwargs: dict[str, Any],
                   node: ast.Call) -> Any:
        if isinstance(obj, UserLayerObject) and obj.model is not None:
            return self.call_user_model(obj, args, kwargs, node)
        return super().call_layer(obj, args, kwargs, node)

    def call_user_model(self, obj: UserLayerObject, args: list[Any], kwargs: dict[str, Any],
                        node: ast.Call) -> Any:
        """A Model subclass called on tensors: a layer of the graph it is called in; the
        first call on keras.Input tensors builds its own graph too."""
        start = len(self.calls)
        result = self.call_user_layer(obj, args, kwargs, node)
        model = obj.model
        if model is None or model.outputs:
            return result
        given = flatten_tensors(args[0] if args else kwargs.get("inputs"))
        if isinstance(given, list) and given and all(
                t.ref.call.layer.class_name == "InputLayer" for t in given):
            own = self.calls[-1] if len(self.calls) > start else None
            instance = own.layer.instance if own is not None else None
            if own is not None and own.layer is obj.layer and instance is not None and \
                    instance.config.get("unknown") is None:
                model.unresolved = []
                model.inputs = [t.ref for t in given]
                model.outputs = list(own.inbound)
        elif model in self.models:
            self.models.remove(model)  # a model inside another: its row is there
        return result

    def freeze_inner_layers(self) -> None:
        """``trainable=False`` on a layer or model of the script: tf-keras freezes every
        layer its call() calls; Keras 3 only those it held when the flag was set (a layer
        made later in build() stays trainable; checked against both in the tests)."""
        for call in self.calls:
            flag = _frozen_by(call)
            if flag is True or call.layer.trainable is not True:
                continue
            held = id(call.layer) in self.frozen_when_set
            if self.keras == "2" or held:
                call.layer.trainable = flag
            elif self.keras != "3":
                call.layer.trainable = Unknown(
                    f"`{call.layer.name}` is made after the layer that calls it is set "
                    "non-trainable: tf-keras freezes it, Keras 3 keeps it trainable",
                    call.span.line)

    def unbuilt_model_layers(self) -> None:
        """A model nothing builds lists the layers it holds, as Keras's summary does."""
        for model in self.models:
            if model.kind != "subclassed" or model.outputs:
                continue
            owner = next((o for o in self.user_objects if o.model is model), None)
            if owner is None:
                continue
            for layer in self._held_layers(owner.attributes):
                if layer not in model.layers:
                    model.layers.append(layer)

    def _held_layers(self, attributes: dict[str, Any]) -> list[Layer]:
        """The layers an object holds, those of the models it holds included."""
        layers: list[Layer] = []
        for value in _layer_values(attributes):
            if isinstance(value, LayerObject):
                layers.append(value.layer)
            elif isinstance(value, SequentialObject):
                layers += self._held_layers({"items": value.items})
            else:
                layers += [c.layer for c in self.shapes.calls_of(value.model)
                           if c.layer.class_name != "InputLayer"]
        return layers


def _frozen_by(call: Call) -> bool | Unknown:
    """The trainable flag of the first enclosing user-defined layer that is not trainable,
    or True."""
    block = call.within
    while block is not None:
        if block.layer.trainable is not True:
            return block.layer.trainable
        block = block.within
    return True


def _layer_values(attributes: dict[str, Any]) -> list[Any]:
    """The layers and models an object holds in its attributes, lists and dicts
    included, in the order it holds them."""
    found: list[Any] = []
    stack: list[Any] = list(reversed(list(attributes.values())))
    seen = 0
    while stack and seen < 10_000:
        item, seen = stack.pop(), seen + 1
        if isinstance(item, (LayerObject, ModelObject, SequentialObject)):
            found.append(item)
        elif isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, (list, tuple)):
            stack.extend(reversed(item))
    return found
