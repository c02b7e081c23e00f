"""KerasTuner's ``hp`` at one point of a search space, as the script's hypermodel sees it.

Follows KerasTuner 1.4's ``HyperParameters``: the first call of a name registers it and
returns the point's value for it, or its default (``Int``/``Float``: ``min_value``;
``Choice``: the first value; ``Boolean``: False); a later call of the same name returns the
same value; a hyperparameter under a condition that does not hold (``parent_name=``,
``hp.conditional_scope``) is inactive and returns None. Nothing of KerasTuner is imported.
"""

from __future__ import annotations

import math
from typing import Any

from archlint.frontend.values import (
    TUNER,
    HostObject,
    HostScope,
    HyperSize,
    RuntimeValue,
    is_plain,
)
from archlint.records import field, record
from archlint.unknown import Unknown

# An Int with more values than this is sampled, not listed.
MAX_LISTED_VALUES = 10_000
KINDS = ("Int", "Float", "Choice", "Boolean", "Fixed")

# Each method's parameters after `name`, with their defaults (KerasTuner 1.4).
_SIGNATURES: dict[str, tuple[tuple[str, Any], ...]] = {
    "Int": (("min_value", None), ("max_value", None), ("step", None),
            ("sampling", "linear"), ("default", None)),
    "Float": (("min_value", None), ("max_value", None), ("step", None),
              ("sampling", "linear"), ("default", None)),
    "Choice": (("values", None), ("ordered", None), ("default", None)),
    "Boolean": (("default", False),),
    "Fixed": (("value", None),),
}
_CONDITION = (("parent_name", None), ("parent_values", None))


class SpaceError(Exception):
    """The search space cannot be read statically: the message says why."""


@record(frozen=True)
class AnyValue:
    """Any value of a range with no step: the hypermodel gets an unknown value, so that a
    figure that stays known does not depend on it."""

    low: Any
    high: Any

    def __repr__(self) -> str:
        return f"any of {self.low}..{self.high}"


@record
class HyperParameter:
    """One hyperparameter as its first call defines it."""

    name: str
    kind: str
    default: Any
    line: int | None
    # Every value it takes, in KerasTuner's order; None when there are too many to list
    # (a Float without step): then ``low`` and ``high`` bound it.
    values: tuple[Any, ...] | None
    low: Any = None
    high: Any = None
    # A readable definition: "Int 32..512 step 32".
    text: str = ""

    def candidates(self) -> tuple[Any, ...]:
        """The values to try: every value, or the bounds and the default of a range."""
        if self.values is not None:
            return self.values
        return tuple(dict.fromkeys([self.low, self.high, self.default]))

    def walked(self) -> tuple[Any, ...]:
        """The values a whole walk gives it: every value, or for a range with no step its
        default, any value (unknown to the hypermodel), and its two ends (where Keras's
        limits on a value usually lie)."""
        if self.values is not None:
            return self.values
        return tuple(dict.fromkeys([self.default, AnyValue(self.low, self.high), self.low,
                                    self.high]))


