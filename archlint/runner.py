"""Analysing many files: in this process or in ``--jobs`` worker processes, in order, with a
progress bar on a terminal."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from archlint.analysis import FileReport, Settings, analyse_file

_worker_settings: Settings | None = None


def analyse_guarded(path: Path, settings: Settings | None) -> FileReport:
    """One file; an archlint bug on it is that file's error (exit 2), and the other files are
    still analysed."""
    try:
        return analyse_file(path, settings)
    except RecursionError:
        return FileReport(str(path), error="internal error: this file nests deeper than "
                          "archlint follows; please report it")
    except Exception as error:  # an archlint bug: name it, go on with the next file
        return FileReport(str(path), error=f"internal error while analysing this file: "
                          f"{type(error).__name__}: {error}; please report it")


def _init_worker(settings: Settings) -> None:
    global _worker_settings
    _worker_settings = settings


def _analyse_in_worker(path: Path) -> FileReport:
    return analyse_guarded(path, _worker_settings)


def _reports(files: list[Path], settings: Settings, jobs: int) -> Iterator[FileReport]:
    if jobs <= 1 or len(files) < 2:
        for path in files:
            yield analyse_guarded(path, settings)
        return
    from concurrent.futures import ProcessPoolExecutor  # only --jobs pays for this import

    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker,
                             initargs=(settings,)) as pool:
        # map keeps the input order, so the output is the same as with one process.
        yield from pool.map(_analyse_in_worker, files, chunksize=max(1, len(files) // (jobs * 8)))


def analyse_all(files: list[Path], settings: Settings, jobs: int = 1,
                progress: bool = False) -> list[FileReport]:
    if not progress:
        return list(_reports(files, settings, jobs))
    from rich.progress import Progress

    reports = []
    with Progress(transient=True) as bar:
        if not bar.console.is_terminal:
            return list(_reports(files, settings, jobs))
        task = bar.add_task("Analysing", total=len(files))
        for report in _reports(files, settings, jobs):
            reports.append(report)
            bar.advance(task)
    return reports
