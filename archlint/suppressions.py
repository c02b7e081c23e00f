"""Inline suppressions, read from comments (never from strings):

    x = Bidirectional(...)(x)  # archlint: noqa: AL204      this code, on any line of the call
    x = Bidirectional(...)(x)  # archlint: noqa: AL2        every AL2xx code (a prefix)
    x = Bidirectional(...)(x)  # archlint: noqa             every code
    # archlint: skip-file: AL401                              this code, in the whole file
    # archlint: skip-file                                     the whole file

Codes are named as ``--select`` names them: a code, a code prefix or a rule name.
"""

from __future__ import annotations

import io
import re
import tokenize

from archlint.records import field, record

MARKER = "archlint:"
_DIRECTIVE = re.compile(r"#\s*archlint:\s*(?P<kind>noqa|skip-file)\b(?::\s*(?P<codes>[\w\-, ]+))?",
                        re.IGNORECASE)
_SEPARATORS = re.compile(r"[,\s]+")
_BUILTIN_CODE = re.compile(r"al\d*", re.IGNORECASE)  # written in any case: al204, Al2


def selects(selector: str, code: str, rule: str) -> bool:
    """A selector names a rule by code prefix (``AL``, ``AL2``, ``AL203``) or by name, as
    ``--select`` does.

    >>> selects("AL2", "AL204", "x"), selects("AL20", "AL101", "x"), selects("x", "AL1", "x")
    (True, False, True)
    """
    return code.startswith(selector) or rule == selector


@record
class Suppression:
    line: int
    column: int
    codes: tuple[str, ...] | None  # None: every code
    file_wide: bool = False  # skip-file with codes
    used: bool = False
    # The selectors among ``codes`` that suppressed something.
    used_codes: set[str] = field(default_factory=set)

    @property
    def directive(self) -> str:
        return "skip-file" if self.file_wide else "noqa"

    def covers(self, code: str, rule: str) -> bool:
        if self.codes is None:
            return True
        matched = [s for s in self.codes if selects(s, code, rule)]
        self.used_codes.update(matched)
        return bool(matched)


@record
class Suppressions:
    skip_file: bool = False  # a bare skip-file: the file is not analysed at all
    by_line: dict[int, Suppression] = field(default_factory=dict)
    file_wide: list[Suppression] = field(default_factory=list)

    def find(self, code: str, rule: str, first_line: int, last_line: int) -> Suppression | None:
        """The suppression that hides a finding of ``code`` spanning these lines, if any
        (marked as used)."""
        for line in range(first_line, max(first_line, last_line) + 1):
            suppression = self.by_line.get(line)
            if suppression is not None and suppression.covers(code, rule):
                suppression.used = True
                return suppression
        for suppression in self.file_wide:
            if suppression.covers(code, rule):
                suppression.used = True
                return suppression
        return None

    def every(self) -> list[Suppression]:
        return sorted([*self.by_line.values(), *self.file_wide], key=lambda s: s.line)


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
        codes = _codes(match.group("codes"))
        line, column = token.start
        suppression = Suppression(line, column + match.start(), codes)
        if match.group("kind").lower() == "noqa":
            result.by_line[line] = suppression
        elif codes is None:
            result.skip_file = True
        else:
            suppression.file_wide = True
            result.file_wide.append(suppression)
    return result


def _codes(text: str | None) -> tuple[str, ...] | None:
    """``AL204, al1 unused-suppression`` as ``("AL204", "AL1", "unused-suppression")``;
    None when no code is named (every code)."""
    names = [c for c in _SEPARATORS.split(text or "") if c]
    return tuple(c.upper() if _BUILTIN_CODE.fullmatch(c) else c for c in names) or None
