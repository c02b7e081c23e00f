"""The command line as a user runs it: exit codes, directories, bad input, formats."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLEAN = ("from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
         "m = Model(x, layers.Dense(2)(x))\n")
BROKEN = "from keras import layers\nx = layers.Dense(4)(\n"
REFUSED = ("from keras import layers, Input, Model\nx = Input(shape=(5, 3))\n"
           "m = Model(x, layers.Conv1D(8, 10)(x))\n")


def archlint(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "archlint", *args], capture_output=True,
                          text=True, cwd=cwd or ROOT, env=env, check=False)


def test_clean_model_exits_zero(tmp_path: Path) -> None:
    (tmp_path / "clean.py").write_text(CLEAN)
    result = archlint(str(tmp_path / "clean.py"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "dense (Dense)" in result.stdout
    assert "0 errors, 0 warnings" in result.stdout


def test_refused_model_exits_one_and_points_at_line(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(REFUSED)
    result = archlint(str(tmp_path / "bad.py"))
    assert result.returncode == 1
    assert "bad.py:3:" in result.stdout and "AL101" in result.stdout
    assert "3 | m = Model(x, layers.Conv1D(8, 10)(x))" in result.stdout


def test_directory_with_a_broken_file_analyses_the_others(tmp_path: Path) -> None:
    (tmp_path / "a_clean.py").write_text(CLEAN)
    (tmp_path / "b_broken.py").write_text(BROKEN)
    (tmp_path / "c_refused.py").write_text(REFUSED)
    (tmp_path / "notes.py").write_text("print('not a model')\n")
    hidden = tmp_path / ".venv"
    hidden.mkdir()
    (hidden / "skipped.py").write_text(BROKEN)
    result = archlint("--format", "json", str(tmp_path))
    assert result.returncode == 1, result.stderr
    files = {Path(f["path"]).name: f for f in json.loads(result.stdout)["files"]}
    assert set(files) == {"a_clean.py", "b_broken.py", "c_refused.py", "notes.py"}
    assert [d["code"] for d in files["b_broken.py"]["diagnostics"]] == ["AL003"]
    assert files["b_broken.py"]["diagnostics"][0]["line"] == 2
    assert [d["code"] for d in files["c_refused.py"]["diagnostics"]] == ["AL101"]
    assert files["a_clean.py"]["models"][0]["total_params"] is not None
    assert files["notes.py"]["models"] == []
    assert "Traceback" not in result.stderr


def test_missing_path_is_a_usage_error() -> None:
    result = archlint("does/not/exist.py")
    assert result.returncode == 2
    assert "no such file" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreadable_file_exits_two(tmp_path: Path) -> None:
    target = tmp_path / "binary.py"
    target.write_bytes(b"\xff\xfe keras \x00\x81")
    result = archlint(str(target))
    assert result.returncode == 2
    assert "cannot read" in result.stdout
    assert "Traceback" not in result.stderr


def test_json_schema(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(REFUSED)
    payload = json.loads(archlint("--format", "json", str(tmp_path / "bad.py")).stdout)
    (file,) = payload["files"]
    assert set(file) >= {"path", "models", "diagnostics"}
    (model,) = file["models"]
    assert set(model) >= {"name", "line", "total_params", "trainable_params",
                          "non_trainable_params", "layers"}
    for layer in model["layers"]:
        assert set(layer) >= {"name", "class", "line", "output_shape", "params", "inbound"}
    (diagnostic,) = file["diagnostics"]
    assert set(diagnostic) >= {"code", "rule", "severity", "message", "line", "column",
                               "model", "layer"}
    assert diagnostic["severity"] in ("error", "warning", "info")
    assert diagnostic["model"] == "functional" and diagnostic["layer"] == "conv1d"


def test_version_and_help() -> None:
    assert archlint("--version").returncode == 0
    result = archlint("--help")
    assert result.returncode == 0 and "Keras" in result.stdout


def through_click(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The same command line parsed by the click application, never by the quick path."""
    env = {**os.environ, "NO_COLOR": "1"}
    program = "from archlint.cli import main; main(prog_name='python -m archlint')"
    return subprocess.run([sys.executable, "-c", program, *args], capture_output=True,
                          text=True, cwd=cwd or ROOT, env=env, check=False)


