"""Diagnostics: what archlint reports, with a code, a severity and a source span."""

from __future__ import annotations

from enum import StrEnum

from archlint.graph import Span
from archlint.records import record


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]


@record(frozen=True)
class Event:
    """A fact found by the front end or the engine, before a rule turns it into a diagnostic
    (a shape error, an unresolved value, an unsupported construct)."""

    code: str
    message: str
    span: Span
    model: str | None = None
    layer: str | None = None


@record(frozen=True)
class Diagnostic:
    code: str
    rule: str
    severity: Severity
    message: str
    span: Span
    model: str | None = None
    layer: str | None = None

    def sort_key(self) -> tuple[int, int, str]:
        return (self.span.line, self.span.column, self.code)
