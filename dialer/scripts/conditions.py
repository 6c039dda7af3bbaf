"""Rule conditions read against the script's own questions: the rules a call can never take (pure).

A condition that compares an answer with a value its question never gives (`answers.support == 'Yes'` when
the choices give 'yes'; a typed text compared with the number 1) is always false, and the branch it guards is
dead without a word: the volunteer meets it as a call that always goes the other way, or round in a circle.
Constant conditions (`when: "true"`) make the rules after them dead. Both are said at upload (warnings), and
the step graph (outline.py) leaves dead rules out, so what it finds unreachable or going round is what a call
can really do.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from dialer.scripts import sandbox
from dialer.scripts.model import Problem, Severity

Possible = tuple[Any, ...] | str | None
"""What a question can give: its choices' values, "text" or "number" (typed), or None (unknown: broken)."""


def possible_answers(raw_steps: Mapping[Any, Any]) -> dict[str, Possible]:
    """Each question key of the document's steps, with what it can give."""
    out: dict[str, Possible] = {}
    for sid, body in raw_steps.items():
        if not isinstance(sid, str) or not isinstance(body, dict):
            continue
        given = body.get("question")
        question = given if isinstance(given, str) else sid
        if "choices" in body:
            out[question] = _choice_values(body["choices"])
        elif "input" in body:
            out[question] = body["input"] if body["input"] in ("text", "number") else None
    return out


def _choice_values(choices: Any) -> Possible:
    if not isinstance(choices, list):
        return None
    values = []
    for choice in choices:
        if not isinstance(choice, dict):
            return None
        value = choice["value"] if "value" in choice else choice.get("label")
        if "value" not in choice and isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)  # as validate.py reads `label: 5`
        values.append(value)
    return tuple(values)


def can_give(possible: Possible, value: Any) -> bool:
    """Whether an answer to a question with `possible` answers can equal `value` (as a condition compares)."""
    if possible is None:
        return True
    if possible == "text":
        return isinstance(value, str)
    if possible == "number":
        return isinstance(value, int | float)
    assert isinstance(possible, tuple)
    return any(_equal(v, value) for v in possible)


def _equal(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:
        return True


def decided(when: str, possible: Mapping[str, Possible]) -> bool | None:
    """True or False when a condition is the same for every call (a constant, or a whole comparison with
    values the question never gives); None when it depends on the call."""
    fixed = sandbox.constant(when)
    if fixed is not None:
        return fixed
    for key, op, values, whole in sandbox.comparisons(when):
        if not whole:
            continue
        if op in ORDER:  # a text and a number do not order: the condition fails, which counts as false
            if not (key in possible and orderable(possible[key], values[0])):
                return False
        elif not any(key in possible and can_give(possible[key], v) for v in values):
            return op in ("ne", "notin")  # an answer never given, or not recorded at all (a blank)
    return None


ORDER = {"gt": ">", "gteq": ">=", "lt": "<", "lteq": "<="}


def orderable(possible: Possible, value: Any) -> bool:
    """Whether some answer to the question can be compared with `value` by <, >, <=, >= without failing."""
    if possible is None:
        return True
    number = isinstance(value, int | float)
    if possible == "text":
        return not number
    if possible == "number":
        return number
    assert isinstance(possible, tuple)
    return any(isinstance(v, int | float) == number for v in possible)


def condition_problems(raw_steps: Mapping[Any, Any], possible: Mapping[str, Possible]) -> list[Problem]:
    """Warnings for conditions that are the same for every call, and comparisons with values never given."""
    problems: list[Problem] = []
    for sid, body in raw_steps.items():
        rules = body.get("next") if isinstance(body, dict) else None
        for i, rule in enumerate(rules if isinstance(sid, str) and isinstance(rules, list) else ()):
            when = rule.get("when") if isinstance(rule, dict) else None
            if not isinstance(when, str) or not when.strip():
                continue
            path = f"steps.{sid}.next[{i}].when"
            fixed = sandbox.constant(when)
            if fixed is True:
                problems.append(
                    _warning(path, "this condition always holds: the rules after it are never used")
                )
            elif fixed is False:
                problems.append(_warning(path, "this condition never holds: no call takes this rule"))
            for key, op, values, _ in sandbox.comparisons(when):
                if key not in possible:
                    continue  # validate.py says that no question records it
                if op in ORDER:
                    if not orderable(possible[key], values[0]):
                        problems.append(_warning(path, _unordered(key, op, values[0], possible[key])))
                    continue
                for value in values:
                    if not can_give(possible[key], value):
                        problems.append(_warning(path, _never(key, value, possible[key])))
    return problems


def _warning(path: str, message: str) -> Problem:
    return Problem(path, message, Severity.WARNING)


def _show(value: Any) -> str:
    """A value as a condition spells it: 'yes', 5, true, none."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "none" if value is None else repr(value)


def _never(key: str, value: Any, possible: Possible) -> str:
    said = f"answers.{key} is never {_show(value)}"
    if possible == "text":
        return f"{said}: it is typed text; to compare with text, quote it: '{value}'"
    if possible == "number":
        return f"{said}: it is a typed number; to compare with a number, leave out the quotes"
    assert isinstance(possible, tuple)
    shown = ", ".join(_show(v) for v in possible)
    texts = {str(v).casefold(): v for v in possible}
    near = texts.get(str(value).casefold())
    if near is None and isinstance(value, str):
        close = difflib.get_close_matches(value, [v for v in possible if isinstance(v, str)], n=1)
        near = close[0] if close else None
    hint = f" (did you mean {_show(near)}?)" if near is not None else ""
    return f"{said}: its choices give {shown}{hint}, so this comparison is the same for every call"


def _unordered(key: str, op: str, value: Any, possible: Possible) -> str:
    said = f"answers.{key} {ORDER[op]} {_show(value)} is never true"
    if isinstance(value, int | float):
        what = "typed text" if possible == "text" else f"text ({', '.join(_show(v) for v in possible or ())})"
        return f"{said}: the answer is {what}, not a number; compare answers.{key} | int {ORDER[op]} {value}"
    return f"{said}: the answer is a number, not text; leave out the quotes"
