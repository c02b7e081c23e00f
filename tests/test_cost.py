"""Memory and receptive fields against real Keras 3 and tf-keras builds, per layer family:
weight bytes by dtype policy (float32, mixed precision, float16, quantized, LoRA, frozen),
activation bytes per sample, the compiled optimizer's state, receptive fields measured by
perturbing one input step at a time, and the input steps no output sees (AL111's walk).
Every figure compared comes from the real builds (tests/cost_runner.py, one subprocess
per Keras version)."""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from archlint.analysis import Settings, analyse_source, default_settings
from archlint.cost.coverage import unseen_steps
from archlint.cost.memory import MemoryEstimate, WeightBytes, add
from archlint.cost.model_costs import ModelCosts, model_costs
from archlint.cost.optimizer import OptimizerState
from archlint.cost.receptive_field import ALL, FUTURE, PAST, Held, Window, trace
from archlint.engine import ModelAnalysis
from archlint.unknown import Unknown
from tests.cost_runner import run_cost_scripts

HEAD = "import keras\nfrom keras import layers\n"
SEED = (Path(__file__).parent.parent / "examples" / "seed_model.py").read_text()

# Built by both versions.
BOTH = {
    "conv stack": (
        "x = keras.Input((24, 3))\n"
        "h = layers.Conv1D(4, 5)(x)\n"
        "h = layers.MaxPooling1D(2)(h)\n"
        "h = layers.Conv1D(4, 3, dilation_rate=2, padding='same')(h)\n"
        "h = layers.AveragePooling1D(3, strides=2, padding='same')(h)\n"
        "h = layers.Dense(5)(h)\n"
        "h = layers.LayerNormalization()(layers.BatchNormalization()(h))\n"
        "model = keras.Model(x, layers.Dense(1)(layers.GlobalAveragePooling1D()(h)),\n"
        "                    name='conv_stack')\n"
        "model.compile(optimizer='adam', loss='mse')\n"),
    "wavenet": (
        "x = keras.Input((32, 2))\n"
        "h = layers.Conv1D(4, 1)(x)\n"
        "for d in (1, 2, 4, 8):\n"
        "    h = layers.Add()([h, layers.Conv1D(4, 2, dilation_rate=d, padding='causal')(h)])\n"
        "model = keras.Model(x, layers.Conv1D(1, 1)(h), name='wavenet')\n"
        "model.compile(optimizer=keras.optimizers.RMSprop(momentum=0.9, centered=True),\n"
        "              loss='mse')\n"),
    "strided holes": (
        "x = keras.Input((32, 3))\n"
        "h = layers.Flatten()(layers.Conv1D(8, 2, strides=4)(x))\n"
        "model = keras.Model(x, layers.Dense(1)(h), name='holes')\n"
        "model.compile(optimizer='sgd', loss='mse')\n"),
    "dilated holes": (
        "x = keras.Input((32, 1))\n"
        "h = layers.MaxPooling1D(2, strides=8)(layers.Conv1D(4, 2, dilation_rate=4)(x))\n"
        "model = keras.Model(x, layers.GlobalAveragePooling1D()(h), name='dilated')\n"
        "model.compile(optimizer=keras.optimizers.SGD(momentum=0.5), loss='mse')\n"),
    "images": (
        "x = keras.Input((12, 10, 3))\n"
        "h = layers.Conv2D(4, 3, padding='same')(x)\n"
        "h = layers.MaxPooling2D()(h)\n"
        "h = layers.SeparableConv2D(4, 3, strides=2)(h)\n"
        "h = layers.DepthwiseConv2D((1, 2))(h)\n"
        "model = keras.Model(x, layers.GlobalMaxPooling2D()(h), name='images')\n"
        "model.compile(optimizer='adagrad', loss='mse')\n"),
    "recurrent": (
        "x = keras.Input((12, 3))\n"
        "h = layers.Conv1D(4, 3)(x)\n"
        "h = layers.LSTM(5, return_sequences=True)(h)\n"
        "h = layers.GRU(3)(h)\n"
        "model = keras.Model(x, layers.Dense(2)(h), name='recurrent')\n"
        "model.compile(optimizer='nadam', loss='mse')\n"),
    "padding and cropping": (
        "x = keras.Input((16, 2))\n"
        "h = layers.ZeroPadding1D((2, 1))(x)\n"
        "h = layers.Conv1D(3, 4, strides=2)(h)\n"
        "h = layers.Cropping1D((1, 2))(h)\n"
        "model = keras.Model(x, layers.Conv1D(2, 2)(h), name='cropped')\n"
        "model.compile(optimizer='adamax', loss='mse')\n"),
    "upsampling": (
        "x = keras.Input((13, 2))\n"
        "h = layers.Conv1D(3, 3, strides=2)(x)\n"
        "h = layers.UpSampling1D(3)(h)\n"
        "h = layers.Conv1D(2, 4, padding='same')(h)\n"
        "h = layers.MaxPooling1D(2, strides=3)(h)\n"
        "model = keras.Model(x, layers.UpSampling1D(2)(h), name='upsampling')\n"
        "y = keras.Input((9, 7, 2))\n"
        "g = layers.Conv2D(3, 3, strides=2, padding='same')(y)\n"
        "g = layers.UpSampling2D((2, 3), interpolation='bilinear')(g)\n"
        "g = layers.Conv2D(2, (1, 2))(g)\n"
        "g = layers.UpSampling2D(2)(g)\n"
        "g = layers.UpSampling2D((3, 1), interpolation='bilinear')(g)\n"
        "images = keras.Model(y, layers.Conv2D(1, 3, strides=2)(g), name='upsampled')\n"),
    "transposed convolutions": (
        "x = keras.Input((10, 2))\n"
        "h = layers.Conv1DTranspose(3, 4, strides=2, padding='same')(x)\n"
        "h = layers.Conv1D(3, 3, strides=2)(h)\n"
        "h = layers.Conv1DTranspose(3, 3, strides=3, output_padding=1)(h)\n"
        "h = layers.Conv1DTranspose(2, 3, dilation_rate=2, padding='same')(h)\n"
        "h = layers.Conv1DTranspose(2, 2, strides=3)(h)\n"
        "model = keras.Model(x, layers.Conv1D(1, 2, strides=2)(h), name='transposed')\n"
        "y = keras.Input((6, 5, 2))\n"
        "g = layers.Conv2DTranspose(3, 3, strides=(2, 1), padding='same',\n"
        "                           output_padding=(1, 0))(y)\n"
        "g = layers.Conv2DTranspose(2, (2, 3), strides=(3, 2))(g)\n"
        "images = keras.Model(y, layers.Conv2D(1, 2, strides=2)(g), name='transposed_2d')\n"),
    "volumes": (
        "x = keras.Input((4, 3, 3, 1))\n"
        "h = layers.Conv3DTranspose(2, 2, strides=(2, 1, 2))(x)\n"
        "h = layers.ZeroPadding3D(1)(h)\n"
        "h = layers.UpSampling3D((1, 2, 1))(h)\n"
        "h = layers.Conv3D(2, 3, strides=(2, 3, 1))(h)\n"
        "model = keras.Model(x, layers.Cropping3D(((1, 0), (0, 1), (1, 1)))(h),\n"
        "                    name='volumes')\n"),
    "channels first": (
        "x = keras.Input((2, 33))\n"
        "h = layers.Conv1D(3, 2, strides=3, data_format='channels_first')(x)\n"
        "h = layers.MaxPooling1D(2, data_format='channels_first')(h)\n"
        "h = layers.Conv1D(3, 2, dilation_rate=2, padding='same',\n"
        "                  data_format='channels_first')(h)\n"
        "h = layers.GlobalAveragePooling1D(data_format='channels_first')(h)\n"
        "model = keras.Model(x, layers.Dense(1)(h), name='channels_first')\n"
        "y = keras.Input((2, 11, 13))\n"
        "g = layers.Conv2D(3, 3, dilation_rate=2, data_format='channels_first')(y)\n"
        "g = layers.Cropping2D(((1, 0), (2, 1)), data_format='channels_first')(g)\n"
        "g = layers.ZeroPadding2D((1, 2), data_format='channels_first')(g)\n"
        "g = layers.UpSampling2D(2, data_format='channels_first')(g)\n"
        "g = layers.AveragePooling2D(2, strides=3, data_format='channels_first')(g)\n"
        "g = layers.Conv2DTranspose(2, 3, strides=2, data_format='channels_first')(g)\n"
        "images = keras.Model(y, g, name='channels_first_2d')\n"),
    "permute and reshape": (
        "x = keras.Input((12, 4))\n"
        "h = layers.Permute((2, 1))(x)\n"
        "h = layers.Conv1D(3, 3, data_format='channels_first')(h)\n"
        "h = layers.Permute((2, 1))(h)\n"
        "h = layers.Reshape((10, 3, 1))(h)\n"
        "h = layers.Conv2D(2, (3, 1))(h)\n"
        "h = layers.Reshape((8, 6))(h)\n"
        "model = keras.Model(x, layers.Conv1D(2, 2, strides=3)(h), name='permuted')\n"
        "y = keras.Input((3, 14))\n"
        "g = layers.Permute((2, 1))(y)\n"
        "g = layers.Conv1D(4, 4, strides=4)(g)\n"
        "g = layers.Reshape((3, 2, 2))(g)\n"
        "g = layers.Permute((3, 1, 2))(g)\n"
        "first = keras.Model(y, layers.Dense(2)(g), name='channels_first_input')\n"
        "z = keras.Input((9, 3))\n"
        "d = layers.Permute((2, 1))(layers.Conv1D(4, 2)(z))\n"
        "d = layers.DepthwiseConv1D(3, depth_multiplier=2)(d)\n"
        "d = layers.Conv1D(1, 3, strides=2)(layers.Permute((2, 1))(d))\n"
        "depthwise = keras.Model(z, d, name='time_on_channels')\n"
        "s = layers.Permute((2, 1))(layers.Conv1D(2, 2)(z))\n"
        "mixed = keras.Model(z, layers.Activation('softmax')(s), name='softmax_over_time')\n"
        "f = layers.Reshape((6, 8), name='fold')(x)\n"
        "f = layers.Conv1D(2, 3, name='after_fold')(f)\n"
        "folded = keras.Model(x, layers.Dense(1)(layers.Flatten()(f)), name='folded')\n"),
    "embedding": (
        "x = keras.Input((10,), dtype='int32')\n"
        "h = layers.Embedding(50, 6)(x)\n"
        "h = layers.Conv1D(4, 3)(h)\n"
        "model = keras.Model(x, layers.Dense(1)(layers.GlobalMaxPooling1D()(h)),\n"
        "                    name='embedding')\n"
        "model.compile(optimizer='adadelta', loss='mse')\n"),
    "frozen": (
        "x = keras.Input((6,))\n"
        "h = layers.Dense(5, trainable=False)(x)\n"
        "h = layers.BatchNormalization()(h)\n"
        "model = keras.Model(x, layers.Dense(2)(h), name='frozen')\n"
        "model.compile(optimizer=keras.optimizers.Adam(amsgrad=True), loss='mse')\n"),
    "other optimizers": (
        "x = keras.Input((4,))\n"
        "a = keras.Model(x, layers.Dense(3)(x), name='ftrl')\n"
        "a.compile(optimizer='ftrl', loss='mse')\n"
        "b = keras.Model(x, layers.Dense(3)(x), name='lion')\n"
        "b.compile(optimizer=keras.optimizers.Lion(), loss='mse')\n"
        "c = keras.Model(x, layers.Dense(3)(x), name='adamw')\n"
        "c.compile(optimizer='adamw', loss='mse')\n"
        "d = keras.Model(x, layers.Dense(3)(x), name='rmsprop')\n"
        "d.compile(optimizer='rmsprop', loss='mse')\n"),
    "mixed precision": (
        "keras.mixed_precision.set_global_policy('mixed_float16')\n"
        "x = keras.Input((6, 4))\n"
        "h = layers.Dense(5)(x)\n"
        "h = layers.BatchNormalization()(layers.Conv1D(3, 2)(h))\n"
        "h = layers.Dense(4, dtype='mixed_bfloat16')(h)\n"
        "h = layers.LayerNormalization()(h)\n"
        "model = keras.Model(x, layers.Dense(2, dtype='float32')(h), name='mixed')\n"
        "keras.mixed_precision.set_global_policy('float32')\n"
        "y = keras.Input((3,))\n"
        "half = keras.Model(y, layers.Dense(2, dtype='float16')(layers.Dense(4)(y)),\n"
        "                   name='half')\n"
        "z = keras.Input((8, 4))\n"
        "g = layers.Conv1D(3, 2, dtype='float16')(z)\n"
        "g = layers.LayerNormalization(dtype='float64')(g)\n"
        "dtypes = keras.Model(z, layers.GRU(2, dtype='mixed_float16')(g), name='dtypes')\n"),
}
# Keras 3 only: quantized policies, model.quantize and LoRA; ZeroPadding1D's data_format.
KERAS3 = {
    "channels first padding": (
        "x = keras.Input((2, 15))\n"
        "h = layers.ZeroPadding1D((3, 1), data_format='channels_first')(x)\n"
        "h = layers.Conv1D(3, 2, strides=3, data_format='channels_first')(h)\n"
        "h = layers.Reshape((3, 6, 1))(h)\n"
        "h = layers.UpSampling2D((2, 3), data_format='channels_first')(h)\n"
        "model = keras.Model(x, layers.Conv2D(2, 3, data_format='channels_first')(h),\n"
        "                    name='padded_first')\n"),
    "quantized": (
        "x = keras.Input((6,))\n"
        "outs = [layers.Dense(5, dtype=p)(x) for p in ('int8_from_float32',\n"
        "        'int4_from_float32', 'int4/4_from_float32', 'float8_from_float32',\n"
        "        'int8_from_mixed_bfloat16')]\n"
        "outs.append(layers.Dense(3, lora_rank=2)(x))\n"
        "model = keras.Model(x, outs, name='policies')\n"
        "model.compile(optimizer='adam', loss='mse')\n"
        "t = keras.Input((4,), dtype='int32')\n"
        "tables = keras.Model(t, [layers.Embedding(11, 6, dtype='int8_from_float32')(t),\n"
        "                         layers.Embedding(11, 5, dtype='int4_from_float32')(t)],\n"
        "                     name='tables')\n"
        "q = keras.Sequential([keras.Input((300,)), layers.Dense(7), layers.Dense(3)],\n"
        "                     name='quantized')\n"
        "q.quantize('int4')\n"),
}


