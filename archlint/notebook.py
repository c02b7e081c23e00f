"""Jupyter notebooks (``.ipynb``, nbformat 4), read with the standard library: the code cells
joined into one Python source that is analysed as a script, and an index that maps each line
of that source back to its cell and its line in the cell.

IPython syntax is not Python: in a cell that does not parse as it is, a line magic
(``%timeit f()``), a shell line (``!pip install``), a help query (``model?``) or an automagic
(``pip install keras``) becomes ``pass`` at the same indentation, so no line or column moves
and a block around it still parses. A cell magic (``%%bash``) runs its body as something else,
so the whole cell is left out, except for ``%%time`` and ``%%capture``, whose body is Python
run in the notebook's namespace.

Cells are numbered from 1 over all the cells of the notebook, markdown cells included, as a
notebook shows them and as Ruff numbers them (``notebook.ipynb:cell 7:3:5``).
"""

from __future__ import annotations

import ast
import io
import json
import re
import tokenize

from archlint.files import NotReadable, open_regular
from archlint.records import field, record

# Lines IPython rewrites before Python sees them: magics, shell escapes, help (``?obj``,
# ``obj.attr??``, ``*Dense*?``), autocall. A comment ending in "?" is not help.
_IPYTHON_LINE = re.compile(r"\s*(?:[%!?]|/\w|[,;]\w|[\w.*]+\?\??\s*$)")
# ``files = !ls`` and ``t = %timeit -o f()``: an assignment from a magic or the shell.
_IPYTHON_ASSIGNMENT = re.compile(r"\s*[\w.\[\], ]+=\s*[%!]")
# Automagics that cannot be Python (two names in a row): ``pip install keras``.
_AUTOMAGIC = re.compile(r"\s*(?:pip|conda|mamba|uv)\s+[a-z]")
_LINE_MENTION = re.compile(r"\bline (\d+)\b")
# Cell magics whose body is Python run in the notebook's own namespace.
_PYTHON_CELL_MAGICS = frozenset({"time", "capture"})


class NotebookError(NotReadable):
    """A file that is not a notebook archlint reads; the message says why, in one line."""


@record
class CellIndex:
    """Line ``n`` (1-based) of the joined source is line ``rows[n - 1]`` of cell
    ``cells[n - 1]`` (both 1-based)."""

    cells: list[int] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)

    def locate(self, line: int) -> tuple[int, int] | None:
        """(cell, line in the cell) of a line of the joined source; None for line 0 (no
        line) or past the end.

        >>> CellIndex([1, 1, 3], [1, 2, 1]).locate(3)
        (3, 1)
        """
        if 0 < line <= len(self.cells):
            return self.cells[line - 1], self.rows[line - 1]
        return None

    def in_cells(self, text: str) -> str:
        """A message's ``line N`` (a line of the joined source) as ``cell C, line R``.

        >>> CellIndex([2, 2, 5], [1, 2, 1]).in_cells("Dense 'd' (line 3) and line 9")
        "Dense 'd' (cell 5, line 1) and line 9"
        """
        if "line " not in text:
            return text

        def replace(match: re.Match[str]) -> str:
            found = self.locate(int(match.group(1)))
            return f"cell {found[0]}, line {found[1]}" if found else match.group()

        return _LINE_MENTION.sub(replace, text)

    def first_line(self, cell: int) -> int:
        """The joined line where ``cell`` starts (0 when it has no line there)."""
        return next((n for n, c in enumerate(self.cells, 1) if c == cell), 0)


@record
class Notebook:
    source: str  # the code cells joined, IPython lines made ``pass``
    index: CellIndex
    # The joined lines as the notebook shows them (for excerpts), magics included.
    lines: list[str] = field(default_factory=list)
    # (cell number, its Python text), for code cells analysed.
    cells: list[tuple[int, str]] = field(default_factory=list)


def python_line(line: str) -> str:
    """A line that starts a statement, as Python sees it: IPython syntax becomes ``pass`` at
    its indentation.

    >>> python_line("    !nvidia-smi"), python_line("x = 1  # 50%"), python_line("model?")
    ('    pass', 'x = 1  # 50%', 'pass')
    >>> python_line("y = f(a,  # why?"), python_line("layers.Dense??")
    ('y = f(a,  # why?', 'pass')
    """
    if _IPYTHON_LINE.match(line) or _IPYTHON_ASSIGNMENT.match(line) or _AUTOMAGIC.match(line):
        indent = line[:len(line) - len(line.lstrip())]
        return f"{indent}pass"
    return line


