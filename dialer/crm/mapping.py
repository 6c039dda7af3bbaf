"""Mapping our result codes and a script version's answers to a CRM's codes (pure).

A mapping document (what the page saves and `PUT .../crm/mappings/{version}` takes):

    {"results": {"not_home": {"type": "result_code", "id": "1"}, "contacted": {"type": "answers"},
                 "call_back": {"type": "none"}},
     "answers": {"support": {"yes": {"type": "survey_response", "question": "101", "response": "1001"},
                             "no": {"type": "activist_code", "id": "55"},
                             "undecided": {"type": "none"}}}}

A result maps to one of the CRM's result codes (`result_code`), to "a conversation: send the answers"
(`answers`, VAN's implied Canvassed result), or to nothing (`none`: that result is not sent). A choice
question's value maps to a survey response, an activist code, or nothing. Free text and number answers
are never sent. Nothing is guessed: what the organizer has not mapped is listed by `unmapped`, and a
result that needs an unmapped value fails with that reason (requests.py) instead of being sent half.
A mapping belongs to one script version: answers recorded under version 3 are sent with version 3's.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dialer.crm.catalog import Catalog
from dialer.models import ResultCode
from dialer.scripts.model import Answer, Script


class TargetKind(enum.StrEnum):
    RESULT_CODE = "result_code"  # results only
    ANSWERS = "answers"  # results only: a conversation, send the mapped answers
    SURVEY_RESPONSE = "survey_response"  # answers only
    ACTIVIST_CODE = "activist_code"  # answers only
    NONE = "none"  # send nothing for this result or value


RESULT_KINDS = frozenset({TargetKind.RESULT_CODE, TargetKind.ANSWERS, TargetKind.NONE})
ANSWER_KINDS = frozenset({TargetKind.SURVEY_RESPONSE, TargetKind.ACTIVIST_CODE, TargetKind.NONE})


@dataclass(frozen=True)
class Target:
    kind: TargetKind
    id: str = ""  # the result code, activist code or survey question id
    response: str = ""  # the survey response id

    def to_json(self) -> dict[str, str]:
        if self.kind is TargetKind.SURVEY_RESPONSE:
            return {"type": self.kind.value, "question": self.id, "response": self.response}
        if self.kind in (TargetKind.RESULT_CODE, TargetKind.ACTIVIST_CODE):
            return {"type": self.kind.value, "id": self.id}
        return {"type": self.kind.value}


@dataclass(frozen=True)
class CrmMapping:
    script_id: str
    script_version: int
    results: Mapping[str, Target] = field(default_factory=dict)
    answers: Mapping[str, Mapping[str, Target]] = field(default_factory=dict)
    choice_questions: frozenset[str] = frozenset()  # the script's choice questions (others are free text)

    def to_json(self) -> dict[str, Any]:
        return {
            "script_id": self.script_id,
            "script_version": self.script_version,
            "results": {code: t.to_json() for code, t in self.results.items()},
            "answers": {q: {v: t.to_json() for v, t in values.items()} for q, values in self.answers.items()},
            "choice_questions": sorted(self.choice_questions),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CrmMapping:
        """A stored mapping (already checked when it was saved)."""
        return cls(
            script_id=str(data["script_id"]),
            script_version=int(data["script_version"]),
            results={code: _target(t) for code, t in data.get("results", {}).items()},
            answers={
                q: {v: _target(t) for v, t in values.items()} for q, values in data.get("answers", {}).items()
            },
            choice_questions=frozenset(data.get("choice_questions", ())),
        )


def _target(data: dict[str, Any]) -> Target:
    kind = TargetKind(data["type"])
    if kind is TargetKind.SURVEY_RESPONSE:
        return Target(kind, str(data["question"]), str(data["response"]))
    return Target(kind, str(data.get("id", "")))


def value_key(value: Answer | None) -> str:
    """How an answer is named in a mapping (JSON object keys are text): text as it is, others as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value)


def script_choices(script: Script) -> dict[str, list[str]]:
    """Each choice question of the script with its values (as `value_key`s), in script order."""
    out: dict[str, list[str]] = {}
    for step in script.steps.values():
        if step.choices:
            values = out.setdefault(step.question, [])
            for choice in step.choices:
                key = value_key(choice.value)
                if key not in values:
                    values.append(key)
    return out


def free_questions(script: Script) -> list[str]:
    """The questions answered with free text or a number: never sent to a CRM."""
    return [s.question for s in script.steps.values() if s.input is not None]


