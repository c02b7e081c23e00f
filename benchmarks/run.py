"""Whole-process timings: archlint against a real Keras 3 build of the same models.

    python benchmarks/run.py            # every case below
    python benchmarks/run.py --quick    # fewer repetitions, no 2,000-layer Keras build

Cases: the seed model; generated models of 500 and 1,000 layers (growth check); 200 model
files of 20-100 layers in one call; one generated model of 2,000 layers; and the seed model
again with archlint installed in a fresh virtual environment, as a user installs it. Each
command runs as a fresh process (interpreter start-up included), several times; the median
is reported. The Keras side builds the same models in one process and prints their
summaries. Ratios are Keras time / archlint time, measured in the same run. The bare
interpreter's start-up is printed too: on machines whose site-packages run code at start-up
it is a large share of the total.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def generated_model(layers: int, name: str = "model") -> str:
    """A functional model of ``layers`` layers: Conv1D/BatchNorm/Activation blocks."""
    lines = ["import keras", "from keras import layers", "",
             "x = inputs = keras.Input(shape=(64, 16))"]
    count, block = 1, 0
    while count < layers - 2:
        block += 1
        lines.append(f"x = layers.Conv1D(16, 3, padding='same', name='conv_{block}')(x)")
        lines.append(f"x = layers.BatchNormalization(name='bn_{block}')(x)")
        lines.append(f"x = layers.Activation('relu', name='act_{block}')(x)")
        count += 3
    lines += ["x = layers.GlobalAveragePooling1D()(x)", "outputs = layers.Dense(1)(x)",
              f"{name} = keras.Model(inputs, outputs)"]
    return "\n".join(lines) + "\n"


def varied_model(rng: random.Random, layers: int) -> str:
    """A sequence model of about ``layers`` layers mixing convolutions, pooling, RNNs and
    a residual merge, the kind of script a project keeps many of."""
    lines = ["import keras", "from keras import layers", "",
             f"inputs = keras.Input(shape=({rng.choice([64, 96, 128])}, {rng.randint(2, 12)}))",
             "x = inputs"]
    count = 1
    while count < layers - 4:
        kind = rng.random()
        if kind < 0.4:
            filters = rng.choice([8, 16, 32])
            lines += [f"x = layers.Conv1D({filters}, {rng.choice([3, 5])}, padding='same', "
                      "activation='relu')(x)",
                      "x = layers.BatchNormalization()(x)"]
            count += 2
        elif kind < 0.55:
            lines += ["s = layers.Conv1D(16, 1)(x)", "y = layers.Conv1D(16, 3, padding='same')(x)",
                      "x = layers.Add()([s, y])"]
            count += 3
        elif kind < 0.7:
            lines.append("x = layers.Dropout(0.1)(x)")
            count += 1
        else:
            lines.append("x = layers.LayerNormalization()(x)")
            count += 1
    lines += ["x = layers.Bidirectional(layers.LSTM(16, return_sequences=True))(x)",
              "x = layers.GlobalMaxPooling1D()(x)", "x = layers.Dense(32, activation='relu')(x)",
              "outputs = layers.Dense(1)(x)", "model = keras.Model(inputs, outputs)"]
    return "\n".join(lines) + "\n"


def keras_script(sources: list[Path]) -> str:
    """One Keras process that builds every model of ``sources`` and prints its summary."""
    return ("import os\nos.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')\nimport runpy\n"
            f"for path in {[str(s) for s in sources]!r}:\n"
            "    scope = runpy.run_path(path)\n"
            "    next(v for v in scope.values() if hasattr(v, 'summary')).summary()\n")


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
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "rules")], env=env,
                   check=False)


def clean_install(directory: Path) -> Path | None:
    """A fresh virtual environment (no system site-packages) with archlint installed from
    this checkout as a user installs it (not editable). None, with the reason printed, when
    it cannot be made here."""
    venv = directory / "venv"
    scripts = venv / ("Scripts" if os.name == "nt" else "bin")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    steps = ([sys.executable, "-m", "venv", str(venv)],
             [str(scripts / "python"), "-m", "pip", "install", "-q", str(ROOT)])
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, env=env, check=False)
        if done.returncode != 0:
            print(f"clean environment unavailable: {' '.join(step[:4])} failed: "
                  f"{(done.stderr or done.stdout).strip().splitlines()[-1:]}")
            return None
    return scripts


def time_command(command: list[str], runs: int, cwd: Path | None = None) -> float:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "NO_COLOR": "1"}
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env=env, cwd=cwd, check=False)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    runs, keras_runs = (3, 1) if args.quick else (9, 1)
    python = sys.executable
    # The report as a user gets it (text; plain, since standard output is not a terminal).
    archlint = [python, "-m", "archlint"]
    byte_compile()
    rows: list[tuple[str, float, float | None]] = []
    baseline = time_command([python, "-c", "pass"], runs)
    seed = ROOT / "examples" / "seed_model.py"
    rows.append(("seed model (8 layers)", time_command([*archlint, str(seed)], runs),
                 time_command([python, str(HERE / "keras_seed_summary.py")], keras_runs)))
    with tempfile.TemporaryDirectory() as tmp:
        sizes = {}
        for size in (500, 1000, 2000):
            script = Path(tmp, f"generated_{size}.py")
            script.write_text(generated_model(size) + "model.summary()\n")
            ours = time_command([*archlint, str(script)], runs)
            sizes[size] = ours
            keras = None if args.quick and size == 2000 else time_command(
                [python, str(script)], keras_runs)
            rows.append((f"generated model ({size} layers)", ours, keras))
        project = Path(tmp, "project")
        project.mkdir()
        rng = random.Random(7)
        files = []
        for i in range(200):
            path = project / f"model_{i:03}.py"
            path.write_text(varied_model(rng, rng.randint(20, 100)))
            files.append(path)
        keras_file = Path(tmp, "keras_200.py")
        keras_file.write_text(keras_script(files))
        rows.append(("200 files of 20-100 layers", time_command([*archlint, str(project)], runs),
                     None if args.quick else time_command([python, str(keras_file)], keras_runs)))
    with tempfile.TemporaryDirectory() as tmp:
        # The same run where a user installs archlint: a fresh virtual environment, none of
        # this machine's site-packages start-up hooks, no editable-install finder.
        scripts = clean_install(Path(tmp))
        if scripts is not None:
            clean_baseline = time_command([str(scripts / "python"), "-c", "pass"], runs, Path(tmp))
            clean_seed = time_command([str(scripts / "archlint"), str(seed)], runs, Path(tmp))
    print(f"python -c pass (interpreter start-up alone): {baseline * 1000:.0f} ms")
    print(f"{'case':32} {'archlint':>10} {'Keras 3':>10} {'ratio':>8}")
    for name, ours, keras in rows:
        keras_text = f"{keras * 1000:8.0f}ms" if keras else f"{'-':>10}"
        ratio = f"{keras / ours:7.1f}x" if keras else f"{'-':>8}"
        print(f"{name:32} {ours * 1000:8.0f}ms {keras_text} {ratio}")
    if scripts is not None:
        keras_seed = rows[0][2]
        print(f"clean virtual environment (pip install .): seed model {clean_seed * 1000:.0f} ms "
              f"whole process, {keras_seed / clean_seed:.1f}x faster than Keras 3 above; "
              f"interpreter start-up there {clean_baseline * 1000:.0f} ms")
    print(f"archlint growth: 1000 vs 500 layers {sizes[1000] / sizes[500]:.2f}x, "
          f"2000 vs 1000 layers {sizes[2000] / sizes[1000]:.2f}x (for 2x layers)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