def _analyse(source: str, keras: str) -> dict[str, ModelAnalysis]:
    settings = default_settings()
    report = analyse_source(source, settings=Settings(settings.rules, keras=keras))
    return {analysis.model.name: analysis for analysis in report.models}


@pytest.fixture(scope="module")
def truth() -> dict[str, Any]:
    both = {name: HEAD + body for name, body in BOTH.items()}
    sources = {"3": {**both, **{n: HEAD + b for n, b in KERAS3.items()}, "seed": SEED},
               "2": {**{n: both[n] for n in KERAS2}, "seed": SEED}}
    # The two versions' processes at once: each spends most of its time importing.
    with ThreadPoolExecutor(max_workers=2) as pool:
        found = {v: pool.submit(run_cost_scripts, s, v) for v, s in sources.items()}
        return {v: future.result() for v, future in found.items()}


# tf-keras builds what differs from Keras 3 (optimizer state, names, mixed precision) and
# one case of each kind of receptive field; the others are Keras 3's alone, to save time.
KERAS2 = ("conv stack", "strided holes", "recurrent", "frozen", "other optimizers",
          "mixed precision", "upsampling", "transposed convolutions", "volumes",
          "channels first", "permute and reshape")
CASES = [(name, "3") for name in [*BOTH, *KERAS3]] + [(name, "2") for name in KERAS2]