def test_quick_path_gives_what_click_gives(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(REFUSED)
    (tmp_path / "clean.py").write_text(CLEAN)
    (tmp_path / "pyproject.toml").write_text('[tool.archlint]\nselect = ["AL9"]\n')
    command_lines = [
        ["examples/seed_model.py"],
        ["--format", "json", "examples/seed_model.py", "examples/shape_errors.py"],
        ["--format=sarif", "--exit-zero", "examples"],
        ["examples/seed_model.py", "--format", "concise"],
        ["--format", "yaml", "examples/seed_model.py"],  # bad value: click's message
        ["examples/seed_model.py", "missing.py"],  # missing path: click's message
        ["--exit-zero"],  # no path: click's message
    ]
    for args in command_lines:
        quick, parsed = archlint(*args), through_click(*args)
        assert (quick.returncode, quick.stdout, quick.stderr) == \
            (parsed.returncode, parsed.stdout, parsed.stderr), args
    # A configuration error found after the quick parse is reported as click reports it.
    quick = archlint("bad.py", cwd=tmp_path)
    parsed = through_click("bad.py", cwd=tmp_path)
    assert quick.returncode == parsed.returncode == 2
    assert quick.stderr == parsed.stderr and "`AL9` matches no rule" in quick.stderr


def test_plain_command_line_does_not_import_click() -> None:
    probe = ("import sys\nfrom archlint.entry import run\n"
             "sys.argv = ['archlint', '--format', 'json', 'examples/seed_model.py']\n"
             "try:\n    run()\nexcept SystemExit:\n    pass\n"
             "sys.stderr.write(str('click' in sys.modules))\n")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            cwd=ROOT, check=False)
    assert result.stderr == "False", result.stderr
    assert json.loads(result.stdout)["files"][0]["models"]


def test_layers_lists_the_classes_with_formulas() -> None:
    result = archlint("layers")
    assert result.returncode == 0
    classes = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert {"Conv1D", "Bidirectional", "Normalization"} <= set(classes)
    assert "MaxPool1D" in classes["MaxPooling1D"]


def test_help_shows_the_check_options_and_every_command() -> None:
    result = archlint("--help")
    assert result.returncode == 0
    for option in ("--format", "--select", "--ignore", "--config", "--output", "--exit-zero",
                   "--jobs", "--version"):
        assert option in result.stdout, option
    commands = result.stdout[result.stdout.index("Commands:"):]
    for command in ("check", "crosscheck", "explain", "layers", "rules"):
        assert f"\n  {command} " in commands, command
    assert "PATH..." in result.stdout.splitlines()[0]
    for args in (["--help"], ["-h"]):
        quick, parsed = archlint(*args), through_click(*args)
        assert (quick.returncode, quick.stdout) == (parsed.returncode, parsed.stdout)


def test_crosscheck_refuses_the_formats_it_cannot_write() -> None:
    for output_format in ("sarif", "github", "concise"):
        result = archlint("crosscheck", "--format", output_format, "examples/seed_model.py")
        assert result.returncode == 2 and result.stdout == ""
        assert f"'{output_format}' is not one of 'text', 'json'" in result.stderr
        assert "Traceback" not in result.stderr


def test_explain_prints_no_markup() -> None:
    from archlint.analysis import default_settings
    from archlint.docs import rule_blocks
    from archlint.render.explain import plain

    for rule in default_settings().rules:
        assert "``" not in plain(rule_blocks(type(rule))), rule.code
    result = archlint("explain", "AL101")
    assert result.returncode == 0 and "``" not in result.stdout
    assert "  Conv1D(8, kernel_size=10) on 5 timesteps leaves -4." in result.stdout
    assert "    model = Model(x, layers.Conv1D(8, 10)(x))" in result.stdout
    terminal = on_terminal("explain", "AL101")
    assert "``" not in terminal and "\x1b[" in terminal  # styled, not marked up
    assert "Conv1D(8, kernel_size=10)" in terminal


def on_terminal(*args: str) -> str:
    """What archlint writes to a terminal (a pseudo-terminal), colours included."""
    import pty

    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update(TERM="xterm-256color", COLUMNS="120")
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "archlint", *args], stdout=follower,
                            stderr=follower, cwd=ROOT, env=env, close_fds=True)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait()
    os.close(leader)
    return b"".join(chunks).decode()


HOSTILE = ('from keras import layers, Input, Model\n'
           'x = Input(shape=(5, 3))\n'
           'y = layers.Conv1D(8, 10, name="a\\x1b[2J\\n::error file=x.py::forged\\r")(x)\n'
           'model = Model(x, y, name="m\\x1b]0;title\\x07\\u202e")\n')


def test_control_characters_in_names_are_escaped(tmp_path: Path) -> None:
    (tmp_path / "hostile.py").write_text(HOSTILE)
    reports = {fmt: archlint("--format", fmt, "hostile.py", cwd=tmp_path).stdout
               for fmt in ("text", "concise", "github")}
    reports["rich"] = on_terminal(str(tmp_path / "hostile.py"))
    for fmt, report in reports.items():
        assert "a\\x1b[2J" in report, fmt
        assert "\x1b[2J" not in report and "\x07" not in report and "\u202e" not in report, fmt
        assert not any(line.startswith("::error file=x.py") for line in report.splitlines())
    assert "a\\x1b[2J\\n::error file=x.py::forged\\r" in reports["concise"]
    assert 'Model "m\\x1b]0;title\\x07\\u202e"' in reports["text"]
    # A workflow command keeps its own encoding of line breaks.
    assert "a\\x1b[2J%0A::error file=x.py::forged%0D" in reports["github"]
