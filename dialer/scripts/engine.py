"""Walking a script: start, answer, back; pure functions over an immutable `Walk`.

A walk remembers the steps answered so far with their answers (`path`), so `back` is exact even when a
script loops, and the answers are always what the path says they are. Wrong answers raise `AnswerError`
(code + message for people), which the call session turns into an `error` message.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dialer.models import ResultCode
from dialer.names import control_in_text
from dialer.scripts import sandbox
from dialer.scripts.model import Answer, InputKind, Problem, Script, Step

MAX_TEXT_ANSWER = 5_000
MAX_NUMBER = 10**15
MAX_PATH = 500
MAX_REPLAY_STATES = 20_000  # the answers check's search (_replay): ample for any script a person writes
MISSING: Any = object()
"""Marks an answer message without `value` (a step answered by a click, not by typing)."""


class AnswerError(Exception):
    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class Visit:
    """A step that was answered: its id and the answer it recorded (None when it records none)."""

    step: str
    answer: Answer | None = None


@dataclass(frozen=True)
class Walk:
    """Where a call is: the step shown now, the steps answered before it, and the result once done."""

    step: str
    path: tuple[Visit, ...] = ()
    result: ResultCode | None = None

    @property
    def done(self) -> bool:
        return self.result is not None

    def answers(self, script: Script) -> dict[str, Answer]:
        out: dict[str, Answer] = {}
        for visit in self.path:
            if visit.answer is not None:
                out[script.step(visit.step).question] = visit.answer
        return out


def contact_context(contact: Mapping[str, Any]) -> dict[str, Any]:
    """A batch contact as templates see it: extra CSV columns (`fields`) flattened next to the named ones."""
    fields = contact.get("fields")
    out: dict[str, Any] = dict(fields) if isinstance(fields, Mapping) else {}
    out.update((k, v) for k, v in contact.items() if k != "fields")
    return out


def start(script: Script) -> Walk:
    return Walk(script.start)


def answer(
    script: Script,
    contact: Mapping[str, Any],
    walk: Walk,
    step_id: str,
    *,
    choice: Any = None,
    value: Any = MISSING,
) -> Walk:
    """The walk after answering `step_id` (which must be the step shown) with a choice index or a value."""
    if walk.done:
        raise AnswerError("call_done", "this call has reached its end: finish it, or go back")
    if step_id != walk.step:
        raise AnswerError(
            "wrong_step", f"that answer is for step {step_id!r}, but the call is at {walk.step!r}"
        )
    new = _next_walk(script, contact, walk, choice, value)
    if not new.done and len(new.path) > MAX_PATH:  # only a looping script gets here; keeps the state small
        raise AnswerError("call_too_long", f"this call has passed {MAX_PATH} steps: end it with a result")
    return new


def _next_walk(script: Script, contact: Mapping[str, Any], walk: Walk, choice: Any, value: Any) -> Walk:
    step = script.step(walk.step)
    if step.is_end:
        assert step.result is not None
        return Walk(step.id, (*walk.path, Visit(step.id)), step.result)
    if step.choices:
        picked = step.choices[_choice_index(step, choice)]
        visit = Visit(step.id, picked.value)
        if picked.result is not None:
            return Walk(step.id, (*walk.path, visit), picked.result)
        assert picked.next is not None
        return Walk(picked.next, (*walk.path, visit))
    visit = Visit(step.id, accept_value(step, value) if step.input else None)
    path = (*walk.path, visit)
    answers = Walk(step.id, path).answers(script)
    return Walk(next_step(step, contact_context(contact), answers), path)


def back(walk: Walk) -> Walk:
    """The walk one step back: the last answered step is shown again and its answer dropped."""
    if not walk.path:
        raise AnswerError("at_start", "this is the first step: there is nothing to go back to")
    last = walk.path[-1]
    return Walk(last.step, walk.path[:-1])


def next_step(step: Step, contact: Mapping[str, Any], answers: Mapping[str, Answer]) -> str:
    """The first rule whose condition holds; the loader guarantees the last rule has none."""
    for rule in step.next:
        if rule.when is None or sandbox.holds(rule.when, contact, answers):
            return rule.goto
    return step.next[-1].goto


def _choice_index(step: Step, choice: Any) -> int:
    if isinstance(choice, int) and not isinstance(choice, bool) and 0 <= choice < len(step.choices):
        return choice
    raise AnswerError(
        "bad_choice", f"step {step.id!r} has choices 0 to {len(step.choices) - 1}; got {choice!r}"
    )


def accept_value(step: Step, value: Any) -> Answer:
    """A typed answer for an input step, normalized (numbers parsed), or `AnswerError`."""
    if value is MISSING or value is None:
        raise AnswerError("bad_value", f"step {step.id!r} needs a value")
    if step.input is InputKind.NUMBER:
        number = parse_number(value, step.id)
        low, high = step.minimum, step.maximum
        if (low is not None and number < low) or (high is not None and number > high):
            span = (
                f"from {_num(low)} to {_num(high)}"
                if low is not None and high is not None
                else (f"of at least {_num(low)}" if low is not None else f"of at most {_num(high)}")
            )
            raise AnswerError("out_of_range", f"step {step.id!r} takes a number {span}; got {_num(number)}")
        return number
    if not isinstance(value, str):
        raise AnswerError("bad_value", f"step {step.id!r} needs text")
    if len(value) > MAX_TEXT_ANSWER:
        raise AnswerError("bad_value", f"the answer is too long (at most {MAX_TEXT_ANSWER} characters)")
    if not is_unicode(value):
        raise AnswerError("bad_value", "the answer contains characters that are not valid Unicode")
    if (control := control_in_text(value)) is not None:
        raise AnswerError("bad_value", f"the answer {control}")
    return value


def _num(value: float | None) -> str:
    return str(int(value)) if value is not None and float(value).is_integer() else str(value)


def is_unicode(text: str) -> bool:
    """False for strings holding lone surrogates (JSON can smuggle them in as escapes); they cannot be
    stored or sent on as UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_number(value: Any, step_id: str) -> int | float:
    number: int | float
    if isinstance(value, bool):
        raise AnswerError("bad_value", f"step {step_id!r} needs a number")
    if isinstance(value, int | float):
        number = value
    elif isinstance(value, str) and 0 < len(value.strip()) <= 40:
        text = value.strip().replace(",", "")
        if "_" in text:  # Python's 1_000 is no way a person writes a number
            raise AnswerError("bad_value", f"{value!r} is not a number")
        try:
            number = int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                raise AnswerError("bad_value", f"{value!r} is not a number") from None
    else:
        raise AnswerError("bad_value", f"step {step_id!r} needs a number")
    if math.isnan(number):  # "NaN" (or JSON's NaN): not a number, though Python's float() reads it
        raise AnswerError("bad_value", f"{value!r} is not a number")
    if not math.isfinite(number) or abs(number) > MAX_NUMBER:
        raise AnswerError("bad_value", "the number is too large")
    if isinstance(number, float):
        if number.is_integer() and abs(number) < 2**53:
            number = int(number)
    return number


