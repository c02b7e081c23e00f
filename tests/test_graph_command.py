"""``archlint graph``: the structure of the Mermaid and DOT it writes (nodes, edges, labels),
checked against archlint's own analysis of the same script, escaping of hostile names, the
README's block, and bad input."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest
from click.testing import CliRunner

from archlint.analysis import analyse_file
from archlint.cli import main
from archlint.engine import layer_params
from archlint.render.graph_view import params_line, shape_label

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "seed_model.py"

SIAMESE = """\
import keras
from keras import layers
enc_in = keras.Input(shape=(10, 4))
encoder = keras.Model(enc_in, layers.Dense(8, name="enc_dense")(enc_in), name="encoder")
head = keras.Sequential([layers.Dense(5), layers.Dense(3)], name="head")
a = keras.Input(shape=(10, 4), name="a")
b = keras.Input(shape=(10, 4), name="b")
shared = layers.Dense(4, name="shared")
ea, eb = encoder(shared(a)), encoder(shared(b))
z = layers.Concatenate()([ea, eb]) * 2.0
model = keras.Model([a, b], [head(z), ea], name="siamese")
"""

HOSTILE_NAMES = ['a"] --> x; click n0 call alert(1) %%', "#1 <b>&amp; |x| `code`",
                 "back\\slash\\l", "new\nline", "}; digraph { x", "end"]


def hostile_script() -> str:
    lines = ["import keras", "from keras import layers",
             f"inputs = x = keras.Input(shape=(3,), name={HOSTILE_NAMES[0]!r})"]
    lines += [f"x = layers.Dense(2, name={name!r})(x)" for name in HOSTILE_NAMES[1:]]
    lines.append('model = keras.Model(inputs, x, name="m<\\"#>")')
    return "\n".join(lines) + "\n"


def graph(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["graph", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    return result.exit_code, result.output


# One Mermaid statement: a node, an edge, a subgraph's start or end, a class.
_NODE = re.compile(r'^(\w+)(\(\[|\[\[|\[|\()"([^"]*)"(\]\)|\]\]|\]|\))$')
_EDGE = re.compile(r'^(\w+) -->\|"([^"]*)"\| (\w+)$')
_SUBGRAPH = re.compile(r'^subgraph (\w+) \["([^"]*)"\]$')


class Flowchart(NamedTuple):
    nodes: dict[str, list[str]]  # id -> label lines
    edges: list[tuple[str, str, str]]  # source, target, label
    subgraphs: dict[str, list[str]]  # id -> the nodes directly in it
    classes: dict[str, str]  # node id -> class


def parse_mermaid(text: str) -> Flowchart:
    """Nodes (id -> label lines), edges, subgraphs (id -> the nodes directly in them) and
    classes of a flowchart; fails on a line that is none of those."""
    lines = text.splitlines()
    assert lines[0] == "flowchart TB"
    nodes: dict[str, list[str]] = {}
    edges: list[tuple[str, str, str]] = []
    subgraphs: dict[str, list[str]] = {}
    classes: dict[str, str] = {}
    open_subgraphs: list[str] = []
    for line in (line.strip() for line in lines[1:]):
        if line.startswith("%% ") or line.startswith("classDef "):
            continue
        if (match := _NODE.match(line)) is not None:
            nodes[match[1]] = match[3].split("<br/>")
            if open_subgraphs:
                subgraphs[open_subgraphs[-1]].append(match[1])
        elif (match := _EDGE.match(line)) is not None:
            edges.append((match[1], match[3], match[2]))
        elif (match := _SUBGRAPH.match(line)) is not None:
            subgraphs[match[1]] = []
            open_subgraphs.append(match[1])
        elif line == "end":
            open_subgraphs.pop()
        elif line.startswith("class "):
            _, ids, style = line.split(" ")
            classes.update({node: style for node in ids.split(",")})
        else:
            raise AssertionError(f"not a Mermaid statement archlint writes: {line!r}")
    assert not open_subgraphs
    assert {e[0] for e in edges} | {e[1] for e in edges} <= set(nodes)
    return Flowchart(nodes, edges, subgraphs, classes)


def test_seed_model_nodes_edges_and_labels_are_the_analysis() -> None:
    code, text = graph(str(SEED))
    assert code == 0, text
    parsed = parse_mermaid(text)
    nodes, edges = parsed.nodes, parsed.edges
    analysis = analyse_file(SEED).models[0]
    model = analysis.model
    by_label = {lines[0]: node for node, lines in nodes.items()}
    # A node per layer, named as the summary names it, with its parameter count.
    for layer in model.layers:
        node = by_label[f"{layer.name} ({layer.class_name})"]
        if layer.class_name != "InputLayer":
            assert nodes[node][1] == params_line(layer_params(layer, model))
    # An edge per tensor, labelled with its shape as the text report prints it.
    expected = set()
    for call in model.calls:
        for ref in call.inbound:
            source = by_label[f"{ref.call.layer.name} ({ref.call.layer.class_name})"]
            target = by_label[f"{call.layer.name} ({call.layer.class_name})"]
            expected.add((source, target, shape_label(ref.call.output_at(ref.index))))
    output = by_label["model output"]
    last = model.outputs[0].call
    expected.add((by_label[f"{last.layer.name} ({last.layer.class_name})"], output,
                  shape_label(last.output)))
    assert set(edges) == expected
    assert len(edges) == len(expected)


def test_findings_are_marked_on_their_layers() -> None:
    _, text = graph(str(SEED))
    parsed = parse_mermaid(text)
    nodes, classes = parsed.nodes, parsed.classes
    report = analyse_file(SEED)
    assert report.diagnostics
    for finding in report.diagnostics:
        node = next(n for n, lines in nodes.items()
                    if lines[0].startswith(f"{finding.layer} ("))
        assert finding.code in nodes[node][-1]
        worst = max((d.severity for d in report.diagnostics if d.layer == finding.layer),
                    key=lambda s: s.rank)
        assert classes[node] == worst.value
    dot = graph(str(SEED), "--format", "dot")[1]
    assert re.search(r'label="Bidirectional_1 \(Bidirectional\)\\n[^"]*\\nAL204", '
                     r'fillcolor="#fff1c9"', dot)


def test_symbolic_shapes_are_printed_as_in_the_report() -> None:
    _, text = graph(str(ROOT / "examples" / "variable_length.py"))
    labels = {edge[2] for edge in parse_mermaid(text).edges}
    model = analyse_file(ROOT / "examples" / "variable_length.py").models[0].model
    assert {shape_label(call.output) for call in model.calls} <= labels
    assert any("T" in label for label in labels)


def test_shared_layer_is_one_node_with_an_edge_per_call(tmp_path: Path) -> None:
    script = tmp_path / "siamese.py"
    script.write_text(SIAMESE)
    code, text = graph(str(script), "--model", "siamese")
    assert code == 0, text
    parsed = parse_mermaid(text)
    nodes, edges = parsed.nodes, parsed.edges
    by_label = {lines[0]: node for node, lines in nodes.items()}
    shared, encoder = by_label["shared (Dense)"], by_label["encoder (Functional)"]
    assert [e[0] for e in edges if e[1] == shared] == [by_label["a (InputLayer)"],
                                                       by_label["b (InputLayer)"]]
    assert [e[1] for e in edges if e[0] == shared] == [encoder, encoder]
    # Collapsed by default: the nested models are one node each, drawn as a subroutine.
    assert f'{encoder}[["encoder (Functional)' in text
    assert "enc_dense (Dense)" not in text and not parsed.subgraphs
    # The tensor operation is a small node named by its source text.
    operation = by_label["layers.Concatenate()([ea, eb]) * 2.0"]
    assert parsed.classes[operation] == "op"
    assert [nodes[e[1]] for e in edges
            if nodes[e[1]][0].startswith("model output")] == [["model output 0"],
                                                              ["model output 1"]]


def test_expand_nested_draws_subgraphs_and_clusters(tmp_path: Path) -> None:
    script = tmp_path / "siamese.py"
    script.write_text(SIAMESE)
    _, text = graph(str(script), "--model", "siamese", "--expand-nested")
    parsed = parse_mermaid(text)
    nodes, subgraphs = parsed.nodes, parsed.subgraphs
    inside = {tuple(nodes[n][0] for n in members)
              for members in subgraphs.values()}
    assert inside == {("enc_dense (Dense)",), ("dense (Dense)", "dense_1 (Dense)")}
    assert 'subgraph c0 ["encoder (Functional)<br/>' in text
    dot = graph(str(script), "--model", "siamese", "--expand-nested", "--format", "dot")[1]
    assert dot.count('subgraph "cluster_') == 2
    _, blocks = graph(str(ROOT / "examples" / "user_layers.py"))
    assert '[["residual (Residual)<br/>' in blocks and "conv1d" not in blocks
    _, expanded = graph(str(ROOT / "examples" / "user_layers.py"), "--expand-nested")
    # One subgraph per model of the file and one per call of a user-defined layer.
    report = analyse_file(ROOT / "examples" / "user_layers.py")
    blocks = sum(1 for analysis in report.models for call in analysis.model.calls
                 if call.layer.instance is not None
                 and call.layer.instance.class_name == "UserLayer")
    assert len(parse_mermaid(expanded).subgraphs) == len(report.models) + blocks


def test_several_models_are_subgraphs_of_one_flowchart(tmp_path: Path) -> None:
    script = tmp_path / "siamese.py"
    script.write_text(SIAMESE)
    _, text = graph(str(script))
    parsed = parse_mermaid(text)
    titles = re.findall(r'^  subgraph m\d \["(\w+) ', text, re.MULTILINE)
    assert titles == ["encoder", "head", "siamese"]
    assert all(node.startswith(("m0_", "m1_", "m2_")) for node in parsed.nodes)
    code, output = graph(str(script), "--model", "nope")
    assert code == 2 and "encoder, head, siamese" in output


def test_hostile_names_stay_inside_their_labels(tmp_path: Path) -> None:
    script = tmp_path / "hostile.py"
    script.write_text(hostile_script())
    code, text = graph(str(script))
    assert code == 0, text
    nodes = parse_mermaid(text).nodes  # every line still parses as one statement
    labels = " ".join(lines[0] for lines in nodes.values())
    for char in '"<>`|':
        assert char not in labels
    assert "#quot;] --#gt; x; click n0 call alert(1) %%" in labels
    assert "#35;1 #lt;b#gt;#amp;amp; #124;x#124; #96;code#96;" in labels
    assert "new\\nline (Dense)" in labels  # control characters shown, not obeyed


@pytest.mark.filterwarnings("ignore:'\\w+' deprecated")  # pydot's own use of pyparsing
def test_pydot_parses_the_dot_and_reads_back_the_names(tmp_path: Path) -> None:
    pydot = pytest.importorskip("pydot")
    script = tmp_path / "hostile.py"
    script.write_text(hostile_script())
    # pydot's parser is slow: the clusters of one expanded graph, and the hostile names.
    code, dot = graph(str(ROOT / "examples" / "user_layers.py"), "--format", "dot",
                      "--expand-nested")
    (parsed,) = pydot.graph_from_dot_data(dot)

    def clusters(graph: object) -> int:
        return sum(1 + clusters(sub) for sub in graph.get_subgraphs())  # type: ignore[attr-defined]

    report = analyse_file(ROOT / "examples" / "user_layers.py")
    blocks = sum(1 for analysis in report.models for call in analysis.model.calls
                 if call.layer.instance is not None
                 and call.layer.instance.class_name == "UserLayer")
    # A cluster per model of the file, and one per call of a user-defined layer in it.
    assert code == 0 and clusters(parsed) == len(report.models) + blocks
    (parsed,) = pydot.graph_from_dot_data(graph(str(script), "--format", "dot")[1])
    assert parsed.get_name() == "archlint"
    labels = [node.get_label() for node in parsed.get_nodes() if node.get_label()]
    # The quoted label, unescaped as Graphviz reads it: the name is whole.
    read = [label[1:-1].replace('\\"', '"').replace("\\\\", "\\").replace("&amp;", "&")
            for label in labels]
    assert any(label.startswith(HOSTILE_NAMES[0] + " (InputLayer)") for label in read)
    assert any(label.startswith(HOSTILE_NAMES[1] + " (Dense)") for label in read)
    assert any(label.startswith("back\\slash\\l (Dense)") for label in read)
    assert len(parsed.get_edges()) == len(HOSTILE_NAMES)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_graphviz_draws_the_dot_as_svg(tmp_path: Path) -> None:
    script = tmp_path / "hostile.py"
    script.write_text(hostile_script())
    several = tmp_path / "siamese.py"  # three models: a cluster each
    several.write_text(SIAMESE)
    for path in (script, several, ROOT / "examples" / "user_layers.py"):
        out = tmp_path / f"{path.stem}.svg"
        code, output = graph(str(path), "--format", "svg", "--expand-nested", "-o", str(out))
        assert code == 0, output
        svg = out.read_text()
        assert svg.lstrip().startswith("<?xml") and "</svg>" in svg
    assert "#1 &lt;b&gt;&amp;amp; |x| `code` (Dense)" in (tmp_path / "hostile.svg").read_text()


def test_svg_without_graphviz_says_what_is_needed(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(tmp_path), "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "archlint", "graph", str(SEED), "--format",
                             "svg"], capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 2
    assert "Graphviz's `dot` program" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_bad_input_exits_two_with_a_message(tmp_path: Path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("from keras import layers\nx = layers.Dense(4)(\n")
    empty = tmp_path / "empty.py"
    empty.write_text("import keras\nx = keras.layers.Dense(3)\n")
    cases = {str(broken): "broken.py:2: Python cannot parse", str(empty): "no Keras model",
             str(tmp_path / "missing.py"): "no such file", str(tmp_path): "is a directory"}
    for path, message in cases.items():
        code, output = graph(path)
        assert code == 2 and message in output, output


def test_output_file_is_written_and_never_over_the_input(tmp_path: Path) -> None:
    script = tmp_path / "seed.py"
    script.write_text(SEED.read_text())
    out = tmp_path / "graph.mmd"
    code, output = graph(str(script), "-o", str(out))
    assert code == 0 and output == ""
    assert out.read_text() == graph(str(script))[1]
    code, output = graph(str(script), "--output", str(script))
    assert code == 2 and "one of the files archlint reads" in output
    assert script.read_text() == SEED.read_text()


def test_readme_shows_the_current_graph_of_the_seed_model() -> None:
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```mermaid\n(.*?)```", readme, re.DOTALL)
    assert len(blocks) == 1, "the README has one Mermaid block: the seed model's graph"
    _, current = graph(str(SEED))
    assert blocks[0] == current, ("README.md's Mermaid block is stale: regenerate it with "
                                  "`archlint graph examples/seed_model.py`")


NESTED_FINDING = """\
import keras
from keras import layers
enc_in = keras.Input(shape=(11, 4))
encoder = keras.Model(enc_in, layers.MaxPooling1D(2, name="pool")(enc_in), name="encoder")
x = keras.Input(shape=(11, 4), name="x")
model = keras.Model(x, layers.Dense(3, name="head")(encoder(x)), name="outer")
"""


def test_a_finding_inside_a_nested_model_marks_the_node_that_shows_it(tmp_path: Path) -> None:
    script = tmp_path / "nested.py"
    script.write_text(NESTED_FINDING)
    codes = {d.code for d in analyse_file(script).diagnostics if d.layer == "pool"}
    assert codes, "the fixture must have a finding on the nested model's layer"
    collapsed = parse_mermaid(graph(str(script), "--model", "outer")[1])
    node = next(n for n, lines in collapsed.nodes.items() if lines[0].startswith("encoder ("))
    assert set(collapsed.nodes[node][-1].split(", ")) == codes and node in collapsed.classes
    expanded = parse_mermaid(graph(str(script), "--model", "outer", "--expand-nested")[1])
    node = next(n for n, lines in expanded.nodes.items() if lines[0].startswith("pool ("))
    assert set(expanded.nodes[node][-1].split(", ")) == codes and node in expanded.classes


def test_a_subclassed_models_call_is_drawn_as_its_layers() -> None:
    _, text = graph(str(ROOT / "tests" / "fixtures" / "expect" / "subclassed.py"),
                    "--model", "residual")
    parsed = parse_mermaid(text)
    labels = [lines[0] for lines in parsed.nodes.values()]
    assert labels == ["input_layer (InputLayer)", "dense (Dense)", "x + self.dense(x)",
                      "model output"]
    assert not parsed.subgraphs and "[[" not in text


def test_a_saved_model_is_drawn_from_its_config(tmp_path: Path) -> None:
    import json

    entry = json.loads((ROOT / "tests" / "fixtures" / "fuzz" / "saved_models.jsonl")
                       .read_text().splitlines()[0])
    saved = tmp_path / "model.json"
    saved.write_text(json.dumps(entry["json"]))
    code, text = graph(str(saved))
    assert code == 0, text
    model = analyse_file(saved).models[0].model
    parsed = parse_mermaid(text)
    assert [lines[0] for lines in parsed.nodes.values()][:len(model.calls)] == \
        [f"{c.layer.name} ({c.layer.class_name})" for c in model.calls]
    assert len([n for n in parsed.nodes if parsed.classes.get(n) == "io"]) == \
        len(model.inputs) + len(model.outputs)


def test_a_flowchart_past_mermaids_limits_gets_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    import archlint.graph_command

    code, output = graph(str(SEED))
    assert "note:" not in output
    monkeypatch.setattr(archlint.graph_command, "MERMAID_MAX_EDGES", 7)
    code, output = graph(str(SEED))
    assert code == 0 and "this flowchart has 8 edges" in output
