"""Recurrent cells the script defines, run by ``keras.layers.RNN``.

A ``keras.layers.Layer`` subclass given as the cell of ``RNN`` (alone, in a list, or in
``StackedRNNCells``) is read as Keras reads it: ``state_size`` (an int, or a list or tuple
of ints, one per state) and ``output_size`` (the width of the output; ``state_size[0]``
when it has none) after its ``__init__``; its weights are those its ``build()`` makes for
one step, ``(batch, features)``, which RNN builds on its first call. Its ``call()`` is
then traced once on placeholders of a step and of the states (what it adds to the graph is
dropped again): Keras 3 declares the sizes, tf-keras takes what call() makes, and the data
gets what call() makes, so a call() that makes other widths, or calls a layer whose weights
it would make, leaves the RNN unknown. A call() archlint cannot follow leaves it unknown
under tf-keras; Keras 3 declares the sizes without running it, which archlint gives, with an
AL002 saying call() is not checked.
"""

from __future__ import annotations

import ast
from typing import Any

from archlint.diagnostics import Event
from archlint.dims import format_shape
from archlint.frontend.keras_layers import UNSUPPORTED
from archlint.frontend.keras_subclasses import KerasSubclasses
from archlint.frontend.keras_values import LayerObject, Tensor
from archlint.frontend.scope import OutOfBudget, span_of
from archlint.frontend.tensor_ops import TensorOpSpec
from archlint.frontend.user_layers import UserLayerObject, weights_params
from archlint.frontend.values import BoundFunction, Function
from archlint.graph import Call, Layer, TensorRef
from archlint.layer_types import LayerInstance, Shape
from archlint.layers.base import NO_PARAMS, Params, Unresolved
from archlint.layers.cells import CellSpec, StackedRNNCells
from archlint.unknown import Unknown

_OWNERS = ("RNN", "StackedRNNCells")
# What makes a cell's step: a subclass of a Keras cell that defines none is that cell.
_CELL_MEMBERS = ("call", "build", "state_size", "output_size")


class UserCellSpec(CellSpec):
    """A cell of the script's own: the sizes it declares and the weights its build() made
    (None until an RNN builds it)."""

    class_name = "UserCell"

    def output_size(self, config: dict[str, Any]) -> Any:
        if config.get("unknown") is not None:
            raise Unresolved(config["unknown"])
        return config["output_size"]

    def state_sizes(self, config: dict[str, Any]) -> list[Any]:
        if config.get("unknown") is not None:
            raise Unresolved(config["unknown"])
        return list(config["state_size"])

    def step_params(self, config: dict[str, Any], features: Any) -> int:
        return self.step_weights(config, features).total

    def step_weights(self, config: dict[str, Any], features: Any) -> Params:
        if config.get("unknown") is not None:
            raise Unresolved(config["unknown"])
        if config.get("weights_unknown") is not None:
            raise Unresolved(config["weights_unknown"])
        weights = config.get("weights")
        if weights is None:
            raise Unresolved(Unknown(
                f"the weights of the cell `{config['cell_class']}` are made by its build() "
                "when an RNN called on a Keras tensor builds it, which archlint does not "
                "follow here (a cell in a wrapper, or an RNN not called)"))
        return weights_params(weights)


USER_CELL = UserCellSpec()


