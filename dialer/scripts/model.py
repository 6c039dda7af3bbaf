"""The parsed, validated shape of a call script (pure data, no behavior beyond lookups).

A `Script` only ever comes out of `loader.validate_script`, so code that holds one may assume every step
reference resolves, every result code is known and every template compiled in the sandbox.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dialer.models import ResultCode

Answer = str | int | float | bool
"""What one question's answer may hold: a choice's value, a typed number or text."""


class InputKind(enum.StrEnum):
    TEXT = "text"
    NUMBER = "number"


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a script (or with answers posted against one), for people to read."""

    path: str
    message: str
    severity: Severity = Severity.ERROR

    def as_detail(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}

    def __str__(self) -> str:
        return f"{self.path or '(document)'}: {self.message}"


class ScriptError(Exception):
    """The only exception the loader raises: every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems[:5]))

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)


@dataclass(frozen=True)
class Rule:
    """One entry of a conditional `next`: go to `goto` when `when` holds (`when=None`: always)."""

    goto: str
    when: str | None = None


@dataclass(frozen=True)
class Choice:
    label: str
    value: Answer
    next: str | None = None
    result: ResultCode | None = None
    transfer: str | None = None  # hand the voter on to this campaign transfer target (dialer/transfers.py)


@dataclass(frozen=True)
class Step:
    """Exactly one of `choices`, `next` (rules) or `result` is set; the loader guarantees it."""

    id: str
    text: str
    question: str
    choices: tuple[Choice, ...] = ()
    next: tuple[Rule, ...] = ()
    result: ResultCode | None = None
    input: InputKind | None = None
    minimum: float | None = None  # a number step's smallest and largest answers (inclusive), when set
    maximum: float | None = None

    @property
    def is_end(self) -> bool:
        return self.result is not None

    @property
    def records_answer(self) -> bool:
        """Whether answering this step stores something under `question`."""
        return bool(self.choices) or self.input is not None


@dataclass(frozen=True)
class Script:
    id: str
    title: str
    start: str
    steps: Mapping[str, Step]
    document: Mapping[str, Any] = field(repr=False, default_factory=dict)
    """The document as uploaded (plain JSON values), kept for storage and download."""

    def step(self, step_id: str) -> Step:
        return self.steps[step_id]

    def transfers(self) -> list[tuple[str, str]]:
        """`(path, target name)` of every choice that hands the voter on, for checking against a campaign."""
        return [
            (f"steps.{s.id}.choices[{i}].transfer", c.transfer)
            for s in self.steps.values()
            for i, c in enumerate(s.choices)
            if c.transfer is not None
        ]

    def questions(self) -> list[str]:
        """The answer keys in document order: the results export's extra columns."""
        return [s.question for s in self.steps.values() if s.records_answer]


@dataclass(frozen=True)
class LoadedScript:
    script: Script
    warnings: tuple[Problem, ...] = ()