def step_payload(script: Script, walk: Walk, contact: Mapping[str, Any]) -> dict[str, Any]:
    """The `step` object of API.md's `/ws/call`: `{id, text, choices: [{index, label}], input}`."""
    step = script.step(walk.step)
    text = sandbox.render(step.text, contact_context(contact), walk.answers(script))
    return {
        "id": step.id,
        "text": text,
        "choices": [
            {"index": i, "label": c.label, **({"transfer": c.transfer} if c.transfer else {})}
            for i, c in enumerate(step.choices)
        ],
        "input": step.input.value if step.input else None,
        **({"min": step.minimum} if step.minimum is not None else {}),
        **({"max": step.maximum} if step.maximum is not None else {}),
    }


def check_answers(script: Script, contact: Mapping[str, Any], answers: Any) -> list[Problem]:
    """Problems with answers posted outside a call session (HTTP results): unknown questions, values a
    step does not offer, and answers off the path that the other answers lead along. Empty when fine."""
    if not isinstance(answers, Mapping):
        return [Problem("answers", "answers must be a mapping of question to answer")]
    steps = {s.question: s for s in script.steps.values() if s.records_answer}
    problems: list[Problem] = []
    for key, value in answers.items():
        step = steps.get(key) if isinstance(key, str) else None
        if step is None:
            problems.append(Problem(f"answers.{key}", f"the script has no question {_json(key)}"))
        elif step.choices and _choice_for(step, value) is None:
            offered = ", ".join(_json(c.value) for c in step.choices)
            problems.append(
                Problem(f"answers.{key}", f"{_json(value)} is not one of the choices ({offered})")
            )
        elif step.input:
            try:
                accept_value(step, value)
            except AnswerError as exc:
                problems.append(Problem(f"answers.{key}", exc.message))
    if problems:
        return problems
    on_path = _replay(script, contact, answers)
    return [
        Problem(f"answers.{key}", "this question is not on the path that the other answers lead along")
        for key in answers
        if key not in on_path
    ]


