"""Inputs a hostile or unlucky user gives: each gets a normal answer (an exit code and a
clear message, never a traceback, never a hang), and the user's files are never changed."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import struct
import subprocess
import sys
import time
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest

from archlint.frontend import saved_files
from archlint.frontend.saved_model import SavedModelError, load_config
from tests.test_config import MODEL

ROOT = Path(__file__).resolve().parent.parent
CLEAN = ("from keras import layers, Input, Model\nx = Input(shape=(8,))\n"
         "m = Model(x, layers.Dense(2)(x))\n")
# One AL204 warning (line 3) and one AL101 error (line 6).
TWO_FINDINGS = MODEL


def archlint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """A run as a user makes it; a hang fails the test instead of the suite."""
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "archlint", *args], capture_output=True,
                            text=True, cwd=cwd, env=env, check=False, timeout=120)
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    assert "internal error" not in result.stderr, result.stderr
    return result


def fingerprint(directory: Path) -> dict[str, str]:
    """Every regular file under ``directory`` and its hash: the run must not change any."""
    found = {}
    for root, _, names in os.walk(directory):
        for name in names:
            path = Path(root, name)
            if path.is_file() and not path.is_symlink():
                found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def run_untouched(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    before = fingerprint(tmp)
    result = archlint(*args, cwd=tmp)
    assert fingerprint(tmp) == before, "archlint changed or created a file"
    return result


def diagnostics(result: subprocess.CompletedProcess[str]) -> dict[str, list[str]]:
    return {Path(f["path"]).name: [d["code"] for d in f["diagnostics"]]
            for f in json.loads(result.stdout)["files"]}


# --------------------------------------------------------------------------- source text


def test_utf8_byte_order_mark_is_valid_python(tmp_path: Path) -> None:
    (tmp_path / "plain.py").write_text(CLEAN, encoding="utf-8")
    (tmp_path / "bom.py").write_bytes(b"\xef\xbb\xbf" + CLEAN.encode())
    result = run_untouched(tmp_path, "--format", "json", "bom.py", "plain.py")
    assert result.returncode == 0, result.stdout
    files = json.loads(result.stdout)["files"]
    assert files[0]["diagnostics"] == [] and files[0]["models"] == files[1]["models"]
    # Columns are those of the text without the mark, as Python counts them.
    refused = "\ufeff" + TWO_FINDINGS
    (tmp_path / "bom.py").write_bytes(refused.encode())
    result = run_untouched(tmp_path, "--format", "concise", "bom.py")
    assert result.returncode == 1 and "bom.py:6:5: AL101" in result.stdout


def test_pep_263_coding_line_is_honoured(tmp_path: Path) -> None:
    source = ("# -*- coding: latin-1 -*-\n" + CLEAN.replace("Dense(2)", "Dense(2, name='café')"))
    (tmp_path / "latin.py").write_bytes(source.encode("latin-1"))
    result = run_untouched(tmp_path, "--format", "json", "latin.py")
    assert result.returncode == 0, result.stdout
    layers = json.loads(result.stdout)["files"][0]["models"][0]["layers"]
    assert [layer["name"] for layer in layers] == ["input_layer", "café"]


def test_undecodable_source_gets_a_clear_message_and_the_others_are_analysed(
        tmp_path: Path) -> None:
    (tmp_path / "a_latin_without_coding.py").write_bytes(
        CLEAN.replace("Dense(2)", "Dense(2, name='café')").encode("latin-1"))
    (tmp_path / "b_unknown_coding.py").write_bytes(b"# coding: klingon\n" + CLEAN.encode())
    (tmp_path / "c_clean.py").write_text(CLEAN)
    result = run_untouched(tmp_path, "--format", "concise", ".")
    assert result.returncode == 2
    assert ("a_latin_without_coding.py: line 3 is not valid UTF-8 text (byte 0xe9); Python "
            "reads source as UTF-8 unless a `# -*- coding: NAME -*-` comment") in result.stdout
    assert ("b_unknown_coding.py: its coding comment names an encoding Python does not know "
            "(klingon)") in result.stdout
    result = run_untouched(tmp_path, "--format", "json", "c_clean.py")
    assert result.returncode == 0


# --------------------------------------------------------------------------- special files


def _special_files(directory: Path) -> list[str]:
    """A FIFO, a socket and a device, each named like a file archlint reads."""
    os.mkfifo(directory / "pipe.py")
    os.mkfifo(directory / "pipe.keras")
    os.mkfifo(directory / "pipe.json")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(directory / "sock.py"))
    server.close()  # the socket file stays
    (directory / "zeros.py").symlink_to("/dev/zero")
    return ["pipe.py", "pipe.keras", "pipe.json", "sock.py", "zeros.py"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs and Unix sockets")
def test_fifo_socket_and_device_never_hang(tmp_path: Path) -> None:
    names = _special_files(tmp_path)
    (tmp_path / "model.py").write_text(TWO_FINDINGS)
    started = time.monotonic()
    # Met in a directory walk: skipped, like any file that is not a model.
    result = run_untouched(tmp_path, "--format", "json", ".")
    assert diagnostics(result) == {"model.py": ["AL204", "AL101"]}
    assert result.returncode == 1
    # Named on the command line: refused as an unreadable file (exit 2), the others analysed.
    result = run_untouched(tmp_path, "--format", "concise", *names, "model.py")
    assert result.returncode == 2
    kinds = {"pipe.py": "a FIFO (named pipe)", "pipe.keras": "a FIFO (named pipe)",
             "pipe.json": "a FIFO (named pipe)", "sock.py": "a socket",
             "zeros.py": "a character device"}
    for name, kind in kinds.items():
        assert (f"{name}:1:1: error: cannot read {name}: it is {kind}, and archlint reads "
                "only regular files") in result.stdout, result.stdout
    assert "model.py:6:5: AL101" in result.stdout
    assert time.monotonic() - started < 60


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_config_file_that_is_a_fifo(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "lint.toml")
    (tmp_path / "model.py").write_text(CLEAN)
    result = run_untouched(tmp_path, "--config", "lint.toml", "model.py")
    assert result.returncode == 2
    assert "cannot read config file lint.toml: it is a FIFO (named pipe)" in result.stderr


# --------------------------------------------------------------------------- configuration

MALFORMED_CONFIGS = {
    "tool-not-a-table": (b"tool = 5\n", "`tool` must be a table (such as [tool.archlint]), "
                                         "got 5"),
    "archlint-not-a-table": (b"[tool]\narchlint = 5\n",
                             "`tool.archlint` must be a table ([tool.archlint]), got 5"),
    "not-utf8": (b'[tool.archlint]\nselect = ["AL1"]\n# caf\xe9\n',
                 "is not valid UTF-8 (byte 0xe9 on line 3); a TOML file must be UTF-8"),
    "select-number": (b"[tool.archlint]\nselect = 5\n", "`select` must be a list of strings"),
    "select-empty-list": (b"[tool.archlint]\nselect = []\n",
                          "`select` is empty, which would apply no rule"),
    "select-empty-string": (b'[tool.archlint]\nselect = ""\n',
                            "`select` holds an empty string, which names nothing"),
    "ignore-blank": (b'[tool.archlint]\nignore = ["AL1", " "]\n',
                     "`ignore` holds an empty string"),
    "exclude-nested": (b"[tool.archlint]\nexclude = [[]]\n",
                       "`exclude` must be a list of strings"),
    "fail-on-list": (b"[tool.archlint]\nfail-on = []\n", "`fail-on` must be one of"),
    "severity-number": (b"[tool.archlint]\nseverity = 5\n",
                        "[tool.archlint.severity] must be a table"),
    "severity-value": (b"[tool.archlint.severity]\nAL101 = 1\n",
                       "severity of AL101 must be one of error, warning, info, got 1"),
    "rules-number": (b"[tool.archlint]\nrules = 5\n",
                     "[tool.archlint.rules] must be a table of rule tables"),
    "rule-table-number": (b"[tool.archlint.rules]\ntoo-few-timesteps = 5\n",
                          "[tool.archlint.rules.too-few-timesteps] must be a table"),
    "option-nan": (b"[tool.archlint.rules.too-few-timesteps]\nmin-timesteps = nan\n",
                   "option `min-timesteps` of too-few-timesteps must be a finite number"),
    "option-inf": (b"[tool.archlint.rules.parameter-hotspot]\nhotspot-share = inf\n",
                   "option `hotspot-share` of parameter-hotspot must be a finite number"),
    "option-string": (b'[tool.archlint.rules.parameter-budget]\nmax-params = "1M"\n',
                      "must be a finite number"),
    "nested-too-deeply": (b"[tool.archlint]\nx = " + b"[" * 20000 + b"]" * 20000 + b"\n",
                          "is not valid TOML"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED_CONFIGS))
def test_malformed_configuration_is_a_configuration_error(tmp_path: Path, case: str) -> None:
    text, message = MALFORMED_CONFIGS[case]
    (tmp_path / "model.py").write_text(TWO_FINDINGS)
    (tmp_path / "pyproject.toml").write_bytes(text)
    result = run_untouched(tmp_path, "model.py")
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert result.stdout == ""
    # The same file given with --config, under another name.
    (tmp_path / "pyproject.toml").rename(tmp_path / "lint.toml")
    result = run_untouched(tmp_path, "--config", "lint.toml", "model.py")
    assert result.returncode == 2 and message in result.stderr, result.stderr


def test_dedicated_config_file_with_a_non_table_archlint(tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text(CLEAN)
    (tmp_path / "lint.toml").write_text("archlint = 5\n")
    result = run_untouched(tmp_path, "--config", "lint.toml", "model.py")
    assert result.returncode == 2
    assert "lint.toml: `archlint` must be a table ([archlint]), got 5" in result.stderr


def test_broken_pyproject_that_cannot_hold_settings_is_still_ignored(tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text(CLEAN)
    (tmp_path / "pyproject.toml").write_bytes(b'[project]\nname = "caf\xe9"\n')
    assert run_untouched(tmp_path, "model.py").returncode == 0


@pytest.mark.parametrize(("option", "value"), [("--select", ""), ("--select", ",,,"),
                                               ("--ignore", " , ")])
def test_selection_naming_nothing_is_an_error(tmp_path: Path, option: str, value: str) -> None:
    (tmp_path / "model.py").write_text(TWO_FINDINGS)
    result = run_untouched(tmp_path, option, value, "model.py")
    assert result.returncode == 2
    assert f"{option} {value!r} names no rule code, prefix or name" in result.stderr
    assert result.stdout == ""


# --------------------------------------------------------------------------- --output


def test_output_into_a_missing_directory_or_onto_a_directory(tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text(CLEAN)
    (tmp_path / "reports").mkdir()
    result = run_untouched(tmp_path, "--output", "missing/report.txt", "model.py")
    assert result.returncode == 2
    assert "--output missing/report.txt: directory missing does not exist" in result.stderr
    for target in ("reports", "reports/"):
        result = run_untouched(tmp_path, "--output", target, "model.py")
        assert result.returncode == 2 and "is a directory" in result.stderr, result.stderr


def test_output_naming_an_input_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "model.py").write_text(TWO_FINDINGS)
    (work / "saved.json").write_text('{"class_name": "Sequential", "config": {"layers": []}}')
    (work / "pyproject.toml").write_text('[tool.archlint]\nignore = ["AL401"]\n')
    (work / "alias.py").symlink_to("model.py")
    os.link(work / "model.py", work / "hard_link.py")
    spellings = ["model.py", "./model.py", str(work / "model.py"), "../work/model.py",
                 "alias.py", "hard_link.py", "saved.json", "pyproject.toml"]
    for spelling in spellings:
        for form in ("text", "json"):
            result = run_untouched(work, "--format", form, "--output", spelling, "model.py",
                                   "saved.json")
            assert result.returncode == 2, (spelling, result.stderr)
            assert "one of the files archlint reads; writing the report there would " \
                   "overwrite it" in result.stderr, result.stderr
    # In a directory walk too.
    result = run_untouched(tmp_path, "--output", "work/model.py", "work")
    assert result.returncode == 2 and "one of the files archlint reads" in result.stderr
    # A new file is fine.
    result = archlint("--format", "json", "--output", "report.json", "model.py", cwd=work)
    assert result.returncode == 1 and result.stdout == ""
    report = json.loads((work / "report.json").read_text())
    assert [d["code"] for d in report["files"][0]["diagnostics"]] == ["AL204", "AL101"]
    assert (work / "model.py").read_text() == TWO_FINDINGS


# --------------------------------------------------------------------------- .keras zip bombs


def _deflate_of_spaces(megabytes: int) -> bytes:
    """A raw deflate stream of ``megabytes`` MiB of spaces, made in milliseconds: one
    fully flushed block repeated (each block stands alone), then the final block."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(b" " * (1 << 20)) + compressor.flush(zlib.Z_FULL_FLUSH)
    return block * megabytes + compressor.flush()