class MappingInvalid(ValueError):
    def __init__(self, problems: list[dict[str, str]]) -> None:
        super().__init__("; ".join(p["message"] for p in problems[:3]))
        self.problems = problems


def parse_mapping(doc: Any, script: Script, version: int, catalog: Catalog) -> CrmMapping:
    """A mapping document checked against the script version and the CRM's catalog; raises MappingInvalid
    with a `{path, message}` per problem (all of them). Unmapped entries are allowed (see `unmapped`)."""
    problems: list[dict[str, str]] = []

    def problem(path: str, message: str) -> None:
        problems.append({"path": path, "message": message})

    if not isinstance(doc, dict):
        raise MappingInvalid([{"path": "", "message": "a mapping is an object with results and answers"}])
    for name in sorted(set(doc) - {"results", "answers"}):
        problem(name, "unknown field")
    results: dict[str, Target] = {}
    raw_results = doc.get("results", {})
    if not isinstance(raw_results, dict):
        problem("results", "must be an object: result code -> target")
        raw_results = {}
    for code, raw in raw_results.items():
        path = f"results.{code}"
        if code not in {c.value for c in ResultCode}:
            problem(path, f"{code!r} is not one of our result codes")
            continue
        target = _check_target(raw, path, RESULT_KINDS, catalog, problem)
        if target is not None:
            results[code] = target
    choices = script_choices(script)
    answers: dict[str, dict[str, Target]] = {}
    raw_answers = doc.get("answers", {})
    if not isinstance(raw_answers, dict):
        problem("answers", "must be an object: question -> value -> target")
        raw_answers = {}
    for question, values in raw_answers.items():
        path = f"answers.{question}"
        if question not in choices:
            problem(path, f"version {version} of the script has no choice question {question!r}")
            continue
        if not isinstance(values, dict):
            problem(path, "must be an object: value -> target")
            continue
        for value, raw in values.items():
            if value not in choices[question]:
                problem(f"{path}.{value}", f"{value!r} is not a choice of {question!r}")
                continue
            target = _check_target(raw, f"{path}.{value}", ANSWER_KINDS, catalog, problem)
            if target is not None:
                answers.setdefault(question, {})[value] = target
    if problems:
        raise MappingInvalid(problems)
    return CrmMapping(script.id, version, results, answers, frozenset(choices))


def _check_target(
    raw: Any, path: str, kinds: frozenset[TargetKind], catalog: Catalog, problem: Any
) -> Target | None:
    allowed = ", ".join(sorted(k.value for k in kinds))
    if not isinstance(raw, dict) or raw.get("type") not in {k.value for k in kinds}:
        problem(path, f"must be an object whose type is one of {allowed}")
        return None
    kind = TargetKind(raw["type"])
    fields = {"type", "question", "response"} if kind is TargetKind.SURVEY_RESPONSE else {"type", "id"}
    if kind in (TargetKind.ANSWERS, TargetKind.NONE):
        fields = {"type"}
    extra = sorted(set(raw) - fields)
    if extra:
        problem(path, f"unknown field {extra[0]!r} for type {kind.value}")
        return None
    if kind is TargetKind.SURVEY_RESPONSE:
        question, response = str(raw.get("question", "")), str(raw.get("response", ""))
        if catalog.survey_response(question, response) is None:
            problem(path, f"the CRM has no survey question {question!r} with response {response!r}")
            return None
        return Target(kind, question, response)
    if kind is TargetKind.RESULT_CODE:
        code = str(raw.get("id", ""))
        if catalog.result_code(code) is None:
            problem(path, f"the CRM has no result code {code!r}")
            return None
        return Target(kind, code)
    if kind is TargetKind.ACTIVIST_CODE:
        code = str(raw.get("id", ""))
        if catalog.activist_code(code) is None:
            problem(path, f"the CRM has no activist code {code!r}")
            return None
        return Target(kind, code)
    return Target(kind)


def unmapped(script: Script, mapping: CrmMapping | None) -> list[dict[str, str]]:
    """Every result code and choice value the mapping leaves out, as `{path, message}`: what the page lists
    for the organizer to map. Results that need them fail until they are mapped."""
    results = mapping.results if mapping else {}
    answers = mapping.answers if mapping else {}
    out = [
        {"path": f"results.{code.value}", "message": f"result {code.value!r} is not mapped"}
        for code in ResultCode
        if code.value not in results
    ]
    for question, values in script_choices(script).items():
        for value in values:
            if value not in answers.get(question, {}):
                out.append(
                    {
                        "path": f"answers.{question}.{value}",
                        "message": f"{question} = {value!r} is not mapped",
                    }
                )
    return out
