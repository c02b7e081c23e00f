"""The rich terminal report against the plain one: time to render, and the whole command.

    python benchmarks/report_timing.py

Rendering alone: each model is analysed once, then each report is written (to memory, the
rich one as to a 100-column colour terminal) several times; the median is printed. The rich
table's cost grows with the rows, so it is also timed with the fallback to the plain table
disabled, at several sizes: ``RICH_TABLE_MAX_ROWS`` (archlint/render/rich_report.py) is
chosen from these figures. The whole command (``--color=always`` against ``--color=never``,
a fresh process each run, interpreter start-up and importing rich included) is timed too.
"""

from __future__ import annotations

import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from run import generated_model  # noqa: E402

from archlint.analysis import FileReport, analyse_file  # noqa: E402
from archlint.render import rich_report  # noqa: E402
from archlint.render.text import write_plain  # noqa: E402


def median_time(action: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def plain(reports: list[FileReport]) -> None:
    write_plain(reports, io.StringIO())


def rich(reports: list[FileReport], max_rows: int | None = None) -> None:
    from rich.console import Console

    saved = rich_report.RICH_TABLE_MAX_ROWS
    if max_rows is not None:
        rich_report.RICH_TABLE_MAX_ROWS = max_rows
    try:
        console = Console(file=io.StringIO(), width=100, force_terminal=True,
                          color_system="truecolor", highlight=False)
        rich_report.print_report(console, reports)
    finally:
        rich_report.RICH_TABLE_MAX_ROWS = saved


def whole_command(path: Path, color: str, runs: int) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"}
    env.pop("NO_COLOR", None)
    command = [sys.executable, "-m", "archlint", f"--color={color}", str(path)]
    return median_time(lambda: subprocess.run(command, stdout=subprocess.DEVNULL,
                                              stderr=subprocess.DEVNULL, env=env,
                                              check=False), runs)


def main() -> int:
    rich([analyse_file(ROOT / "examples" / "seed_model.py")])  # import rich once, untimed
    print("Rendering only (analysis done once), median:")
    print(f"{'case':34} {'plain':>9} {'rich':>9} {'rich table forced':>18}")
    with tempfile.TemporaryDirectory() as tmp:
        cases = [("seed model (8 layers)", ROOT / "examples" / "seed_model.py")]
        for size in (100, 150, 500, 1000, 2000):
            script = Path(tmp, f"generated_{size}.py")
            script.write_text(generated_model(size))
            cases.append((f"generated model ({size} layers)", script))
        for name, path in cases:
            reports = [analyse_file(path)]
            runs = 15 if "seed" in name else 5
            plain_time = median_time(partial(plain, reports), runs)
            rich_time = median_time(partial(rich, reports), runs)
            forced = median_time(partial(rich, reports, max_rows=10**9), max(3, runs // 3))
            print(f"{name:34} {plain_time * 1000:7.1f}ms {rich_time * 1000:7.1f}ms "
                  f"{forced * 1000:16.1f}ms")
        print(f"(rich falls back to the plain table above "
              f"{rich_report.RICH_TABLE_MAX_ROWS} rows)")
        print("\nWhole command, fresh process, median of 5:")
        print(f"{'case':34} {'--color=never':>14} {'--color=always':>15}")
        for name, path in (cases[0], cases[-1]):
            never = whole_command(path, "never", 5)
            always = whole_command(path, "always", 5)
            print(f"{name:34} {never * 1000:12.0f}ms {always * 1000:13.0f}ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
