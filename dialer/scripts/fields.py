"""The contact fields a script reads, and which of them a campaign's call lists do not have (pure).

A script's texts and conditions read a contact's columns (`{{ contact.precinct }}`, `when: contact.party ==
"D"`). A misspelled or missing one renders as a blank in front of a volunteer, or makes a condition that never
holds, and at upload the lists are not known. So the check runs where a script and a campaign's lists meet:
after a list is imported (against every column the campaign's lists have had) and when a new version of a
script campaigns use is uploaded. These are warnings: a list with the column may still come.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from dialer.scripts import sandbox
from dialer.scripts.model import Script

# What every contact has, whatever its list's columns (queue/lease.py's Contact.to_json), and `extension`,
# which an import adds to a contact whose number had one.
BUILT_IN = frozenset(
    {"id", "external_id", "first_name", "last_name", "phone", "state", "zip", "timezone", "attempts",
     "extension"}
)  # fmt: skip


@dataclass(frozen=True)
class FieldUse:
    field: str
    paths: tuple[str, ...]  # where the script reads it: "steps.<id>.text", "steps.<id>.next[<i>].when"


def contact_fields(script: Script) -> list[FieldUse]:
    """Every contact field the script reads, in the order the script first reads it."""
    paths: dict[str, list[str]] = {}
    for step in script.steps.values():
        reads = [(f"steps.{step.id}.text", sandbox.contact_names(step.text))]
        reads += [
            (f"steps.{step.id}.next[{i}].when", sandbox.contact_names(rule.when, expression=True))
            for i, rule in enumerate(step.next)
            if rule.when
        ]
        for path, names in reads:
            for name in sorted(names):
                paths.setdefault(name, []).append(path)
    return [FieldUse(name, tuple(where)) for name, where in paths.items()]


@dataclass(frozen=True)
class MissingField:
    field: str
    paths: tuple[str, ...]
    suggestion: str | None = None

    @property
    def message(self) -> str:
        return self.describe("this campaign")

    def describe(self, campaign: str) -> str:
        """The message, naming the campaign ("this campaign", or "campaign 'x'" among several)."""
        steps = ", ".join(dict.fromkeys(p.split(".")[1] for p in self.paths))
        hint = f"; did you mean contact.{self.suggestion}?" if self.suggestion else ""
        return (
            f"the script reads contact.{self.field} (step {steps}), but no call list of {campaign} has a "
            f"{self.field!r} column: volunteers see a blank there{hint}"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "paths": list(self.paths),
            "suggestion": self.suggestion,
            "message": self.message,
        }


def missing_fields(script: Script, columns: Iterable[str]) -> list[MissingField]:
    """The fields the script reads that neither a contact always has nor any of `columns` (the campaign's
    lists' columns) provides, each with the nearest column when one is close (a case or a typo away)."""
    have = set(columns) | BUILT_IN
    by_case = {name.lower(): name for name in sorted(have)}
    out: list[MissingField] = []
    for use in contact_fields(script):
        if use.field in have:
            continue
        near = by_case.get(use.field.lower())
        if near is None:
            close = difflib.get_close_matches(use.field.lower(), list(by_case), n=1, cutoff=0.75)
            near = by_case[close[0]] if close else None
        out.append(MissingField(use.field, use.paths, near))
    return out