def normalized_answers(script: Script, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Answers `check_answers` found fine, spelt as a call session records them: a choice's own value (1.0
    posted for the choice 1 is 1), a number step's number ("3" is 3). Over HTTP they were stored as
    posted, so one answer reached the export, the survey counts and the CRM mapping as "1" and "1.0"."""
    steps = {s.question: s for s in script.steps.values() if s.records_answer}
    out = dict(answers)
    for key, value in answers.items():
        step = steps.get(key)
        if step is not None and step.choices and (index := _choice_for(step, value)) is not None:
            out[key] = step.choices[index].value
        elif step is not None and step.input:
            out[key] = accept_value(step, value)
    return out


def _json(value: Any) -> str:
    """A value as the client sent it (JSON: "yes", null, true), not as Python spells it ('yes', None)."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def _choice_for(step: Step, value: Any) -> int | None:
    for i, c in enumerate(step.choices):
        if type(c.value) is type(value) and c.value == value:
            return i
    for i, c in enumerate(step.choices):  # 2 and 2.0 are one number, but "2" is not 2
        if not isinstance(value, str | bool) and not isinstance(c.value, str | bool) and c.value == value:
            return i
    return None


def _replay(script: Script, contact: Mapping[str, Any], answers: Mapping[str, Any]) -> set[str]:
    """The most of `answers` that one walk from the start can have given (all of them when they fit).

    A step whose answer is given takes it. A question left out may have been answered any way: API.md's
    `answers: {question: value}` lets a client send only the questions it asked (`{"support": "yes"}`
    without the greeting's "Speaking"), so each of its choices is tried, and a rule whose condition reads
    a question left out may have gone either way. What no walk can have answered together (a "Wrong
    number" greeting and a support answer, an answer on the branch the other answers did not take) is
    still found out. The search visits each (step, answered, left out) state once, so looping scripts
    end, and stops after MAX_REPLAY_STATES."""
    given = _normalized(script, answers)
    context = contact_context(contact)
    best: frozenset[str] = frozenset()
    seen: set[tuple[str, frozenset[str], frozenset[str]]] = set()
    todo: list[tuple[str, frozenset[str], frozenset[str]]] = [(script.start, frozenset(), frozenset())]
    while todo and len(seen) < MAX_REPLAY_STATES and len(best) < len(given):
        state = todo.pop()
        if state in seen:
            continue
        seen.add(state)
        step_id, used, skipped = state
        step = script.step(step_id)
        if step.records_answer and step.question in given:
            used = used | {step.question}
        elif step.records_answer:
            skipped = skipped | {step.question}
        best = used if len(used) > len(best) else best
        if step.is_end:
            continue
        if step.choices:
            if step.question in given:
                index = _choice_for(step, answers[step.question])
                picked = [step.choices[index]] if index is not None else []
            else:
                picked = list(step.choices)
            todo.extend((c.next, used, skipped) for c in reversed(picked) if c.next is not None)
            continue
        known = {k: given[k] for k in used}
        for rule in step.next:
            if rule.when is None:
                todo.append((rule.goto, used, skipped))
                break
            read = sandbox.answer_keys(rule.when) if skipped else set()
            if read is not None and not read & skipped:  # the condition is decided by what is known
                if sandbox.holds(rule.when, context, known):
                    todo.append((rule.goto, used, skipped))
                    break
            else:  # it reads a question left out: it may have held, or not
                todo.append((rule.goto, used, skipped))
    return set(best)


def _normalized(script: Script, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers as a walk records them (a choice's own value, a typed number parsed); they were checked."""
    steps = {s.question: s for s in script.steps.values() if s.records_answer}
    out: dict[str, Any] = {}
    for key, value in answers.items():
        step = steps[key]
        if step.choices:
            index = _choice_for(step, value)
            out[key] = step.choices[index].value if index is not None else value
        else:
            out[key] = accept_value(step, value)
    return out


def replay_path(script: Script, contact: Mapping[str, Any], visits: list[tuple[str, Any]]) -> Walk:
    """The walk that answering `visits` (step id, answer) in order gives; `AnswerError` if one does not fit.
    Used to rebuild a call session from stored state, checked against the script as it is now."""
    walk = start(script)
    for step_id, value in visits:
        if step_id not in script.steps:
            raise AnswerError("wrong_step", f"the script has no step {step_id!r}")
        step = script.step(step_id)
        if step.choices:
            index = _choice_for(step, value)
            if index is None:
                raise AnswerError("bad_choice", f"{value!r} is not a choice of step {step_id!r}")
            walk = answer(script, contact, walk, step_id, choice=index)
        else:
            walk = answer(script, contact, walk, step_id, value=value if step.input else MISSING)
    return walk
