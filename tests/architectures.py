"""Random sequence-model architectures as Python source, for differential testing.

``architectures()`` is a hypothesis strategy whose values are complete Keras scripts::

    import keras
    from keras import layers

    inputs = keras.Input(shape=(None, 4))
    x1 = layers.Conv1D(6, 3, padding="causal", dilation_rate=2)(inputs)
    x2, *s1 = layers.LSTM(5, return_sequences=True, return_state=True)(x1)
    ...
    model = keras.Model(inputs, outputs)

They are made of the sequence layers archlint supports (Conv1D with every padding, strides
and dilation; pooling; LSTM/GRU/SimpleRNN with their options; Bidirectional with equal or
different halves and every merge mode; TimeDistributed(Dense); Dense; Flatten; Dropout;
normalization; global pooling; merges; RepeatVector; Embedding on integer inputs), in chains
and branches that merge again. Each script has 2 to 12 layers with few units, so that real
Keras builds it and runs it forward in milliseconds.

A share of the scripts contains one construct Keras must refuse (a window longer than the
sequence, an RNN on a 2-D tensor, an element-wise merge of different widths, a concatenation
of different lengths, Flatten then Dense on an undefined time axis, a Bidirectional whose
halves disagree, ...): the generator tracks shapes roughly only to steer its choices, and
real Keras decides what is accepted.

A layer class archlint does not know (``archlint.layers.lookup``) is never generated, so
the strategy follows the catalog as it grows.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from archlint.layers import lookup

# Constructs the generator can leave out (``architectures(avoid=...)``), by name.
CONSTRUCTS = (
    "embedding", "rnn_return_state", "bidirectional", "bidirectional_asymmetric",
    "bidirectional_return_state", "bidirectional_merge_none", "time_distributed",
    "flatten", "repeat_vector", "normalization", "global_pooling", "merge",
    "time_concat", "two_inputs", "faults",
    # Layer calls whose results reach no model output (the faulty one included).
    "dangling",
    # Later layers use the final states of a Bidirectional(return_state=True).
    "bidirectional_state_use",
    # A layer Keras refuses, or one after it, returns several outputs the script unpacks.
    "unpack_refused",
    # An element-wise Bidirectional whose halves have widths n and 1 (broadcast).
    "bidirectional_broadcast",
    # Concatenation on the time axis of two inputs' variable lengths (T+U steps).
    "time_concat_inputs",
    # A model called as a layer: a Sequential block built by its call, or a functional
    # sub-model on an input of its own.
    "nested_block",
    # Operations on tensors: x + y, x * y, x[:, -1], x[..., :k].
    "tensor_ops",
)

RNNS = ("LSTM", "GRU", "SimpleRNN")
STATES = {"LSTM": 2, "GRU": 1, "SimpleRNN": 1}
MERGE_MODES = ("concat", "sum", "mul", "ave", None)
ELEMENTWISE = ("Add", "Multiply", "Average", "Subtract", "Maximum", "Minimum")
FAULTS = ("rank", "short", "bidirectional_widths", "bidirectional_config", "merge_widths",
          "merge_lengths", "merge_ranks", "flatten_dense", "conv_options", "pool_padding",
          "variable_lengths")


# Constructs left out unless asked for: none. Each one was left out while archlint got it
# wrong (its first saved script in tests/fixtures/differential/ is now a regression that
# passes) and came back after a 600-draw run per Keras version found no disagreement:
# bidirectional_state_use, bidirectional_broadcast and time_concat_inputs (seed 11),
# dangling and unpack_refused (seed 13, every construct: 600/600 on both versions).
DEFAULT_AVOID: frozenset[str] = frozenset()


def supported(class_name: str) -> bool:
    return lookup(class_name) is not None


@dataclass
class Tensor:
    """What the generator believes about a tensor (a guide, not the truth)."""

    name: str
    rank: int  # batch axis included: 2 or 3
    steps: int | None = None  # axis 1 of a rank-3 tensor (or of an index tensor)
    key: Any = None  # tensors with the same key have the same (possibly undefined) length
    width: int | None = None  # the last axis
    ids: bool = False  # integer indices (batch, steps), for Embedding
    state: bool = False  # a recurrent layer's final state (return_state=True)
    inputs: frozenset[int] = field(default_factory=frozenset)  # the Inputs it depends on
    used: bool = False

    @property
    def sequence(self) -> bool:
        return self.rank == 3 and not self.ids


def conv_steps(steps: int | None, kernel: int, padding: str, stride: int,
               dilation: int) -> int | None:
    if steps is None:
        return None
    if padding in ("same", "causal"):
        return -(-steps // stride)
    return (steps - dilation * (kernel - 1) - 1) // stride + 1


def pool_steps(steps: int | None, pool: int, padding: str, stride: int) -> int | None:
    if steps is None:
        return None
    if padding == "same":
        return -(-steps // stride)
    return (steps - pool) // stride + 1


class _Builder:
    def __init__(self, rng: random.Random, avoid: frozenset[str], max_layers: int):
        self.rng = rng
        self.avoid = avoid
        self.lines: list[str] = []
        self.pool: list[Tensor] = []
        self.count = 0
        self.layers = 0
        self.max_layers = max_layers
        self.faulty = False  # while the construct Keras refuses is generated

    # ------------------------------------------------------------ helpers
    def allowed(self, construct: str, *classes: str) -> bool:
        return construct not in self.avoid and all(supported(c) for c in classes)

    def pick(self, options: Any) -> Any:
        return self.rng.choice(list(options))

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def integer(self, lo: int, hi: int) -> int:
        return self.rng.randint(lo, hi)

    def shuffled(self, items: list[Any]) -> list[Any]:
        items = list(items)
        self.rng.shuffle(items)
        return items

    def fresh(self, prefix: str = "x") -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def emit(self, line: str) -> None:
        self.lines.append(line)

    def add(self, tensor: Tensor) -> Tensor:
        self.pool.append(tensor)
        return tensor

    def derive(self, src: Tensor | list[Tensor], **shape: Any) -> Tensor:
        sources = src if isinstance(src, list) else [src]
        for s in sources:
            s.used = True
        deps = frozenset().union(*(s.inputs for s in sources))
        return Tensor(name=self.fresh(), inputs=deps, **shape)

    @staticmethod
    def opts(*items: tuple[str, Any]) -> str:
        return "".join(f", {k}={v!r}" for k, v in items)

    # ------------------------------------------------------------ inputs
    def make_inputs(self) -> list[Tensor]:
        count = 2 if self.allowed("two_inputs") and self.chance(0.2) else 1
        tensors = []
        for i in range(count):
            name = "inputs" if count == 1 else f"input_{i + 1}"
            kind = self.pick(["sequence"] * 8 + ["ids"] * 2 + ["flat"])
            if kind == "ids" and not self.allowed("embedding", "Embedding"):
                kind = "sequence"
            steps = None if self.chance(0.35) else self.integer(1, 16)
            key = ("input", i) if steps is None else steps
            if kind == "sequence":
                width = self.integer(1, 6)
                self.emit(f"{name} = keras.Input(shape=({steps}, {width}))")
                tensor = Tensor(name, 3, steps, key, width)
            elif kind == "ids":
                self.emit(f'{name} = keras.Input(shape=({steps},), dtype="int32")')
                tensor = Tensor(name, 2, steps, key, None, ids=True)
            else:
                width = self.integer(1, 8)
                self.emit(f"{name} = keras.Input(shape=({width},))")
                tensor = Tensor(name, 2, None, None, width)
            tensor.inputs = frozenset({i})
            tensors.append(self.add(tensor))
        return tensors

    # ------------------------------------------------------------ layers
    def conv1d(self, src: Tensor, fault: str | None = None) -> Tensor:
        filters = self.integer(1, 8)
        kernel = self.integer(1, 5)
        padding = self.pick(["valid", "same", "causal"])
        stride = self.pick([1, 1, 1, 2, 3])
        dilation = self.pick([1, 1, 2, 3]) if stride == 1 else 1
        if fault == "conv_options":
            stride, dilation = self.integer(2, 3), self.integer(2, 3)
        if fault == "short" and src.steps is not None:
            padding, dilation = "valid", 1
            kernel = src.steps + self.integer(1, 3)
        elif src.steps is not None and padding == "valid" and \
                (conv_steps(src.steps, kernel, padding, stride, dilation) or 0) < 1:
            padding = "same"  # stay valid unless a fault is wanted
        args = f"{filters}, {kernel}" if self.chance(0.7) else \
            f"filters={filters}, kernel_size={kernel}"
        options = []
        if padding != "valid" or self.chance(0.2):
            options.append(("padding", padding))
        if stride != 1:
            options.append(("strides", stride))
        if dilation != 1:
            options.append(("dilation_rate", dilation))
        if self.chance(0.3):
            options.append(("activation", self.pick(["relu", "tanh", "swish"])))
        if self.chance(0.15):
            options.append(("use_bias", False))
        out = self.derive(src, rank=3, width=filters,
                          steps=conv_steps(src.steps, kernel, padding, stride, dilation),
                          key=(src.key, "conv", kernel, padding, stride, dilation))
        self.emit(f"{out.name} = layers.Conv1D({args}{self.opts(*options)})({src.name})")
        return self.add(out)

    def pooling(self, src: Tensor, fault: str | None = None) -> Tensor:
        kind = self.pick(["Max", "Average"])
        cls = f"{kind}Pooling1D"
        if self.chance(0.1) and supported(f"{kind.replace('Average', 'Avg')}Pool1D"):
            cls = f"{kind.replace('Average', 'Avg')}Pool1D"  # the aliases
        pool = self.integer(1, 4)
        stride = self.pick([None, None, 1, 2, 3])
        padding = self.pick(["valid", "valid", "same"])
        if fault == "pool_padding":
            padding = "causal"
        if fault == "short" and src.steps is not None:
            padding, pool = "valid", src.steps + self.integer(1, 3)
        elif src.steps is not None and padding == "valid" and \
                (pool_steps(src.steps, pool, padding, stride or pool) or 0) < 1:
            padding = "same"
        options = []
        if stride is not None:
            options.append(("strides", stride))
        if padding != "valid":
            options.append(("padding", padding))
        arg = f"{pool}" if self.chance(0.7) else f"pool_size={pool}"
        steps = pool_steps(src.steps, pool, padding, stride or pool)
        out = self.derive(src, rank=3, width=src.width, steps=steps,
                          key=(src.key, "pool", pool, padding, stride or pool))
        self.emit(f"{out.name} = layers.{cls}({arg}{self.opts(*options)})({src.name})")
        return self.add(out)

    def rnn_text(self, cls: str, units: int, options: list[tuple[str, Any]]) -> str:
        return f"layers.{cls}({units}{self.opts(*options)})"

    def rnn_options(self, cls: str, sequences: bool, state: bool,
                    backwards: bool = False) -> list[tuple[str, Any]]:
        options: list[tuple[str, Any]] = []
        if sequences:
            options.append(("return_sequences", True))
        if state:
            options.append(("return_state", True))
        if backwards:
            options.append(("go_backwards", True))
        if self.chance(0.15):
            options.append(("use_bias", False))
        if cls == "GRU" and self.chance(0.3):
            options.append(("reset_after", False))
        return options

    def recurrent(self, src: Tensor) -> list[Tensor]:
        cls = self.pick([c for c in RNNS if supported(c)])
        units = self.integer(1, 6)
        sequences = self.chance(0.6)
        # A layer Keras refuses (or one after it) keeps one output: see "unpack_refused".
        state = self.allowed("rnn_return_state") and not self.faulty and self.chance(0.25)
        options = self.rnn_options(cls, sequences, state, backwards=self.chance(0.15))
        steps = src.steps if sequences else None
        out = self.derive(src, rank=3 if sequences else 2, width=units, steps=steps,
                          key=src.key if sequences else None)
        text = f"{self.rnn_text(cls, units, options)}({src.name})"
        if not state:
            self.emit(f"{out.name} = {text}")
            return [self.add(out)]
        states = [Tensor(self.fresh("s"), 2, width=units, inputs=out.inputs, state=True)
                  for _ in range(STATES[cls])]
        if self.chance(0.5):
            group = self.fresh("s")
            self.emit(f"{out.name}, *{group} = {text}")
            for i, s in enumerate(states):
                s.name = f"{group}[{i}]"
        else:
            self.emit(f"{', '.join([out.name] + [s.name for s in states])} = {text}")
        self.add(out)
        for s in states:
            self.add(s)
        return [out]

    def bidirectional(self, src: Tensor, fault: str | None = None) -> list[Tensor]:
        classes = [c for c in RNNS if supported(c)]
        fwd_cls = self.pick(classes)
        fwd_units = self.integer(1, 6)
        sequences = self.chance(0.6)
        state = self.allowed("bidirectional_return_state") and not self.faulty and \
            self.chance(0.2)
        modes = [m for m in MERGE_MODES if m is not None or (
            self.allowed("bidirectional_merge_none") and not self.faulty)]
        mode = self.pick(modes)
        explicit = self.chance(0.5) or fault in ("bidirectional_widths",
                                                 "bidirectional_config")
        bwd_cls, bwd_units = fwd_cls, fwd_units
        fwd_backwards = False
        bwd_options = None
        if explicit:
            if self.allowed("bidirectional_asymmetric") and self.chance(0.6):
                bwd_cls = self.pick(classes)
                if mode in ("concat", None):
                    bwd_units = self.integer(1, 6)
                elif self.allowed("bidirectional_broadcast") and self.chance(0.15):
                    fwd_units, bwd_units = self.shuffled([fwd_units, 1])
            fwd_backwards = self.chance(0.1)
            bwd_sequences, bwd_state, bwd_backwards = sequences, state, not fwd_backwards
            if fault == "bidirectional_widths":
                mode = self.pick(["sum", "mul", "ave"])
                bwd_units = self.pick([u for u in range(2, 7) if u != fwd_units])
                if fwd_units == 1:
                    fwd_units = 2 if bwd_units != 2 else 3
            elif fault == "bidirectional_config":
                which = self.pick(["go_backwards", "return_sequences", "return_state"])
                if which == "go_backwards":
                    bwd_backwards = fwd_backwards
                elif which == "return_sequences":
                    bwd_sequences = not sequences
                else:
                    bwd_state = not state
            if state and not self.allowed("bidirectional_state_use"):
                bwd_cls, bwd_units = fwd_cls, fwd_units  # equal halves when it is left out
            bwd_options = self.rnn_options(bwd_cls, bwd_sequences, bwd_state,
                                           backwards=bwd_backwards)
        fwd_options = self.rnn_options(fwd_cls, sequences, state, backwards=fwd_backwards)
        inner = self.rnn_text(fwd_cls, fwd_units, fwd_options)
        args = [inner]
        if mode != "concat" or self.chance(0.3):
            args.append(f"merge_mode={mode!r}")
        if bwd_options is not None:
            args.append(f"backward_layer={self.rnn_text(bwd_cls, bwd_units, bwd_options)}")
        text = f"layers.Bidirectional({', '.join(args)})({src.name})"
        rank = 3 if sequences else 2
        steps = src.steps if sequences else None
        key = src.key if sequences else None
        if mode == "concat":
            widths = [fwd_units + bwd_units]
        elif mode is None:
            widths = [fwd_units, bwd_units]
        else:
            widths = [max(fwd_units, bwd_units)]
        outs = [self.derive(src, rank=rank, width=w, steps=steps, key=key) for w in widths]
        states = []
        if state:
            states = [Tensor(self.fresh("s"), 2, width=units, inputs=outs[0].inputs,
                             state=True)
                      for cls, units in ((fwd_cls, fwd_units), (bwd_cls, bwd_units))
                      for _ in range(STATES[cls])]
        names = [o.name for o in outs]
        if states:
            group = self.fresh("s")
            self.emit(f"{', '.join(names)}, *{group} = {text}")
            for i, s in enumerate(states):
                s.name = f"{group}[{i}]"
        elif len(outs) > 1:
            self.emit(f"{', '.join(names)} = {text}")
        else:
            self.emit(f"{names[0]} = {text}")
        for t in outs:
            self.add(t)
        if self.allowed("bidirectional_state_use"):  # else unpacked, never used
            for t in states:
                self.add(t)
        return outs

    def dense(self, src: Tensor, fault: str | None = None) -> Tensor:
        units = self.integer(1, 8)
        options = []
        if self.chance(0.3):
            options.append(("activation", self.pick(["relu", "sigmoid", "linear"])))
        if self.chance(0.1):
            options.append(("use_bias", False))
        out = self.derive(src, rank=src.rank, width=units, steps=src.steps, key=src.key)
        self.emit(f"{out.name} = layers.Dense({units}{self.opts(*options)})({src.name})")
        return self.add(out)

    def time_distributed(self, src: Tensor) -> Tensor:
        units = self.integer(1, 6)
        out = self.derive(src, rank=3, width=units, steps=src.steps, key=src.key)
        self.emit(f"{out.name} = layers.TimeDistributed(layers.Dense({units}))({src.name})")
        return self.add(out)

    def same_shape(self, src: Tensor) -> Tensor:
        choices = [c for c in ("Dropout", "BatchNormalization", "LayerNormalization")
                   if supported(c) and (c == "Dropout" or self.allowed("normalization"))]
        cls = self.pick(choices)
        args = f"{self.pick([0.1, 0.25, 0.5])}" if cls == "Dropout" else ""
        out = self.derive(src, rank=src.rank, width=src.width, steps=src.steps, key=src.key)
        self.emit(f"{out.name} = layers.{cls}({args})({src.name})")
        return self.add(out)

    def global_pooling(self, src: Tensor) -> Tensor:
        cls = self.pick([c for c in ("GlobalMaxPooling1D", "GlobalAveragePooling1D")
                         if supported(c)])
        out = self.derive(src, rank=2, width=src.width)
        self.emit(f"{out.name} = layers.{cls}()({src.name})")
        return self.add(out)

    def flatten(self, src: Tensor) -> Tensor:
        width = None
        if src.rank == 2:
            width = src.width
        elif src.steps is not None and src.width is not None:
            width = src.steps * src.width
        out = self.derive(src, rank=2, width=width)
        self.emit(f"{out.name} = layers.Flatten()({src.name})")
        return self.add(out)

    def repeat_vector(self, src: Tensor) -> Tensor:
        n = self.integer(1, 6)
        out = self.derive(src, rank=3, width=src.width, steps=n, key=n)
        self.emit(f"{out.name} = layers.RepeatVector({n})({src.name})")
        return self.add(out)

    def embedding(self, src: Tensor) -> Tensor:
        dim = self.integer(2, 8)
        vocab = self.integer(2, 50)
        args = f"{vocab}, {dim}" if self.chance(0.5) else f"input_dim={vocab}, output_dim={dim}"
        out = self.derive(src, rank=3, width=dim, steps=src.steps, key=src.key)
        self.emit(f"{out.name} = layers.Embedding({args})({src.name})")
        return self.add(out)

    def nested_block(self, src: Tensor) -> Tensor:
        """A model called as a layer: a Sequential block with no input shape (built by its
        call), or a functional sub-model on an Input of the source's width (flat tensors)."""
        name = self.fresh("block")
        if src.rank == 2 and self.chance(0.4):
            units = self.integer(1, 8)
            self.emit(f"{name}_in = keras.Input(shape=({src.width},))")
            self.emit(f"{name} = keras.Model({name}_in, layers.Dense({units})({name}_in))")
            out = self.derive(src, rank=2, width=units)
        else:
            items, width = [], src.width
            for _ in range(self.integer(1, 3)):
                kind = self.pick(["dense", "dense", "dropout"] + (["conv"] if src.rank == 3
                                                                  else []))
                if kind == "dropout":
                    items.append("layers.Dropout(0.1)")
                    continue
                width = self.integer(1, 8)
                items.append(f"layers.Dense({width})" if kind == "dense" else
                             f"layers.Conv1D({width}, {self.integer(1, 4)}, padding='same')")
            self.emit(f"{name} = keras.Sequential([{', '.join(items)}])")
            out = self.derive(src, rank=src.rank, width=width, steps=src.steps, key=src.key)
        self.emit(f"{out.name} = {name}({src.name})")
        return self.add(out)

    def tensor_op(self, src: Tensor) -> Tensor:
        """An operation on tensors, as scripts write them (a graph node in both Keras
        versions: tf-keras wraps it in a TFOpLambda layer)."""
        partners = self.partners(src, "Add")
        options = ["last_step"] if src.sequence and src.steps != 0 else []
        if src.width is not None and src.width > 1:
            options.append("channels")
        if partners:
            options += ["add", "add"]
        if not options:
            return self.dense(src)
        op = self.pick(options)
        if op in ("add", "add"):
            other = self.pick(partners)
            out = self.derive([src, other], rank=src.rank, width=src.width, steps=src.steps,
                              key=src.key)
            self.emit(f"{out.name} = {src.name} {self.pick(['+', '*', '-'])} {other.name}")
        elif op == "last_step":
            out = self.derive(src, rank=2, width=src.width)
            self.emit(f"{out.name} = {src.name}[:, {self.pick([-1, 0])}]")
        else:
            assert src.width is not None
            keep = self.integer(1, src.width - 1)
            out = self.derive(src, rank=src.rank, width=keep, steps=src.steps, key=src.key)
            self.emit(f"{out.name} = {src.name}[..., :{keep}]")
        return self.add(out)

    # ------------------------------------------------------------ merges
    def partners(self, src: Tensor, cls: str) -> list[Tensor]:
        """Tensors that ``cls`` can merge with ``src`` ("Concatenate_time": on axis 1)."""
        found = []
        for t in self.pool:
            if t is src or t.ids or t.rank != src.rank:
                continue
            if cls == "Concatenate_time":
                if t.width != src.width or t.width is None:
                    continue
                if t.steps is None and src.steps is None and t.inputs != src.inputs and \
                        not self.allowed("time_concat_inputs"):
                    continue
            elif src.rank == 3 and (src.key is None or t.key != src.key):
                continue
            if cls in ELEMENTWISE and (t.width != src.width or t.width is None):
                continue
            found.append(t)
        return found

    def branch(self, src: Tensor) -> Tensor:
        """A same-shape branch of ``src``, to merge back with it (a residual)."""
        if src.rank == 3 and self.chance(0.5):
            filters, kernel = src.width or 1, self.integer(1, 4)
            padding = self.pick(["same", "causal"])
            out = self.derive(src, rank=3, width=filters, steps=src.steps, key=src.key)
            self.emit(f"{out.name} = layers.Conv1D({filters}, {kernel}, "
                      f"padding={padding!r})({src.name})")
        elif src.rank == 3 and self.chance(0.5) and supported("LSTM"):
            cls = self.pick([c for c in RNNS if supported(c)])
            out = self.derive(src, rank=3, width=src.width, steps=src.steps, key=src.key)
            self.emit(f"{out.name} = layers.{cls}({src.width}, "
                      f"return_sequences=True)({src.name})")
        else:
            out = self.derive(src, rank=src.rank, width=src.width, steps=src.steps,
                              key=src.key)
            self.emit(f"{out.name} = layers.Dense({src.width})({src.name})")
        self.layers += 1
        return self.add(out)

    def merge(self, src: Tensor, fault: str | None = None) -> Tensor:
        classes = [c for c in ("Concatenate", *ELEMENTWISE) if supported(c)]
        cls = self.pick(["Concatenate", "Concatenate", "Add", "Add", *classes])
        time_axis = cls == "Concatenate" and src.rank == 3 and \
            self.allowed("time_concat") and self.chance(0.25)
        partners = self.partners(src, "Concatenate_time" if time_axis else cls)
        if fault == "merge_widths":
            cls = self.pick([c for c in ELEMENTWISE if supported(c)])
            partners = [t for t in self.pool if t is not src and not t.ids and
                        t.width is not None and src.width is not None and
                        t.width not in (src.width, 1) and src.width != 1]
            time_axis = False
        elif fault == "merge_lengths":
            cls, time_axis = "Concatenate", False
            partners = [t for t in self.pool if t.sequence and src.sequence and
                        t.steps is not None and src.steps is not None and
                        t.steps != src.steps and 1 not in (t.steps, src.steps)]
        elif fault == "merge_ranks":
            cls, time_axis = self.pick(["Concatenate", "Concatenate", "Add"]), False
            partners = [t for t in self.pool if not t.ids and t.rank != src.rank]
        elif fault == "variable_lengths":
            # Two lengths of one variable axis that differ: only a forward pass sees it.
            cls, time_axis = self.pick(["Concatenate", "Add"]), False
            partners = [t for t in self.pool if t.sequence and src.sequence and
                        t.steps is None and src.steps is None and t.key != src.key and
                        t.inputs == src.inputs and t.width == src.width]
        if not partners:
            if fault is not None:
                return self.chain(src)
            partner = self.branch(src)
        else:
            partner = self.pick(partners)
        others = [partner]
        if cls not in ("Subtract",) and not fault and self.chance(0.15):
            more = [t for t in self.partners(src, "Concatenate_time" if time_axis else cls)
                    if t is not partner]
            if more:
                others.append(self.pick(more))
        group = [src, *others]
        if self.chance(0.5):
            group = self.shuffled(group)
        width = src.width
        steps, key = src.steps, src.key
        if cls == "Concatenate" and not time_axis:
            width = None if any(t.width is None for t in group) else \
                sum(t.width for t in group)  # type: ignore[misc]
        elif time_axis:
            steps = None if any(t.steps is None for t in group) else \
                sum(t.steps for t in group)  # type: ignore[misc]
            key = ("cat", *[t.key for t in group]) if steps is None else steps
        out = self.derive(group, rank=src.rank, width=width, steps=steps, key=key)
        names = ", ".join(t.name for t in group)
        option = "axis=1" if time_axis else ""
        if cls in ("Concatenate", "Add", "Multiply", "Average") and self.chance(0.2) and \
                not time_axis:
            self.emit(f"{out.name} = layers.{cls.lower()}([{names}])")  # the functional form
        else:
            self.emit(f"{out.name} = layers.{cls}({option})([{names}])")
        return self.add(out)

    # ------------------------------------------------------------ choice
    def options_for(self, src: Tensor) -> list[tuple[str, int]]:
        """(operation, weight) pairs that Keras accepts on ``src``."""
        if src.ids:
            return [("embedding", 1)]
        ops: list[tuple[str, int]] = []
        seq = src.rank == 3
        known = src.width is not None
        if seq and known:
            if supported("Conv1D"):
                ops.append(("conv1d", 6))
            if supported("MaxPooling1D") and supported("AveragePooling1D"):
                ops.append(("pooling", 3))
            if any(supported(c) for c in RNNS):
                ops.append(("recurrent", 6))
            if self.allowed("bidirectional", "Bidirectional") and \
                    any(supported(c) for c in RNNS):
                ops.append(("bidirectional", 5))
            if self.allowed("time_distributed", "TimeDistributed", "Dense"):
                ops.append(("time_distributed", 2))
            if self.allowed("global_pooling", "GlobalMaxPooling1D", "GlobalAveragePooling1D"):
                ops.append(("global_pooling", 2))
        if known:
            if supported("Dense"):
                ops.append(("dense", 3))
            if supported("Dropout"):
                ops.append(("same_shape", 2))
            if self.allowed("merge", "Concatenate", "Add") and supported("Dense"):
                ops.append(("merge", 4))
            if self.allowed("nested_block", "Dense", "Dropout", "Conv1D"):
                ops.append(("nested_block", 2))
            if self.allowed("tensor_ops"):
                ops.append(("tensor_op", 2))
        elif supported("Dropout"):
            ops.append(("dropout", 1))
        if self.allowed("flatten", "Flatten") and (src.steps is not None or not seq):
            ops.append(("flatten", 1))
        if not seq and known and self.allowed("repeat_vector", "RepeatVector"):
            ops.append(("repeat_vector", 2))
        return ops

    def apply(self, op: str, src: Tensor, fault: str | None = None) -> Tensor:
        self.layers += 1
        if op == "recurrent":
            return self.recurrent(src)[0]
        if op == "bidirectional":
            return self.pick(self.bidirectional(src, fault))
        if op == "dropout":
            out = self.derive(src, rank=src.rank, width=src.width, steps=src.steps,
                              key=src.key)
            self.emit(f"{out.name} = layers.Dropout(0.2)({src.name})")
            return self.add(out)
        method = getattr(self, op)
        if op in ("conv1d", "pooling", "dense", "merge"):
            return method(src, fault)
        return method(src)

    def chain(self, src: Tensor) -> Tensor:
        ops = self.options_for(src)
        names = [o for o, w in ops for _ in range(w)]
        return self.apply(self.pick(names), src)

    def inject(self, fault: str, src: Tensor) -> Tensor:
        """One construct Keras refuses, applied to ``src`` (or a valid layer when the fault
        does not fit here)."""
        if fault == "rank":
            if src.rank == 3 and not src.ids and supported("RepeatVector"):
                self.layers += 1
                return self.repeat_vector(src)
            if src.rank == 2 and not src.ids:
                ops = ["conv1d", "pooling", "recurrent", "global_pooling"]
                if self.allowed("bidirectional", "Bidirectional"):
                    ops.append("bidirectional")
                if self.allowed("time_distributed", "TimeDistributed"):
                    ops.append("time_distributed")
                op = self.pick(ops)
                if op in ("conv1d", "pooling"):
                    self.layers += 1
                    return getattr(self, op)(src)
                return self.apply(op, src)
        if fault in ("short", "conv_options") and src.sequence and src.width is not None:
            self.layers += 1
            if fault == "short" and (src.steps is None or self.chance(0.3)):
                return self.pooling(src, fault)
            return self.conv1d(src, fault)
        if fault == "pool_padding" and src.sequence and src.width is not None:
            self.layers += 1
            return self.pooling(src, fault)
        if fault in ("bidirectional_widths", "bidirectional_config") and src.sequence and \
                src.width is not None and supported("Bidirectional"):
            self.layers += 1
            return self.pick(self.bidirectional(src, fault))
        if fault.startswith("merge") or fault == "variable_lengths":
            if fault == "variable_lengths" and src.sequence and src.steps is None and \
                    src.width is not None:
                # Make the second length: a valid convolution keeps the width.
                self.layers += 1
                other = self.derive(src, rank=3, width=src.width, steps=None,
                                    key=(src.key, "valid"))
                kernel = self.integer(2, 4)
                self.emit(f"{other.name} = layers.Conv1D({src.width}, {kernel})({src.name})")
                self.add(other)
            self.layers += 1
            return self.merge(src, fault)
        if fault == "flatten_dense" and src.sequence and src.width is not None and \
                supported("Flatten"):
            if src.steps is not None:
                return self.chain(src)
            self.layers += 2
            flat = self.flatten(src)
            return self.dense(flat)
        return self.chain(src)

    # ------------------------------------------------------------ whole script
    def build(self) -> str:
        inputs = self.make_inputs()
        target = self.integer(2, self.max_layers)
        fault = None
        if self.allowed("faults") and self.chance(0.3):
            fault = self.pick(FAULTS)
        fault_at = self.integer(0, max(target - 1, 0))
        faulty = None
        current = inputs[0]
        step = 0
        while self.layers < target:
            # Branches: now and then continue from an earlier tensor.
            candidates = self.pool
            if len(inputs) > 1 and not any(t.used for t in inputs[1:]) and self.chance(0.4):
                current = self.pick(inputs[1:])
            elif self.chance(0.2) and len(candidates) > 1:
                current = self.pick(candidates)
            if fault is not None and step >= fault_at:
                self.faulty = True
                current = faulty = self.inject(fault, current)
                # Later layers may unpack several outputs only where archlint follows that.
                self.faulty = not self.allowed("unpack_refused")
                fault = None
            else:
                current = self.chain(current)
            step += 1
        # Every result reaches an output: Keras runs every call of the script, archlint
        # reads the calls the model is made of.
        leaves = [t for t in self.pool if not t.used and t is not current and not t.ids
                  and not t.state and t not in inputs]
        if self.allowed("dangling"):
            leaves = [t for t in leaves if t is not faulty or self.chance(0.5)]
            leaves = [t for t in leaves if self.chance(0.7)]
        outputs = [current, *leaves]
        covered = frozenset().union(*(t.inputs for t in outputs))
        outputs += [t for i, t in enumerate(inputs) if i not in covered]
        header = ["import keras", "from keras import layers", ""]
        names = ", ".join(t.name for t in inputs)
        ins = names if len(inputs) == 1 else f"[{names}]"
        outs = outputs[0].name if len(outputs) == 1 else \
            "[" + ", ".join(t.name for t in outputs) + "]"
        footer = [f"outputs = {outs}" if outs != "outputs" else "",
                  f"model = keras.Model({ins}, outputs)"]
        return "\n".join(header + self.lines + [f for f in footer if f]) + "\n"