class UserCells(KerasSubclasses):
    """User-defined cells given to RNN and StackedRNNCells, and built by RNN's call."""

    def nested_instance(self, value: LayerObject, owner: str, option: str,
                        line: int) -> Any:
        if isinstance(value, UserLayerObject) and owner in _OWNERS:
            return self.user_cell(value, line)
        if owner not in _OWNERS and self._holds_user_cell(value.layer.instance):
            # Bidirectional makes its backward RNN from the forward one's get_config(): a
            # cell of the script's own goes through its own get_config and constructor.
            unknown = Unknown(f"{owner} around `{value.layer.name}`, an RNN of a cell the "
                              "script defines, is not followed: Keras copies the RNN through "
                              "its config, which the cell's own get_config and constructor "
                              "decide (Keras 3 refuses a cell without them)", line)
            self.events.append(Event(UNSUPPORTED, unknown.reason, value.layer.span,
                                     layer=value.layer.name))
            return unknown
        return super().nested_instance(value, owner, option, line)

    def _holds_user_cell(self, instance: LayerInstance | None) -> bool:
        if instance is None or instance.class_name not in ("RNN", *_OWNERS):
            return False
        cells = instance.config.get("cells", instance.config.get("cell"))
        items = cells if isinstance(cells, (list, tuple)) else [cells]
        return any(isinstance(item, LayerInstance) and (
            item.spec is USER_CELL or self._holds_user_cell(item)) for item in items)

    def user_cell(self, obj: UserLayerObject, line: int) -> LayerInstance | Unknown:
        """The cell as a layer instance of its declared sizes, or why it is not known."""
        name = obj.layer.class_name
        base = obj.base_layer.layer.instance if obj.base_layer is not None else None
        if base is not None and isinstance(base.spec, CellSpec) and obj.cls is not None and \
                not any(obj.cls.member(m)[0] for m in _CELL_MEMBERS):
            return base  # a Keras cell with other defaults (class Cell(layers.GRUCell))
        for made, seen in self.user_cells:
            if seen is obj:  # given to a second RNN: one cell, built once, weights shared
                return made
        if obj.cls is None or not isinstance(obj.cls.member("call")[1], Function):
            return self._not_followed(obj, Unknown(
                f"the cell `{name}` defines no call(inputs, states) archlint can read", line))
        sizes = self._state_sizes(obj, line)
        if isinstance(sizes, Unknown):
            return self._not_followed(obj, sizes)
        output = self._cell_attribute(obj, "output_size", line)
        if output is None:
            output = sizes[0] if sizes else Unknown(
                f"the cell `{name}` has state_size=[], so no output size", line)
        if isinstance(output, Unknown) or not _is_size(output):
            return self._not_followed(obj, output if isinstance(output, Unknown) else Unknown(
                f"the cell `{name}` has output_size={output!r}: Keras takes an int", line))
        span = obj.layer.span
        instance = LayerInstance(
            spec=USER_CELL, config={"cell_class": name, "state_size": tuple(sizes),
                                    "output_size": output, "weights": None,
                                    "weights_unknown": None, "unknown": None},
            name=obj.layer.name, line=span.line, column=span.column, end_line=span.end_line,
            target=self.keras)
        self.user_cells.append((instance, obj))
        return instance

    def _state_sizes(self, obj: UserLayerObject, line: int) -> list[Any] | Unknown:
        name = obj.layer.class_name
        value = self._cell_attribute(obj, "state_size", line)
        if value is None:
            return Unknown(f"the cell `{name}` has no state_size archlint can read (Keras "
                           "requires one)", line)
        if isinstance(value, Unknown):
            return value
        sizes = list(value) if isinstance(value, (list, tuple)) else [value]
        if not all(_is_size(s) for s in sizes):
            return Unknown(f"the cell `{name}` has state_size={value!r}: archlint reads an "
                           "int, or a list or tuple of ints", line)
        return sizes

    def _cell_attribute(self, obj: UserLayerObject, attr: str, line: int) -> Any:
        """The attribute as Keras's getattr reads it after __init__; None when absent."""
        if attr not in obj.attributes and (obj.cls is None or not obj.cls.member(attr)[0]):
            return None
        node = obj.made_at if obj.made_at is not None else ast.Call(
            func=ast.Name(id=attr), args=[], keywords=[], lineno=line, col_offset=0)
        value = self.user_layer_attribute(obj, attr, node)
        return None if value is None else value

    def _not_followed(self, obj: UserLayerObject, unknown: Unknown) -> Unknown:
        self.events.append(Event(
            UNSUPPORTED, f"the recurrent cell `{obj.layer.class_name}` is not followed: "
            f"{unknown.describe()}; the RNN that runs it is unknown", obj.layer.span,
            layer=obj.layer.name))
        return unknown

    # ----------------------------------------------------------------- building
    def call_layer(self, obj: LayerObject, args: list[Any], kwargs: dict[str, Any],
                   node: ast.Call) -> Any:
        inputs = args[0] if args else kwargs.get("inputs")
        if isinstance(inputs, Tensor):
            self.build_user_cells(obj, inputs.ref)
        return super().call_layer(obj, args, kwargs, node)

    def chain_call(self, item: LayerObject, current: TensorRef) -> TensorRef | Unknown:
        self.build_user_cells(item, current)
        return super().chain_call(item, current)

    def build_user_cells(self, obj: LayerObject, sequences: TensorRef) -> None:
        """RNN's build on its first call: each user cell's build() on one step's shape,
        ``(batch, features)``; in a stack, each cell on the output of the one before."""
        instance = obj.layer.instance
        if not self.user_cells or instance is None or instance.class_name != "RNN" or \
                instance.unresolved is not None or instance.config_error is not None:
            return
        shape = self._input_shape(Tensor(sequences))
        if not isinstance(shape, tuple) or len(shape) < 3:
            return  # RNN's own check refuses it
        step: Shape = (shape[0], *shape[2:])
        cell: LayerInstance = instance.config["cell"]
        cells = cell.config["cells"] if cell.class_name == StackedRNNCells.class_name \
            else [cell]
        if len({id(c) for c in cells}) < len(cells):
            instance.unresolved = Unknown(
                "the same cell object is given twice to one stack of cells, which archlint "
                "does not follow", obj.layer.span.line)
            return
        for inner in cells:
            if not isinstance(inner.spec, CellSpec):
                return
            problem = self._build_cell(inner, step)
            if problem is not None:
                instance.unresolved = problem
                return
            try:
                step = (step[0], inner.spec.output_size(inner.config))
            except Unresolved:  # the cells after it are not built
                return

    def _build_cell(self, cell: LayerInstance, step: Shape) -> Unknown | None:
        """Builds a user cell on its first RNN's steps; for a cell built before (given to
        an RNN earlier), None when this RNN's steps are the same, else why not known."""
        found = [o for i, o in self.user_cells if i is cell]
        if not found:
            return None
        obj = found[0]
        if cell.config["weights"] is not None or cell.config["weights_unknown"] is not None:
            built_on = cell.config.get("built_on")
            if built_on is not None and built_on != tuple(step[1:]):
                return Unknown(
                    f"the cell `{obj.layer.class_name}` was built on steps of shape "
                    f"{format_shape((None, *built_on))} by the RNN given it first, and this "
                    f"RNN gives it {format_shape((None, *step[1:]))}: Keras does not build "
                    "it again, and archlint does not follow what its call() does then",
                    obj.layer.span.line)
            return None
        cell.config["built_on"] = tuple(step[1:])
        if not obj.built:
            obj.built = True
            build = obj.cls.member("build")[1] if obj.cls is not None else None
            if isinstance(build, Function) and obj.made_at is not None:
                self.host.call(BoundFunction(build, obj), [step], {}, obj.made_at)
        cell.config["weights"] = tuple(obj.weights)
        cell.config["weights_unknown"] = obj.weights_unknown
        traced = self._trace_cell(obj, cell, step)
        if traced is not None:
            self._untraced(obj, cell, traced)
        if obj.weights_unknown is not None:
            self.events.append(Event(
                UNSUPPORTED, f"the weights of the recurrent cell `{obj.layer.class_name}` "
                f"are not followed: {obj.weights_unknown.describe()}; the parameters of the "
                "RNN that runs it are unknown", span_of(obj.made_at) if obj.made_at else
                obj.layer.span, layer=obj.layer.name))
        return None



    # ----------------------------------------------------------------- its call()
    def _trace_cell(self, obj: UserLayerObject, cell: LayerInstance,
                    step: Shape) -> Unknown | None:
        """The cell's call() on placeholders of a step and of its states: None when it
        makes the declared output and states, else why not known."""
        name = obj.layer.class_name
        call = obj.cls.member("call")[1] if obj.cls is not None else None
        if not isinstance(call, Function) or obj.made_at is None:
            return Unknown(f"the cell `{name}` defines no call() archlint can read")
        sizes = list(cell.config["state_size"])
        marks = (len(self.calls), len(self.layers), len(self.events))
        holders = [self._placeholder(obj, shape) for shape in
                   [step, *((step[0], size) for size in sizes)]]
        self.inside_layer_call += 1
        try:
            result = self.host.call(BoundFunction(call, obj), [holders[0], holders[1:]], {},
                                    obj.made_at)
            return self._step_result(obj, cell, result, step[0], marks)
        except OutOfBudget:
            return Unknown(f"the call() of the cell `{name}` takes too many steps to follow")
        finally:
            self.inside_layer_call -= 1
            for made in self.calls[marks[0]:]:
                if made in made.layer.calls:
                    made.layer.calls.remove(made)
            del self.calls[marks[0]:]
            del self.layers[marks[1]:]
            del self.events[marks[2]:]

    def _placeholder(self, obj: UserLayerObject, shape: Shape) -> Tensor:
        span = obj.layer.span
        holder = Layer(name=f"{obj.layer.name} step", class_name="LambdaInput", span=span)
        return Tensor(TensorRef(Call(layer=holder, inbound=[], span=span, order=-1,
                                     output=shape, params=NO_PARAMS)))

    def _step_result(self, obj: UserLayerObject, cell: LayerInstance, result: Any,
                     batch: Any, marks: tuple[int, int, int]) -> Unknown | None:
        name = obj.layer.class_name
        for made in self.calls[marks[0]:]:
            if made.layer.instance is None or not isinstance(made.layer.instance.spec,
                                                             TensorOpSpec):
                return Unknown(f"the call() of the cell `{name}` calls the layer "
                               f"`{made.layer.name}`, whose weights archlint does not count "
                               "in a cell")
        if isinstance(result, Unknown):
            return Unknown(f"archlint cannot follow the call() of the cell `{name}`: "
                           f"{result.reason}", result.line)
        if not (isinstance(result, (tuple, list)) and len(result) == 2):
            return Unknown(f"the call() of the cell `{name}` does not return "
                           "(output, new_states)")
        output, states = result
        states = list(states) if isinstance(states, (list, tuple)) else [states]
        declared = [cell.config["output_size"], *cell.config["state_size"]]
        shapes = [self._step_shape(t) for t in [output, *states]]
        if shapes == [(batch, size) for size in declared]:
            return None
        unknown = next((m for m in shapes if not isinstance(m, tuple)), None)
        if unknown is not None:
            why = unknown.reason if isinstance(unknown, Unknown) else \
                "it returns something that is not a tensor"
            return Unknown(f"archlint cannot follow the call() of the cell `{name}`: {why}")
        shown = ", ".join(format_shape(m) if isinstance(m, tuple) else "?" for m in shapes)
        return Unknown(f"the call() of the cell `{name}` makes ({shown}) where it declares "
                       f"output_size {declared[0]} and state_size {list(declared[1:])}: "
                       "Keras 3 declares the latter, the data gets the former")

    def _step_shape(self, value: Any) -> Any:
        """The shape of a tensor call() returns, or an Unknown (None: not a tensor)."""
        if not isinstance(value, Tensor):
            return value if isinstance(value, Unknown) else None
        call = value.ref.call
        self.shapes.infer(call)
        if call.error is not None:
            return Unknown(f"Keras refuses `{call.layer.name}` in it: {call.error.message}")
        shape = call.output_at(value.ref.index)
        if isinstance(shape, tuple | Unknown):
            return shape
        return Unknown(f"the shape of `{call.layer.name}` in it is not known")

    def _untraced(self, obj: UserLayerObject, cell: LayerInstance, why: Unknown) -> None:
        """Keras 3 declares the sizes without running call(): they stand, said so, when
        archlint cannot follow call(); otherwise the cell is unknown."""
        declared_only = self.keras == "3" and why.reason.startswith("archlint cannot follow")
        if declared_only:
            message = (f"{why.describe()}; the RNN takes the sizes the cell declares, which "
                       "Keras 3 declares without running call(): what call() makes on data "
                       "is not checked")
        else:
            cell.config["unknown"] = why
            message = f"the recurrent cell `{obj.layer.class_name}` is not followed: " \
                f"{why.describe()}; the RNN that runs it is unknown"
        self.events.append(Event(UNSUPPORTED, message, obj.layer.span, layer=obj.layer.name))


def _is_size(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
