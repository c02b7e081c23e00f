"""Mutation fuzzing at scale: thousands of mutated scripts and saved models, no crash allowed.

    python benchmarks/fuzz.py --n 3000 --saved 600 --seed 1
    python benchmarks/fuzz.py --n 500 --command-line-every 10 --out /tmp/fuzz-failures
    python benchmarks/fuzz.py --make-seeds     # rewrite the saved-model seeds (needs Keras)

The cases and checks are tests/fuzzing.py's (tests/test_fuzz.py runs a few hundred in CI):
each mutated file is analysed in this process and rendered in every format, and must give a
normal answer: no exception, no AL004, no run past the time limit. Every failing input is
saved to ``--out`` under its case id, which also reproduces it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fuzz_mutations import SAVED_SEEDS  # noqa: E402
from tests.fuzzing import fuzz  # noqa: E402


def make_seeds() -> None:
    """Saves tests/test_saved_models.py's models with Keras 3 and tf-keras and keeps what
    archlint reads of them: each ``model.to_json()``, and each ``.keras`` archive's
    config.json and metadata.json (the weights are left out)."""
    from tests.test_saved_models import GENERATOR, SOURCES

    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        for version in ("3", "2"):
            out = Path(tmp) / version
            out.mkdir()
            result = subprocess.run([sys.executable, "-c", GENERATOR, version, str(out)],
                                    input=json.dumps(SOURCES), capture_output=True, text=True,
                                    env=env, check=True)
            saved = json.loads(result.stdout)
            for name in sorted(saved):
                if "json" in saved[name]:
                    lines.append({"name": f"keras{version}/{name}.json",
                                  "json": json.loads(Path(saved[name]["json"]).read_text())})
                if "keras" in saved[name]:
                    with zipfile.ZipFile(saved[name]["keras"]) as archive:
                        members = {m: json.loads(archive.read(m)) for m in
                                   ("config.json", "metadata.json") if m in archive.namelist()}
                    lines.append({"name": f"keras{version}/{name}.keras", "members": members})
    SAVED_SEEDS.parent.mkdir(parents=True, exist_ok=True)
    SAVED_SEEDS.write_text("".join(json.dumps(line) + "\n" for line in lines),
                           encoding="utf-8")
    print(f"wrote {len(lines)} saved models to {SAVED_SEEDS.relative_to(ROOT)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=3000, help="number of mutated scripts")
    parser.add_argument("--saved", type=int, default=600, help="number of mutated saved models")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--command-line-every", type=int, default=50,
                        help="also run every N-th case through the command line (0: never)")
    parser.add_argument("--out", type=Path, default=Path("fuzz-failures"),
                        help="where failing inputs are saved")
    parser.add_argument("--make-seeds", action="store_true",
                        help="rewrite the saved-model seeds with real Keras, then stop")
    args = parser.parse_args(argv)
    if args.make_seeds:
        make_seeds()
        return 0
    outcome = fuzz(args.n, args.saved, args.seed, args.command_line_every, args.out)
    ran = ", ".join(f"{count} {kind}" for kind, count in outcome.counts.items())
    print(f"{ran} cases in {outcome.seconds:.1f} s: {len(outcome.failures)} failures")
    kinds = Counter(problem.split(" (from ")[0] for problem in outcome.failures.values())
    for problem, count in kinds.most_common():
        print(f"  {count:5d}  {problem}")
    for case_id, problem in sorted(outcome.failures.items())[:50]:
        print(f"{case_id}: {problem}")
    if outcome.failures:
        print(f"failing inputs saved to {args.out}/")
    return 1 if outcome.failures else 0


if __name__ == "__main__":
    sys.exit(main())
