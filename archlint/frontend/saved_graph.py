"""A saved model config turned into the layer graph the script front end builds.

Configs differ between versions. Keras 3 records each call of a layer as
``{"args": [{"class_name": "__keras_tensor__", "config": {"keras_history": [layer,
node_index, tensor_index]}}], "kwargs": {}}``; tf-keras as nested lists ``[[[layer,
node_index, tensor_index, {kwargs}]]]``. Either way the graph is rebuilt as the script front
end builds it (``graph.Layer``, ``Call``, ``Model``), with the layers' own names, so the
engine and the rules treat a saved model like a script. There are no source lines: every span
is ``Span(0)`` and diagnostics name the layer.

A nested model (a model called as a layer) is analysed on its own, and inlined in the model
that calls it: its layers appear there as ``outer_name/inner_layer``, sharing their weights
across the calls, so shapes and parameter totals come out as Keras computes them.

Like the script front end, a call is made on its first argument only. Layers that a model
needs only for another layer's other tensors (an encoder whose states are a decoder's
``initial_state``) are listed with unknown parameters and the graph is marked incomplete:
the total is unknown rather than wrong.
"""

from __future__ import annotations

from typing import Any, TypeGuard

from archlint import codes
from archlint.diagnostics import Event
from archlint.frontend.saved_files import SavedModelError, check_model_config, one_line
from archlint.frontend.saved_options import (
    NO_SPAN,
    SkippedLayer,
    compile_args,
    layer_config,
    sequential_input_options,
)
from archlint.frontend.symbols import name_symbols
from archlint.graph import Call, Layer, Model, TensorRef
from archlint.layer_eval import UnsupportedLayer, instantiate
from archlint.layers import lookup
from archlint.layers.base import LayerSpec
from archlint.records import field, record
from archlint.unknown import Unknown

UNSUPPORTED = codes.UNSUPPORTED_CONSTRUCT
MODEL_CLASSES = frozenset({"Functional", "Model", "Sequential"})


def models_from_config(config: dict[str, Any],
                       events: list[Event] | None = None) -> list[Model]:
    """The models of a saved config, as the script front end builds them: the saved model
    last, after the models nested in it (each also analysed on its own).

    ``events`` receives the AL002 events of layers archlint cannot analyse (unsupported or
    custom classes: their outputs are unknown) and of a subclassed model (no graph: no
    model is returned). Raises SavedModelError for a config that is not a Keras model or
    whose graph cannot be rebuilt (a call of a layer that does not exist...).
    """
    check_model_config(config, "the config")
    reader = _Reader(_flavour(config))
    try:
        if not _is_model_entry(config):
            reader.not_a_graph(config)
        else:
            reader.model(config)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as error:
        raise SavedModelError(f"the model config is malformed ({type(error).__name__}: "
                              f"{one_line(error)})") from None
    except RecursionError:
        raise SavedModelError("the model config is nested too deeply to be read") from None
    if events is not None:
        events.extend(reader.events)
    return reader.models


def _flavour(config: dict[str, Any]) -> str:
    """"keras3" or "tf_keras", from the shape of the saved calls, else from the version."""
    stack: list[Any] = [config]
    while stack:
        entry = stack.pop()
        if not isinstance(entry, dict):
            continue
        inner = entry.get("config")
        layers = inner.get("layers") if isinstance(inner, dict) else inner
        if isinstance(layers, list):
            for item in layers:
                if not isinstance(item, dict):
                    continue
                nodes = item.get("inbound_nodes")
                if isinstance(nodes, list) and nodes:
                    return "keras3" if isinstance(nodes[0], dict) else "tf_keras"
                stack.append(item)
    version = config.get("keras_version")
    if isinstance(version, str) and version.startswith("2."):
        return "tf_keras"
    return "keras3"


