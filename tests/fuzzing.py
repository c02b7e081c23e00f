"""Mutation fuzzing of archlint's static path: every input gets a normal answer.

Each case is a mutated script or saved model (tests/fuzz_mutations.py) written to a file,
analysed in this process as ``archlint`` would (``analyse_file``) and rendered in every output
format. A case fails on an exception (a traceback for the user), an AL004 (a rule crashed),
or a run longer than ``TIMEOUT`` seconds. Some cases also go through the command line in a
subprocess, where the exit code must be 0, 1 or 2 and standard error must hold neither a
traceback nor "internal error".

Case ``i`` of a run is drawn from ``random.Random(f"{seed}:{kind}:{i}")``, so a failure is
reproduced by its id alone. tests/test_fuzz.py runs a few hundred cases in CI;
benchmarks/fuzz.py runs thousands.
"""

from __future__ import annotations

import io
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from archlint.analysis import analyse_file, default_settings
from archlint.render import concise, github, json_format, rich_report, sarif, text
from tests.fuzz_mutations import mutate_saved, mutate_script, saved_seeds, script_seeds

TIMEOUT = 20  # seconds for one case; the largest mutated script takes well under one
CRASHED = "AL004"


@dataclass
class Case:
    id: str
    seed_name: str
    suffix: str
    data: bytes
    mutations: list[str]


@dataclass
class Outcome:
    """What a run found: failures by case id, and how many cases of each kind ran."""

    counts: dict[str, int] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


def script_cases(n: int, seed: int) -> Iterator[Case]:
    seeds = script_seeds()
    sources = [source for _, source in seeds]
    for i in range(n):
        rng = random.Random(f"{seed}:script:{i}")
        name, source = rng.choice(seeds)
        data, mutations = mutate_script(rng, source, sources)
        yield Case(f"script-{seed}-{i}", name, ".py", data, mutations)


def saved_cases(n: int, seed: int) -> Iterator[Case]:
    seeds = saved_seeds()
    for i in range(n):
        rng = random.Random(f"{seed}:saved:{i}")
        chosen = rng.choice(seeds)
        data, suffix, mutations = mutate_saved(rng, chosen)
        yield Case(f"saved-{seed}-{i}", chosen["name"], suffix, data, mutations)


class _Timeout(Exception):
    pass


def _alarm(_signum: int, _frame: object) -> None:
    raise _Timeout


def _where(error: BaseException) -> str:
    """The innermost archlint frame of a traceback: failures of one bug group together."""
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if "archlint" in f.filename and "/tests/" not in f.filename]
    frame = frames[-1] if frames else None
    place = f" at {Path(frame.filename).name}:{frame.lineno}" if frame else ""
    return f"{type(error).__name__}{place}: {str(error)[:200]}"


RICH_EVERY = 10


def check_in_process(path: Path) -> str | None:
    """The problem with archlint's answer for ``path``, or None when it is a normal one."""
    settings = default_settings()
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(TIMEOUT)
    try:
        report = analyse_file(path, settings)
        text.write_plain([report], io.StringIO())
        # The terminal report takes some 20 ms a file: one file in RICH_EVERY, by its name.
        if zlib.crc32(path.name.encode()) % RICH_EVERY == 0:
            rich_report.write_rich([report], io.StringIO())
        for render in (json_format.render, github.render, concise.render):
            render([report])
        sarif.render([report], settings.rules)
    except _Timeout:
        return f"timeout: more than {TIMEOUT} s"
    except Exception as error:
        return f"traceback: {_where(error)}"
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    if report.error and "internal error" in report.error:
        return f"internal error: {report.error[:200]}"
    crashed = [d.message for d in report.diagnostics if d.code == CRASHED]
    if crashed:
        return f"AL004: {crashed[0][:200]}"
    return None


def check_command_line(path: Path, output_format: str) -> str | None:
    """The problem with ``archlint --format F path`` run as a user would, or None."""
    env = {**os.environ, "NO_COLOR": "1"}
    try:
        result = subprocess.run([sys.executable, "-m", "archlint", "--format", output_format,
                                 str(path)], capture_output=True, text=True, env=env,
                                timeout=TIMEOUT * 3, check=False, errors="replace")
    except subprocess.TimeoutExpired:
        return f"timeout: the command ran more than {TIMEOUT * 3} s"
    if "Traceback" in result.stderr or "internal error" in result.stderr + result.stdout:
        return f"exit {result.returncode}: {result.stderr.strip()[-300:]}"
    if result.returncode not in (0, 1, 2):
        return f"exit {result.returncode}: {result.stderr.strip()[-300:]}"
    # SARIF lists every rule, AL004 included: only a result with that rule is a crash.
    crash = f'"ruleId": "{CRASHED}"' if output_format == "sarif" else CRASHED
    if crash in result.stdout:
        return "AL004 in the report"
    return None


def run(cases: Iterator[Case], directory: Path, outcome: Outcome, command_line_every: int = 0,
        keep: Path | None = None) -> Outcome:
    """Check every case; every ``command_line_every``-th one also through the command line.
    Failing inputs are copied to ``keep`` when given."""
    formats = ("text", "json", "sarif", "github", "concise")
    start = time.perf_counter()
    for number, case in enumerate(cases):
        path = directory / f"{case.id}{case.suffix}"
        path.write_bytes(case.data)
        kind = "script" if case.suffix == ".py" else "saved"
        outcome.counts[kind] = outcome.counts.get(kind, 0) + 1
        problem = check_in_process(path)
        if problem is None and command_line_every and number % command_line_every == 0:
            outcome.counts["command line"] = outcome.counts.get("command line", 0) + 1
            problem = check_command_line(path, formats[number // command_line_every % 5])
        if problem is not None:
            outcome.failures[case.id] = (f"{problem} (from {case.seed_name}, mutations: "
                                         f"{', '.join(case.mutations)})")
            if keep is not None:
                keep.mkdir(parents=True, exist_ok=True)
                (keep / path.name).write_bytes(case.data)
        path.unlink()
    outcome.seconds += time.perf_counter() - start
    return outcome


def fuzz(scripts: int, saved: int, seed: int, command_line_every: int = 0,
         keep: Path | None = None) -> Outcome:
    outcome = Outcome()
    with tempfile.TemporaryDirectory(prefix="archlint-fuzz-") as tmp:
        directory = Path(tmp)
        run(script_cases(scripts, seed), directory, outcome, command_line_every, keep)
        run(saved_cases(saved, seed), directory, outcome, command_line_every, keep)
    return outcome
