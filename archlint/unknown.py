"""The value of whatever the front end cannot resolve statically.

An ``Unknown`` is a first-class value: it flows through arithmetic, attribute access,
calls and shapes without crashing, and keeps the reason and source line of its origin so
that a report can say *why* a number is missing.
"""

from __future__ import annotations

from archlint.records import record


@record(frozen=True, eq=False)
class Unknown:
    """A value that cannot be known without running the script.

    >>> u = Unknown("args.units comes from the command line", line=7)
    >>> (u + 1) is u, (3 * u) is u
    (True, True)
    >>> str(u)
    '?'
    """

    reason: str
    line: int | None = None

    def __str__(self) -> str:
        return "?"

    def describe(self) -> str:
        where = f" (line {self.line})" if self.line else ""
        return f"{self.reason}{where}"

    # Arithmetic absorbs: any operation involving an unknown is unknown, with the same origin.
    def _absorb(self, *_args: object) -> Unknown:
        return self

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _absorb
    __floordiv__ = __rfloordiv__ = __truediv__ = __rtruediv__ = _absorb
    __mod__ = __rmod__ = __pow__ = __rpow__ = __neg__ = __pos__ = _absorb


@record(frozen=True, eq=False)
class Unmodelled(Unknown):
    """An unknown that comes from what archlint does not model (a layer on a ragged
    tensor), not from the data: reported as unsupported (AL002) where it arises."""


def first_unknown(values: object) -> Unknown | None:
    """The first Unknown found in a (possibly nested) value, or None.

    >>> first_unknown([1, (2, Unknown("x"))]).reason
    'x'
    """
    if isinstance(value := values, Unknown):
        return value
    if isinstance(values, dict):
        values = list(values.values())
    if isinstance(values, (list, tuple)):
        for item in values:
            found = first_unknown(item)
            if found is not None:
                return found
    return None