@record(eq=False)
class PointHyperParameters(HostObject):
    """The ``hp`` a hypermodel gets at one point: ``assignment`` gives the values of the
    hyperparameters it sets; the others take their defaults."""

    assignment: dict[str, Any]
    # The active hyperparameters' values, in the order of their first call.
    values: dict[str, Any] = field(default_factory=dict)
    # Every hyperparameter met (active or not), by name, in the order first met.
    defined: dict[str, HyperParameter] = field(default_factory=dict)
    conditions: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)
    # Why the space cannot be read (an argument only known at run time...).
    problem: str | None = None
    # Lines whose hyperparameters are only layer sizes (search_space.size_uses): those are
    # kept as symbols, not given a value; by name, in the order of their first call.
    size_lines: frozenset[int] = frozenset()
    symbolic: dict[str, HyperParameter] = field(default_factory=dict)
    # A symbol's hyperparameter was also asked for on another line: its value is needed.
    needs_value: str | None = None

    def call_method(self, name: str, args: list[Any], kwargs: dict[str, Any],
                    line: int | None) -> Any:
        try:
            if name in KINDS:
                return self._hyperparameter(name, args, kwargs, line)
            if name == "conditional_scope":
                parent, parent_values = _bind(name, (("parent_name", None),
                                                     ("parent_values", None)), args, kwargs)
                return self._scope(parent, parent_values)
            if name == "get" and len(args) == 1 and not kwargs and args[0] in self.symbolic:
                return self._value_needed(args[0], line)
            if name == "get" and len(args) == 1 and not kwargs and args[0] in self.values:
                return self.values[args[0]]
            raise SpaceError(f"`hp.{name}(...)` is not followed")
        except SpaceError as error:
            if self.problem is None:
                self.problem = f"line {line}: {error}" if line else str(error)
            return Unknown(str(error), line)

    def _value_needed(self, name: str, line: int | None) -> Unknown:
        if self.needs_value is None:
            self.needs_value = f"`{name}` is also used where its value matters" + (
                f" (line {line})" if line else "")
        return Unknown(self.needs_value, line)

    def _scope(self, parent: Any, parent_values: Any) -> ConditionScope:
        if parent not in self.defined:
            raise SpaceError(f"`hp.conditional_scope` names `{parent}`, which is not defined "
                             "before it (KerasTuner refuses it)")
        return ConditionScope(self, (parent, _as_tuple(parent_values)))

    def active(self, conditions: list[tuple[str, tuple[Any, ...]]]) -> bool:
        return all(parent in self.values and self.values[parent] in allowed
                   for parent, allowed in conditions)

    def _hyperparameter(self, kind: str, args: list[Any], kwargs: dict[str, Any],
                        line: int | None) -> Any:
        if not args and "name" not in kwargs:
            raise SpaceError(f"`hp.{kind}(...)` has no name")
        kwargs = dict(kwargs)
        name = args[0] if args else kwargs.pop("name")
        bound = _bind(kind, _SIGNATURES[kind] + _CONDITION, list(args[1:]), kwargs)
        parent, parent_values = bound[-2:]
        if not isinstance(name, str):
            raise SpaceError(f"`hp.{kind}(...)`'s name is not a string known statically")
        conditions = list(self.conditions)
        if parent is not None:
            conditions.append((parent, _as_tuple(parent_values)))
        if name not in self.defined:
            self.defined[name] = _define(kind, name, bound[:-2], line)
        if not self.active(conditions):
            return None  # KerasTuner's value of an inactive hyperparameter
        if name in self.symbolic:
            if line not in self.size_lines:
                return self._value_needed(name, line)
            return _symbol(self.symbolic[name], line)
        if name not in self.values and line in self.size_lines and name not in \
                self.assignment and is_size(self.defined[name]):
            self.symbolic[name] = self.defined[name]
            return _symbol(self.symbolic[name], line)
        if name not in self.values:
            defined = self.defined[name]
            self.values[name] = self.assignment.get(name, defined.default)
        value = self.values[name]
        if isinstance(value, AnyValue):
            return RuntimeValue.of(f"hp.{kind}('{name}', ...)", line, TUNER)
        return value


def _symbol(hp: HyperParameter, line: int | None) -> HyperSize:
    return HyperSize.of_symbol(symbol_name(hp.name), min(hp.values or (1,)), line)


def symbol_name(name: str) -> str:
    """The named size standing for a hyperparameter kept as a symbol: not a name a
    ``--set`` binding could give (archlint.frontend.symbols.bound_value)."""
    return f"hp[{name!r}]"


def is_size(hp: HyperParameter) -> bool:
    """Whether every value of the hyperparameter is a positive int (a layer's size)."""
    return hp.kind in ("Int", "Choice") and hp.values is not None and all(
        type(v) is int and v > 0 for v in hp.values)


@record(eq=False)
class ConditionScope(HostScope):
    """``with hp.conditional_scope(parent, values):``."""

    owner: PointHyperParameters
    condition: tuple[str, tuple[Any, ...]]

    def enter(self) -> None:
        self.owner.conditions.append(self.condition)

    def exit(self) -> None:
        self.owner.conditions.pop()


