"""Each output format on one fixture model, compared with a snapshot in tests/snapshots/
(set ARCHLINT_UPDATE_SNAPSHOTS=1 to rewrite them after a deliberate change)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_DIR = ROOT / "tests" / "fixtures" / "render"
SNAPSHOTS = ROOT / "tests" / "snapshots"
FORMATS = ["text", "json", "sarif", "github", "concise"]


def archlint(*args: str, cwd: Path = FIXTURE_DIR) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "archlint", *args], cwd=cwd,
                          capture_output=True, text=True, check=False,
                          env={**os.environ, "NO_COLOR": "1"})


@pytest.mark.parametrize("output_format", FORMATS)
def test_snapshot(output_format: str) -> None:
    result = archlint("--format", output_format, "model.py")
    assert result.returncode == 1, result.stderr
    output = result.stdout
    if output_format == "sarif":
        # The rules array grows with the catalog; the schema test checks it, not the snapshot.
        output = json.dumps(json.loads(output)["runs"][0]["results"], indent=2) + "\n"
    snapshot = SNAPSHOTS / f"render.{output_format}"
    if os.environ.get("ARCHLINT_UPDATE_SNAPSHOTS"):
        snapshot.write_text(output)
    assert output == snapshot.read_text(), f"{snapshot.name} changed"


def test_sarif_validates_against_the_official_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((ROOT / "tests" / "data" / "sarif-2.1.0-rtm.5.json").read_text())
    log = json.loads(archlint("--format", "sarif", "model.py").stdout)
    jsonschema.validate(log, schema)
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "archlint" and driver["version"] and driver["informationUri"]
    rule_ids = {rule["id"] for rule in driver["rules"]}
    for rule in driver["rules"]:
        assert rule["name"] and rule["shortDescription"]["text"]
        assert rule["fullDescription"]["text"] and rule["defaultConfiguration"]["level"]
    codes = {r["ruleId"] for r in run["results"]}
    assert codes == {"AL001", "AL101", "AL204"} and codes <= rule_ids
    for result in run["results"]:
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == "model.py"
        assert location["region"]["startLine"] >= 1 and location["region"]["endLine"] >= 1


def test_github_workflow_commands() -> None:
    lines = archlint("--format", "github", "model.py").stdout.splitlines()
    assert any(line.startswith("::error file=model.py,line=12,col=5,") and
               "title=AL101 nonpositive-timesteps::" in line for line in lines), lines
    assert any(line.startswith("::warning file=model.py,line=9,") for line in lines), lines
    assert any(line.startswith("::notice ") and "AL001" in line for line in lines), lines


def test_output_file_and_exit_zero(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    result = archlint("--format", "json", "--output", str(target), "--exit-zero", "model.py")
    assert result.returncode == 0 and result.stdout == ""
    assert json.loads(target.read_text())["files"][0]["path"] == "model.py"
    text = tmp_path / "report.txt"
    archlint("--output", str(text), "model.py")
    assert "AL101" in text.read_text() and "\x1b[" not in text.read_text()


def test_jobs_give_the_same_output_in_the_same_order(tmp_path: Path) -> None:
    source = (FIXTURE_DIR / "model.py").read_text()
    for i in range(12):
        (tmp_path / f"m{i:02}.py").write_text(source.replace("snapshot", f"m{i}"))
    one = archlint("--format", "json", str(tmp_path))
    many = archlint("--format", "json", "--jobs", "3", str(tmp_path))
    assert one.returncode == many.returncode == 1
    assert one.stdout == many.stdout
