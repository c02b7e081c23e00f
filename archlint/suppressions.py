"""Inline suppressions, read from comments (never from strings):

    x = Bidirectional(...)(x)  # archlint: noqa: AL204      this code, on any line of the call
    x = Bidirectional(...)(x)  # archlint: noqa             every code
    # archlint: skip-file                                     the whole file
"""

from __future__ import annotations

import io
import re
import tokenize

from archlint.records import field, record

MARKER = "archlint:"
_DIRECTIVE = re.compile(r"#\s*archlint:\s*(?P<kind>noqa|skip-file)\b(?::\s*(?P<codes>[\w\-, ]+))?",
                        re.IGNORECASE)


@record
class Suppression:
    line: int
    column: int
    codes: frozenset[str] | None  # None: every code
    used: bool = False

    def covers(self, code: str, rule: str) -> bool:
        return self.codes is None or code in self.codes or rule in self.codes


@record
class Suppressions:
    skip_file: bool = False
    by_line: dict[int, Suppression] = field(default_factory=dict)

    def find(self, code: str, rule: str, first_line: int, last_line: int) -> Suppression | None:
        for line in range(first_line, max(first_line, last_line) + 1):
            suppression = self.by_line.get(line)
            if suppression is not None and suppression.covers(code, rule):
                return suppression
        return None

    def unused(self) -> list[Suppression]:
        return [s for s in self.by_line.values() if not s.used]


def parse(source: str) -> Suppressions:
    """The suppression comments of a file (cheap when it has none)."""
    result = Suppressions()
    if MARKER not in source:
        return result
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return result
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        match = _DIRECTIVE.search(token.string)
        if match is None:
            continue
        if match.group("kind").lower() == "skip-file":
            result.skip_file = True
            continue
        codes = match.group("codes")
        selected = frozenset(c.strip().upper() if c.strip()[:2].upper() == "AL" else c.strip()
                             for c in codes.split(",") if c.strip()) if codes else None
        line, column = token.start
        result.by_line[line] = Suppression(line, column + match.start(), selected or None)
    return result