def _is_model_entry(entry: dict[str, Any]) -> bool:
    inner = entry.get("config")
    if entry.get("class_name") in MODEL_CLASSES:
        return True
    # A Functional subclass registered under its own name still saves its graph.
    return isinstance(inner, dict) and isinstance(inner.get("layers"), list) and \
        lookup(str(entry.get("class_name"))) is None


def _entry_name(entry: dict[str, Any]) -> str | None:
    name = entry.get("name")
    if not isinstance(name, str):
        config = entry.get("config")
        name = config.get("name") if isinstance(config, dict) else None
    return name if isinstance(name, str) and name else None


@record
class _Nested:
    """A model used as a layer: its own analysis, and the copies of its layers that its
    calls in the enclosing model use (one copy per inner layer, shared by every call)."""

    model: Model
    calls: list[Call]
    # tf-keras numbers the calls of a model built from an Input after its internal one.
    node_offset: int
    copies: dict[int, Layer] = field(default_factory=dict)


# What a saved reference (layer, node_index, tensor_index) resolves to: a call, or the
# output tensors of a nested model's call.
_Node = Call | list[TensorRef] | Unknown


class _Reader:
    def __init__(self, flavour: str):
        self.flavour = flavour
        self.models: list[Model] = []
        self.events: list[Event] = []
        self.order = 0
        self.symbol_uses: dict[str, int] = {}
        self.auto_names: dict[str, int] = {}
        # The calls made for the model being built (a stack: nested models are built inside).
        self.call_log: list[list[Call]] = []

    # ----------------------------------------------------------------- models
    def model(self, entry: dict[str, Any]) -> tuple[Model, list[Call]]:
        self.call_log.append([])
        if entry.get("class_name") == "Sequential" or isinstance(entry.get("config"), list):
            model = self.sequential(entry)
        else:
            model = self.functional(entry)
        model.compile = compile_args(entry.get("compile_config"))
        self.models.append(model)
        return model, self.call_log.pop()

    def not_a_graph(self, entry: dict[str, Any]) -> None:
        class_name = entry["class_name"]
        if lookup(class_name) is not None:
            raise SavedModelError(f"the config is a {class_name} layer, not a model")
        self.events.append(Event(
            UNSUPPORTED,
            f"model class `{class_name}` saves no layer graph (a subclassed model defines its "
            "graph in call(), which only runs in Keras); it is not analysed statically",
            NO_SPAN, model=_entry_name(entry)))

    def functional(self, entry: dict[str, Any]) -> Model:
        config = entry["config"]
        if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
            raise SavedModelError(f"model `{_entry_name(entry)}` has no list of layers")
        model = Model(name=_entry_name(entry) or self.auto("functional"), kind="functional",
                      span=NO_SPAN)
        nodes: dict[str, list[_Node]] = {}
        nested: dict[str, _Nested] = {}
        layers: dict[str, Layer] = {}
        pending: list[tuple[str, list[Any]]] = []
        for item in config["layers"]:
            if not isinstance(item, dict) or not isinstance(item.get("class_name"), str):
                raise SavedModelError(f"model `{model.name}` lists a layer that is not a "
                                      "layer config")
            name = _entry_name(item) or self.auto(item["class_name"])
            if name in nodes:
                raise SavedModelError(f"model `{model.name}` has two layers named `{name}`")
            nodes[name] = []
            inbound = item.get("inbound_nodes") or []
            if not isinstance(inbound, list):
                raise SavedModelError(f"layer `{name}` has malformed inbound_nodes")
            if _is_model_entry(item):
                inner, calls = self.model(item)
                nested[name] = _Nested(inner, calls, self._node_offset(item))
            else:
                layer = layers[name] = self.layer(item, name, model.name)
                if layer.class_name == "InputLayer" and not inbound:
                    nodes[name].append(self.call(layer, []))
                    continue
            if inbound:
                pending.append((name, inbound))
        self._connect(model, pending, nodes, nested, layers)
        for label, spec, target in (("inputs", config.get("input_layers"), model.inputs),
                                    ("outputs", config.get("output_layers"), model.outputs)):
            for ref in _saved_refs(spec):
                resolved = self._resolve(ref, nodes, nested, model.name, f"its {label}")
                if isinstance(resolved, Unknown):
                    model.unresolved.append(resolved)
                else:
                    target.append(resolved)
        if not model.outputs and not model.unresolved:
            raise SavedModelError(f"model `{model.name}` has no outputs")
        return model

    def _node_offset(self, item: dict[str, Any]) -> int:
        """tf-keras skips the first call of a model built from an Input (its internal
        one) and numbers the saved calls from 1."""
        if self.flavour != "tf_keras":
            return 0
        config = item.get("config")
        inner_layers = config.get("layers") if isinstance(config, dict) else config
        if item.get("class_name") != "Sequential":
            return 1
        first = inner_layers[0] if isinstance(inner_layers, list) and inner_layers else None
        return 1 if isinstance(first, dict) and first.get("class_name") == "InputLayer" else 0

    def _connect(self, model: Model, pending: list[tuple[str, list[Any]]],
                 nodes: dict[str, list[_Node]], nested: dict[str, _Nested],
                 layers: dict[str, Layer]) -> None:
        """Make the saved calls, each once its inputs exist (Keras saves a shared layer's
        calls together, so a later call may wait for layers listed after it). Other tensors
        a call takes (initial states) become its side inputs."""
        progress = {name: 0 for name, _ in pending}
        while pending:
            waiting: list[tuple[str, list[Any]]] = []
            advanced = False
            blocked: tuple[str, str, int] | None = None
            for name, inbound in pending:
                while progress[name] < len(inbound):
                    options: dict[str, Any] = {}
                    instance = layers[name].instance if name in layers else None
                    spec = instance.spec if instance is not None else None
                    if spec is not None and spec.call_inputs:
                        refs, extra, options = _argument_refs(inbound[progress[name]], spec)
                    else:
                        refs, extra = _node_refs(inbound[progress[name]])
                    if len(refs) > 1 and name in layers and _single_input(layers[name]):
                        # tf-keras appends initial states and constants to an RNN's inputs;
                        # the script front end reads the first argument only, so does this.
                        refs, extra = refs[:1], refs[1:] + extra
                    missing = next(((src, index) for src, index, _ in refs + extra
                                    if src not in nodes or
                                    index - (nested[src].node_offset if src in nested else 0)
                                    >= len(nodes[src])), None)
                    if missing is not None:
                        if missing[0] not in nodes:
                            raise SavedModelError(
                                f"layer `{name}` of model `{model.name}` is called on layer "
                                f"`{missing[0]}`, which the model does not have")
                        blocked = blocked or (name, *missing)
                        break
                    tensors: list[TensorRef] = []
                    unknown: Unknown | None = None
                    for ref in refs:
                        resolved = self._resolve(ref, nodes, nested, model.name,
                                                 f"layer `{name}`")
                        if isinstance(resolved, Unknown):
                            unknown = unknown or resolved
                        else:
                            tensors.append(resolved)
                    others = [r for r in (self._resolve(ref, nodes, nested, model.name,
                                                        f"layer `{name}`") for ref in extra)
                              if isinstance(r, TensorRef)]
                    made: _Node
                    if unknown is not None:
                        made = unknown
                    elif name in nested:
                        made = self.inline(nested[name], name, tensors)
                    else:
                        made = self.call(layers[name], tensors)
                        made.side_inputs = others
                        made.options = options
                    nodes[name].append(made)
                    progress[name] += 1
                    advanced = True
                if progress[name] < len(inbound):
                    waiting.append((name, inbound))
            if waiting and not advanced:
                name, source, index = blocked or (waiting[0][0], "?", 0)
                raise SavedModelError(
                    f"the graph of model `{model.name}` cannot be rebuilt: layer `{name}` is "
                    f"called on call {index} of layer `{source}`, which never happens")
            pending = waiting

    def _resolve(self, ref: tuple[str, int, int], nodes: dict[str, list[_Node]],
                 nested: dict[str, _Nested], model_name: str,
                 user: str) -> TensorRef | Unknown:
        source, index, tensor = ref
        if source not in nodes:
            raise SavedModelError(f"{user} of model `{model_name}` refers to layer "
                                  f"`{source}`, which the model does not have")
        if source in nested:
            index -= nested[source].node_offset
        if not 0 <= index < len(nodes[source]):
            raise SavedModelError(f"{user} of model `{model_name}` refers to call {ref[1]} "
                                  f"of layer `{source}`, which never happens")
        node = nodes[source][index]
        if isinstance(node, Unknown):
            return node
        if isinstance(node, Call):
            return TensorRef(node, tensor)
        if not 0 <= tensor < len(node):
            raise SavedModelError(f"{user} of model `{model_name}` refers to output {tensor} "
                                  f"of model `{source}`, which has {len(node)}")
        return node[tensor]

    def sequential(self, entry: dict[str, Any]) -> Model:
        config = entry["config"]
        if isinstance(config, list):  # Keras 2.2 and older: the list of layers itself
            items, name, build_shape = config, None, None
        elif isinstance(config, dict) and isinstance(config.get("layers"), list):
            items, name = config["layers"], _entry_name(entry)
            build_shape = config.get("build_input_shape")
            if build_shape is None and isinstance(entry.get("build_config"), dict):
                build_shape = entry["build_config"].get("input_shape")
        else:
            raise SavedModelError(f"Sequential model `{_entry_name(entry)}` has no list of "
                                  "layers")
        model = Model(name=name or self.auto("sequential"), kind="sequential", span=NO_SPAN)
        items = list(items)
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("class_name"), str):
                raise SavedModelError(f"model `{model.name}` lists a layer that is not a "
                                      "layer config")
        current: TensorRef | Unknown | None = None
        if items and items[0]["class_name"] == "InputLayer":
            first = items.pop(0)
            layer = self.layer(first, _entry_name(first) or self.auto("input_layer"),
                               model.name)
            current = TensorRef(self.call(layer, []), 0)
        else:
            input_config = sequential_input_options(items, build_shape)
            if input_config is not None:
                first_name = _entry_name(items[0]) if items else None
                name = f"{first_name}_input" if first_name else self.auto("input_layer")
                layer = self.layer({"class_name": "InputLayer", "config": input_config},
                                   name, model.name)
                current = TensorRef(self.call(layer, []), 0)
            elif items:
                model.unresolved.append(Unknown(
                    "the Sequential model was saved unbuilt (no Input, input_shape= or "
                    "build()), so Keras does not build it until it sees data"))
        if isinstance(current, TensorRef):
            model.inputs.append(current)
        for item in items:
            name = _entry_name(item) or self.auto(item["class_name"])
            if _is_model_entry(item):
                inner, calls = self.model(item)
                if isinstance(current, TensorRef):
                    outputs = self.inline(_Nested(inner, calls, 0), name, [current])
                    current = outputs if isinstance(outputs, Unknown) else (
                        outputs[0] if len(outputs) == 1 else Unknown(
                            f"nested model `{name}` has {len(outputs)} outputs, a Sequential "
                            "model needs one"))
                continue
            layer = self.layer(item, name, model.name)
            if current is None:
                model.layers.append(layer)
            elif isinstance(current, TensorRef):
                current = TensorRef(self.call(layer, [current]), 0)
        if isinstance(current, Unknown):
            model.unresolved.append(current)
        elif current is not None:
            model.outputs.append(current)
        return model

    def inline(self, nested: _Nested, name: str,
               inbound: list[TensorRef]) -> list[TensorRef] | Unknown:
        """One call of a nested model: its calls again, on copies of its layers named
        ``name/layer``, from the tensors it is called on."""
        inner = nested.model
        if inner.unresolved or not inner.outputs:
            return Unknown(f"nested model `{name}` has an incomplete graph")
        if len(inbound) != len(inner.inputs):
            return Unknown(f"nested model `{name}` takes {len(inner.inputs)} inputs but is "
                           f"called on {len(inbound)}")
        mapping: dict[int, TensorRef] = {
            id(ref.call): outer for ref, outer in zip(inner.inputs, inbound)}
        made: dict[int, Call] = {}

        def outer_ref(ref: TensorRef) -> TensorRef | None:
            if id(ref.call) in mapping:
                return mapping[id(ref.call)]
            call = made.get(id(ref.call))
            return TensorRef(call, ref.index) if call is not None else None

        for call in nested.calls:
            if id(call) in mapping or not call.inbound:
                continue
            refs = [outer_ref(ref) for ref in call.inbound]
            if any(ref is None for ref in refs):
                continue  # not between the nested model's inputs and outputs
            layer = call.layer
            copy = nested.copies.get(id(layer))
            if copy is None:
                copy = nested.copies[id(layer)] = Layer(
                    name=f"{name}/{layer.name}", class_name=layer.class_name, span=layer.span,
                    instance=layer.instance)
            made[id(call)] = self.call(copy, [r for r in refs if r is not None])
        outputs = [outer_ref(ref) for ref in inner.outputs]
        if any(ref is None for ref in outputs):
            return Unknown(f"nested model `{name}`: its outputs do not depend on its inputs")
        return [ref for ref in outputs if ref is not None]

    # ----------------------------------------------------------------- layers and calls
    def call(self, layer: Layer, inbound: list[TensorRef]) -> Call:
        call = Call(layer=layer, inbound=inbound, span=NO_SPAN, order=self.order)
        self.order += 1
        layer.calls.append(call)
        if self.call_log:
            self.call_log[-1].append(call)
        return call

    def layer(self, entry: dict[str, Any], name: str, model_name: str) -> Layer:
        class_name = entry["class_name"]
        spec = lookup(class_name)
        layer = Layer(name=name, class_name=spec.class_name if spec else class_name,
                      span=NO_SPAN)
        try:
            config = layer_config(entry)
            layer.instance = instantiate(layer.class_name, config, name,
                                         keras="2" if self.flavour == "tf_keras" else "3")
        except SkippedLayer as why:
            self.events.append(Event(
                UNSUPPORTED, f"{why}; the output shape of `{name}` and everything computed "
                "from it is unknown", NO_SPAN, model=model_name, layer=name))
        except (TypeError, ValueError, KeyError, IndexError, AttributeError,
                ArithmeticError) as error:  # an option of a shape normalize() cannot read
            self.events.append(Event(
                UNSUPPORTED, f"archlint cannot read the saved options of {layer.class_name} "
                f"`{name}` ({type(error).__name__}: {one_line(error)}); its output shape and "
                "everything computed from it is unknown", NO_SPAN, model=model_name,
                layer=name))
        except UnsupportedLayer as error:  # a nested class instantiate does not know
            self.events.append(Event(
                UNSUPPORTED, f"layer class `{error.class_name}` is not supported by archlint; "
                f"the output shape of `{name}` and everything computed from it is unknown",
                NO_SPAN, model=model_name, layer=name))
        if layer.class_name == "InputLayer":
            self._name_symbols(layer)
        return layer

    def _name_symbols(self, layer: Layer) -> None:
        name_symbols(layer, self.symbol_uses)

    def auto(self, base: str) -> str:
        """A name for an unnamed entry (configs of old Keras versions)."""
        count = self.auto_names.get(base, 0)
        self.auto_names[base] = count + 1
        return base if count == 0 else f"{base}_{count}"