def _bind(kind: str, signature: tuple[tuple[str, Any], ...], args: list[Any],
          kwargs: dict[str, Any]) -> list[Any]:
    names = [name for name, _ in signature]
    if len(args) > len(names) or set(kwargs) - set(names):
        raise SpaceError(f"`hp.{kind}(...)` has arguments KerasTuner does not take")
    bound = dict(zip(names, args))
    bound.update(kwargs)
    values = [bound.get(name, default) for name, default in signature]
    if not is_plain(values):
        raise SpaceError(f"an argument of `hp.{kind}(...)` is only known when the script "
                         "runs")
    return values


def _as_tuple(values: Any) -> tuple[Any, ...]:
    return tuple(values) if isinstance(values, (list, tuple)) else (values,)


def _define(kind: str, name: str, options: list[Any], line: int | None) -> HyperParameter:
    if kind == "Choice":
        values, _, default = options
        if not isinstance(values, (list, tuple)) or not values:
            raise SpaceError(f"`hp.Choice('{name}', ...)` has no values")
        if default is not None and default not in values:
            raise SpaceError(f"`hp.Choice('{name}', ...)`'s default {default!r} is not "
                             "among its values (KerasTuner refuses it)")
        listed = tuple(values)
        return HyperParameter(name, kind, listed[0] if default is None else default, line,
                              listed, text=f"Choice {list(listed)}")
    if kind == "Boolean":
        return HyperParameter(name, kind, bool(options[0]), line, (True, False),
                              text="Boolean")
    if kind == "Fixed":
        return HyperParameter(name, kind, options[0], line, (options[0],),
                              text=f"Fixed {options[0]!r}")
    low, high, step, sampling, default = options
    return _numeric(kind, name, low, high, step, sampling, default, line)


def _numeric(kind: str, name: str, low: Any, high: Any, step: Any, sampling: Any,
             default: Any, line: int | None) -> HyperParameter:
    numbers = (int, float) if kind == "Float" else (int,)
    if not all(isinstance(v, numbers) and not isinstance(v, bool) for v in (low, high)) or \
            (step is not None and not isinstance(step, (int, float))):
        raise SpaceError(f"`hp.{kind}('{name}', ...)`'s bounds are not numbers")
    sampling = (sampling or "linear").lower()
    if low > high or sampling not in ("linear", "log", "reverse_log") or \
            (sampling != "linear" and (low <= 0 or (step is not None and step <= 1))) or \
            (step is not None and step <= 0):
        raise SpaceError(f"KerasTuner refuses `hp.{kind}('{name}', {low}, {high}, "
                         f"step={step}, sampling='{sampling}')`")
    default = low if default is None else default
    text = f"{kind} {low}..{high}" + (f" step {step}" if step is not None else "") + \
        (f" ({sampling})" if sampling != "linear" else "")
    if kind == "Int" and step is None:
        step = 1 if sampling == "linear" else None
        if step is None:  # log sampling without a step still gives every integer
            values: tuple[Any, ...] | None = tuple(range(low, high + 1)) \
                if high - low < MAX_LISTED_VALUES else None
            return HyperParameter(name, kind, default, line, values, low, high, text)
    if step is None:
        return HyperParameter(name, kind, default, line, None, low, high, text)
    values = _stepped(kind, low, high, step, sampling)
    return HyperParameter(name, kind, default, line, values, low, high, text)


def _stepped(kind: str, low: Any, high: Any, step: Any, sampling: str,
             ) -> tuple[Any, ...] | None:
    """KerasTuner's ``values`` of a range with a step (``Numerical._get_value_by_index``)."""
    if sampling == "linear":
        count = int((high - low) // step + 1)
    else:
        count = int(math.log(high / low, step) + 1e-8) + 1
    if count > MAX_LISTED_VALUES:
        return None
    made: list[Any] = []
    for index in range(count):
        if sampling == "linear":
            value = low + index * step
        elif sampling == "log":
            value = low * math.pow(step, index)
        else:
            value = high + low - low * math.pow(step, index)
        made.append(int(value) if kind == "Int" else value)
    return tuple(made)
