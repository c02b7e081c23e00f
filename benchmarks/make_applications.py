"""Regenerate ``archlint/data/applications/`` from real Keras 3.

    python -m benchmarks.make_applications            # every application
    python -m benchmarks.make_applications ResNet50   # some of them
    python -m benchmarks.make_applications --check    # check the shipped data again
                                                      # (and refresh the refusal messages)

Each ``keras.applications`` model is built with ``weights=None`` (nothing is downloaded) in
the variants its options make, and stored as data that ``archlint.applications`` rebuilds
into a model config for any options:

- ``body``: the layers of ``include_top=False, pooling=None``, in Keras 3's saved order,
  each as ``{"c": class, "n": name, "o": options, "i": [first argument of each call]}``
  with only the options archlint's formulas read (no initializers, regularizers, dtypes);
- ``heads``: the layers ``include_top=True`` adds to the body (with ``"$classes"`` and
  ``"$classifier_activation"`` where those options go) and those each ``pooling`` adds
  (``"none"`` when even ``pooling=None`` adds some: ConvNeXt's last normalization);
- ``pads``: the ZeroPadding2D layers whose padding Keras computes from the size of their
  input (``imagenet_utils.correct_pad``), with the kernel size they pad for;
- ``imagenet``: the layers ``weights="imagenet"`` adds or changes (the weights themselves
  are never loaded: the download is replaced by a no-op while the graph is built);
- ``at_top_size``: for a model whose cells adjust to the sizes they meet (NASNetLarge),
  the layers its body has at the classifier's input size (331x331) where they differ from
  the body of an unknown size, as ``imagenet`` holds its changes;
- ``input``: what the application passes to ``obtain_input_shape`` (default and minimum
  size), recorded while it runs.

Before writing, every application is rebuilt by ``archlint.applications`` for several
input sizes and options and compared, layer by layer, with the config Keras built; an
application whose graph depends on the input size in another way is stored for its default
size only. The summary (sizes, what matched) is printed as JSON.
"""

from __future__ import annotations

import copy
import gzip
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

from archlint import applications
from archlint.applications import compact_layers

DATA_DIR = Path(applications.__file__).parent / "data" / "applications"
# Input sizes whose parities differ at every stride-2 step of the usual backbones.
PROBE_SIZES = (None, 224, 225, 199, 263)
CLASSES_PROBE, ACTIVATION_PROBE = 7, "sigmoid"


def _patch_keras(recorded: dict[str, Any]) -> None:
    """Record obtain_input_shape's arguments; make weight loading a no-op."""
    from keras.src.applications import imagenet_utils
    from keras.src.models import model as model_module
    from keras.src.utils import file_utils

    original = imagenet_utils.obtain_input_shape

    def obtain_input_shape(input_shape, default_size, min_size, data_format,
                           require_flatten, weights=None):
        recorded.setdefault("calls", []).append(
            {"default_size": default_size, "min_size": min_size})
        return original(input_shape, default_size, min_size, data_format, require_flatten,
                        weights)

    imagenet_utils.obtain_input_shape = obtain_input_shape
    file_utils.get_file = lambda *args, **kwargs: "/nonexistent/weights.h5"
    model_module.Model.load_weights = lambda self, *args, **kwargs: None


_BUILT: dict[str, Any] = {}


def build(name: str, **options: Any) -> dict[str, Any]:
    """The saved config of an application, built once per set of options; raises what
    Keras raises."""
    import keras

    options.setdefault("weights", None)
    key = json.dumps([name, sorted(options.items())], default=str)
    if key not in _BUILT:
        keras.backend.clear_session()
        try:
            model = getattr(keras.applications, name)(**options)
        except ValueError as error:
            _BUILT[key] = error
        else:
            _BUILT[key] = {"class_name": "Functional",
                           "config": json.loads(model.to_json())["config"]}
    built = _BUILT[key]
    if isinstance(built, ValueError):
        raise built
    return copy.deepcopy(built)


