"""Every constructor option of every layer archlint has formulas for is modelled, declared
harmless (archlint/layers/options.py), or declared unmodelled on its spec, which makes a
layer given it unknown with AL002: never a number computed as if the option were absent.

The options come from the real constructors of Keras 3 and tf-keras (``inspect.signature``
in a subprocess), so that a new Keras option fails here until it is looked at.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from typing import Any

import pytest

from archlint.analysis import analyse_source
from archlint.layer_eval import infer_layer, instantiate
from archlint.layers import all_specs
from archlint.layers.base import LayerSpec, Unresolved
from archlint.layers.options import is_harmless, modelled_options
from tests.oracle import needs_keras

_SIGNATURES = r"""
import ast, inspect, json, os, sys, textwrap
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
if sys.argv[1] == "2":
    import tf_keras as keras
else:
    import keras
def passed_on(klass):
    # The options a constructor gives its base itself (AveragePooling1D's pool_mode): a
    # user cannot pass them. Positional ones count by position.
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(klass.__init__)))
    except (OSError, TypeError, SyntaxError):
        return set(), 0
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                node.func.attr == "__init__":
            return {k.arg for k in node.keywords if k.arg}, len(node.args)
    return set(), 0

def options(cls):
    # A constructor passing **kwargs on accepts its bases' options too (Conv1D's lora_rank
    # is BaseConv's), down to the base Layer's (name, dtype, trainable...).
    found, taken, skip = [], set(), 0
    for klass in cls.__mro__:
        if "__init__" not in vars(klass):
            continue
        params = [p for p in inspect.signature(klass.__init__).parameters.values()
                  if p.name != "self"]
        named = [p for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        found += [p.name for p in named[skip:] if p.name not in found and p.name not in taken]
        if not any(p.kind == p.VAR_KEYWORD for p in params) or klass is keras.layers.Layer:
            break
        keywords, skip = passed_on(klass)
        taken |= keywords
    return found
out = {}
for name in json.loads(sys.argv[2]):
    cls = getattr(keras.layers, name, None)
    if cls is not None:
        out[name] = options(cls)
print(json.dumps(out))
"""
# Not a Keras option of any layer: what a script might pass by mistake or from a newer Keras.
UNKNOWN_OPTION = "frobnication_level"


@pytest.fixture(scope="module")
@needs_keras
def signatures() -> dict[str, dict[str, list[str]]]:
    """The options of each catalog class's constructor, by Keras version ("3", "2")."""
    names = json.dumps(sorted({spec.class_name for spec in all_specs()}))
    found = {}
    for version in ("3", "2"):
        result = subprocess.run([sys.executable, "-c", _SIGNATURES, version, names],
                                capture_output=True, text=True, check=False, timeout=600)
        assert result.returncode == 0, result.stderr[-3000:]
        found[version] = json.loads(result.stdout.strip().splitlines()[-1])
    return found


@pytest.mark.parametrize("version", ["3", "2"])
def test_every_option_is_modelled_harmless_or_declared_unmodelled(
        signatures: dict[str, dict[str, list[str]]], version: str) -> None:
    missing = {}
    for spec in all_specs():
        options = signatures[version].get(spec.class_name, [])
        covered = modelled_options(spec) | set(spec.unmodelled)
        left = [o for o in options if o not in covered and not is_harmless(o)]
        if left:
            missing[spec.class_name] = left
    assert missing == {}, "model these options, declare them harmless or unmodelled"


def test_declared_unmodelled_options_exist_in_keras(
        signatures: dict[str, dict[str, list[str]]]) -> None:
    """A declaration that no Keras version has is stale (``tensor`` is keras.Input's)."""
    stale = {}
    for spec in all_specs():
        known = {*signatures["3"].get(spec.class_name, []),
                 *signatures["2"].get(spec.class_name, []), "tensor"}
        extra = set(spec.unmodelled) - known
        if extra:
            stale[spec.class_name] = sorted(extra)
    assert stale == {}


def _families() -> dict[str, list[LayerSpec]]:
    families: dict[str, list[LayerSpec]] = defaultdict(list)
    for spec in all_specs():
        families[type(spec).__module__.rsplit(".", 1)[-1]].append(spec)
    return dict(families)


FAMILIES = _families()


def _unmodelled_values(spec: LayerSpec) -> dict[str, Any]:
    """An unmodelled value for each declared option (anything but its default), and for a
    keyword no Keras has."""
    values: dict[str, Any] = {UNKNOWN_OPTION: 3}
    for option, default in spec.unmodelled.items():
        values[option] = not default if isinstance(default, bool) else "given"
    return values


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_an_unmodelled_option_makes_the_layer_unknown(family: str) -> None:
    for spec in FAMILIES[family]:
        for option, value in _unmodelled_values(spec).items():
            instance = instantiate(spec.class_name, {option: value}, "layer")
            assert instance.unmodelled == option, (spec.class_name, option)
            assert instance.unresolved is not None and option in instance.unresolved.reason
            with pytest.raises(Unresolved):
                infer_layer(instance, [(None, 4)])


def test_harmless_options_do_not_make_a_layer_unknown() -> None:
    instance = instantiate("Dense", {"units": 3, "kernel_initializer": "zeros",
                                     "bias_regularizer": "l2", "name": "d", "dtype":
                                     "mixed_float16"}, "d")
    assert instance.unresolved is None and instance.unmodelled is None


SCRIPT = """\
from keras import layers, Input, Model, ops
x = Input(shape=(8,))
y = layers.Dense(4, quantization_config=object())(x)
z = layers.Conv1DTranspose(2, 3, lora_rank=2)(layers.Reshape((8, 1))(x))
w = layers.Dense(4, dtype="gptq/4/128_from_float32")(x)
model = Model(x, [y, z, w])
"""


def test_an_unmodelled_option_is_reported_with_al002_and_no_number() -> None:
    report = analyse_source(SCRIPT)
    found = {(d.span.line, d.code) for d in report.diagnostics}
    assert {(3, "AL002"), (4, "AL002"), (5, "AL002")} <= found
    messages = " ".join(d.message for d in report.diagnostics if d.code == "AL002")
    for option in ("quantization_config", "lora_rank", "dtype='gptq/4/128_from_float32'"):
        assert option in messages
    analysis = report.models[0]
    assert not isinstance(analysis.total, int)
