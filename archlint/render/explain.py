"""``archlint explain``: one rule's documentation, styled for a terminal (code in colour,
paragraphs wrapped to its width, examples highlighted) and plain in pipes and files.

Neither form shows the docstrings' reStructuredText markup: ``Dense(8)`` prints as Dense(8).
"""

from __future__ import annotations

import sys
import textwrap
from typing import TextIO

from archlint.docs import INLINE_LITERAL, Block, plain_text
from archlint.render.terminal import wants_colour

PLAIN_WIDTH = 88
LITERAL_STYLE = "bold cyan"


def plain(blocks: list[Block], width: int = PLAIN_WIDTH) -> str:
    """The documentation as plain text: paragraphs wrapped and indented, examples indented.

    >>> print(plain([Block("heading", "Example:"), Block("paragraph", "``Dense(0)``."),
    ...              Block("code", "x = 1")]), end="")
    Example:
      Dense(0).
    <BLANKLINE>
        x = 1
    """
    out: list[str] = []
    for block in blocks:
        if block.kind == "paragraph":
            out += textwrap.wrap(plain_text(block.text), width, initial_indent="  ",
                                 subsequent_indent="  ", break_on_hyphens=False)
            out.append("")
        elif block.kind == "code":
            out += [f"    {line}" if line else "" for line in block.text.splitlines()]
            out.append("")
        else:
            out.append(block.text)
            out += [""] if block.kind == "title" else []
    return "\n".join(out).rstrip() + "\n"


def write_rich(blocks: list[Block]) -> None:
    from rich.console import Console
    from rich.padding import Padding
    from rich.syntax import Syntax
    from rich.text import Text

    console = Console(highlight=False)
    for block in blocks:
        if block.kind == "title":
            console.print(Text(block.text, style="bold"))
            console.print()
        elif block.kind == "heading":
            console.print(Text(block.text, style="bold"))
        elif block.kind == "paragraph":
            text = Text()
            # split() on a pattern with one group alternates prose and literals.
            for i, part in enumerate(INLINE_LITERAL.split(block.text)):
                text.append(part, style=LITERAL_STYLE if i % 2 else None)
            console.print(Padding(text, (0, 0, 1, 2), expand=False))
        else:
            code = Syntax(block.text, "python", theme="ansi_dark", background_color="default")
            console.print(Padding(code, (0, 0, 1, 4), expand=False))


def render(blocks: list[Block], stream: TextIO | None = None) -> None:
    """Styled on a colour terminal, plain everywhere else (pipes, files, NO_COLOR)."""
    stream = stream or sys.stdout
    if wants_colour(stream):
        write_rich(blocks)
    else:
        stream.write(plain(blocks))
