"""Many files: one file that trips an archlint bug is that file's error, not the run's end."""

from __future__ import annotations

from pathlib import Path

import pytest

from archlint import runner
from archlint.analysis import default_settings

MODEL = "import keras\nx = keras.Input(shape=(4,))\nm = keras.Model(x, keras.layers.Dense(2)(x))\n"


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_crash_on_one_file_leaves_the_others_analysed(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        jobs: int) -> None:
    files = []
    for name in ("a.py", "broken.py", "c.py"):
        files.append(tmp_path / name)
        files[-1].write_text(MODEL)
    real = runner.analyse_file

    def flaky(path, settings=None):
        if Path(path).name == "broken.py":
            raise TypeError("a bug on this file")
        return real(path, settings)

    monkeypatch.setattr(runner, "analyse_file", flaky)
    reports = runner.analyse_all(files, default_settings(), jobs=jobs)  # workers fork
    assert [r.path for r in reports] == [str(f) for f in files]
    assert reports[1].error is not None and "TypeError: a bug on this file" in reports[1].error
    assert "please report it" in reports[1].error
    assert all(r.error is None and len(r.models) == 1 for r in (reports[0], reports[2]))