def cell_lines(text: str) -> list[str]:
    """A cell's source as lines (any line ending; the final newline makes no extra line)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


def _statement_starts_after(lines: list[str]) -> bool:
    """Whether the next line starts a statement: no bracket, string or backslash left open
    (``x = (a`` then ``% b`` is Python, not a magic)."""
    try:
        for _ in tokenize.generate_tokens(io.StringIO("".join(f"{line}\n" for line in lines))
                                          .readline):
            pass
    except tokenize.TokenError:
        return False
    except (SyntaxError, ValueError):  # an indentation error: not ours to decide here
        return True
    return True


def _ipython_lines_as_pass(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        rewritten = python_line(line)
        out.append(rewritten if rewritten == line or _statement_starts_after(out) else line)
    return out


def _parses(lines: list[str]) -> bool:
    try:
        ast.parse("".join(line + "\n" for line in lines))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _python_cell(lines: list[str]) -> list[str]:
    """The cell's lines as Python: kept as they are when they parse (``% b`` continuing an
    expression is Python), else IPython lines rewritten; a cell magic other than a
    transparent one blanks them all."""
    if _parses(lines):
        return lines
    first = lines[0].lstrip() if lines else ""
    if first.startswith("%%"):
        magic = first[2:].split(maxsplit=1)[0] if first[2:].strip() else ""
        if magic not in _PYTHON_CELL_MAGICS:
            return [""] * len(lines)
        return ["", *_ipython_lines_as_pass(lines[1:])]
    return _ipython_lines_as_pass(lines)


def _source_text(cell: object, number: int) -> str:
    if not isinstance(cell, dict):
        raise NotebookError(f"cell {number} is not a JSON object")
    if "cell_type" not in cell:
        raise NotebookError(f'cell {number} has no "cell_type"')
    source = cell.get("source")
    if isinstance(source, str):
        return source
    if isinstance(source, list) and all(isinstance(part, str) for part in source):
        return "".join(source)
    if source is None:
        raise NotebookError(f'cell {number} has no "source"')
    raise NotebookError(f'cell {number} has a "source" that is neither a string nor a list '
                        "of strings")


def _language(document: dict) -> str:
    metadata = document.get("metadata")
    if not isinstance(metadata, dict):
        return "python"
    info = metadata.get("language_info")
    name = info.get("name") if isinstance(info, dict) else None
    return name.lower() if isinstance(name, str) else "python"


def parse_notebook(text: str) -> Notebook:
    """The code cells of a notebook's JSON text, joined (see the module docstring).

    >>> book = parse_notebook('{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": ['
    ...     '{"cell_type": "markdown", "metadata": {}, "source": "# Title"},'
    ...     '{"cell_type": "code", "metadata": {}, "source": ["%matplotlib inline\\\\n", "x = 1"],'
    ...     ' "outputs": [], "execution_count": null}]}')
    >>> book.source, book.index.locate(2)
    ('pass\\nx = 1\\n', (2, 2))
    """
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise NotebookError(f"not a Jupyter notebook: invalid JSON at line {error.lineno}, "
                            f"column {error.colno} ({error.msg})") from None
    except RecursionError:
        raise NotebookError("not a Jupyter notebook: its JSON nests too deeply") from None
    if not isinstance(document, dict):
        raise NotebookError("not a Jupyter notebook: the JSON is not an object")
    version = document.get("nbformat")
    if version is None:
        raise NotebookError('not a Jupyter notebook: no "nbformat" field')
    if not isinstance(version, int) or isinstance(version, bool):
        raise NotebookError(f'not a Jupyter notebook: its "nbformat" is {json.dumps(version)}, '
                            "not a version number")
    if version != 4:
        raise NotebookError(f"nbformat {version} notebook: archlint reads nbformat 4; convert "
                            "it with `jupyter nbconvert --to notebook --inplace`")
    cells = document.get("cells")
    if not isinstance(cells, list):
        raise NotebookError('not a Jupyter notebook: no "cells" list')
    book = Notebook("", CellIndex())
    if _language(document) != "python":
        return book  # an R or Julia notebook: not ours to judge
    parts: list[str] = []
    for number, cell in enumerate(cells, 1):
        text_of_cell = _source_text(cell, number)
        if cell["cell_type"] != "code":
            continue
        shown = cell_lines(text_of_cell)
        lines = _python_cell(shown)
        if not lines:
            continue
        book.cells.append((number, "".join(line + "\n" for line in lines)))
        book.lines.extend(shown)
        parts.extend(lines)
        book.index.cells.extend([number] * len(lines))
        book.index.rows.extend(range(1, len(lines) + 1))
    book.source = "".join(line + "\n" for line in parts)
    return book


def cell_syntax_error(book: Notebook) -> tuple[int, int, str] | None:
    """The first code cell Python cannot parse on its own (a bracket left open at the end
    of a cell does not close in the next one), as (joined line, column, message)."""
    for number, text in book.cells:
        try:
            ast.parse(text)
        except (SyntaxError, ValueError) as error:
            row = getattr(error, "lineno", None) or 1
            column = max((getattr(error, "offset", None) or 1) - 1, 0)
            message = getattr(error, "msg", str(error))
            return book.index.first_line(number) + row - 1, column, message
        except (RecursionError, MemoryError):
            return book.index.first_line(number), 0, "it is nested too deeply to parse"
    return None


def read_notebook(path: str) -> Notebook:
    """A notebook file, read and joined. Raises OSError (``NotebookError`` for a file that
    is not an nbformat 4 notebook)."""
    with open_regular(path) as handle:
        data = handle.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise NotebookError(f"not a Jupyter notebook: line {line} is not valid UTF-8 text "
                            f"(byte 0x{data[error.start]:02x}); notebooks are UTF-8 JSON") \
            from None
    return parse_notebook(text)
