"""Rule documentation, generated from the rule classes: ``archlint explain`` and
docs/rules.md print the same text (for a terminal, and as Markdown)."""

from __future__ import annotations

import inspect
import re

from archlint.records import record
from archlint.rule import Rule

SECTIONS = ("What it does", "Why it matters", "Example", "Use instead")


def sections(rule: type[Rule]) -> dict[str, str]:
    """The docstring's fixed sections, by title."""
    doc = inspect.cleandoc(rule.__doc__ or "")
    pattern = "|".join(re.escape(s) for s in SECTIONS)
    parts = re.split(rf"^({pattern}):", doc, flags=re.MULTILINE)
    found = {}
    for title, body in zip(parts[1::2], parts[2::2]):
        found[title] = " ".join(line.strip() for line in body.strip().splitlines())
    return found


# Docstrings mark code as reStructuredText inline literals: ``Dense(8)``.
INLINE_LITERAL = re.compile(r"``(.+?)``")


@record(frozen=True)
class Block:
    """One piece of a rule's documentation: a ``title``, a ``paragraph`` (inline literals
    still marked) or a ``code`` example."""

    kind: str
    text: str


def rule_blocks(rule: type[Rule], source: str = "built-in") -> list[Block]:
    """What ``archlint explain`` shows, in order; the renderer decides how it looks."""
    blocks = [Block("title", f"{rule.code} {rule.name} ({rule.severity.value}, {source})"),
              Block("paragraph", rule.summary + ".")]
    for title, body in sections(rule).items():
        blocks += [Block("heading", f"{title}:"), Block("paragraph", body)]
    if rule.options:
        blocks.append(Block("heading", "Options:"))
        blocks += [Block("paragraph", f"``{name} = {default!r}``")
                   for name, default in rule.options.items()]
    for label, examples in (("Flagged", rule.INVALID), ("Not flagged", rule.VALID)):
        for example in examples:
            blocks += [Block("heading", f"{label}:"), Block("code", example.rstrip())]
    return blocks


def plain_text(text: str) -> str:
    """A docstring's text without its markup: ``Dense(8)`` becomes Dense(8)."""
    return INLINE_LITERAL.sub(r"\1", text)


def rules_markdown(rules: list[type[Rule]]) -> str:
    """docs/rules.md: an index table, then each rule's documentation and examples."""
    out = ["# Rules", "",
           "Generated from the rule classes in `rules/` "
           "(`python -m archlint.docs > docs/rules.md`); `archlint explain CODE` prints the "
           "same text.", "",
           "| code | name | severity | summary |", "|---|---|---|---|"]
    out += [f"| {r.code} | [{r.name}](#{r.code.lower()}-{r.name}) | {r.severity.value} | "
            f"{r.summary} |" for r in rules]
    for rule in rules:
        out += ["", f"## {rule.code} {rule.name}", "",
                f"Severity: {rule.severity.value}. {rule.summary}.", ""]
        for title, body in sections(rule).items():
            out += [f"**{title}.** {body}", ""]
        if rule.options:
            out.append("Options (under `[tool.archlint.rules." + rule.name + "]`):")
            out += [f"- `{name}` (default `{default!r}`)" for name, default in rule.options.items()]
            out.append("")
        for label, examples in (("Flagged", rule.INVALID), ("Not flagged", rule.VALID)):
            for example in examples:
                out += [f"{label}:", "", "```python", example.rstrip(), "```", ""]
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    import sys

    from archlint.plugins import load_rules

    loaded, _ = load_rules(include_plugins=False)
    sys.stdout.write(rules_markdown([entry.rule_class for entry in loaded]))
