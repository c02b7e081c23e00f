"""A model's layer graph as drawable nodes, edges and clusters, shared by the Mermaid and DOT
writers of ``archlint graph``.

As ``keras.utils.plot_model`` draws it: one node per layer, so a layer called twice is one
node; a model called as a layer, and a layer the script defines, is one node, or with
``expand_nested`` a cluster of its own layers. Unlike plot_model, which merges the edges
between two nodes, there is an edge per tensor, labelled with its shape, so a shared layer's
calls show apart. Nodes carry the parameter count and the codes of the findings reported on
the layer.
"""

from __future__ import annotations

from typing import Any

from archlint.analysis import FileReport
from archlint.call_inference import model_calls
from archlint.diagnostics import Diagnostic, Severity
from archlint.dims import count_to_str
from archlint.engine import ModelAnalysis, layer_params
from archlint.graph import Call, Layer, Model, TensorRef
from archlint.layer_types import Params
from archlint.records import field, record
from archlint.render.escape import visible
from archlint.render.text import shape_text
from archlint.summary_rows import NestedRow, Row, summary_rows

# What a node stands for: it decides the node's shape and style in both formats.
INPUT, LAYER, OPERATION, NESTED, OUTPUT = "input", "layer", "operation", "nested", "output"

Key = tuple[str, int]  # ("layer" | "model" | "block" | "output", id of the object or index)


@record(eq=False)
class Node:
    id: str
    kind: str
    # The lines of its label, already made visible (no control characters).
    lines: list[str]
    cluster: str | None = None
    codes: list[str] = field(default_factory=list)
    # The worst severity of its findings (None: no finding).
    severity: Severity | None = None


@record(eq=False)
class Edge:
    source: str
    target: str
    label: str


@record(eq=False)
class Cluster:
    """An expanded nested model or user-defined layer."""

    id: str
    title: list[str]
    parent: str | None = None


@record(eq=False)
class GraphView:
    model: Model
    title: str
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)

    def nesting(self) -> tuple[dict[str | None, list[Cluster]], dict[str | None, list[Node]]]:
        """The clusters inside each cluster, and the nodes directly in each (None: the
        top level), as both formats draw them."""
        children: dict[str | None, list[Cluster]] = {}
        for cluster in self.clusters:
            children.setdefault(cluster.parent, []).append(cluster)
        members: dict[str | None, list[Node]] = {}
        for node in self.nodes:
            members.setdefault(node.cluster, []).append(node)
        return children, members


def shape_label(shape: Any) -> str:
    """A tensor's shape as the text report prints it; ``?`` when it is unknown.

    >>> from archlint.dims import Sym
    >>> shape_label((None, Sym("T") - 9, 32)), shape_label(None)
    ('(None, T-9, 32)', '?')
    """
    return shape_text(shape)


def params_line(params: Params | None) -> str:
    """``1,952 params``; ``? params`` when a weight's size is unknown."""
    if params is None:
        return "? params"
    total = params.total
    return f"{count_to_str(total)} param{'' if total == 1 else 's'}"


def _is_block(call: Call) -> bool:
    instance = call.layer.instance
    return instance is not None and instance.spec.class_name == "UserLayer"


def _containers(call: Call, drawn: set[int]) -> list[Key]:
    """The nested models and user-defined layers the call is made in, outermost first; a
    user-defined layer's own call is in its own container (its cluster, when expanded).
    A call() that is not one of the ``drawn`` calls is a subclassed model's own: its layers
    are the model's."""
    path: list[Key] = [("model", id(inner)) for inner in call.nested_in]
    blocks = []
    within = call.within
    while within is not None:
        if id(within) in drawn:
            blocks.append(("block", id(within.layer)))
        within = within.within
    path += reversed(blocks)
    if _is_block(call):
        path.append(("block", id(call.layer)))
    return path


def _nested_rows(rows: list[Row], found: dict[Key, NestedRow]) -> dict[Key, NestedRow]:
    for row in rows:
        if isinstance(row, NestedRow):
            key = ("block", id(row.layer)) if row.layer is not None else ("model", id(row.model))
            found.setdefault(key, row)
            _nested_rows(row.rows, found)
    return found