def _common(variants: list[list[dict[str, Any]]], pads: dict[str, int]) -> set[str]:
    """Names of the layers every build has, with the same options (input layers, and the
    paddings that follow the input size, aside)."""
    first, *others = variants

    def same(a: dict[str, Any], b: dict[str, Any]) -> bool:
        if a["n"] != b["n"]:
            return False
        if a["c"] == "InputLayer" or a == b:
            return True
        return a["n"] in pads and {**a, "o": {}} == {**b, "o": {}}

    return {entry["n"] for entry in first
            if all(any(same(entry, other) for other in variant) for variant in others)}


def _tail(layers: list[dict[str, Any]], common: set[str]) -> list[dict[str, Any]]:
    return [entry for entry in layers if entry["n"] not in common]


def _placeholders(a: Any, b: Any) -> Any:
    """``a`` (classes=1000, softmax) with the values that differ in ``b`` (the probe
    options) replaced by the option names."""
    if isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys():
        return {k: _placeholders(a[k], b[k]) for k in a}
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [_placeholders(x, y) for x, y in zip(a, b)]
    if a == b:
        return a
    if a == 1000 and b == CLASSES_PROBE:
        return "$classes"
    if a == "softmax" and b == ACTIVATION_PROBE:
        return "$classifier_activation"
    raise ValueError(f"head option differs in an unexpected way: {a!r} / {b!r}")


def _pads(bodies: dict[Any, list[dict[str, Any]]]) -> dict[str, int] | None:
    """ZeroPadding2D layers whose padding follows their input size, with the padded
    kernel's half size; None when the graph changes with the size in another way."""
    reference = bodies[None]
    pads: dict[str, int] = {}
    for built in bodies.values():
        if [e["n"] for e in built] != [e["n"] for e in reference]:
            return None
        for entry, base in zip(built, reference):
            if entry == base or entry["c"] == "InputLayer":
                continue
            if entry["c"] == "ZeroPadding2D" and entry["i"] == base["i"]:
                pads[entry["n"]] = base["o"]["padding"][0][1]
            else:
                return None
    return pads


def _body_at_top_size(name: str, pads: dict[str, int] | None,
                      body: list[dict[str, Any]],
                      top_input: list[Any]) -> list[dict[str, Any]] | None:
    """The body Keras builds at the classifier's input size, where it is not the body of an
    unknown size (NASNetLarge's cells adjust to the sizes they meet at 331x331); else None."""
    default = next(e for e in body if e["c"] == "InputLayer")["o"]["batch_shape"][1:]
    if pads is not None or list(default) == list(top_input):
        return None
    sized = compact_layers(build(name, include_top=False, input_shape=tuple(top_input))
                           ["config"]["layers"])
    same = [e for e in sized if e["c"] != "InputLayer"] == \
        [e for e in body if e["c"] != "InputLayer"]
    return None if same else sized


def _imagenet_changes(plain: list[dict[str, Any]],
                      imagenet: list[dict[str, Any]]) -> dict[str, Any] | None:
    if plain == imagenet:
        return None
    known = {entry["n"]: entry for entry in plain}
    return {"order": [e["n"] for e in imagenet],
            "layers": [e for e in imagenet if known.get(e["n"]) != e]}


