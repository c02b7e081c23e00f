"""Fixture scripts with inline expectations: a line ending in ``# expect: AL101`` must get
exactly that diagnostic, and no line without one may get a warning or an error."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from archlint.analysis import analyse_file

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "expect").glob("*.py"))
EXPECT = re.compile(r"#\s*expect:\s*([A-Z0-9, ]+)$")


def expectations(path: Path) -> set[tuple[int, str]]:
    expected = set()
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        match = EXPECT.search(line.rstrip())
        if match:
            expected |= {(number, code.strip()) for code in match.group(1).split(",")}
    return expected


@pytest.mark.parametrize("path", FIXTURES, ids=[p.name for p in FIXTURES])
def test_fixture_expectations(path: Path) -> None:
    report = analyse_file(path)
    found = {(d.span.line, d.code) for d in report.diagnostics
             if d.severity.value != "info" or (d.span.line, d.code) in expectations(path)}
    assert found == expectations(path), "\n".join(
        f"{d.span.line}: {d.code} {d.message}" for d in report.diagnostics)