class _Builder:
    def __init__(self, analysis: ModelAnalysis, findings: list[Diagnostic],
                 expand_nested: bool, prefix: str) -> None:
        self.model = analysis.model
        self.expand = expand_nested
        self.prefix = prefix
        self.calls = self.model.calls or model_calls(self.model)
        self.drawn = {id(call) for call in self.calls}
        self.rows = _nested_rows(summary_rows(self.model), {})
        self.view = GraphView(self.model, _model_title(analysis))
        self.nodes: dict[Key, Node] = {}
        self.clusters: dict[Key, Cluster] = {}
        self.findings = findings

    def build(self) -> GraphView:
        for call in self.calls:
            self._node_of(call)
        seen: set[tuple[int, int, str]] = set()
        for call in self.calls:
            target = self._node_of(call)
            for ref in (*call.inbound, *call.side_inputs):
                source = self._node_of(ref.call)
                if source is not target and (id(ref.call), ref.index, target.id) not in seen:
                    seen.add((id(ref.call), ref.index, target.id))
                    self._edge(source, target, ref)
        if not self.calls:  # never built: its layers, in order, without shapes
            self._unbuilt()
        for index, ref in enumerate(self.model.outputs):
            several = len(self.model.outputs) > 1
            node = self._add(("output", index), OUTPUT, [f"model output {index}" if several
                                                          else "model output"], None)
            self._edge(self._node_of(ref.call), node, ref)
        self._mark_findings()
        return self.view

    def _edge(self, source: Node, target: Node, ref: TensorRef) -> None:
        self.view.edges.append(Edge(source.id, target.id,
                                    visible(shape_label(ref.call.output_at(ref.index)))))

    def _node_of(self, call: Call) -> Node:
        path = _containers(call, self.drawn)
        if path and not self.expand:
            key = path[0]
            if key not in self.nodes:
                row = self.rows.get(key)
                self._add(key, NESTED, self._nested_title(key, row, call), None)
            return self.nodes[key]
        key = ("layer", id(call.layer))
        if key in self.nodes:
            return self.nodes[key]
        cluster = self._cluster(path, call) if path else None
        return self._add(key, *self._layer_label(call.layer), cluster)

    def _layer_label(self, layer: Layer) -> tuple[str, list[str]]:
        if layer.class_name == "InputLayer":
            return INPUT, [visible(f"{layer.name} (InputLayer)")]
        if layer.class_name == "TensorOp":  # named by its source text
            return OPERATION, [visible(layer.name)]
        return LAYER, [visible(f"{layer.name} ({layer.class_name})"),
                       params_line(layer_params(layer, self.model))]

    def _nested_title(self, key: Key, row: NestedRow | None, call: Call) -> list[str]:
        if row is not None:
            return [visible(f"{row.name} ({row.class_name})"), params_line(row.params)]
        if key[0] == "block":  # a block called outside the model's summary rows
            layer = next(c.layer for c in (call, *_withins(call)) if id(c.layer) == key[1])
            return [visible(f"{layer.name} ({layer.class_name})"), "? params"]
        inner = next(m for m in call.nested_in if id(m) == key[1])
        kind = "Sequential" if inner.kind == "sequential" else "Functional"
        return [visible(f"{inner.name} ({kind})"), "? params"]

    def _cluster(self, path: list[Key], call: Call) -> str:
        parent: str | None = None
        for depth, key in enumerate(path):
            if key not in self.clusters:
                title = self._nested_title(key, self.rows.get(key), call)
                cluster = Cluster(f"{self.prefix}c{len(self.clusters)}", title, parent)
                self.clusters[key] = cluster
                self.view.clusters.append(cluster)
            parent = self.clusters[path[depth]].id
        assert parent is not None
        return parent

    def _add(self, key: Key, kind: str, lines: list[str], cluster: str | None) -> Node:
        node = Node(f"{self.prefix}n{len(self.nodes)}", kind, lines, cluster)
        self.nodes[key] = node
        self.view.nodes.append(node)
        return node

    def _unbuilt(self) -> None:
        previous: Node | None = None
        for layer in self.model.layers:
            node = self._add(("layer", id(layer)), *self._layer_label(layer), None)
            if previous is not None and self.model.kind == "sequential":
                self.view.edges.append(Edge(previous.id, node.id, "?"))
            previous = node

    def _mark_findings(self) -> None:
        """Each finding on the node that shows its layer (a collapsed nested model shows
        the findings of the layers in it)."""
        names = {self.model.name} | {m.name for c in self.calls for m in c.nested_in}
        shown = [(call.layer.name, self._node_of(call)) for call in self.calls]
        # A model never built has nodes but no calls; a finding may name a nested model.
        shown += [(layer.name, self.nodes[("layer", id(layer))]) for layer in self.model.layers
                  if ("layer", id(layer)) in self.nodes]
        shown += [(row.name, self.nodes[key]) for key, row in self.rows.items()
                  if key in self.nodes]
        by_name: dict[str, list[Node]] = {}
        for name, shown_node in shown:
            nodes = by_name.setdefault(name, [])
            if shown_node not in nodes:
                nodes.append(shown_node)
        for finding in self.findings:
            if finding.layer is None or (finding.model is not None
                                         and finding.model not in names):
                continue
            for node in by_name.get(finding.layer, []):
                if finding.code not in node.codes:
                    node.codes.append(finding.code)
                if node.severity is None or finding.severity.rank > node.severity.rank:
                    node.severity = finding.severity


def _withins(call: Call) -> list[Call]:
    found = []
    within = call.within
    while within is not None:
        found.append(within)
        within = within.within
    return found


def _model_title(analysis: ModelAnalysis) -> str:
    model = analysis.model
    total = count_to_str(analysis.total) if analysis.total is not None else "?"
    where = f", line {model.span.line}" if model.span.line else ""
    return visible(f"{model.name} ({model.kind}{where}), {total} params")


def graph_views(report: FileReport, expand_nested: bool = False,
                model_name: str | None = None) -> list[GraphView]:
    """One view per model of the file (only those named ``model_name`` when given); node
    ids are prefixed by the model's index when there are several, so they stay apart."""
    analyses = [a for a in report.models if model_name is None or a.model.name == model_name]
    several = len(analyses) > 1
    return [_Builder(analysis, report.diagnostics, expand_nested,
                     f"m{index}_" if several else "").build()
            for index, analysis in enumerate(analyses)]
