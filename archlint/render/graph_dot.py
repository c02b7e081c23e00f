"""``archlint graph --format dot``: Graphviz's DOT language (and SVG through the ``dot``
program, when it is installed).

Every id and label is a quoted string; an expanded nested model or user-defined layer is a
``cluster_`` subgraph. Several models are one graph with a cluster per model.
"""

from __future__ import annotations

import shutil
import subprocess

from archlint.diagnostics import Severity
from archlint.render.graph_view import (
    INPUT,
    NESTED,
    OPERATION,
    OUTPUT,
    GraphView,
    Node,
)

_KIND_ATTRIBUTES = {
    INPUT: 'shape=oval, fillcolor="#eef5ff", color="#4a78b5"',
    OUTPUT: 'shape=oval, fillcolor="#eef5ff", color="#4a78b5"',
    NESTED: "peripheries=2",
    OPERATION: 'fontsize=10, height=0.3, fillcolor="#f7f7f7", color="#999999"',
}

_SEVERITY_ATTRIBUTES = {
    Severity.ERROR: 'fillcolor="#fde2e1", color="#c0392b", penwidth=2',
    Severity.WARNING: 'fillcolor="#fff1c9", color="#d4a017", penwidth=2',
    Severity.INFO: 'fillcolor="#e3f1fb", color="#2e86c1", penwidth=2',
}


class GraphvizError(Exception):
    """``--format svg`` without Graphviz's ``dot`` program, or ``dot`` failed."""


def quote(text: str) -> str:
    r"""A DOT quoted string: the backslash (which starts escapes such as ``\l``) and the
    quote are escaped, and ``&`` too, as Graphviz reads ``&amp;`` in a label as an entity.

    >>> print(quote('a"b\\l &amp;'))
    "a\"b\\l &amp;amp;"
    """
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("&", "&amp;")
    return f'"{escaped}"'


def _label(lines: list[str]) -> str:
    # Each line escaped on its own, then joined by DOT's centred line break.
    return '"' + "\\n".join(quote(line)[1:-1] for line in lines) + '"'


def _node_line(node: Node) -> str:
    lines = list(node.lines)
    if node.codes:
        lines.append(", ".join(node.codes))
    attributes = [f"label={_label(lines)}"]
    if node.kind in _KIND_ATTRIBUTES:
        attributes.append(_KIND_ATTRIBUTES[node.kind])
    if node.severity is not None:
        attributes.append(_SEVERITY_ATTRIBUTES[node.severity])
    return f"{quote(node.id)} [{', '.join(attributes)}];"


def _body(view: GraphView, indent: str) -> list[str]:
    children, members = view.nesting()

    def place(cluster: str | None, depth: str) -> list[str]:
        lines = [depth + _node_line(node) for node in members.get(cluster, [])]
        for child in children.get(cluster, []):
            lines.append(f"{depth}subgraph {quote('cluster_' + child.id)} {{")
            lines.append(f"{depth}  label={_label(child.title)}; style=dashed;")
            lines += place(child.id, depth + "  ")
            lines.append(f"{depth}}}")
        return lines

    lines = place(None, indent)
    lines += [f"{indent}{quote(edge.source)} -> {quote(edge.target)} "
              f"[label={quote(edge.label)}];" for edge in view.edges]
    return lines


def render(views: list[GraphView]) -> str:
    """One digraph; a cluster per model when there are several."""
    title = views[0].title if len(views) == 1 else f"{len(views)} models"
    lines = [
        "digraph archlint {",
        f"  label={quote(title)}; labelloc=t; rankdir=TB; fontname=Helvetica;",
        '  node [shape=box, style="rounded,filled", fillcolor=white, fontname=Helvetica];',
        "  edge [fontname=Helvetica, fontsize=10];",
    ]
    if len(views) == 1:
        lines += _body(views[0], "  ")
    else:
        for index, view in enumerate(views):
            lines.append(f"  subgraph {quote(f'cluster_m{index}')} {{")
            lines.append(f"    label={quote(view.title)};")
            lines += _body(view, "    ")
            lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_svg(dot_source: str, timeout: float = 120) -> str:
    """The DOT drawn by Graphviz's ``dot`` program."""
    program = shutil.which("dot")
    if program is None:
        raise GraphvizError("--format svg needs Graphviz's `dot` program, which is not "
                              "installed (https://graphviz.org/download/, e.g. `apt install "
                              "graphviz`); --format mermaid needs nothing, and GitHub renders it")
    try:
        done = subprocess.run([program, "-Tsvg"], input=dot_source, capture_output=True,
                              text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise GraphvizError(f"Graphviz's `dot` failed: {error}") from None
    if done.returncode != 0:
        raise GraphvizError(f"Graphviz's `dot` failed: {done.stderr.strip()}")
    return done.stdout