def _zip_with_member(path: Path, name: str, data: bytes, declared: int) -> Path:
    """A one-member zip whose headers declare ``declared`` bytes for a deflated ``data``."""
    encoded = name.encode()
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, 0, len(data), declared,
                        len(encoded), 0) + encoded
    central = struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, 0, len(data),
                          declared, len(encoded), 0, 0, 0, 0, 0, 0) + encoded
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(central),
                      len(local) + len(data), 0)
    path.write_bytes(local + data + central + end)
    return path


def test_zip_member_that_lies_about_its_size_is_read_with_bounded_memory(
        tmp_path: Path) -> None:
    # 1 GiB of spaces in a 1 MB file, declared as 100 bytes.
    bomb = _zip_with_member(tmp_path / "bomb.keras", "config.json",
                            _deflate_of_spaces(1024), declared=100)
    started = time.monotonic()
    tracemalloc.start()
    try:
        with pytest.raises(SavedModelError, match="corrupt zip: Bad CRC-32"):
            load_config(bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024 * 1024, f"{peak:,} bytes"
    assert time.monotonic() - started < 5
    result = run_untouched(tmp_path, "bomb.keras")
    assert result.returncode == 2
    assert "bomb.keras is not a readable .keras archive (corrupt zip: Bad CRC-32 for file " \
           "'config.json')" in result.stdout


def test_zip_member_that_inflates_past_the_limit(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # Honestly declared: refused from its header, nothing inflated.
    _zip_with_member(tmp_path / "honest.keras", "config.json", _deflate_of_spaces(1024),
                     declared=1 << 30)
    result = run_untouched(tmp_path, "honest.keras")
    assert result.returncode == 2
    assert "config.json is too large (1,073,741,824 bytes) to be a Keras model config" \
        in result.stdout
    # Read as a stream that stops at the limit: a huge JSON file, and a zip member.
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (3 << 20))
    monkeypatch.setattr(saved_files, "MAX_CONFIG_BYTES", 1 << 20)
    with pytest.raises(SavedModelError, match=r"big.json holds more than 1 MiB, too much to "
                                              "be a Keras model config"):
        load_config(big)
    lying = _zip_with_member(tmp_path / "lying.keras", "config.json",
                             _deflate_of_spaces(8), declared=8 << 20)
    with zipfile.ZipFile(lying) as archive, archive.open("config.json") as member, \
            pytest.raises(SavedModelError, match=r"lying \(config.json\) holds more than 1 "
                                                 "MiB"):
        saved_files._read_limited(member, "lying (config.json)")


# --------------------------------------------------------------------------- suppressions


def _with_comments(comments: dict[int, str], head: str = "") -> str:
    lines = TWO_FINDINGS.splitlines()
    for index, comment in comments.items():
        lines[index] += f"  # archlint: {comment}"
    return head + "\n".join(lines) + "\n"


def _messages(result: subprocess.CompletedProcess[str]) -> list[tuple[str, str]]:
    (file,) = json.loads(result.stdout)["files"]
    return [(d["code"], d["message"]) for d in file["diagnostics"]]


def test_noqa_with_unknown_codes_and_names_is_reported(tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text(_with_comments({5: "noqa: AL999, no-such-rule"}))
    result = run_untouched(tmp_path, "--format", "json", "model.py")
    assert _messages(result) == [
        ("AL204", _messages(result)[0][1]), ("AL101", _messages(result)[1][1]),
        ("AL503", "this `archlint: noqa` names AL999 and no-such-rule, which match no rule "
                  "code, prefix or name (see `archlint rules`)")]
    assert result.returncode == 1
    # A known code beside an unknown one still suppresses; the unknown one is reported.
    (tmp_path / "model.py").write_text(_with_comments({5: "noqa: AL101, AL1O1"}))
    result = run_untouched(tmp_path, "--format", "json", "model.py")
    assert [code for code, _ in _messages(result)] == ["AL204", "AL503"]
    assert "names AL1O1, which matches no rule" in _messages(result)[1][1]
    # An unused code beside a used one.
    (tmp_path / "model.py").write_text(_with_comments({5: "noqa: AL101 AL204"}))
    result = run_untouched(tmp_path, "--format", "json", "model.py")
    assert _messages(result)[1:] == [
        ("AL503", "AL204 in this `archlint: noqa` suppresses nothing; remove it from the "
                  "comment")]


def test_noqa_prefix_works_as_in_select(tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text(_with_comments({2: "noqa: AL2", 5: "noqa: al1"}))
    result = run_untouched(tmp_path, "--format", "json", "model.py")
    assert _messages(result) == [] and result.returncode == 0
    (tmp_path / "model.py").write_text(_with_comments({5: "noqa: AL3"}))
    result = run_untouched(tmp_path, "--format", "json", "model.py")
    assert [code for code, _ in _messages(result)] == ["AL204", "AL101", "AL503"]
    assert "for AL3 suppresses nothing" in _messages(result)[2][1]


def test_noqa_for_a_rule_that_did_not_run_is_not_judged(tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text(_with_comments({2: "noqa: AL204"}))
    result = run_untouched(tmp_path, "--format", "json", "--select", "AL1,AL5", "model.py")
    assert [code for code, _ in _messages(result)] == ["AL101"]


def test_skip_file_with_codes_skips_those_codes_only(tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text(_with_comments({}, "# archlint: skip-file: AL101\n"))
    result = run_untouched(tmp_path, "--format", "json", "model.py")
    assert [code for code, _ in _messages(result)] == ["AL204"]
    (tmp_path / "model.py").write_text(
        _with_comments({}, "# archlint: skip-file: keras3-asymmetric-bidirectional, AL4\n"))
    result = run_untouched(tmp_path, "--format", "json", "model.py")
    assert _messages(result)[0] == (
        "AL503", "AL4 in this `archlint: skip-file` suppresses nothing; remove it from the "
                 "comment")
    assert [code for code, _ in _messages(result)] == ["AL503", "AL101"]
    (tmp_path / "model.py").write_text(_with_comments({}, "# archlint: skip-file: AL999\n"))
    result = run_untouched(tmp_path, "--format", "json", "model.py")
    assert [code for code, _ in _messages(result)] == ["AL503", "AL204", "AL101"]
    assert "skip-file` names AL999, which matches no rule" in _messages(result)[0][1]
    # The bare form still skips the whole file.
    (tmp_path / "model.py").write_text(_with_comments({}, "# archlint: skip-file\n"))
    result = run_untouched(tmp_path, "--format", "json", "model.py")
    assert _messages(result) == [] and result.returncode == 0
