"""The rule API: every diagnostic archlint reports comes from a Rule subclass.

A rule module (in ``rules/``, installed as ``archlint.rules``) defines one Rule with its
code (from ``archlint.codes``), kebab-case name, default severity, documentation and
VALID / INVALID example scripts; the test suite runs every rule's examples. What rules
share is in ``archlint.rule_helpers`` (labels, layer traits, activations),
``archlint.losses`` and ``archlint.time_order``: a rule never imports another rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from archlint.diagnostics import Event, Severity
from archlint.engine import ModelAnalysis
from archlint.graph import Call, Layer, Span
from archlint.records import field, record


@record(frozen=True)
class Finding:
    message: str
    span: Span
    model: str | None = None
    layer: str | None = None


@record
class RuleContext:
    """What a rule sees: the analysed models and the front end's and engine's events."""

    path: str
    models: list[ModelAnalysis]
    events: list[Event] = field(default_factory=list)
    # Every layer the script builds, in any model or none (for unused-layer checks).
    layers: list[Layer] = field(default_factory=list)
    # The training batch size and memory budget in bytes, as configured (None: not set).
    batch_size: int | None = None
    memory_budget: int | None = None

    def layer_calls(self) -> Iterator[tuple[ModelAnalysis, Call]]:
        """Every layer call of the models once, with the first model that makes it (a model
        nested in another, or a layer two models share, would show its calls twice)."""
        seen: set[int] = set()
        for analysis in self.models:
            for call in analysis.model.calls:
                if id(call) not in seen:
                    seen.add(id(call))
                    yield analysis, call

    def model_layers(self) -> Iterator[tuple[ModelAnalysis, Layer]]:
        """Every layer of the models once, with the first model that holds it."""
        seen: set[int] = set()
        for analysis in self.models:
            for layer in analysis.model.layers:
                if id(layer) not in seen:
                    seen.add(id(layer))
                    yield analysis, layer


class Invalid(str):
    """An INVALID example with what the rule must report on it: the line (1-based) and a
    fragment of the message, as Fixit's ``Invalid(line=..., expected_message=...)``. A plain
    string in INVALID still works; then only the code must be reported.

    >>> example = Invalid("x = Dense(0)", line=1, message="units=0")
    >>> example, example.line, example.message
    ('x = Dense(0)', 1, 'units=0')
    """

    line: int | None
    message: str | None

    def __new__(cls, source: str, *, line: int | None = None,
                message: str | None = None) -> Invalid:
        example = super().__new__(cls, source)
        example.line = line
        example.message = message
        return example


class Rule:
    """Base class. The docstring has the sections What it does / Why it matters /
    Example / Use instead; ``archlint explain CODE`` prints it."""

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    summary: ClassVar[str]
    VALID: ClassVar[tuple[str, ...]] = ()
    INVALID: ClassVar[tuple[str, ...]] = ()
    # Options a user can set under [tool.archlint.rules.<name>], with their defaults.
    options: ClassVar[dict[str, Any]] = {}
    # Options the VALID/INVALID examples are checked with (for rules that are off by default).
    EXAMPLE_OPTIONS: ClassVar[dict[str, Any]] = {}
    # Run settings the examples are checked with (``batch_size``, ``memory_budget``).
    EXAMPLE_SETTINGS: ClassVar[dict[str, Any]] = {}

    def __init__(self, **options: Any):
        unknown = set(options) - set(self.options)
        if unknown:
            raise ValueError(f"unknown option(s) for {self.name}: {', '.join(sorted(unknown))}")
        self.settings: dict[str, Any] = {**self.options, **options}

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        raise NotImplementedError


class EventRule(Rule):
    """A rule that reports the front end's or engine's events with its code."""

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for event in ctx.events:
            if event.code == self.code:
                yield Finding(event.message, event.span, event.model, event.layer)
