"""Every input gets a normal answer: mutated scripts and saved models (tests/fuzzing.py).

A larger run: ``python benchmarks/fuzz.py --n 3000 --saved 600 --seed 1``.
"""

from __future__ import annotations

import time

from tests.fuzzing import fuzz

SCRIPTS, SAVED, SEED = 300, 100, 0


def test_mutated_inputs_get_a_normal_answer() -> None:
    start = time.perf_counter()
    outcome = fuzz(SCRIPTS, SAVED, SEED, command_line_every=40)
    assert outcome.counts["script"] == SCRIPTS and outcome.counts["saved"] == SAVED
    assert outcome.counts["command line"] >= 10
    assert outcome.failures == {}
    assert time.perf_counter() - start < 120  # about 15 s on one core
