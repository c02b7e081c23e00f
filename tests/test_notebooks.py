"""Jupyter notebooks: read without conversion, IPython lines skipped without moving anything,
every location given as a cell and a line in it, in every format."""

from __future__ import annotations

import importlib.util
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from archlint.analysis import FileReport, analyse_file
from archlint.notebook import parse_notebook, python_line
from archlint.render.location import locate

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "notebooks" / "model.ipynb"
SARIF_SCHEMA = ROOT / "tests" / "data" / "sarif-2.1.0-rtm.5.json"
IMPORTS = "import keras\nfrom keras import layers\n"


def archlint(*args: str, cwd: Path = FIXTURE.parent) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "archlint", *args], cwd=cwd,
                          capture_output=True, text=True, check=False,
                          env={**os.environ, "NO_COLOR": "1"})


def code(source: str | list[str]) -> dict[str, Any]:
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
            "source": source}


def markdown(source: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "metadata": {}, "source": source}


def notebook(*cells: dict[str, Any], **fields: Any) -> str:
    document = {"cells": list(cells), "metadata": {"language_info": {"name": "python"}},
                "nbformat": 4, "nbformat_minor": 5, **fields}
    return json.dumps(document)


def analyse(tmp_path: Path, text: str, name: str = "nb.ipynb") -> FileReport:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return analyse_file(path)


def places(report: FileReport) -> list[tuple[str, int | None, int, int]]:
    """(code, cell, line in the cell, 1-based column) of each finding."""
    found = []
    for d in report.diagnostics:
        where = locate(d.span, report.cells)
        found.append((d.code, where.cell, where.line, where.column + 1))
    return found


# The fixture: markdown cells 1 and 3; cell 2 starts with %matplotlib; cell 4 with a shell
# line, and its line 3 is the refused Conv1D; cell 5 is %%bash; cell 6 (source given as one
# string) has an indented %time and a Conv1D suppressed with noqa.
def test_fixture_in_text_and_concise() -> None:
    text = archlint("model.ipynb")
    assert text.returncode == 1, text.stderr
    lines = text.stdout.splitlines()
    assert any(line.startswith("model.ipynb:cell 4:3:5: AL101 [error] nonpositive-timesteps:")
               for line in lines), text.stdout
    assert "     3 | x = layers.Conv1D(8, 6)(inputs)" in lines
    assert 'Model "notebook" (functional, cell 6, line 4)' in lines
    assert any(line.startswith("conv1d (Conv1D)") and line.endswith("cell 4:3") for line in lines)
    assert "1 error, 0 warnings, 0 info" in text.stdout  # the noqa in cell 6 held
    concise = archlint("--format", "concise", "model.ipynb").stdout
    assert concise.startswith("model.ipynb:cell 4:3:5: AL101 [error] Conv1D 'conv1d'")
    github = archlint("--format", "github", "model.ipynb").stdout
    assert github.startswith("::error file=model.ipynb,title=AL101 nonpositive-timesteps::"
                             "cell 4:3:5: Conv1D 'conv1d'"), github


def test_fixture_in_json() -> None:
    result = archlint("--format", "json", "model.ipynb")
    entry = json.loads(result.stdout)["files"][0]
    [diagnostic] = entry["diagnostics"]
    assert (diagnostic["code"], diagnostic["cell"], diagnostic["line"],
            diagnostic["column"], diagnostic["end_line"]) == ("AL101", 4, 3, 4, 3)
    [model] = entry["models"]
    assert (model["cell"], model["line"]) == (6, 4)
    assert [(layer["name"], layer["cell"], layer["line"]) for layer in model["layers"]] == [
        ("input_layer", 4, 2), ("conv1d", 4, 3), ("conv1d_1", 6, 3)]


def test_fixture_in_sarif_validates_against_the_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    log = json.loads(archlint("--format", "sarif", "model.ipynb").stdout)
    jsonschema.validate(log, json.loads(SARIF_SCHEMA.read_text()))
    [result] = log["runs"][0]["results"]
    [location] = result["locations"]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == "model.ipynb"
    region = location["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"], region["endLine"]) == (3, 5, 3)
    assert location["properties"] == {"cell": 4}
    assert location["logicalLocations"] == [{"name": "cell 4"}]


