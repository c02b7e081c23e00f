"""Every rule's VALID examples stay silent for it and its INVALID examples trigger it."""

from __future__ import annotations

import pytest

from archlint.analysis import Settings, analyse_source, default_settings
from archlint.rule import Invalid, Rule

RULES = default_settings().rules
EXAMPLES = [(rule, kind, i, source) for rule in RULES
            for kind, sources in (("valid", rule.VALID), ("invalid", rule.INVALID))
            for i, source in enumerate(sources)]


def test_every_rule_has_examples_and_docs() -> None:
    for rule in RULES:
        assert rule.VALID, rule.code
        assert rule.INVALID or rule.code == "AL004", rule.code  # crashes are not scripts
        doc = rule.__doc__ or ""
        for section in ("What it does", "Why it matters", "Example", "Use instead"):
            assert section in doc, f"{rule.code} lacks '{section}'"
        assert rule.name == rule.name.lower() and " " not in rule.name


def test_codes_and_names_are_unique() -> None:
    assert len({r.code for r in RULES}) == len(RULES)
    assert len({r.name for r in RULES}) == len(RULES)


@pytest.mark.parametrize(("rule", "kind", "index", "source"), EXAMPLES,
                         ids=[f"{r.code}-{k}-{i}" for r, k, i, _ in EXAMPLES])
def test_rule_example(rule: Rule, kind: str, index: int, source: str) -> None:
    configured = type(rule)(**rule.EXAMPLE_OPTIONS)
    settings = Settings([r if r.code != rule.code else configured for r in RULES],
                        **rule.EXAMPLE_SETTINGS)
    codes = [d.code for d in analyse_source(source, "example.py", settings).diagnostics]
    if kind == "invalid":
        assert rule.code in codes, f"{rule.code} not reported; got {codes}"
    else:
        assert rule.code not in codes, f"{rule.code} reported on a valid example"


def test_rules_reference_is_up_to_date() -> None:
    from pathlib import Path

    from archlint.docs import rules_markdown

    documented = (Path(__file__).parent.parent / "docs" / "rules.md").read_text()
    assert documented == rules_markdown([type(rule) for rule in RULES]), (
        "docs/rules.md is stale: run `python -m archlint.docs > docs/rules.md`")


PRECISE = [(rule, i, source) for rule in RULES for i, source in enumerate(rule.INVALID)
           if isinstance(source, Invalid)]


def test_invalid_examples_say_where_and_what() -> None:
    assert len(PRECISE) == sum(len(rule.INVALID) for rule in RULES)  # every built-in one


@pytest.mark.parametrize(("rule", "index", "source"), PRECISE,
                         ids=[f"{r.code}-invalid-{i}" for r, i, _ in PRECISE])
def test_invalid_example_line_and_message(rule: Rule, index: int, source: Invalid) -> None:
    configured = type(rule)(**rule.EXAMPLE_OPTIONS)
    settings = Settings([r if r.code != rule.code else configured for r in RULES],
                        **rule.EXAMPLE_SETTINGS)
    found = [d for d in analyse_source(source, "example.py", settings).diagnostics
             if d.code == rule.code]
    assert any((source.line is None or d.span.line == source.line) and
               (source.message is None or source.message in d.message) for d in found), (
        f"{rule.code} expected on line {source.line} with {source.message!r}; got "
        f"{[(d.span.line, d.message) for d in found]}")
