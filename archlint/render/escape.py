"""Text taken from the analysed files (paths, layer and model names, messages, source lines)
made safe to print: a control character is shown as its escape sequence, so a name cannot
move the cursor, clear the screen, start a new line or forge a report line.

Every renderer that writes for a terminal or a line-based consumer goes through ``visible``;
JSON and SARIF escape control characters by themselves.
"""

from __future__ import annotations

import re

# C0 controls, DEL, C1 controls, the Unicode line and paragraph separators, and the
# bidirectional overrides and isolates that reorder what a terminal shows.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    r"""``text`` with every control character written as its escape sequence.

    >>> print(visible("a\x1b[2J\n::error b"))
    a\x1b[2J\n::error b
    >>> visible("Conv1D 'conv' (T-9)//2 ≥ 1")
    "Conv1D 'conv' (T-9)//2 ≥ 1"
    """
    if text.isascii() and text.isprintable():  # the common case, without the regex
        return text
    return _UNSAFE.sub(_escape, text)


def visible_source(line: str) -> str:
    """A source line for an excerpt: tabs expanded as a terminal shows them, other
    control characters escaped."""
    return visible(line.expandtabs())
