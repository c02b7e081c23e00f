"""``archlint graph --format mermaid``: a Mermaid flowchart, which GitHub renders in a
```` ```mermaid ```` block of Markdown as it is.

Node ids are generated (``n0``, ``m1_n4``), never taken from the script; every label is
quoted with Mermaid's entity codes for the characters that could end or reinterpret it.
Several models are one flowchart with a subgraph per model, so one block shows them all.
"""

from __future__ import annotations

from archlint.diagnostics import Severity
from archlint.render.graph_view import (
    INPUT,
    NESTED,
    OPERATION,
    OUTPUT,
    GraphView,
    Node,
)

# Characters that could close a quoted label, start an entity, a Markdown string or HTML.
_ENTITIES = {'"': "#quot;", "#": "#35;", "<": "#lt;", ">": "#gt;", "&": "#amp;",
             "|": "#124;", "`": "#96;"}

# Node shapes: stadium for the model's inputs and outputs, subroutine for a collapsed
# nested model or user-defined layer, rounded for a tensor operation.
_SHAPES = {INPUT: ('(["', '"])'), OUTPUT: ('(["', '"])'), NESTED: ('[["', '"]]'),
           OPERATION: ('("', '")')}

_CLASSES = (
    "classDef io fill:#eef5ff,stroke:#4a78b5",
    "classDef op font-size:11px,fill:#f7f7f7,stroke:#999",
    "classDef error fill:#fde2e1,stroke:#c0392b,stroke-width:2px",
    "classDef warning fill:#fff1c9,stroke:#d4a017,stroke-width:2px",
    "classDef info fill:#e3f1fb,stroke:#2e86c1,stroke-width:2px",
)


def escape(text: str) -> str:
    """Text made safe inside a quoted Mermaid label.

    >>> escape('a"] --> b #1 <x>')
    'a#quot;] --#gt; b #35;1 #lt;x#gt;'
    """
    return "".join(_ENTITIES.get(char, char) for char in text)


def _label(lines: list[str]) -> str:
    return "<br/>".join(escape(line) for line in lines)


def _node_line(node: Node) -> str:
    lines = list(node.lines)
    if node.codes:
        lines.append(", ".join(node.codes))
    opening, closing = _SHAPES.get(node.kind, ('["', '"]'))
    return f"{node.id}{opening}{_label(lines)}{closing}"


def _classes(views: list[GraphView]) -> list[str]:
    groups: dict[str, list[str]] = {}
    for view in views:
        for node in view.nodes:
            if node.severity is not None:
                style = node.severity.value
            elif node.kind in (INPUT, OUTPUT):
                style = "io"
            elif node.kind == OPERATION:
                style = "op"
            else:
                continue
            groups.setdefault(style, []).append(node.id)
    used = {line.split()[1] for line in _CLASSES} & set(groups)
    lines = [line for line in _CLASSES if line.split()[1] in used]
    order = ["io", "op", *(s.value for s in Severity)]
    lines += [f"class {','.join(groups[style])} {style}" for style in order if style in groups]
    return lines


def _body(view: GraphView, indent: str) -> list[str]:
    """The view's nodes, inside the subgraphs of their clusters, then its edges."""
    children, members = view.nesting()

    def place(cluster: str | None, depth: str) -> list[str]:
        lines = [depth + _node_line(node) for node in members.get(cluster, [])]
        for child in children.get(cluster, []):
            lines.append(f'{depth}subgraph {child.id} ["{_label(child.title)}"]')
            lines += place(child.id, depth + "  ")
            lines.append(f"{depth}end")
        return lines

    lines = place(None, indent)
    lines += [f'{indent}{edge.source} -->|"{escape(edge.label)}"| {edge.target}'
              for edge in view.edges]
    return lines


def render(views: list[GraphView]) -> str:
    """One flowchart; a subgraph per model when there are several."""
    lines = ["flowchart TB"]
    if len(views) == 1:
        # A comment: a title in front matter would need YAML's escaping as well.
        lines.append(f"  %% Model {views[0].title}")
        lines += _body(views[0], "  ")
    else:
        for index, view in enumerate(views):
            lines.append(f'  subgraph m{index} ["{escape(view.title)}"]')
            lines += _body(view, "    ")
            lines.append("  end")
    lines += ["  " + line for line in _classes(views)]
    return "\n".join(lines) + "\n"