def test_ipython_lines_become_pass_without_moving_anything(tmp_path: Path) -> None:
    cells = [markdown("# Title"),
             code(["%load_ext autoreload\n", "!pip install keras\n", IMPORTS,
                   "files = !ls\n", "pip install tensorflow\n", "layers.Dense?\n",
                   "inputs = keras.Input(shape=(4, 3))\n"]),
             code("for size in (6,):\n    %time print(size)\n"
                  "    x = layers.Conv1D(8, size)(inputs)"),
             code("%%bash\nthis is = not python (\n"),
             code("%%time\ny = layers.Conv1D(8, 7)(inputs)\n")]
    report = analyse(tmp_path, notebook(*cells))
    assert places(report) == [("AL101", 3, 3, 9), ("AL101", 5, 2, 5)]
    assert report.source_lines[:3] == ["%load_ext autoreload", "!pip install keras",
                                       "import keras"]  # excerpts show the cells as written
    assert parse_notebook(notebook(*cells)).source.startswith("pass\npass\nimport keras\n")
    assert python_line("  %timeit f()") == "  pass"
    assert python_line("ratio = a % b") == "ratio = a % b"
    # Inside an open bracket a leading % or ! is Python, even in a cell with magics.
    book = parse_notebook(notebook(code("%time x = 1\nratio = (7\n% 2)\nflag = (1\n!= 2)\n")))
    assert book.source == "pass\nratio = (7\n% 2)\nflag = (1\n!= 2)\n"


def test_a_cell_that_parses_is_kept_as_it_is() -> None:
    # "% 2" continuing an expression, "!=" and a question mark in a string are Python.
    source = 'x = (7\n% 2)\nok = x != 1\nq = "why?"\n'
    book = parse_notebook(notebook(code(source)))
    assert book.source == source


def test_noqa_inside_a_cell(tmp_path: Path) -> None:
    refused = "y = layers.Conv1D(8, 9)(inputs)"
    cells = [code(IMPORTS + "inputs = keras.Input(shape=(4, 3))"),
             code(f"{refused}  # archlint: noqa: AL101\n{refused}\n"),
             code("z = 1  # archlint: noqa: AL102")]
    report = analyse(tmp_path, notebook(*cells))
    assert [(c, cell, line) for c, cell, line, _ in places(report)] == [
        ("AL101", 2, 2), ("AL503", 3, 1)], report.diagnostics
    cells.append(markdown("# archlint: skip-file"))  # a markdown cell is not Python
    assert analyse(tmp_path, notebook(*cells)).diagnostics
    cells.append(code("# archlint: skip-file"))
    assert analyse(tmp_path, notebook(*cells)).diagnostics == []


def test_messages_name_lines_in_cells(tmp_path: Path) -> None:
    cells = [code(IMPORTS), markdown("text"),
             code("inputs = keras.Input(shape=(20, 3))\nx = layers.Conv1D(8, 10)(inputs)\n"
                  "x = layers.MaxPool1D(10)(x)"),
             code("x = layers.LSTM(8)(x)\nmodel = keras.Model(inputs, x)")]
    report = analyse(tmp_path, notebook(*cells))
    [finding] = [d for d in report.diagnostics if d.code == "AL102"]
    assert "cell 3, line 2" in finding.message and "cell 3, line 3" in finding.message, \
        finding.message
    assert ("AL102", 4, 1, 5) in places(report)


def test_a_cell_python_cannot_parse(tmp_path: Path) -> None:
    report = analyse(tmp_path, notebook(code(IMPORTS), code("x = 1\ny = layers.Dense(4)(\n")))
    assert [(c, cell, line) for c, cell, line, _ in places(report)] == [("AL003", 2, 2)]
    assert "Python cannot parse this cell" in report.diagnostics[0].message
    # A bracket left open at the end of a cell does not close in the next one.
    report = analyse(tmp_path, notebook(code(IMPORTS + "x = (1,"), code("2)")))
    assert [(c, cell) for c, cell, _, _ in places(report)] == [("AL003", 1)]


@pytest.mark.parametrize("text", [
    notebook(),
    notebook(markdown("# Keras notes\nimport keras")),
    notebook(code(IMPORTS + "x = layers.Conv1D(8, 9)(keras.Input(shape=(4, 3)))"),
             metadata={"language_info": {"name": "R"}}),
], ids=["empty", "markdown-only", "R-kernel"])
def test_notebooks_with_nothing_to_analyse(tmp_path: Path, text: str) -> None:
    report = analyse(tmp_path, text)
    assert (report.error, report.diagnostics, report.models) == (None, [], [])


