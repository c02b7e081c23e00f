"""Differential testing at scale: thousands of random architectures, archlint against Keras.

    python benchmarks/differential.py --n 5000             # every construct, both versions
    python benchmarks/differential.py --n 1000 --keras 3   # one version
    python benchmarks/differential.py --n 2000 --avoid default --out /tmp/disagreements

The comparison is tests/test_differential.py's (read it for what is asserted): each script
from tests/architectures.py is read by archlint, archlint's graph is built and run forward
by real Keras, the script itself is run by Keras 3, and archlint's shapes, parameters and
refusals are compared with Keras's. Scripts go to the oracle in batches (``--batch``, one
process per Keras version per batch, the two versions side by side on two cores).

Script ``i`` is ``generate(random.Random(seed * 1_000_003 + i))``, so a disagreement is
reproduced by its index. Every disagreement is saved to ``--out`` (one .py file per script,
the problems in a header comment): a ready regression script for tests/fixtures/differential.

By default every construct is generated, those archlint is known to get wrong included
(``tests.architectures.DEFAULT_AVOID``), so the figures show them; ``--avoid default``
generates what the test suite generates.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.architectures import DEFAULT_AVOID, generate, parse_avoid  # noqa: E402
from tests.test_differential import (  # noqa: E402
    DISAGREE,
    KNOWN_BUG,
    Oracle,
    Verdict,
    prepare,
    run_cases,
    summary,
)


def sources(n: int, seed: int, avoid: frozenset[str]) -> list[tuple[int, str]]:
    """``n`` distinct scripts with their indexes."""
    found: dict[str, int] = {}
    index = 0
    while len(found) < n and index < 20 * n:
        found.setdefault(generate(random.Random(seed * 1_000_003 + index), avoid), index)
        index += 1
    return [(i, s) for s, i in found.items()]


def kind(problem: str) -> str:
    """A disagreement's kind: its message without names, numbers and shapes."""
    text = re.sub(r"`[^`]*`", "`_`", problem)
    text = re.sub(r"\(line \d+\)|line \d+", "line _", text)
    text = re.sub(r"[\[(][^\])]*[\])]", "(_)", text)
    text = re.sub(r"\d+", "_", text)
    return text[:160]


def save(out: Path, index: int, verdicts: list[Verdict]) -> Path:
    case = verdicts[0].case
    lines = [f"# differential: disagreement, script {index} ({case.id})"]
    for verdict in verdicts:
        lines += [f"# Keras {verdict.keras}: {p}" for p in verdict.problems]
    path = out / f"{case.id}.py"
    path.write_text("\n".join(lines) + "\n" + case.source)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=5000, help="number of architectures")
    parser.add_argument("--batch", type=int, default=500, help="architectures per process")
    parser.add_argument("--keras", default="3,2", help="versions: 3, 2 or 3,2")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--avoid", default="",
                        help="constructs to leave out, comma-separated; 'default' for the "
                        f"test suite's ({', '.join(sorted(DEFAULT_AVOID))})")
    parser.add_argument("--out", type=Path, default=Path("differential-disagreements"),
                        help="folder for the scripts archlint disagrees on")
    args = parser.parse_args(argv)
    versions = [v.strip() for v in args.keras.split(",") if v.strip()]
    avoid = DEFAULT_AVOID if args.avoid == "default" else parse_avoid(args.avoid)

    start = time.perf_counter()
    scripts = sources(args.n, args.seed, avoid)
    # Each version's oracle is compared with archlint's reading of the scripts under it.
    by_version = {v: [prepare(f"arch{index:06d}", source, v) for index, source in scripts]
                  for v in versions}
    cases = by_version[versions[0]]
    indexes = {case.id: index for case, (index, _) in zip(cases, scripts)}
    prepared = time.perf_counter()
    print(f"{len(cases)} architectures generated and read by archlint in "
          f"{prepared - start:.1f} s (left out: {', '.join(sorted(avoid)) or 'nothing'})",
          flush=True)

    verdicts: dict[str, list[Verdict]] = {v: [] for v in versions}
    metas: dict[str, list[dict]] = {v: [] for v in versions}
    for first in range(0, len(cases), args.batch):
        batches = {v: by_version[v][first:first + args.batch] for v in versions}
        oracles = {v: Oracle(batches[v], v) for v in versions}  # side by side
        batch = batches[versions[0]]
        for v in versions:
            found, meta = run_cases(batches[v], v, oracles[v])
            verdicts[v] += found
            metas[v].append(meta)
        done = first + len(batch)
        print(f"  {done}/{len(cases)} built and compared "
              f"({time.perf_counter() - prepared:.0f} s)", flush=True)
    elapsed = time.perf_counter() - prepared

    print()
    for v in versions:
        seconds: Counter[str] = Counter()
        for meta in metas[v]:
            seconds.update(meta.get("seconds", {}))
        print(summary(verdicts[v], v, {"keras_version": metas[v][0]["keras_version"],
                                       "seconds": dict(seconds)}))
        bad = [x for x in verdicts[v] if x.outcome == DISAGREE]
        agreed = len(verdicts[v]) - len(bad)
        print(f"  agreement {agreed}/{len(verdicts[v])} = "
              f"{100 * agreed / max(len(verdicts[v]), 1):.2f}%; known Keras bug "
              f"exceptions: {sum(x.outcome == KNOWN_BUG for x in verdicts[v])}")
        kinds = Counter(kind(x.problems[0]) for x in bad)
        for text, count in kinds.most_common():
            print(f"  {count:5d} x {text}")
    print(f"\noracle time {elapsed:.0f} s for {len(cases)} architectures "
          f"({len(versions)} Keras versions side by side, batches of {args.batch})")

    by_case: dict[str, list[Verdict]] = {}
    for v in versions:
        for x in verdicts[v]:
            if x.outcome == DISAGREE:
                by_case.setdefault(x.case.id, []).append(x)
    if by_case:
        args.out.mkdir(parents=True, exist_ok=True)
        for case_id, found in sorted(by_case.items()):
            save(args.out, indexes[case_id], found)
        print(f"{len(by_case)} scripts with a disagreement saved to {args.out}/")
    return 1 if by_case else 0


if __name__ == "__main__":
    sys.exit(main())
