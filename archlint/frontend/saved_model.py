"""Saved Keras models read as layer graphs, without TensorFlow and without their weights.

Two files hold a model's architecture:

- ``model.keras``: the zip that ``model.save()`` writes (Keras 3 and tf-keras alike), with
  ``config.json`` (the architecture), ``metadata.json`` (the Keras version) and the weights,
  which are never read;
- ``model.json``: the text of ``model.to_json()``.

Their configs differ between versions. Keras 3 records each call of a layer as
``{"args": [{"class_name": "__keras_tensor__", "config": {"keras_history": [layer,
node_index, tensor_index]}}], "kwargs": {}}``; tf-keras as nested lists ``[[[layer,
node_index, tensor_index, {kwargs}]]]``. Either way the graph is rebuilt as the script front
end builds it (``graph.Layer``, ``Call``, ``Model``), with the layers' own names, so the
engine and the rules treat a saved model like a script. There are no source lines: every span
is ``Span(0)`` and diagnostics name the layer.

A saved layer config holds every option (initializers, regularizers, dtype policies...):
only the options the layer's spec reads are kept, and a class archlint has no formulas for,
or a user's class, becomes a layer of unknown output with an AL002 event.

A nested model (a model called as a layer) is analysed on its own, and inlined in the model
that calls it: its layers appear there as ``outer_name/inner_layer``, sharing their weights
across the calls, so shapes and parameter totals come out as Keras computes them.

Like the script front end, a call is made on its first argument only. Layers that a model
needs only for another layer's other tensors (an encoder whose states are a decoder's
``initial_state``) are listed with unknown parameters and the graph is marked incomplete:
the total is unknown rather than wrong.
"""

from __future__ import annotations

import json
import zipfile
import zlib
from pathlib import Path
from typing import Any, BinaryIO

from archlint.diagnostics import Event
from archlint.files import open_regular
from archlint.frontend.symbols import name_symbols
from archlint.frontend.values import KerasObject, ModuleRef
from archlint.graph import Call, CompileArgs, Layer, Model, Span, TensorRef
from archlint.layer_eval import UnsupportedLayer, instantiate
from archlint.layers import lookup
from archlint.layers.base import LayerSpec
from archlint.records import field, record
from archlint.unknown import Unknown

UNSUPPORTED = "AL002"
NO_SPAN = Span(0)
CONFIG_ENTRY = "config.json"
METADATA_ENTRY = "metadata.json"
# Keras versions whose formats are read: tf-keras (2.x) and Keras 3.
SUPPORTED_MAJORS = (2, 3)
# config.json of a large model is a few MB; more than this is not a Keras config.
MAX_CONFIG_BYTES = 64 * 1024 * 1024
READ_CHUNK = 1024 * 1024
MODEL_CLASSES = frozenset({"Functional", "Model", "Sequential"})
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
# Options kept beside a spec's own (defaults, nested layers, positional parameters): rules
# read a layer's activation.
DESCRIPTIVE_OPTIONS = frozenset({"name", "activation"})
INPUT_SHAPE_OPTIONS = frozenset({"batch_shape", "batch_input_shape", "input_shape"})
# Keras 2 style shape hints a first layer of a Sequential may carry.
SHAPE_HINTS = ("batch_input_shape", "batch_shape", "input_shape")


class SavedModelError(Exception):
    """The file is not a saved Keras model archlint can read; the message says why, in one
    line."""


# --------------------------------------------------------------------------- loading


def load_config(path: str | Path) -> dict[str, Any]:
    """The model config of a ``.keras`` archive (its ``config.json``) or of a ``.json``
    file written by ``model.to_json()``. The Keras version that saved it, when known, is
    under ``"keras_version"``.

    Only ``config.json`` and ``metadata.json`` are read from an archive, never the weights.
    Raises SavedModelError for a file that cannot be read, an empty file, a corrupt zip, an
    archive without ``config.json``, a text that is not JSON, JSON that is not a Keras
    model config, or a model saved by an unsupported Keras version.
    """
    path = Path(path)
    if path.is_dir():
        return _load_directory(path)
    try:
        with open_regular(path) as stream:
            head = stream.read(8)
            if not head:
                raise SavedModelError(f"{path} is empty, not a saved Keras model")
            if head.startswith(HDF5_SIGNATURE):
                raise SavedModelError(
                    f"{path} is a legacy HDF5 (.h5) model; archlint reads the .keras and "
                    ".json formats (re-save it with model.save('model.keras'))")
            stream.seek(0)
            if head.startswith(ZIP_SIGNATURES):
                config = _load_archive(stream, str(path))
            else:
                config = _parse_json(_read_limited(stream, str(path)), str(path))
    except OSError as error:
        raise SavedModelError(f"cannot read {path}: {error.strerror or error}") from None
    _check_model_config(config, str(path))
    return config