def _weights(costs: ModelCosts, analysis: ModelAnalysis) -> list[Any]:
    """Per layer in the model's order, inputs left out: [trainable, non-trainable] bytes."""
    found: list[Any] = []
    for layer in analysis.model.layers:
        weights = costs.weights[id(layer)]
        if layer.class_name != "InputLayer":
            found.append([weights.trainable, weights.non_trainable]
                         if isinstance(weights, WeightBytes) else None)
    return found


def _activations(costs: ModelCosts, analysis: ModelAnalysis) -> list[Any]:
    """Per layer in the model's order, inputs left out: its call's output bytes."""
    return [costs.activations.get(id(layer.calls[0])) for layer in analysis.model.layers
            if layer.class_name != "InputLayer"]


def _state_bytes(costs: ModelCosts, version: str) -> Any:
    memory = costs.memory
    optimizer, weights = memory.optimizer, memory.weights
    assert isinstance(optimizer, OptimizerState), optimizer
    assert isinstance(weights, WeightBytes)
    if version == "2" and optimizer.tf_keras is not None:
        optimizer = optimizer.tf_keras
    fixed = MemoryEstimate(weights, memory.activations, optimizer).fixed
    return add(fixed, -weights.total, -weights.trainable)  # type: ignore[operator]


@pytest.mark.keras
@pytest.mark.parametrize(("name", "version"), CASES, ids=[f"{n}-{v}" for n, v in CASES])
def test_memory_matches_keras(truth: dict[str, Any], name: str, version: str) -> None:
    body = {**BOTH, **KERAS3}[name]
    found = truth[version][name]
    assert "refused" not in found, found
    ours = _analyse(HEAD + body, version)
    assert set(found) <= set(ours)
    for model, figures in found.items():
        costs = model_costs(ours[model].model)
        assert _weights(costs, ours[model]) == figures["weights"], model
        memory_weights = costs.memory.weights
        assert isinstance(memory_weights, WeightBytes)
        assert memory_weights.total == figures["total"], model
        assert _activations(costs, ours[model]) == figures["activations"], model
        if figures["optimizer"] is not None:
            assert _state_bytes(costs, version) == figures["optimizer"], model