@pytest.mark.parametrize(("text", "message"), [
    ('{"cells": [', "not a Jupyter notebook: invalid JSON at line 1, column 12"),
    ("[1, 2]", "not a Jupyter notebook: the JSON is not an object"),
    ('{"cells": []}', 'not a Jupyter notebook: no "nbformat" field'),
    ('{"nbformat": 3, "worksheets": []}', "nbformat 3 notebook: archlint reads nbformat 4"),
    ('{"nbformat": "4", "cells": []}', 'its "nbformat" is "4", not a version number'),
    ('{"nbformat": 4}', 'not a Jupyter notebook: no "cells" list'),
    (notebook(markdown("a"), {"cell_type": "code"}), 'cell 2 has no "source"'),
    (notebook({"source": "x = 1"}), 'cell 1 has no "cell_type"'),
    (notebook(code([1, 2])), 'cell 1 has a "source" that is neither a string nor a list'),
], ids=["invalid-json", "not-object", "no-nbformat", "nbformat-3", "nbformat-string",
        "no-cells", "no-source", "no-cell-type", "bad-source"])
def test_corrupt_notebooks_get_a_clear_message(tmp_path: Path, text: str, message: str) -> None:
    report = analyse(tmp_path, text)
    assert report.error is not None and message in report.error, report.error
    assert report.error.startswith(f"cannot read {tmp_path / 'nb.ipynb'}: ")


def test_undecodable_notebook(tmp_path: Path) -> None:
    path = tmp_path / "nb.ipynb"
    path.write_bytes(b'{"nbformat": 4, "cells": [], "x": "\xff"}')
    assert "line 1 is not valid UTF-8 text (byte 0xff)" in (analyse_file(path).error or "")


def test_directory_walk_with_notebooks_and_a_corrupt_one(tmp_path: Path) -> None:
    refused = IMPORTS + "x = layers.Conv1D(8, 9)(keras.Input(shape=(4, 3)))\n"
    (tmp_path / "a_script.py").write_text(refused)
    (tmp_path / "b_good.ipynb").write_text(notebook(code(refused)))
    (tmp_path / "c_corrupt.ipynb").write_text('{"nbformat": 4, "cells": [')
    checkpoints = tmp_path / ".ipynb_checkpoints"
    checkpoints.mkdir()
    (checkpoints / "b_good-checkpoint.ipynb").write_text(notebook(code(refused)))
    result = archlint("--format", "json", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 2, result.stderr  # an unreadable file, as for a script
    files = {Path(f["path"]).name: f for f in json.loads(result.stdout)["files"]}
    assert list(files) == ["a_script.py", "b_good.ipynb", "c_corrupt.ipynb"]
    assert [(d["code"], d["line"]) for d in files["a_script.py"]["diagnostics"]] == [
        ("AL101", 3)]
    assert [(d["code"], d["cell"], d["line"]) for d in files["b_good.ipynb"]["diagnostics"]] \
        == [("AL101", 1, 3)]
    assert "invalid JSON" in files["c_corrupt.ipynb"]["error"]
    assert "cell" not in files["a_script.py"]["diagnostics"][0]  # scripts are unchanged
    assert "Traceback" not in result.stderr


def test_reports_cross_process_boundaries(tmp_path: Path) -> None:
    """``--jobs`` sends reports between processes: the cell index goes with them."""
    report = analyse_file(FIXTURE)
    copy = pickle.loads(pickle.dumps(report))
    assert copy.cells == report.cells and places(copy) == [("AL101", 4, 3, 5)]


@pytest.mark.skipif(importlib.util.find_spec("tensorflow") is None,
                    reason="crosscheck needs tensorflow installed")
def test_crosscheck_notes_name_the_cell(tmp_path: Path) -> None:
    """A model crosscheck will not build is skipped before Keras is imported; its note names
    the option's cell and line."""
    dense = 'layers.Dense(4, activation={"class_name": "TFSMLayer", "config": {}})'
    (tmp_path / "nb.ipynb").write_text(notebook(
        markdown("# Unsafe"), code(IMPORTS),
        code(f"x = keras.Input(shape=(20, 3))\ny = {dense}(x)\nm = keras.Model(x, y)")))
    result = archlint("crosscheck", "--keras", "3", "--format", "json", "nb.ipynb", cwd=tmp_path)
    [verdict] = json.loads(result.stdout)["models"]
    assert "(Dense, cell 3, line 2)" in verdict["note"], verdict["note"]