def generate(name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The data of one application, and what the rebuild check found."""
    recorded: dict[str, Any] = {}
    _patch_keras(recorded)
    started = time.perf_counter()
    bodies: dict[Any, list[dict[str, Any]]] = {}
    names: dict[Any, str] = {}
    probe_errors: dict[str, str] = {}
    for size in PROBE_SIZES:
        shape = None if size is None else (size, size, 3)
        recorded.clear()
        try:
            config = build(name, include_top=False, input_shape=shape)
        except ValueError as error:
            probe_errors[str(size)] = str(error)
            continue
        if size is None:
            input_calls = list(recorded.get("calls", []))
        bodies[size] = compact_layers(config["config"]["layers"])
        names[size] = config["config"]["name"]
        if size is None:
            outputs = [ref[0] for ref in _ref_list(config["config"]["output_layers"])]
    pads = _pads(bodies)
    top = build(name, include_top=True)
    probe = build(name, include_top=True, classes=CLASSES_PROBE,
                  classifier_activation=ACTIVATION_PROBE)
    top_layers = compact_layers(top["config"]["layers"])
    top_input = next(e for e in top_layers if e["c"] == "InputLayer")["o"]["batch_shape"][1:]
    pooled = {pooling: compact_layers(build(name, include_top=False, pooling=pooling)
                                      ["config"]["layers"]) for pooling in ("avg", "max")}
    at_top_size = _body_at_top_size(name, pads, bodies[None], top_input)
    # The body is what every option keeps; each option's own layers come after it
    # (ConvNeXt normalizes after its pooling, and its classifier head has its own).
    common = _common([bodies[None], *pooled.values()] +
                     ([top_layers] if at_top_size is None else []), pads or {})
    body = [entry for entry in bodies[None] if entry["n"] in common]
    default_shape = next(e for e in body if e["c"] == "InputLayer")["o"]["batch_shape"][1:]
    # The classifier head follows the body Keras builds at the top's size.
    top_common = common if at_top_size is None else _common([at_top_size, top_layers], {})
    head = _tail(top_layers, top_common)
    probe_head = _tail(compact_layers(probe["config"]["layers"]), top_common)
    heads: dict[str, Any] = {"top": [_placeholders(a, b) for a, b in zip(head, probe_head)]}
    heads.update({pooling: _tail(layers, common) for pooling, layers in pooled.items()})
    if _tail(bodies[None], common):
        heads["none"] = _tail(bodies[None], common)
    imagenet = compact_layers(build(name, include_top=False, weights="imagenet")
                              ["config"]["layers"])
    imagenet = [e for e in imagenet if e["n"] not in {t["n"] for t in heads.get("none", [])}]
    imagenet_shape = next(e for e in imagenet if e["c"] == "InputLayer")["o"]["batch_shape"][1:]
    sized = None
    if at_top_size is not None:
        sized = {"shape": top_input, **(_imagenet_changes(body, at_top_size) or {}),
                 "outputs": [ref[0] for ref in _ref_list(
                     build(name, include_top=False, input_shape=tuple(top_input))
                     ["config"]["output_layers"])]}
    # weights="imagenet" changes the body Keras builds at the size it builds at.
    imagenet_base = at_top_size if sized is not None and imagenet_shape == top_input else body
    data = {
        "keras": __import__("keras").__version__,
        "name": names[None],
        "top_name": top["config"]["name"],
        "input": input_calls[0] if input_calls else None,
        "default_shape": default_shape,
        "top_shape": top_input,
        "fixed_size": pads is None,
        "pads": pads or {},
        "body": body,
        "outputs": outputs,
        "defaults": _family_defaults(name),
        "refusals": refusals(name),
        "name_template": _name_template(names),
        "heads": heads,
        "imagenet": _imagenet_changes(imagenet_base, imagenet),
        "at_top_size": sized,
    }
    summary = {"build_seconds": round(time.perf_counter() - started, 1),
               "probe_errors": probe_errors, "fixed_size": pads is None,
               "pads": len(pads or {})}
    return data, summary


def refusals(name: str) -> dict[str, str]:
    """The messages of the refusals whose wording differs between applications, as
    templates (Keras raises them before building anything)."""
    templates = {}
    probes = {"classes": ({"include_top": True, "weights": "imagenet",
                           "classes": CLASSES_PROBE}, f"={CLASSES_PROBE}", "={classes}"),
              "unknown_size": ({"include_top": False, "weights": "imagenet",
                                "input_shape": (None, None, 3)}, "(None, None, 3)",
                               "{input_shape}")}
    for kind, (options, probe, placeholder) in probes.items():
        try:
            build(name, **options)
        except ValueError as error:
            message = str(error)
            if "{" not in message and "}" not in message:
                templates[kind] = message.replace(probe, placeholder)
    return templates


def _ref_list(refs: list[Any]) -> list[list[Any]]:
    """Keras 3 saves one input or output as ``[layer, node, index]``, several as a list."""
    return [refs] if refs and isinstance(refs[0], str) else [list(r) for r in refs]


def _family_defaults(name: str) -> dict[str, Any]:
    """The options of an application beyond the common ones, with their defaults."""
    import inspect

    import keras

    signature = inspect.signature(getattr(keras.applications, name))
    return {option: parameter.default for option, parameter in signature.parameters.items()
            if option not in applications.COMMON_OPTIONS and
            isinstance(parameter.default, (bool, int, float, str, type(None)))}


def _name_template(names: dict[Any, str]) -> str | None:
    """``mobilenet_1.00_{rows}`` when the model's name carries its input size."""
    if len(set(names.values())) == 1:
        return None
    size = next(s for s in names if s is not None and str(s) in names[s])
    template = names[size].replace(str(size), "{rows}")
    for other, built in names.items():
        if template.format(rows=other) != built:
            raise ValueError(f"model names {names} follow no template")
    return template


def check(name: str, data: dict[str, Any]) -> list[str]:
    """Rebuild the application from ``data`` for several options and compare with Keras."""
    problems = []
    cases: list[dict[str, Any]] = [
        {"include_top": False, "input_shape": None},
        {"include_top": True},
        {"include_top": False, "pooling": "avg"},
        {"include_top": False, "pooling": "max", "input_shape": (225, 199, 3)},
        {"include_top": True, "classes": 5, "classifier_activation": None},
        {"include_top": False, "weights": "imagenet"},
        {"include_top": True, "weights": "imagenet", "classes": CLASSES_PROBE},
        {"include_top": False, "weights": "imagenet", "input_shape": (None, None, 3)},
    ]
    cases += [{"include_top": False, "input_shape": (s, s, 3)} for s in PROBE_SIZES if s]
    top_shape = tuple(data["top_shape"])  # the body at the classifier's size, any head
    cases += [{"include_top": False, "input_shape": top_shape, "pooling": pooling}
              for pooling in (None, "avg")]
    cases += [{"include_top": False, "input_shape": top_shape, "weights": "imagenet"}]
    for case in cases:
        try:
            expected = build(name, **case)
        except ValueError as error:
            expected = {"refused": str(error)}
        options = {"weights": None, **case}
        made = applications.backbone_config(name, **options, data=data)
        if isinstance(made, applications.Refusal):
            if "refused" not in expected:
                problems.append(f"{case}: archlint refuses ({made.message}), Keras builds")
            continue
        if isinstance(made, applications.Unknown):
            if "refused" not in expected and not data["fixed_size"]:
                problems.append(f"{case}: archlint unknown ({made.reason})")
            continue
        if "refused" in expected:
            problems.append(f"{case}: Keras refuses ({expected['refused']}), archlint builds")
            continue
        ours = compact_layers(made["config"]["layers"])
        theirs = compact_layers(expected["config"]["layers"])
        if ours != theirs:
            diff = next(((a, b) for a, b in zip(ours, theirs) if a != b), (len(ours),
                                                                             len(theirs)))
            problems.append(f"{case}: layers differ, first {diff}")
        for key in ("name", "output_layers", "input_layers"):
            if key == "name":
                same = made["config"][key] == expected["config"][key]
            else:
                same = _ref_list(made["config"][key]) == _ref_list(expected["config"][key])
            if not same:
                problems.append(f"{case}: {key} {made['config'][key]!r} != "
                                f"{expected['config'][key]!r}")
    return problems


def main(argv: list[str]) -> int:
    import keras

    check_only = "--check" in argv
    names = [a for a in argv if a != "--check"] or \
        [n for n in dir(keras.applications) if n[:1].isupper()]
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    index_path = DATA_DIR / "index.json"
    report = {}
    for name in names:
        try:
            if check_only:  # the shipped data, checked again (after a change of the module)
                _patch_keras({})
                data, summary = dict(applications._load(name)), {}
                data["refusals"] = refusals(name)
            else:
                data, summary = generate(name)
            summary["problems"] = check(name, data)
        except Exception as error:  # an application Keras cannot build here
            report[name] = {"error": f"{type(error).__name__}: {error}"}
            print(name, report[name], file=sys.stderr, flush=True)
            continue
        raw = json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
        packed = gzip.compress(raw, 9, mtime=0)
        (DATA_DIR / f"{name}.json.gz").write_bytes(packed)
        summary["bytes"] = len(packed)
        report[name] = summary
        print(name, json.dumps(summary), file=sys.stderr, flush=True)
        # Read again: another run may have written other applications meanwhile.
        index = json.loads(index_path.read_text()) if index_path.exists() else {}
        index[name] = {"keras": data["keras"], "verified": not summary["problems"]}
        index_path.write_text(json.dumps(index, indent=1, sort_keys=True) + "\n")
        _BUILT.clear()
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