def generate(rng: random.Random, avoid: frozenset[str] | set[str] = DEFAULT_AVOID,
             max_layers: int = 12) -> str:
    """A complete Keras script (source text) building one functional sequence model, every
    choice taken from ``rng``; ``avoid`` names constructs (see ``CONSTRUCTS``) to leave out."""
    return _Builder(rng, frozenset(avoid), max_layers).build()


def architectures(avoid: frozenset[str] | set[str] = DEFAULT_AVOID, max_layers: int = 12,
                  diverse: bool = False) -> st.SearchStrategy[str]:
    """Hypothesis strategy of architecture scripts (see ``generate``).

    By default every choice is a hypothesis draw, so a failing script shrinks to a smaller
    one. ``diverse=True`` draws one seed per script instead: hypothesis's mutations of
    earlier examples then cannot produce near-copies, which is what a large differential
    run wants (each script is independent of the others), at the cost of shrinking.
    """
    frozen = frozenset(avoid)
    randoms = st.randoms(use_true_random=diverse, note_method_calls=False)
    return randoms.map(lambda rng: generate(rng, frozen, max_layers))


def parse_avoid(value: str | None) -> frozenset[str]:
    """Constructs named in a comma-separated list; None gives ``DEFAULT_AVOID``."""
    if value is None:
        return DEFAULT_AVOID
    names = frozenset(v.strip() for v in value.split(",") if v.strip())
    unknown = names - set(CONSTRUCTS)
    if unknown:
        raise ValueError(f"unknown constructs {sorted(unknown)}; known: {', '.join(CONSTRUCTS)}")
    return names


def env_avoid() -> frozenset[str]:
    """Constructs left out through ``ARCHLINT_DIFFERENTIAL_AVOID`` (comma-separated; an empty
    value leaves nothing out), ``DEFAULT_AVOID`` when it is not set."""
    return parse_avoid(os.environ.get("ARCHLINT_DIFFERENTIAL_AVOID"))