def _single_input(layer: Layer) -> bool:
    instance = layer.instance
    return instance is not None and instance.spec.input_spec.max_inputs == 1


# --------------------------------------------------------------------------- saved calls


def _is_saved_ref(value: Any) -> TypeGuard[list[Any] | tuple[Any, ...]]:
    """``[layer_name, node_index, tensor_index]`` (tf-keras adds the call's kwargs)."""
    return isinstance(value, (list, tuple)) and len(value) in (3, 4) and \
        isinstance(value[0], str) and all(
            isinstance(v, int) and not isinstance(v, bool) for v in value[1:3])


def _saved_refs(value: Any) -> list[tuple[str, int, int]]:
    """The references in a (nested) list or dict of ``[layer, node, tensor]``, in order."""
    if _is_saved_ref(value):
        return [(value[0], value[1], value[2])]
    refs: list[tuple[str, int, int]] = []
    if isinstance(value, dict):
        if value.get("class_name") == "__keras_tensor__":
            history = (value.get("config") or {}).get("keras_history")
            if _is_saved_ref(history):
                refs.append((history[0], history[1], history[2]))
            return refs
        for item in value.values():
            refs.extend(_saved_refs(item))
    elif isinstance(value, (list, tuple)):
        for item in value:
            refs.extend(_saved_refs(item))
    return refs


