"""Mutations of model scripts and saved models, as a careless or hostile user would make them.

Scripts start from examples/*.py and the test fixtures; saved models from configs real Keras
wrote (tests/fixtures/fuzz/saved_models.jsonl, made by ``benchmarks/fuzz.py --make-seeds``).
Every mutation is drawn from a ``random.Random``, so a case is reproduced by its seed.
"""

from __future__ import annotations

import io
import json
import random
import re
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAVED_SEEDS = ROOT / "tests" / "fixtures" / "fuzz" / "saved_models.jsonl"

NUMBERS = ("0", "-1", "-0", "1", "10**30", "2**63", "-2**63", "(1 << 4000)", "10**4000",
           "1e308", "-1e308", "1e-9", "0.5", "2.0", "None", "'x'", "''", "True", "[]", "()",
           "(1, 2, 3)", "float('nan')", "float('inf')", "{}", "...", "-(2**31)")
NAMES = ("Dense", "Conv1D", "Conv2D", "Conv1DTranspose", "LSTM", "GRU", "SimpleRNN",
         "Bidirectional", "TimeDistributed", "Model", "Sequential", "Input", "InputLayer",
         "Concatenate", "Add", "Reshape", "Flatten", "Permute", "RepeatVector", "Lambda",
         "Embedding", "MaxPooling1D", "AveragePooling2D", "GlobalAveragePooling1D", "Attention",
         "MultiHeadAttention", "Cropping1D", "ZeroPadding1D", "UpSampling1D", "Dropout",
         "layers", "keras", "tf", "x", "h", "model", "self", "print", "len", "range", "sys",
         "None", "int", "list", "super", "compile", "fit", "summary", "__init__", "call")
STRINGS = ('"same"', '"valid"', '"causal"', '"channels_first"', '"relu"', '"glu"', '"softmax"',
           '""', '"x" * 3', "'\\x1b[2J\\n::error ::x'", '"concat"', '"sum"', '"ave"', '"mul"',
           '"linear"', '"float16"', '"int32"', '"mse"', '"adam"', "f'{x}'", "b'bytes'")
KEYWORDS = ("units", "filters", "kernel_size", "strides", "padding", "return_sequences",
            "return_state", "go_backwards", "axis", "shape", "input_shape", "batch_size",
            "dilation_rate", "pool_size", "activation", "name", "merge_mode", "target_shape",
            "rate", "trainable", "dtype", "layer", "backward_layer", "inputs", "outputs",
            "data_format", "cropping", "size", "dims", "n", "num_heads", "key_dim", "use_bias")
OPERATORS = ("+", "-", "*", "//", "/", "%", "**", "<<", "@", "==", ",", ":", ".", "=")
GARBAGE = ("\x00", "\x1b[2J", "\u2028", "\u00e9", "\t", "\\", "'''", '"""', "#", "\r", "\ufeff",
           "lambda", "yield", "await ", "*", "**", ":=", "global x", "del x", "\x0c")
BRACKETS = "()[]{}"
# Statements that stress the interpreter, put between a script's lines.
SNIPPETS = (
    "h = h[:, ::2]", "h = h[0]", "h = h[..., -1:]", "h = layers.Reshape((-1, 3))(h)",
    "h = keras.ops.concatenate([h, h], axis=1)", "model = Model(h, h)",
    "h = layers.Lambda(lambda t: t)(h)", "x = Input(shape=(None, None))",
    "model.compile(loss='mse', optimizer='adam')", "h = layers.Dense(4)(h)(h)",
    "h = layers.Bidirectional(layers.LSTM(3, return_sequences=True), "
    "backward_layer=layers.GRU(2, go_backwards=True))(h)",
    "for i in range(10**9): h = layers.Dense(2)(h)", "while True: h = layers.Dense(2)(h)",
    "h = [h] * 10**6", "import sys; n = int(sys.argv[1])", "h = layers.Conv1D(n, n)(h)",
    "def f(t): return f(t)\nh = f(h)", "layers.Dense = 5", "keras = None", "h = h + h",
    "h = h @ h", "n = h.shape[1]", "model = Model(inputs=[x, x], outputs=h)",
    "h = layers.Concatenate(axis=5)([h, x])", "x = Input(shape=(None, 6), batch_size=0)",
    "class M(keras.Model):\n    def call(self, t):\n        return self(t)\nmodel = M()",
    "h = layers.TimeDistributed(layers.TimeDistributed(layers.Dense(2)))(h)",
    "h = layers.Dense(units=h)(h)", "model = keras.Sequential([h, h])",
    "h = layers.Attention()([h, h, h, h])", "h = layers.Add()([])", "h = layers.Add()(h)",
    "h, c = layers.LSTM(3, return_state=True)(h)", "h = layers.Masking()(h)(x)",
    "model.summary(); model.fit(h)", "h = getattr(layers, 'Dense')(3)(h)",
    "h = layers.Dense(**{'units': 3})(h)", "h = layers.Dense(*[3, 'relu'])(h)",
    "globals()['h'] = 3", "h = layers.Embedding(10, 3, input_length=None)(h)",
    "h = layers.Conv1D(2, 3, dilation_rate=10**6, padding='causal')(h)",
    "h = layers.MaxPooling1D(pool_size=(2, 2))(h)", "h = layers.Permute((2, 1, 3))(h)",
    "h = layers.RepeatVector(10**5)(h)", "h = layers.Reshape((0, -1))(h)",
    "h = layers.Cropping1D((10**9, 0))(h)", "h = layers.ZeroPadding1D(-3)(h)",
    "model = Model(x, [h] * 100)", "h = layers.MultiHeadAttention(0, 0)(h, h)",
    "h = keras.layers.GRU(3, reset_after=None, return_sequences=True)(h)",
)

NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?:e-?\d+)?(?![\w.])")
NAME = re.compile(r"\b[A-Za-z_]\w*\b")
STRING = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"")
KEYWORD = re.compile(r"\b([a-z_]+)=(?!=)")
OPERATOR = re.compile(r"\*\*|//|<<|==|[+\-*/%@,:.=]")


def script_seeds() -> list[tuple[str, str]]:
    """(path, source) of every example and fixture script, in a fixed order."""
    paths = sorted([*ROOT.glob("examples/*.py"), *ROOT.glob("tests/fixtures/**/*.py")])
    return [(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8")) for p in paths]


def saved_seeds() -> list[dict[str, Any]]:
    """Each saved model Keras wrote: ``{"name", "json"}`` (``model.to_json()``) or
    ``{"name", "members"}`` (the config.json and metadata.json of a ``.keras`` archive),
    each JSON document kept parsed."""
    return [json.loads(line) for line in SAVED_SEEDS.read_text(encoding="utf-8").splitlines()
            if line.strip()]


# ------------------------------------------------------------------------------ scripts

def _replace_match(rng: random.Random, text: str, pattern: re.Pattern[str],
                   choose: Callable[[re.Match[str]], str]) -> str:
    matches = list(pattern.finditer(text))
    if not matches:
        return text
    match = rng.choice(matches)
    return text[:match.start()] + choose(match) + text[match.end():]


def _lines_op(rng: random.Random, text: str, op: str) -> str:
    lines = text.splitlines(keepends=True)
    if not lines:
        return text
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    if op == "delete":
        del lines[i]
    elif op == "duplicate":
        lines.insert(i, lines[i] * rng.choice((1, 1, 2, 50)))
    elif op == "swap":
        lines[i], lines[j] = lines[j], lines[i]
    elif op == "indent":
        lines[i] = rng.choice(("    ", "  ", "\t", "")) + lines[i].lstrip(" ")
    return "".join(lines)


def _deep(rng: random.Random, text: str) -> str:
    depth = rng.choice((30, 100, 300, 1000, 5000, 20000))
    shape = rng.randrange(4)
    if shape == 0:  # parentheses around a number
        return _replace_match(rng, text, NUMBER,
                              lambda m: "(" * depth + m.group() + ")" * depth)
    if shape == 1:  # a nested list
        return _replace_match(rng, text, NUMBER,
                              lambda m: "[" * depth + m.group() + "]" * depth)
    if shape == 2:  # nested blocks
        block = "".join(" " * i + "if True:\n" for i in range(min(depth, 200)))
        return text + block + " " * min(depth, 200) + "pass\n"
    # a long chain of layers
    chain = "h = x\n" + "h = layers.Dense(4)(h)\n" * min(depth, 3000)
    return text + chain


def mutate_script(rng: random.Random, source: str, donors: list[str]) -> tuple[bytes, list[str]]:
    """One to four mutations of ``source``; ``donors`` are other scripts to take lines from.
    Returns the file's bytes (not always valid UTF-8) and the mutations made."""
    text, done = source, []
    raw_garbage = False
    for _ in range(rng.choice((1, 1, 2, 3, 4))):
        kind = rng.choice(("delete", "duplicate", "swap", "indent", "number", "number",
                           "name", "string", "keyword", "operator", "truncate", "garbage",
                           "bytes", "bracket", "deep", "donor", "donor", "snippet",
                           "snippet", "snippet"))
        done.append(kind)
        if kind in ("delete", "duplicate", "swap", "indent"):
            text = _lines_op(rng, text, kind)
        elif kind == "number":
            text = _replace_match(rng, text, NUMBER, lambda m: rng.choice(NUMBERS))
        elif kind == "name":
            pool = list(dict.fromkeys(NAME.findall(text))) + list(NAMES)
            text = _replace_match(rng, text, NAME, lambda m, pool=pool: rng.choice(pool))
        elif kind == "string":
            text = _replace_match(rng, text, STRING, lambda m: rng.choice(STRINGS))
        elif kind == "keyword":
            text = _replace_match(rng, text, KEYWORD, lambda m: rng.choice(KEYWORDS) + "=")
        elif kind == "operator":
            text = _replace_match(rng, text, OPERATOR, lambda m: rng.choice(OPERATORS))
        elif kind == "truncate":
            text = text[:rng.randrange(len(text) + 1)]
        elif kind in ("garbage", "bracket"):
            at = rng.randrange(len(text) + 1)
            piece = rng.choice(GARBAGE) if kind == "garbage" else rng.choice(BRACKETS)
            text = text[:at] + piece * rng.choice((1, 1, 3)) + text[at:]
        elif kind == "bytes":
            raw_garbage = True
        elif kind == "deep":
            text = _deep(rng, text)
        elif kind == "snippet":
            lines = text.splitlines(keepends=True)
            at = rng.randrange(len(lines) + 1)
            indent = re.match(r"\s*", lines[at]).group() if at < len(lines) else ""
            snippet = "".join(indent + line + "\n" for line in rng.choice(SNIPPETS).split("\n"))
            text = "".join(lines[:at]) + snippet + "".join(lines[at:])
        else:
            donor = rng.choice(donors).splitlines(keepends=True) or ["\n"]
            lines = text.splitlines(keepends=True)
            lines.insert(rng.randrange(len(lines) + 1), rng.choice(donor))
            text = "".join(lines)
    data = text.encode("utf-8", errors="surrogatepass")
    if raw_garbage:  # bytes that are not UTF-8
        at = rng.randrange(len(data) + 1)
        data = data[:at] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 8))) + data[at:]
    return data, done