def _read_limited(stream: BinaryIO, where: str) -> bytes:
    """All of ``stream``, read in chunks and refused past MAX_CONFIG_BYTES: a zip member
    whose header understates its size, or a huge file, never fills the memory."""
    limit = MAX_CONFIG_BYTES
    chunks, size = [], 0
    while chunk := stream.read(min(READ_CHUNK, limit + 1 - size)):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise SavedModelError(f"{where} holds more than {limit // (1024 * 1024)} MiB, "
                                  "too much to be a Keras model config")
    return b"".join(chunks)


def _load_directory(path: Path) -> dict[str, Any]:
    """An extracted ``.keras`` archive; a TensorFlow SavedModel gets a clear refusal."""
    config_file = path / CONFIG_ENTRY
    if config_file.is_file():
        try:
            with open_regular(config_file) as stream:
                config = _parse_json(_read_limited(stream, str(config_file)), str(config_file))
            metadata_file = path / METADATA_ENTRY
            if metadata_file.is_file():
                with open_regular(metadata_file) as stream:
                    _merge_metadata(config, _read_limited(stream, str(metadata_file)))
        except OSError as error:
            raise SavedModelError(f"cannot read {path}: {error.strerror or error}") from None
        _check_model_config(config, str(path))
        return config
    if (path / "saved_model.pb").is_file():
        raise SavedModelError(
            f"{path} is a TensorFlow SavedModel directory, which holds a traced graph and no "
            "Keras config archlint can read; save the model with model.save('model.keras')")
    raise SavedModelError(f"{path} is a directory, not a saved Keras model")


def _load_archive(stream: BinaryIO, where: str) -> dict[str, Any]:
    """``config.json`` (and ``metadata.json``) of a ``.keras`` zip, each inflated as a
    stream with a size limit whatever its header declares."""
    try:
        with zipfile.ZipFile(stream) as archive:
            try:
                info = archive.getinfo(CONFIG_ENTRY)
            except KeyError:
                names = archive.namelist()
                listed = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
                raise SavedModelError(
                    f"{where} is a zip archive without {CONFIG_ENTRY} (it holds "
                    f"{listed or 'nothing'}): not a Keras .keras model") from None
            if info.file_size > MAX_CONFIG_BYTES:
                raise SavedModelError(f"{where}: {CONFIG_ENTRY} is too large "
                                      f"({info.file_size:,} bytes) to be a Keras model config")
            with archive.open(info) as member:
                raw = _read_limited(member, f"{where} ({CONFIG_ENTRY})")
            metadata = None
            if METADATA_ENTRY in archive.namelist():
                meta_info = archive.getinfo(METADATA_ENTRY)
                if meta_info.file_size <= MAX_CONFIG_BYTES:
                    with archive.open(meta_info) as member:
                        metadata = _read_limited(member, f"{where} ({METADATA_ENTRY})")
    except SavedModelError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError,
            NotImplementedError, ValueError) as error:
        raise SavedModelError(f"{where} is not a readable .keras archive (corrupt zip: "
                              f"{_one_line(error)})") from None
    config = _parse_json(raw, f"{where} ({CONFIG_ENTRY})")
    if metadata is not None:
        _merge_metadata(config, metadata)
    return config


def _merge_metadata(config: Any, raw: bytes) -> None:
    """The Keras version of ``metadata.json``, under ``config["keras_version"]``."""
    try:
        metadata = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return  # the architecture is in config.json; a damaged metadata.json is not needed
    if isinstance(config, dict) and isinstance(metadata, dict) and \
            isinstance(metadata.get("keras_version"), str):
        config["keras_version"] = metadata["keras_version"]


def _parse_json(data: bytes, where: str) -> Any:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SavedModelError(f"{where} is neither a .keras archive nor JSON text (it is "
                              "not UTF-8)") from None
    if not text.strip():
        raise SavedModelError(f"{where} is empty, not a saved Keras model")
    try:
        return json.loads(text)
    except ValueError as error:
        raise SavedModelError(f"{where} is not valid JSON ({_one_line(error)})") from None
    except RecursionError:
        raise SavedModelError(f"{where} is JSON nested too deeply to be a Keras "
                              "model config") from None


