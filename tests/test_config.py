"""Configuration, selection and suppressions, through the command line a user runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# One AL204 warning (line 3) and one AL101 error (line 6).
MODEL = """from keras import layers, Input, Model
x = Input(shape=(10, 3))
b = layers.Bidirectional(layers.LSTM(24),
    backward_layer=layers.GRU(16, go_backwards=True))
short = Input(shape=(4, 3))
c = layers.Conv1D(8, 6)(short)
model = Model([x, short], [b(x), c])
"""


def run(tmp: Path, *args: str, source: str = MODEL) -> subprocess.CompletedProcess[str]:
    (tmp / "model.py").write_text(source)
    return subprocess.run([sys.executable, "-m", "archlint", *args, "--format", "json",
                           "model.py"], cwd=tmp, capture_output=True, text=True,
                          env={**os.environ, "NO_COLOR": "1"}, check=False)


def codes(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert "Traceback" not in result.stderr, result.stderr
    return [d["code"] for d in json.loads(result.stdout)["files"][0]["diagnostics"]]


def pyproject(tmp: Path, text: str) -> None:
    (tmp / "pyproject.toml").write_text("[tool.archlint]\n" + text)


def test_defaults(tmp_path: Path) -> None:
    result = run(tmp_path)
    assert codes(result) == ["AL204", "AL101"]
    assert result.returncode == 1


def test_select_and_ignore_by_prefix_code_and_name(tmp_path: Path) -> None:
    assert codes(run(tmp_path, "--select", "AL2")) == ["AL204"]
    assert codes(run(tmp_path, "--select", "AL101")) == ["AL101"]
    assert codes(run(tmp_path, "--ignore", "keras3-asymmetric-bidirectional")) == ["AL101"]
    assert codes(run(tmp_path, "--ignore", "AL1,AL2")) == []
    assert codes(run(tmp_path, "--select", "AL", "--ignore", "AL20")) == ["AL101"]


def test_pyproject_selection_severity_and_fail_on(tmp_path: Path) -> None:
    pyproject(tmp_path, 'ignore = ["AL101"]\nfail-on = "error"\n')
    result = run(tmp_path)
    assert codes(result) == ["AL204"] and result.returncode == 0  # a warning, fail-on error
    pyproject(tmp_path, 'ignore = ["AL101"]\nfail-on = "error"\n[tool.archlint.severity]\n'
              'AL204 = "error"\n')
    result = run(tmp_path)
    diagnostic = json.loads(result.stdout)["files"][0]["diagnostics"][0]
    assert diagnostic["severity"] == "error" and result.returncode == 1


def test_explicit_config_file(tmp_path: Path) -> None:
    (tmp_path / "lint.toml").write_text('[tool.archlint]\nselect = ["AL101"]\n')
    assert codes(run(tmp_path, "--config", "lint.toml")) == ["AL101"]


def test_config_errors_exit_two_with_a_clear_message(tmp_path: Path) -> None:
    cases = {
        'selct = ["AL"]\n': "unknown key(s) in [tool.archlint]: selct",
        'select = ["XX9"]\n': "`XX9` matches no rule",
        'fail-on = "fatal"\n': "`fail-on` must be one of",
        '[tool.archlint.severity]\nAL999 = "error"\n': "unknown rule `AL999`",
        '[tool.archlint.rules.nope]\nx = 1\n': "unknown rule `nope`",
        '[tool.archlint.rules.keras3-asymmetric-bidirectional]\nx = 1\n': "has no option `x`",
        "select = [\n": "is not valid TOML",
    }
    for text, message in cases.items():
        pyproject(tmp_path, text)
        result = run(tmp_path)
        assert result.returncode == 2, text
        assert message in result.stderr, (text, result.stderr)
        assert "Traceback" not in result.stderr
    (tmp_path / "pyproject.toml").unlink()
    result = run(tmp_path, "--config", "missing.toml")
    assert result.returncode == 2 and "not found" in result.stderr
    result = run(tmp_path, "--select", "ZZ")
    assert result.returncode == 2 and "`ZZ` matches no rule" in result.stderr


def test_settings_in_every_toml_spelling_and_unrelated_files_unparsed(tmp_path: Path) -> None:
    for text in ('[tool]\narchlint = { select = ["AL101"] }\n',
                 'tool.archlint.select = ["AL101"]\n',
                 '[tool."archlint"]\nselect = ["AL101"]\n'):
        (tmp_path / "pyproject.toml").write_text(text)
        assert codes(run(tmp_path)) == ["AL101"], text
    # A broken pyproject.toml that cannot hold archlint settings is not archlint's to judge.
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "archlint-user\n')
    assert codes(run(tmp_path)) == ["AL204", "AL101"]


def test_noqa_forms_and_unused_suppression(tmp_path: Path) -> None:
    lines = MODEL.splitlines()
    with_code = lines.copy()
    with_code[3] += "  # archlint: noqa: AL204"  # last line of the multi-line call
    assert codes(run(tmp_path, source="\n".join(with_code) + "\n")) == ["AL101"]
    by_name = lines.copy()
    by_name[2] += "  # archlint: noqa: keras3-asymmetric-bidirectional"
    assert codes(run(tmp_path, source="\n".join(by_name) + "\n")) == ["AL101"]
    bare = lines.copy()
    bare[5] += "  # archlint: noqa"
    assert codes(run(tmp_path, source="\n".join(bare) + "\n")) == ["AL204"]
    wrong = lines.copy()
    wrong[5] += "  # archlint: noqa: AL204"
    result = run(tmp_path, source="\n".join(wrong) + "\n")
    assert codes(result) == ["AL204", "AL101", "AL503"]
    in_string = lines.copy()
    in_string[1] = 'x = Input(shape=(10, 3), name="# archlint: noqa")'
    assert "AL503" not in codes(run(tmp_path, source="\n".join(in_string) + "\n"))


def test_skip_file(tmp_path: Path) -> None:
    result = run(tmp_path, source="# archlint: skip-file\n" + MODEL)
    assert codes(result) == [] and result.returncode == 0
