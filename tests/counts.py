"""Counts that belong in the CI log, passing or not (how many cases Keras built, how many
agree). Tests hand them here; the session's terminal summary prints them, also when the
tests ran in pytest-xdist workers, whose own output pytest does not show."""

from __future__ import annotations

import pytest

COUNTS_KEY = pytest.StashKey[list[tuple[str, str]]]()
# The key of the lines a worker sends back to the controlling process.
WORKER_OUTPUT = "archlint_counts"


def report_counts(config: pytest.Config, section: str, *lines: str) -> None:
    """Print ``lines`` under ``section`` in the session's summary."""
    entries = [(section, line) for line in lines]
    config.stash.setdefault(COUNTS_KEY, []).extend(entries)
    worker_output = getattr(config, "workeroutput", None)
    if worker_output is not None:
        worker_output.setdefault(WORKER_OUTPUT, []).extend([list(e) for e in entries])


def collect_worker_counts(config: pytest.Config, worker_output: dict) -> None:
    """Take the counts a finished worker sent back."""
    config.stash.setdefault(COUNTS_KEY, []).extend(
        (section, line) for section, line in worker_output.get(WORKER_OUTPUT, []))


def write_counts(config: pytest.Config, reporter: pytest.TerminalReporter) -> None:
    by_section: dict[str, list[str]] = {}
    for section, line in config.stash.get(COUNTS_KEY, []):
        by_section.setdefault(section, []).append(line)
    for section in sorted(by_section):
        reporter.section(section)
        for line in by_section[section]:
            reporter.write_line(line)