def _check_model_config(config: Any, where: str) -> None:
    if not isinstance(config, dict) or not isinstance(config.get("class_name"), str) \
            or "config" not in config:
        kind = type(config).__name__ if not isinstance(config, dict) else "an object"
        raise SavedModelError(
            f"{where} is JSON but not a Keras model config ({kind} without \"class_name\" "
            "and \"config\"; expected the output of model.to_json() or a .keras archive)")
    version = config.get("keras_version")
    if isinstance(version, str):
        major = version.split(".", 1)[0]
        if not major.isdigit() or int(major) not in SUPPORTED_MAJORS:
            raise SavedModelError(
                f"{where} was saved by Keras {version}; archlint reads models saved by "
                "tf-keras (Keras 2) and Keras 3")


def _one_line(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return " ".join(text.split())


# --------------------------------------------------------------------------- the graph


def models_from_config(config: dict[str, Any],
                       events: list[Event] | None = None) -> list[Model]:
    """The models of a saved config, as the script front end builds them: the saved model
    last, after the models nested in it (each also analysed on its own).

    ``events`` receives the AL002 events of layers archlint cannot analyse (unsupported or
    custom classes: their outputs are unknown) and of a subclassed model (no graph: no
    model is returned). Raises SavedModelError for a config that is not a Keras model or
    whose graph cannot be rebuilt (a call of a layer that does not exist...).
    """
    _check_model_config(config, "the config")
    reader = _Reader(_flavour(config))
    try:
        if not _is_model_entry(config):
            reader.not_a_graph(config)
        else:
            reader.model(config)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as error:
        raise SavedModelError(f"the model config is malformed ({type(error).__name__}: "
                              f"{_one_line(error)})") from None
    except RecursionError:
        raise SavedModelError("the model config is nested too deeply to be read") from None
    if events is not None:
        events.extend(reader.events)
    return reader.models


def read_models(path: str | Path) -> tuple[list[Model], list[Event]]:
    """``load_config`` then ``models_from_config``: the models of a saved file and the
    events of what cannot be analysed. Raises SavedModelError."""
    events: list[Event] = []
    models = models_from_config(load_config(path), events)
    return models, events


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


class _Skip(Exception):
    """A layer archlint cannot analyse; the message says why."""


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
        model.compile = _compile_args(entry.get("compile_config"))
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
            input_config = _sequential_input(items, build_shape)
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
            config = _layer_config(entry)
            layer.instance = instantiate(layer.class_name, config, name,
                                         keras="2" if self.flavour == "tf_keras" else "3")
        except _Skip as why:
            self.events.append(Event(
                UNSUPPORTED, f"{why}; the output shape of `{name}` and everything computed "
                "from it is unknown", NO_SPAN, model=model_name, layer=name))
        except (TypeError, ValueError, KeyError, IndexError, AttributeError,
                ArithmeticError) as error:  # an option of a shape normalize() cannot read
            self.events.append(Event(
                UNSUPPORTED, f"archlint cannot read the saved options of {layer.class_name} "
                f"`{name}` ({type(error).__name__}: {_one_line(error)}); its output shape and "
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


def _sequential_input(items: list[dict[str, Any]], build_shape: Any) -> dict[str, Any] | None:
    """The InputLayer options of a Sequential saved without an InputLayer: the first
    layer's Keras 2 style shape hints, else the shape it was built with."""
    if items:
        first = items[0].get("config")
        if isinstance(first, dict):
            for key in SHAPE_HINTS:
                if first.get(key) is not None:
                    return {key: _plain(first[key])}
            if first.get("input_dim") is not None:
                return {"shape": (first["input_dim"],)}
    if isinstance(build_shape, (list, tuple)) and build_shape and \
            not isinstance(build_shape[0], (list, tuple, dict)):
        return {"batch_input_shape": _plain(build_shape)}
    return None


# --------------------------------------------------------------------------- layer configs


def _layer_config(entry: dict[str, Any]) -> dict[str, Any]:
    """The options of a saved layer that archlint reads, in the form a script gives them.

    A saved config holds every option (initializers, regularizers, dtype policies,
    ``trainable``...): only the spec's own options are kept, nested layers are cleaned the
    same way, and Keras 3's serialized tuples become tuples. Raises _Skip for a class
    archlint cannot analyse.
    """
    class_name = entry["class_name"]
    custom = _custom_class(entry)
    if custom is not None:
        raise _Skip(custom)
    spec = lookup(class_name)
    if spec is None:
        raise _Skip(f"layer class `{class_name}` is not supported by archlint")
    config = entry.get("config")
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise SavedModelError(f"the config of a {class_name} layer is not an object")
    if config.get("time_major"):
        raise _Skip(f"{class_name} time_major=True (a tf-keras option) is not supported by "
                    "archlint")
    if spec.class_name == "InputLayer":
        _check_input_shape(config)
    keep = _kept_options(spec)
    cleaned: dict[str, Any] = {}
    for key, value in config.items():
        if key not in keep:
            continue
        if key in spec.nested and isinstance(value, dict) and "class_name" in value:
            inner = _layer_config(value)
            inner_spec = lookup(value["class_name"])
            cleaned[key] = {"class_name": inner_spec.class_name if inner_spec else
                            value["class_name"], "config": inner}
        elif key == "dtype":
            cleaned[key] = _dtype_name(value)
        else:
            cleaned[key] = _plain(value)
    axis = cleaned.get("axis")
    if spec.class_name == "BatchNormalization" and isinstance(axis, list) and len(axis) == 1:
        cleaned["axis"] = axis[0]  # tf-keras saves the axis as a list, even for one axis
    return cleaned


def _check_input_shape(config: dict[str, Any]) -> None:
    for key in ("shape", *INPUT_SHAPE_OPTIONS):
        shape = _plain(config.get(key))
        if shape is None:
            continue
        if not isinstance(shape, (list, tuple)) or not all(
                d is None or (isinstance(d, int) and not isinstance(d, bool) and d >= 0)
                for d in shape):
            raise SavedModelError(f"input `{config.get('name')}` has {key}={shape!r}, which "
                                  "is not a list of sizes")


def _kept_options(spec: LayerSpec) -> frozenset[str]:
    keep = set(spec.defaults) | set(spec.nested) | set(spec.positional) | DESCRIPTIVE_OPTIONS
    keep.discard("weights")
    if spec.class_name == "InputLayer":
        keep |= INPUT_SHAPE_OPTIONS
    return frozenset(keep)


def _custom_class(entry: dict[str, Any]) -> str | None:
    """Why a saved layer is a user's class (even one named like a Keras layer), or None."""
    class_name = entry["class_name"]
    module = entry.get("module")
    registered = entry.get("registered_name")
    if isinstance(module, str) and module and \
            module.split(".")[0] not in ("keras", "tf_keras", "tensorflow"):
        return f"custom layer class `{registered or class_name}` (module {module}) is not " \
               "supported by archlint"
    if isinstance(registered, str) and registered != class_name:
        return f"custom layer class `{registered}` is not supported by archlint"
    return None


def _dtype_name(value: Any) -> Any:
    """A dtype, or the name of a dtype policy (``{"class_name": "DTypePolicy", "config":
    {"name": "float32"}}``)."""
    if isinstance(value, dict):
        inner = value.get("config")
        if isinstance(inner, dict) and isinstance(inner.get("name"), str):
            return inner["name"]
        return None
    return value


def _plain(value: Any) -> Any:
    """Keras 3's ``{"class_name": "__tuple__", "config": {"value": [...]}}`` as a tuple,
    recursively."""
    if isinstance(value, dict):
        if value.get("class_name") == "__tuple__" and isinstance(value.get("config"), dict):
            return tuple(_plain(v) for v in value["config"].get("value", []))
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


# --------------------------------------------------------------------------- saved calls


def _is_saved_ref(value: Any) -> bool:
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


# --------------------------------------------------------------------------- compile


def _compile_args(config: Any) -> CompileArgs | None:
    """``compile_config`` of a .keras archive as the script's ``model.compile(...)``."""
    if not isinstance(config, dict) or not config:
        return None
    loss = _keras_object(config.get("loss"), "losses")
    return CompileArgs(span=NO_SPAN, loss=loss, loss_source=_describe(loss),
                       optimizer=_keras_object(config.get("optimizer"), "optimizers"),
                       metrics=_keras_object(config.get("metrics"), "metrics"))


def _keras_object(value: Any, module: str) -> Any:
    """A serialized loss, optimizer or metric as the value the script front end makes of
    the same expression: a name stays a string, a function becomes a ModuleRef, an object
    a KerasObject with its options."""
    if isinstance(value, list):
        return [_keras_object(v, module) for v in value]
    if not isinstance(value, dict):
        return value
    class_name = value.get("class_name")
    if not isinstance(class_name, str):
        return {k: _keras_object(v, module) for k, v in value.items()}
    inner = value.get("config")
    if class_name == "function":
        name = inner if isinstance(inner, str) else value.get("registered_name")
        return ModuleRef(f"keras.{module}.{name}")
    options = inner if isinstance(inner, dict) else {}
    kwargs = tuple(sorted((k, v) for k, v in options.items()
                          if isinstance(v, (bool, int, float, str)) or v is None))
    return KerasObject(f"keras.{module}.{class_name}", (), kwargs)


def _describe(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, ModuleRef):
        return value.path
    if isinstance(value, KerasObject):
        return f"{value.path}()"
    if isinstance(value, list):
        return "[" + ", ".join(str(_describe(v)) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_describe(v)}" for k, v in value.items()) + "}"
    return repr(value)
