"""Whole-process timings: archlint against a real Keras 3 build of the same models.

    python benchmarks/run.py            # seed model, then generated models of 500 and 1000 layers
    python benchmarks/run.py --quick    # fewer repetitions

Each command runs as a fresh process (interpreter start-up included), several times; the
median is reported. Ratios are Keras time / archlint time, measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def generated_model(layers: int) -> str:
    """A functional model of ``layers`` layers: Conv1D/BatchNorm/Dense blocks over a sequence."""
    lines = ["import keras", "from keras import layers", "",
             "x = inputs = keras.Input(shape=(64, 16))"]
    count = 1
    block = 0
    while count < layers - 2:
        block += 1
        lines.append(f"x = layers.Conv1D(16, 3, padding='same', name='conv_{block}')(x)")
        lines.append(f"x = layers.BatchNormalization(name='bn_{block}')(x)")
        lines.append(f"x = layers.Activation('relu', name='act_{block}')(x)")
        count += 3
    lines += ["x = layers.GlobalAveragePooling1D()(x)", "outputs = layers.Dense(1)(x)",
              "model = keras.Model(inputs, outputs)", "model.summary()"]
    return "\n".join(lines) + "\n"


def byte_compile() -> None:
    """Compile archlint and its dependencies as a pip install does, so that the timings do
    not include compiling sources (this matters where PYTHONDONTWRITEBYTECODE is set)."""
    import click
    import rich

    import archlint

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for module in (archlint, rich, click):
        subprocess.run([sys.executable, "-m", "compileall", "-q",
                        str(Path(module.__file__).parent)], env=env, check=False)


def time_command(command: list[str], runs: int) -> float:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "NO_COLOR": "1"}
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env=env, check=False)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    archlint_runs, keras_runs = (5, 1) if args.quick else (15, 3)
    python = sys.executable
    byte_compile()
    rows = []
    seed = ROOT / "examples" / "seed_model.py"
    ours = time_command([python, "-m", "archlint", str(seed)], archlint_runs)
    keras = time_command([python, str(HERE / "keras_seed_summary.py")], keras_runs)
    rows.append(("seed model (8 layers)", ours, keras))
    with tempfile.TemporaryDirectory() as tmp:
        for size in (500, 1000):
            script = Path(tmp, f"generated_{size}.py")
            script.write_text(generated_model(size))
            ours = time_command([python, "-m", "archlint", str(script)], archlint_runs)
            keras = time_command([python, str(script)], keras_runs)
            rows.append((f"generated model ({size} layers)", ours, keras))
    print(f"{'case':32} {'archlint':>10} {'Keras 3':>10} {'ratio':>8}")
    for name, ours, keras in rows:
        print(f"{name:32} {ours * 1000:8.0f}ms {keras * 1000:8.0f}ms {keras / ours:7.1f}x")
    growth = rows[2][1] / rows[1][1]
    print(f"archlint 1000 vs 500 layers: {growth:.2f}x time for 2x layers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
