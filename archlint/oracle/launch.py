"""Start the oracle process, isolated from the user's directory, and survive its crashes.

Isolation: ``python -I`` (no ``PYTHON*`` variables, no user site, neither the script's nor
the working directory on ``sys.path``) in an empty temporary directory, so that a
``json.py``, ``keras.py`` or ``numpy.py`` next to a model is never imported. The process gets
``sys.path`` explicitly: archlint's own parent directory, then this process's path without
its working directory (where TensorFlow was found).

Crashes: TensorFlow can kill the process (SIGFPE in its CPU pooling on a window larger than
its input, tensorflow/tensorflow#125509). The process streams, line by line into a file,
which item and which call it is running and each result as soon as it is known (see
``archlint.oracle.build.Stream``). After a crash the item that was running gets a result
saying so, naming the call, and the items it had not reached run in a new process.

Used by ``archlint crosscheck`` and by every test that starts an oracle.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from archlint.layers.shape_utils import POOLING_CRASH

ENTRY = "archlint.oracle.build:main"
PACKAGE_PARENT = str(Path(__file__).resolve().parents[2])
POOLING = ("MaxPooling", "MaxPool", "AveragePooling", "AvgPool")
# Runs ``module:function(argv)`` with exactly the given sys.path.
_BOOTSTRAP = ("import importlib, json, sys\n"
              "paths = json.loads(sys.argv[1])\n"
              "sys.path[:] = paths + [p for p in sys.path if p and p not in paths]\n"
              "module, function = sys.argv[2].split(':')\n"
              "sys.exit(getattr(importlib.import_module(module), function)(sys.argv[3:]))\n")


class OracleFailed(RuntimeError):
    """The process failed before it could answer anything."""


def import_paths(extra: Sequence[str] = ()) -> list[str]:
    """archlint's parent, ``extra``, then this process's ``sys.path`` without its working
    directory (``python -m`` puts it first) and without relative entries."""
    here = os.path.realpath(os.getcwd())
    paths = [PACKAGE_PARENT, *extra]
    for entry in sys.path:
        if entry and os.path.isabs(entry) and os.path.realpath(entry) != here and \
                entry not in paths:
            paths.append(entry)
    return paths


def isolated_command(entry: str, args: Sequence[str] = (),
                     paths: Sequence[str] = ()) -> list[str]:
    """The command line running ``entry`` ("module:function") in an isolated interpreter."""
    return [sys.executable, "-I", "-c", _BOOTSTRAP, json.dumps(import_paths(paths)), entry,
            *args]


def oracle_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": "",
            **(extra or {})}


def run_isolated(entry: str, args: Sequence[str], stdin: str, *,
                 paths: Sequence[str] = (), env: dict[str, str] | None = None
                 ) -> subprocess.CompletedProcess[str]:
    """Run ``entry`` once, isolated, in an empty directory; its output as text."""
    with tempfile.TemporaryDirectory(prefix="archlint-oracle-") as neutral:
        return subprocess.run(isolated_command(entry, args, paths), input=stdin,
                              capture_output=True, text=True, env=oracle_env(env),
                              cwd=neutral, check=False)


class OracleProcess:
    """One oracle run over ``items`` (dicts with an ``"id"``) with one Keras version, started
    at once so that several can run side by side; ``result()`` waits for it, restarting it
    on the remaining items after a crash."""

    def __init__(self, items: list[dict[str, Any]], keras: str, *, entry: str = "",
                 paths: Sequence[str] = (), env: dict[str, str] | None = None):
        self.items = items
        self.keras = keras
        self.entry = entry or ENTRY
        self.paths = list(paths)
        self.env = oracle_env(env)
        self.results: dict[str, dict[str, Any]] = {}
        self.meta: dict[str, Any] = {}
        self.restarts = 0
        self._payload: dict[str, Any] | None = None
        self._start(items)

    def _start(self, items: list[dict[str, Any]]) -> None:
        self.running = items
        self.workdir = tempfile.TemporaryDirectory(prefix="archlint-oracle-")
        work = Path(self.workdir.name)
        self.stream_path = work / "stream.jsonl"
        (work / "request.json").write_text(json.dumps(items), encoding="utf-8")
        neutral = work / "cwd"
        neutral.mkdir()
        self.stderr = (work / "stderr").open("w+", encoding="utf-8", errors="replace")
        with (work / "request.json").open("rb") as stdin:
            self.proc = subprocess.Popen(
                isolated_command(self.entry, ["--keras", self.keras, "--stream",
                                              str(self.stream_path)], self.paths),
                stdin=stdin, stdout=subprocess.DEVNULL, stderr=self.stderr, env=self.env,
                cwd=neutral)

    def result(self) -> dict[str, Any]:
        """``{"meta": ..., "results": [...]}``, one result per item, in order."""
        while self._payload is None:
            code = self.proc.wait()
            progress = self._read_stream()
            self.stderr.seek(0)
            errors = self.stderr.read()
            self._close_run()
            missing = [i for i in self.running if i.get("id") not in self.results]
            if not missing:
                self._payload = {"meta": {**self.meta, "restarts": self.restarts},
                                 "results": [self.results[i["id"]] for i in self.items]}
            elif code == 0 or not progress:
                raise OracleFailed(f"the Keras {self.keras} oracle process "
                                   f"{_ended(code)}:\n{errors[-4000:]}")
            else:
                self.restarts += 1
                self._start([i for i in self.running if i.get("id") not in self.results])
        return self._payload

    def _read_stream(self) -> bool:
        """Takes what the last run streamed; True when it finished or crashed on an item
        (progress was made)."""
        current: dict[str, Any] | None = None
        running: dict[str, Any] = {}
        partial: dict[str, Any] | None = None
        progress = False
        lines = self.stream_path.read_text(encoding="utf-8").splitlines() \
            if self.stream_path.exists() else []
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                break  # cut short by the crash
            if "meta" in record:
                _merge_meta(self.meta, record["meta"])
            elif "start" in record:
                current = next((i for i in self.running if i.get("id") == record["start"]),
                               None)
                running, partial = {}, None
            elif "running" in record:
                running = record["running"]
            elif "partial" in record:
                partial = record["partial"]
            elif "done" in record:
                result = record["done"]
                self.results[result.get("id")] = result
                current, progress = None, True
        code = self.proc.returncode
        if current is not None and code != 0:
            self.results[current["id"]] = crashed_result(current, partial, running, code)
            progress = True
        return progress

    def _close_run(self) -> None:
        self.stderr.close()
        self.workdir.cleanup()

    def close(self) -> None:
        """Stop the process if it still runs (a test that gave up on it) and remove its
        files."""
        if self._payload is None:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self._close_run()


def run_oracle(items: list[dict[str, Any]], keras: str, **options: Any) -> dict[str, Any]:
    return OracleProcess(items, keras, **options).result()


def _merge_meta(meta: dict[str, Any], record: dict[str, Any]) -> None:
    """Restarted runs add up their seconds; other fields are the same in every run."""
    for key, value in record.items():
        if key == "seconds" and isinstance(value, dict):
            seconds = meta.setdefault("seconds", {})
            for part, spent in value.items():
                seconds[part] = seconds.get(part, 0) + spent
        else:
            meta[key] = value


def _ended(code: int) -> str:
    if code < 0:
        return f"was killed by signal {-code} ({_signal_name(-code)})"
    return f"exited with status {code}"


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return "unknown signal"


def crashed_result(item: dict[str, Any], partial: dict[str, Any] | None,
                   running: dict[str, Any], code: int) -> dict[str, Any]:
    """The result of an item whose process died: what it had found, the call it was
    running, and that call's failure as a refusal at the phase it was in."""
    result: dict[str, Any] = dict(partial) if partial else {"id": item.get("id")}
    layer = running.get("layer")
    spec = item.get("layers", {}).get(layer, {}) if isinstance(item.get("layers"), dict) \
        else {}
    how = f"signal {-code}" if code < 0 else f"exit status {code}"
    message = f"TensorFlow crashed ({how}) running this layer"
    if code < 0:
        message += f" ({_signal_name(-code)})"
    if layer:
        message += f": `{layer}` ({spec.get('class_name', '?')})"
        shapes = running.get("input_shapes")
        if shapes:
            message += " on input " + ", ".join(str(tuple(s)) for s in shapes)
    issue = known_issue(spec, running.get("input_shapes"))
    if issue:
        message += f"; {issue}"
    result["crashed"] = {"exit": code, "signal": -code if code < 0 else None,
                         "call": running.get("call"), "layer": layer,
                         "phase": running.get("phase"), "message": message,
                         "known_issue": POOLING_CRASH if issue else None}
    error = {"call": running.get("call"), "error": message}
    if running.get("phase") == "build":
        result.setdefault("build_error", error)
    elif running.get("phase") == "forward":
        result.setdefault("forward", []).append(
            {"input_shapes": running.get("pass_shapes"), "calls": {}, "params": {},
             "error": error})
    return result


def known_issue(spec: dict[str, Any], input_shapes: Any) -> str:
    """A pooling window larger than its input (padding "valid"): TensorFlow's CPU pooling
    divides by zero (tensorflow/tensorflow#125509)."""
    class_name = str(spec.get("class_name", ""))
    config = spec.get("config") or {}
    if not class_name.startswith(POOLING) or not input_shapes:
        return ""
    if str(config.get("padding", "valid")).lower() != "valid":
        return ""
    shape = list(input_shapes[0])
    first = str(config.get("data_format") or "").lower() == "channels_first"
    spatial = shape[2:] if first else shape[1:-1]
    pool = config.get("pool_size") or 2
    pools = list(pool) if isinstance(pool, (list, tuple)) else [pool] * len(spatial)
    if any(isinstance(p, int) and isinstance(s, int) and p > s
           for p, s in zip(pools, spatial)):
        return (f"a pooling window larger than its input, on which TensorFlow's CPU pooling "
                f"crashes the process instead of raising ({POOLING_CRASH})")
    return ""