_Ref = tuple[str, int, int]


def _argument_refs(node: Any, spec: LayerSpec) -> tuple[list[_Ref], list[_Ref],
                                                        dict[str, Any]]:
    """A saved call of a layer whose inputs are separate arguments (``mha(query, value,
    key=...)``): its inputs in ``spec.call_inputs`` order, its other tensors, and the call
    options the formulas read. Keras 3 saves ``{"args", "kwargs"}``; tf-keras the first
    input as ``[layer, node, tensor, {kwargs}]``, the others among its kwargs."""
    if isinstance(node, dict) and ("args" in node or "kwargs" in node):
        args, named = node.get("args") or [], node.get("kwargs") or {}
    elif isinstance(node, list) and node and _is_saved_ref(node[0]):
        args = [node[0][:3]]
        named = node[0][3] if len(node[0]) > 3 else {}
    else:
        raise SavedModelError("a saved call of a layer on separate tensors is malformed")
    if not isinstance(args, list) or not isinstance(named, dict):
        raise SavedModelError("a saved call has malformed args or kwargs")
    bound = [*args[:len(spec.call_inputs)],
             *(named.get(name) for name in spec.call_inputs[len(args):])]
    while bound and bound[-1] is None:
        bound.pop()
    refs = [ref for value in bound for ref in _saved_refs(value)[:1]]
    others = [v for k, v in named.items() if k not in spec.call_inputs]
    options = {k: v for k, v in named.items() if k in spec.call_options
               and isinstance(v, (bool, int, float, str, type(None)))}
    return refs, _saved_refs([*args[len(spec.call_inputs):], *others]), options


def _node_refs(node: Any) -> tuple[list[_Ref], list[_Ref]]:
    """The tensors one saved call of a layer is made on, and the other tensors it takes.

    Keras 3: the tensors of its first argument (``inputs=`` when passed by keyword), as the
    script front end reads a call, then those of its other arguments (``initial_state=``);
    tf-keras: every ``[layer, node, tensor, kwargs]`` of the node (its kwargs are not
    inputs; a recurrent layer's initial states come after its input, see ``_connect``).
    """
    if isinstance(node, dict) and ("args" in node or "kwargs" in node):
        args = node.get("args") or []
        kwargs = node.get("kwargs") or {}
        if not isinstance(args, list) or not isinstance(kwargs, dict):
            raise SavedModelError("a saved call has malformed args or kwargs")
        first = args[0] if args else kwargs.get("inputs")
        rest = [*args[1:], *(v for k, v in kwargs.items() if k != "inputs" or args)]
        return _saved_refs(first), _saved_refs(rest)
    return _saved_refs(node), []