def _extent(window: Window, at: int, length: int) -> tuple[int, int] | None:
    """The first and last input step output step ``at`` sees, cut to the input; None when
    it sees none."""
    bounds = window.at(at)
    if bounds is None or bounds[1] < 0 or bounds[0] > length - 1:
        return None
    return max(bounds[0], 0), min(bounds[1], length - 1)


def _held_at(state: Any, axis: int) -> int | None:
    """The output axis (from 0) that holds the model input's ``axis``."""
    return next((t for t, e in enumerate(state) if isinstance(e, Held) and e.axis == axis),
                None)


def _check_axis(real: dict[str, Any], window: Any, held: int | None, axis: int,
                lengths: list[int], out: tuple[Any, ...], where: Any) -> None:
    length = lengths[axis]
    slices = real["axes"][held if held is not None else 0]
    unseen = {tuple(p) for p in real["unseen"]}
    # "all": every step that reaches the layer at all (a stride's holes stay out).
    reached = sorted({p[axis] for p in itertools.product(*(range(n) for n in lengths))
                      if p not in unseen})
    for key, offset in (("middle", 0), ("next", 1)):
        if slices[key] is None:
            continue
        steps = slices[key][axis]
        if window == ALL:
            assert steps == reached, where
        elif window == PAST:
            assert steps[0] == 0, where
        elif window == FUTURE:
            assert steps[-1] == length - 1, where
        else:
            assert isinstance(window, Window) and held is not None, where
            expected = _extent(window, out[held + 1] // 2 + offset, length)
            assert ((steps[0], steps[-1]) if steps else None) == expected, (*where, key)


# Layers whose field over time is unknown: a Reshape folded the time axis into features.
FOLDED = ("fold", "after_fold")
FIELD_CASES = [(name, v) for name, v in CASES if name not in (
    "embedding", "other optimizers", "frozen", "mixed precision", "quantized")]


@pytest.mark.keras
@pytest.mark.parametrize(("name", "version"), FIELD_CASES,
                         ids=[f"{n}-{v}" for n, v in FIELD_CASES])
def test_receptive_fields_match_a_perturbed_forward_pass(truth: dict[str, Any], name: str,
                                                         version: str) -> None:
    """Per layer and per time or spatial axis of the input, the first and last input step
    the output's middle step (and the next) sees, wherever that axis now is; and the input
    steps no output sees (AL111's walk)."""
    ours = _analyse(HEAD + {**BOTH, **KERAS3}[name], version)
    for model, figures in truth[version][name].items():
        analysis = ours[model]
        traced = trace(analysis.model)
        shape = analysis.model.inputs[0].call.output
        assert isinstance(shape, tuple) and figures["fields"] is not None, model
        lengths = list(shape[1:])
        checked = 0
        for call in analysis.model.calls:
            real = figures["fields"].get(call.layer.name)
            if real is None or call.layer.class_name == "InputLayer":
                continue
            field, state = traced.field(call), traced.states[id(call)]
            if isinstance(field, Unknown) and call.layer.name in FOLDED:
                assert "'fold' folds the input's axes 1, 2" in field.reason
                continue
            assert isinstance(field, tuple) and isinstance(state, tuple), (call.layer.name,
                                                                           field)
            out = call.output
            assert isinstance(out, tuple)
            if call.layer.class_name == "Flatten":
                continue  # its field reads "all" as the Dense head after it will
            for window, axis in zip(field, traced.spatial):
                _check_axis(real, window, _held_at(state, axis), axis, lengths, out,
                            (model, call.layer.name, axis))
            checked += 1
        assert checked, model
        unseen = unseen_steps(analysis.model)
        assert unseen is not None, model
        output = analysis.model.outputs[0].call.layer.name
        # A step (over the time or spatial axes) is unseen when none of its elements is.
        elements = {tuple(p) for p in figures["fields"][output]["unseen"]}
        grid = list(itertools.product(*(range(n) for n in lengths)))
        spatial = traced.spatial
        steps = {tuple(p[a] for a in spatial) for p in grid}
        real_unseen = {s for s in steps if all(p in elements for p in grid
                                               if tuple(p[a] for a in spatial) == s)}
        # Per axis: a step no output sees on one axis is unseen whatever the others are.
        missing: list[set[int]] = [set() for _ in spatial]
        for u in unseen:
            missing[spatial.index(u.axis - 1)] |= {a for lo, hi in u.steps
                                                   for a in range(lo, hi + 1)}
        assert {s for s in steps if any(a in m for a, m in zip(s, missing))} == real_unseen, \
            model


@pytest.mark.keras
def test_seed_model_memory(truth: dict[str, Any]) -> None:
    """tf-keras builds the seed model as archlint does; Keras 3 builds Bidirectional_2's
    weights for its misreported input (keras-team/keras#23688), so only it differs."""
    ours = _analyse(SEED, "both")["functional"]
    costs = model_costs(ours.model)
    weights = _weights(costs, ours)
    tf_keras = next(iter(truth["2"]["seed"].values()))
    assert weights == tf_keras["weights"]
    keras3 = truth["3"]["seed"]["functional"]["weights"]
    names = [layer.name for layer in ours.model.layers if layer.class_name != "InputLayer"]
    assert [n for n, ours_w, real in zip(names, weights, keras3) if ours_w != real] == \
        ["Bidirectional_2"]
    assert _activations(costs, ours) == tf_keras["activations"]
    assert _state_bytes(costs, "2") == tf_keras["optimizer"]
    total = add(*(w for pair in weights if pair for w in pair))
    assert total == tf_keras["total"]


# Fields archlint leaves unknown, each with the reason (no figure: nothing to measure).
UNKNOWN_FIELDS = {
    "a reshape that folds time": (
        "x = keras.Input((12, 4))\n"
        "h = layers.Reshape((6, 8), name='fold')(x)\n"
        "model = keras.Model(x, layers.Conv1D(2, 1, strides=2, name='last')(h))\n",
        "'fold' folds the input's axes 1, 2 into other axes"),
    "bicubic upsampling": (
        "x = keras.Input((6, 5, 2))\n"
        "h = layers.UpSampling2D(2, interpolation='bicubic')(x)\n"
        "model = keras.Model(x, layers.Conv2D(2, 3, name='last')(h))\n",
        "interpolation='bicubic'"),
    "convlstm": (
        "x = keras.Input((5, 8, 2))\n"
        "model = keras.Model(x, layers.ConvLSTM1D(3, 3, name='last')(x))\n",
        "over rows grows with each time step"),
    "concatenating along time": (
        "x = keras.Input((6, 2))\n"
        "h = layers.Concatenate(axis=1)([x, layers.Conv1D(2, 3)(x)])\n"
        "model = keras.Model(x, layers.Conv1D(2, 3, name='last')(h))\n",
        "joins its inputs along the axis holding that axis"),
}


@pytest.mark.parametrize("name", UNKNOWN_FIELDS)
def test_fields_archlint_cannot_know_stay_unknown_with_the_reason(name: str) -> None:
    source, reason = UNKNOWN_FIELDS[name]
    model = next(iter(_analyse(HEAD + source, "3").values())).model
    last = next(c for c in model.calls if c.layer.name == "last")
    field = model_costs(model).fields[id(last)]
    assert isinstance(field, Unknown) and reason in field.reason, field


def test_the_coverage_walk_stops_where_a_folded_time_axis_is_partly_used() -> None:
    """Reshape((6, 8)) pairs the steps of (12, 4); a stride 2 after it uses every other
    pair, which the walk cannot say without following the fold: no guess."""
    source = UNKNOWN_FIELDS["a reshape that folds time"][0]
    model = next(iter(_analyse(HEAD + source, "3").values())).model
    assert unseen_steps(model) is None