# ------------------------------------------------------------------------- saved models

VALUES = (None, 0, -1, 1, 10**30, 2**63, -(2**63), 1e308, 0.5, "x", "", [], {}, True, False,
          [1, 2], [None, None], {"class_name": "Dense", "config": {}}, ["a", 0, 0])
CLASS_NAMES = ("Dense", "Conv1D", "LSTM", "Bidirectional", "Functional", "Sequential", "Model",
               "InputLayer", "TFSMLayer", "Lambda", "Foo", "", 5, None, "TimeDistributed",
               "Concatenate", "keras.layers.Dense", "__class__", "MultiHeadAttention")


def _nodes(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into a JSON value."""
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _nodes(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _nodes(item, (*path, index))
    return found


def _get(value: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        value = value[key]
    return value


def _mutate_tree(rng: random.Random, config: Any) -> tuple[Any, str]:
    paths = [p for p in _nodes(config) if p]
    if not paths:
        return rng.choice(VALUES), "replace-root"
    path = rng.choice(paths)
    parent, key = _get(config, path[:-1]), path[-1]
    kind = rng.choice(("delete", "type", "class", "number", "duplicate", "swap", "rename"))
    if kind == "delete":
        del parent[key]
    elif kind == "type":
        parent[key] = rng.choice(VALUES)
    elif kind == "class":
        owners = [p for p in _nodes(config) if isinstance(_get(config, p), dict)
                  and "class_name" in _get(config, p)]
        if owners:
            _get(config, rng.choice(owners))["class_name"] = rng.choice(CLASS_NAMES)
    elif kind == "number":
        numbers = [p for p in paths if isinstance(_get(config, p), (int, float))
                   and not isinstance(_get(config, p), bool)]
        if numbers:
            chosen = rng.choice(numbers)
            _get(config, chosen[:-1])[chosen[-1]] = rng.choice(
                (0, -1, 10**30, 2**64, -(2**63), 1e308, 0.5, 10**300))
    elif kind in ("duplicate", "swap"):
        lists = [p for p in _nodes(config) if isinstance(_get(config, p), list)
                 and _get(config, p)]
        if lists:
            items = _get(config, rng.choice(lists))
            i, j = rng.randrange(len(items)), rng.randrange(len(items))
            if kind == "duplicate":
                items.insert(i, json.loads(json.dumps(items[j])))
            else:
                items[i], items[j] = items[j], items[i]
    else:  # a name other entries refer to, or that another layer has
        names = [p for p in paths if p[-1] == "name" and isinstance(_get(config, p), str)]
        if names:
            chosen = rng.choice(names)
            _get(config, chosen[:-1])["name"] = _get(config, rng.choice(names))
    return config, kind


def _mutate_text(rng: random.Random, text: str) -> tuple[bytes, str]:
    kind = rng.choice(("truncate", "garbage", "deep", "huge", "bom", "bytes"))
    if kind == "truncate":
        text = text[:rng.randrange(len(text) + 1)]
    elif kind == "garbage":
        at = rng.randrange(len(text) + 1)
        text = text[:at] + rng.choice(GARBAGE + tuple(BRACKETS) + (",", '"', ":")) + text[at:]
    elif kind == "deep":
        depth = rng.choice((100, 1000, 10000, 100000))
        nested = rng.choice(("[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth))
        text = _replace_first_value(rng, text, nested)
    elif kind == "huge":
        text = _replace_first_value(rng, text, rng.choice(("9" * 5000, "1e99999", "-0",
                                                           "NaN", "Infinity", "1" * 400)))
    elif kind == "bom":
        text = "\ufeff" + text
    data = text.encode("utf-8", errors="surrogatepass")
    if kind == "bytes":
        at = rng.randrange(len(data) + 1)
        data = data[:at] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 8))) + data[at:]
    return data, "text-" + kind


def _replace_first_value(rng: random.Random, text: str, value: str) -> str:
    spots = [m.end() for m in re.finditer(r'":\s*', text)]
    if not spots:
        return value
    at = rng.choice(spots)
    end = re.match(r'-?\d[\d.eE+-]*|"[^"]*"|null|true|false', text[at:])
    return text[:at] + value + text[at + (end.end() if end else 0):]


def _zip(members: dict[str, bytes], rng: random.Random) -> tuple[bytes, str]:
    buffer = io.BytesIO()
    kind = rng.choice(("plain", "plain", "no-config", "no-metadata", "directory", "twice",
                       "truncate", "flip", "stored"))
    method = zipfile.ZIP_STORED if kind == "stored" else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(buffer, "w", method) as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name": the point of the "twice" kind
        for name, data in members.items():
            if (kind == "no-config" and name == "config.json") or \
                    (kind == "no-metadata" and name == "metadata.json"):
                continue
            if kind == "directory" and name == "config.json":
                archive.writestr("config.json/", b"")
                continue
            archive.writestr(name, data)
            if kind == "twice":
                archive.writestr(name, data[: len(data) // 2])
        archive.writestr("model.weights.h5", b"\x89HDF\r\n\x1a\n" + b"\x00" * 64)
    data = buffer.getvalue()
    if kind == "truncate":
        data = data[:rng.randrange(4, len(data))]
    elif kind == "flip":
        flipped = bytearray(data)
        for _ in range(rng.randint(1, 6)):
            flipped[rng.randrange(len(flipped))] = rng.randrange(256)
        data = bytes(flipped)
    return data, "zip-" + kind


def mutate_saved(rng: random.Random, seed: dict[str, Any]) -> tuple[bytes, str, list[str]]:
    """One mutated saved model: its bytes, its suffix (``.json`` or ``.keras``) and the
    mutations made."""
    members = dict(seed.get("members") or {"config.json": seed["json"]})
    done = []
    config = json.loads(json.dumps(members["config.json"]))  # a copy to mutate
    for _ in range(rng.choice((0, 1, 1, 2, 3))):
        config, kind = _mutate_tree(rng, config)
        done.append(kind)
    text = json.dumps(config)
    if rng.random() < 0.3:
        data, kind = _mutate_text(rng, text)
        done.append(kind)
    else:
        data = text.encode("utf-8", errors="surrogatepass")
    if "members" not in seed:
        return data, ".json", done
    encoded = {name: json.dumps(value).encode() for name, value in members.items()}
    encoded["config.json"] = data
    if rng.random() < 0.2:
        encoded["metadata.json"] = rng.choice((b"{", b"[]", b'{"keras_version": 5}',
                                               b'{"keras_version": "1.2.2"}', b"\xff\xfe"))
        done.append("metadata")
    archive, kind = _zip(encoded, rng)
    return archive, ".keras", [*done, kind]
