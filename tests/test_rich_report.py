"""The rich terminal report: snapshots at a fixed width (set ARCHLINT_UPDATE_SNAPSHOTS=1 to
rewrite them after a deliberate change), its styles, its fallback for large models, and
``--color``/``NO_COLOR``/``FORCE_COLOR``."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from archlint.analysis import FileReport, analyse_file
from archlint.render import rich_report
from archlint.render.code_frame import code_frame

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_DIR = ROOT / "tests" / "fixtures" / "render"
SNAPSHOTS = ROOT / "tests" / "snapshots"


def rendered(reports: list[FileReport], color_system: str | None = None,
             expand_nested: bool = False, width: int = 100) -> str:
    console = Console(record=True, width=width, force_terminal=True, color_system=color_system,
                      highlight=False, file=open(os.devnull, "w"))  # noqa: SIM115
    rich_report.print_report(console, reports, expand_nested)
    console.file.close()
    return console.export_text(styles=color_system is not None)


@pytest.mark.parametrize(("fixture", "expand_nested"), [
    ("tests/fixtures/render/model.py", False), ("tests/fixtures/render/nested.py", True),
    ("examples/seed_model.py", False)])
def test_snapshot(fixture: str, expand_nested: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    output = rendered([analyse_file(fixture)], expand_nested=expand_nested)
    snapshot = SNAPSHOTS / f"render.rich.{Path(fixture).stem}"
    if os.environ.get("ARCHLINT_UPDATE_SNAPSHOTS"):
        snapshot.write_text(output)
    assert output == snapshot.read_text(), f"{snapshot.name} changed"


def test_symbolic_sizes_codes_and_carets_are_styled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURE_DIR)
    output = rendered([analyse_file("model.py")], color_system="truecolor", width=120)
    magenta, red = "\x1b[1;35m", "\x1b[1;31m"
    assert f"(None, 10, {magenta}int(sys.argv[1])\x1b[0m)" in output  # the axis, not the row
    assert f"{magenta}4*int(sys.argv[1])\x1b[0m" in output
    assert f"conv1d (\x1b[38;5;45mConv1D\x1b[0m) {red}AL101\x1b[0m" in output
    assert f"{red}^^^^^^^^^^^^^^^^^^^^^^^^^^ nonpositive-timesteps\x1b[0m" in output


def test_a_narrow_terminal_folds_cells_without_cutting_them(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURE_DIR)
    output = rendered([analyse_file("model.py")], width=50)
    assert "…" not in output
    assert "4*int(sy" in output and "s.argv[1" in output  # folded, not cut


def test_caret_under_the_call_after_wide_characters_and_tabs(tmp_path: Path) -> None:
    script = tmp_path / "wide.py"
    script.write_text("import keras\nfrom keras import layers\n"
                      "short = keras.Input(shape=(4, 3))\n"
                      "名前 = 1;\ty = layers.Conv1D(8, 6)(short)\n"
                      "model = keras.Model(short, y)\n")
    lines = frame_lines(analyse_file(str(script)), "AL101")
    source = next(line for line in lines if "layers.Conv1D" in line)
    caret = lines[lines.index(source) + 1]
    # 名前 takes two cells each, the tab runs to column 16 of the source.
    assert caret.index("^") == source.index("layers") + len("名前")
    assert caret.rstrip().endswith("^ nonpositive-timesteps")


def frame_lines(report: FileReport, code: str) -> list[str]:
    diagnostic = next(d for d in report.diagnostics if d.code == code)
    console = Console(record=True, width=100, color_system=None, file=open(os.devnull, "w"))  # noqa: SIM115
    console.print(code_frame(report, diagnostic))
    console.file.close()
    return console.export_text().splitlines()


def test_a_long_span_is_cut_in_the_middle(tmp_path: Path) -> None:
    script = tmp_path / "long.py"
    script.write_text("import keras\nfrom keras import layers\nshort = keras.Input(shape=(4, 3))\n"
                      "y = layers.Conv1D(\n\n    8,\n    6,\n    strides=1,\n"
                      "    padding='valid',\n    dilation_rate=1,\n    use_bias=True,\n"
                      ")(short)\nmodel = keras.Model(short, y)\n")
    lines = frame_lines(analyse_file(str(script)), "AL101")
    gutters = [line.split("|")[0].strip() for line in lines[3:]]
    # Lines 4 to 12: the first three and the last three, a blank one left unmarked.
    assert gutters == ["", "3", "4", "", "5", "6", "", "...", "10", "", "11", "", "12", "",
                       "13", ""]
    assert lines[lines.index(" 4 | y = layers.Conv1D(") + 1] == "   |     ^^^^^^^^^^^^^^"
    assert lines[-3] == "   | ^^^^^^^^ nonpositive-timesteps"


def test_large_models_fall_back_to_the_plain_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURE_DIR)
    monkeypatch.setattr(rich_report, "RICH_TABLE_MAX_ROWS", 3)
    output = rendered([analyse_file("model.py")])
    assert "┏" not in output and "-" * 80 in output
    assert "dense (Dense)                  (None, 10, int(sys.argv[1]))" in output
    assert "error[AL101]" in output  # the findings keep their frames


def archlint(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return subprocess.run([sys.executable, "-m", "archlint", *args], cwd=FIXTURE_DIR,
                          capture_output=True, text=True, check=False,
                          env={**environ, "PYTHONPATH": str(ROOT), **env})


def test_color_option() -> None:
    assert "\x1b[" in archlint("--color=always", "model.py", NO_COLOR="1").stdout
    never = archlint("--color", "never", "model.py", FORCE_COLOR="1")
    assert never.stdout == (SNAPSHOTS / "render.text").read_text() and never.returncode == 1
    refused = archlint("--color=sometimes", "model.py")
    assert refused.returncode == 2 and "'sometimes' is not one of" in refused.stderr


def test_color_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from archlint.render.terminal import wants_colour

    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    assert wants_colour(sys.stdout) == sys.stdout.isatty()
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert wants_colour(sys.stdout) and not wants_colour(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not wants_colour(sys.stdout)
    assert wants_colour(sys.stdout, "always") and not wants_colour(sys.stdout, "never")
    assert wants_colour(io.StringIO(), "always")  # --output FILE --color=always


def test_the_plain_report_does_not_import_rich() -> None:
    code = ("import sys\nfrom archlint.entry import run\nsys.argv = ['archlint', 'model.py']\n"
            "try:\n    run()\nexcept SystemExit:\n    pass\n"
            "sys.stderr.write('rich loaded: ' + str('rich' in sys.modules))\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=FIXTURE_DIR, capture_output=True,
                            text=True, check=False, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert "AL101" in result.stdout and "\x1b[" not in result.stdout
    assert result.stderr.endswith("rich loaded: False"), result.stderr
