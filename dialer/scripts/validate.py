"""Validation of a parsed script document (plain JSON values) into a `Script`, reporting every problem.

Pure. Messages are written for the staff member who wrote the script: what is wrong, where, and what to
write instead. Paths look like `steps.plan.next[0].goto`.
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from dialer.models import RESULT_CODES, ResultCode
from dialer.names import control_in_text, unprintable
from dialer.scripts import sandbox
from dialer.scripts.dead_ends import tried_problems
from dialer.scripts.model import Answer, Choice, InputKind, Problem, Rule, Script, Severity, Step
from dialer.scripts.outline import whole_script_problems

ID_RE = re.compile(r"[a-z0-9-]+")
QUESTION_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
MAX_ID = 64
MAX_STEPS = 10_000
MAX_CHOICES = 100
MAX_RULES = 100
MAX_TEXT = 10_000
MAX_LABEL = 1_000
TOP_FIELDS = ("id", "title", "start", "steps", "version")
STEP_FIELDS = ("text", "question", "choices", "next", "result", "input", "min", "max")
CHOICE_FIELDS = ("label", "value", "next", "result", "transfer")
MAX_TRANSFER = 100
RULE_FIELDS = ("when", "goto")


def describe(value: Any) -> str:
    """How a value's type reads to someone who wrote YAML, not Python."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"


def _suggest(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


class _Checker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def error(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def warn(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message, Severity.WARNING))

    @property
    def failed(self) -> bool:
        return any(p.severity is Severity.ERROR for p in self.problems)

    def mapping(self, value: Any, path: str, what: str, allowed: tuple[str, ...]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.error(path, f"{what} must be a mapping (key: value pairs), not {describe(value)}")
            return None
        for key in value:
            if key not in allowed:
                shown = key if isinstance(key, str) else repr(key)
                self.error(
                    _join(path, str(key)),
                    f"unknown field {shown!r}{_suggest(str(key), allowed)}; allowed: {', '.join(allowed)}",
                )
        return value

    def text(self, value: Any, path: str, what: str, limit: int) -> str | None:
        if not isinstance(value, str):
            self.error(path, f"{what} must be text, not {describe(value)}")
            return None
        if not value.strip():
            self.error(path, f"{what} must not be empty")
            return None
        if len(value) > limit:
            self.error(path, f"{what} is too long ({len(value)} characters; at most {limit})")
            return None
        return value

    def ident(self, value: Any, path: str, what: str) -> str | None:
        text = self.text(value, path, what, MAX_ID)
        if text is not None and not ID_RE.fullmatch(text):
            self.error(path, f"{what} {text!r} may only use lower-case letters, digits and '-'")
            return None
        return text

    def result(self, value: Any, path: str) -> ResultCode | None:
        if not isinstance(value, str) or value not in RESULT_CODES:
            shown = repr(value) if isinstance(value, str) else describe(value)
            hint = _suggest(value, RESULT_CODES) if isinstance(value, str) else ""
            codes = ", ".join(sorted(RESULT_CODES))
            self.error(path, f"unknown result code {shown}{hint}; use one of: {codes}")
            return None
        return ResultCode(value)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def validate_script(doc: Any, *, stored: bool = False) -> tuple[Script | None, list[Problem]]:
    """Check a parsed document; the `Script` (None when there is any error) and every problem found.
    `stored`: a document accepted before, read back; the checks of the way calls go that were added since
    (circles a call never leaves) are left out, so that campaigns calling with it go on."""
    check = _Checker()
    top = check.mapping(doc, "", "a script", TOP_FIELDS)
    if top is None:
        return None, check.problems
    script_id = check.ident(top["id"], "id", "the script id") if "id" in top else None
    if "id" not in top:
        check.error("id", "missing id: give the script an id such as 'gotv-2026'")
    title = top.get("title", script_id or "")
    if "title" in top:
        title = check.text(top["title"], "title", "the title", MAX_LABEL) or ""
        if (why := unprintable(title)) is not None:
            check.error("title", f"the title {why}")
            title = ""
    if "version" in top and (not isinstance(top["version"], int) or isinstance(top["version"], bool)):
        check.error("version", "version is set by the server; leave it out or keep the number it gave")
    steps = _check_steps(check, top.get("steps"), "steps" in top)
    start = top.get("start")
    raw_steps = top.get("steps")
    known = {k for k in raw_steps if isinstance(k, str)} if isinstance(raw_steps, dict) else set()
    if "start" not in top:
        check.error("start", "missing start: name the step the call begins with")
    elif not isinstance(start, str):
        check.error("start", f"start must be a step id (text), not {describe(start)}")
    elif isinstance(raw_steps, dict) and start not in known:
        check.error("start", f"start names an unknown step {start!r}{_suggest(start, known)}")
    if isinstance(raw_steps, dict) and 0 < len(raw_steps) <= MAX_STEPS:
        first = start if isinstance(start, str) else None
        check.problems.extend(whole_script_problems(raw_steps, first, stored=stored))
    if steps is not None:
        _check_answer_reads(check, steps)
        if not stored:  # added after scripts were stored: those read again keep what they have
            _check_shown(check, steps)
    if check.failed or steps is None or script_id is None or not isinstance(start, str):
        return None, check.problems
    document = {k: v for k, v in top.items() if k != "version"}
    script = Script(script_id, title or script_id, start, steps, document)
    tried = [] if stored else tried_problems(script)  # calls that go round for ever, texts never shown
    failed = any(p.severity is Severity.ERROR for p in tried)
    return None if failed else script, check.problems + tried


def _check_shown(check: _Checker, steps: dict[str, Step]) -> None:
    """What volunteers see and exports keep: no control characters in texts and values (a NUL, a bell), no
    label a button shows as blank (only zero-width characters) or that turns the text after it around."""
    for step in steps.values():
        if (why := control_in_text(step.text)) is not None:
            check.error(f"steps.{step.id}.text", f"the step's text {why}")
        for i, choice in enumerate(step.choices):
            path = f"steps.{step.id}.choices[{i}]"
            if (why := unprintable(choice.label)) is not None:
                check.error(f"{path}.label", f"the label {why}")
            elif all(c.isspace() or unicodedata.category(c) == "Cf" for c in choice.label):
                check.error(f"{path}.label", "the label shows nothing a volunteer can see: write a word")
            if isinstance(choice.value, str) and (why := control_in_text(choice.value)) is not None:
                check.error(f"{path}.value", f"the value {why}")


def _check_answer_reads(check: _Checker, steps: dict[str, Step]) -> None:
    """A text or rule that reads an answer no question of the script records (`answers.supprt`) shows a
    blank, or sends every voter down the same branch, without a word: said at upload, with the spelling (a
    warning: such a script still runs, and `answers.x is defined` may mean to read an answer not given)."""
    asked = {s.question for s in steps.values() if s.records_answer}
    for step in steps.values():
        reads = [(f"steps.{step.id}.text", step.text, False)]
        reads += [
            (f"steps.{step.id}.next[{i}].when", r.when, True) for i, r in enumerate(step.next) if r.when
        ]
        for where, source, expression in reads:
            for key in sorted(sandbox.answers_read(source, expression=expression) - asked):
                # `answers.q.one` reads the answer `q`, then its `one`: never the question key `q.one`.
                dotted = sorted(k for k in asked if k.startswith(key + "."))
                hint = f"; a key with a dot is read with brackets: answers[{dotted[0]!r}]" if dotted else ""
                check.warn(
                    where,
                    f"answers.{key}: no question of this script is called {key!r}{_suggest(key, asked)}, "
                    "so that answer is always empty (the question key is the step id, or its `question`)"
                    + hint,
                )


def _check_steps(check: _Checker, raw: Any, present: bool) -> dict[str, Step] | None:
    if not present:
        check.error("steps", "missing steps: a script needs at least one step")
        return None
    if not isinstance(raw, dict):
        check.error("steps", f"steps must be a mapping of step id to step, not {describe(raw)}")
        return None
    if not raw:  # said as such: "not a mapping" would describe an empty one wrongly
        check.error("steps", "steps is empty: a script needs at least one step")
        return None
    if len(raw) > MAX_STEPS:
        check.error("steps", f"too many steps ({len(raw)}; at most {MAX_STEPS})")
        return None
    known = {k for k in raw if isinstance(k, str)}
    steps: dict[str, Step] = {}
    broken = False
    for sid, body in raw.items():
        path = f"steps.{sid}" if isinstance(sid, str) else f"steps[{sid!r}]"
        ident = check.ident(sid, path, "a step id")
        step = _check_step(check, ident or str(sid), body, path, known)
        if step is None or ident is None:
            broken = True
        else:
            steps[ident] = step
    return None if broken else steps


def _check_step(check: _Checker, sid: str, raw: Any, path: str, known: set[str]) -> Step | None:
    body = check.mapping(raw, path, f"step {sid!r}", STEP_FIELDS)
    if body is None:
        return None
    before = len(check.problems)
    text = None
    if "text" in body:
        text = check.text(body["text"], f"{path}.text", "the step's text", MAX_TEXT)
    else:
        check.error(f"{path}.text", "missing text: what the volunteer reads out at this step")
    if text is not None:
        for message in sandbox.check_template(text):
            check.error(f"{path}.text", message)
    kinds = [k for k in ("choices", "next", "result") if k in body]
    if not kinds:
        check.error(path, "a step needs one of choices, next or result (an end step has result)")
    elif len(kinds) > 1:
        both = " and ".join(kinds)
        check.error(path, f"a step has exactly one of choices, next or result; this one has {both}")
    question = sid
    if "question" in body:
        question = check.text(body["question"], f"{path}.question", "the question key", MAX_ID) or sid
        if not QUESTION_RE.fullmatch(question):
            check.error(f"{path}.question", "a question key may use letters, digits, '_', '-' and '.'")
    kind_input: InputKind | None = None
    if "input" in body:
        if body["input"] not in ("text", "number"):
            check.error(f"{path}.input", f"input must be 'text' or 'number', not {body['input']!r}")
        elif kinds != ["next"]:
            check.error(f"{path}.input", "input is only for steps that go on with next")
        else:
            kind_input = InputKind(body["input"])
    bounds = _check_bounds(check, body, path, kind_input)
    choices = _check_choices(check, body["choices"], f"{path}.choices", known) if "choices" in body else ()
    rules = _check_next(check, body["next"], f"{path}.next", known) if "next" in body else ()
    result = check.result(body["result"], f"{path}.result") if "result" in body else None
    if any(p.severity is Severity.ERROR for p in check.problems[before:]):
        return None
    return Step(sid, text or "", question, choices or (), rules or (), result, kind_input, *bounds)


def _check_bounds(
    check: _Checker, body: dict[str, Any], path: str, kind: InputKind | None
) -> tuple[float | None, float | None]:
    """`min` and `max` of a number step: finite numbers, min <= max; refused on any other step."""
    found: dict[str, float] = {}
    for name in ("min", "max"):
        if name not in body:
            continue
        value = body[name]
        if kind is not InputKind.NUMBER:
            check.error(f"{path}.{name}", f"{name} is only for steps with input: number")
        elif isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            check.error(f"{path}.{name}", f"{name} must be a number")
        else:
            found[name] = value
    if "min" in found and "max" in found and found["min"] > found["max"]:
        check.error(f"{path}.min", f"min ({found['min']}) is more than max ({found['max']})")
    return found.get("min"), found.get("max")


def _check_ref(check: _Checker, value: Any, path: str, known: set[str]) -> str | None:
    if not isinstance(value, str):
        check.error(path, f"must name a step (text), not {describe(value)}")
        return None
    if value not in known:
        check.error(path, f"unknown step {value!r}{_suggest(value, known)}")
        return None
    return value


def _check_choices(check: _Checker, raw: Any, path: str, known: set[str]) -> tuple[Choice, ...] | None:
    if not isinstance(raw, list):
        check.error(path, f"choices must be a list, not {describe(raw)}")
        return None
    if not raw:
        check.error(path, "empty choices: give at least one choice, or use next or result instead")
        return None
    if len(raw) > MAX_CHOICES:
        check.error(path, f"too many choices ({len(raw)}; at most {MAX_CHOICES})")
        return None
    out: list[Choice] = []
    seen: dict[Any, int] = {}
    labels: dict[str, int] = {}  # two buttons alike on the page: a warning (stored scripts are read again)
    for i, item in enumerate(raw):
        cpath = f"{path}[{i}]"
        body = check.mapping(item, cpath, "a choice", CHOICE_FIELDS)
        if body is None:
            continue
        label = None
        if "label" in body:
            raw_label = body["label"]
            if isinstance(raw_label, int | float) and not isinstance(raw_label, bool):
                raw_label = str(raw_label)  # `label: 5` on a rating scale means the text "5"
            label = check.text(raw_label, f"{cpath}.label", "the label", MAX_LABEL)
        else:
            check.error(f"{cpath}.label", "missing label: what the volunteer clicks")
        if label is not None:
            shown = " ".join(label.split())
            if (twin := labels.setdefault(shown.casefold(), i)) != i:
                same = f"choices {twin} and {i} have the same label {shown!r}"
                check.warn(f"{cpath}.label", f"{same}: a volunteer cannot tell them apart")
        value: Answer | None = label
        if "value" in body:
            value = _check_value(check, body["value"], f"{cpath}.value")
        if value is not None:
            marker = (type(value) is str, value)
            if marker in seen:
                where = f"{cpath}.value" if "value" in body else f"{cpath}.label"
                check.error(where, f"choices {seen[marker]} and {i} give the same answer {value!r}")
            seen[marker] = i
        ends = [k for k in ("next", "result") if k in body]
        if len(ends) != 1:
            check.error(cpath, "a choice has exactly one of next (a step id) or result (a result code)")
            continue
        nxt = _check_ref(check, body["next"], f"{cpath}.next", known) if "next" in body else None
        result = check.result(body["result"], f"{cpath}.result") if "result" in body else None
        transfer = None  # a staff line of the campaign's, checked when script and campaign meet
        if "transfer" in body:
            transfer = check.text(body["transfer"], f"{cpath}.transfer", "the transfer target", MAX_TRANSFER)
            if transfer is None:
                continue
        if label is not None and value is not None and (nxt or result):
            out.append(Choice(label, value, nxt, result, transfer.strip() if transfer else None))
    return tuple(out) if len(out) == len(raw) else None


def _check_value(check: _Checker, value: Any, path: str) -> Answer | None:
    if isinstance(value, float) and not math.isfinite(value):
        check.error(path, "the value must be a finite number")
        return None
    if isinstance(value, str) and len(value) <= MAX_LABEL or isinstance(value, bool | int | float):
        return value
    check.error(path, f"the value must be short text, a number or true/false, not {describe(value)}")
    return None


def _check_next(check: _Checker, raw: Any, path: str, known: set[str]) -> tuple[Rule, ...] | None:
    if isinstance(raw, str):
        ref = _check_ref(check, raw, path, known)
        return (Rule(ref),) if ref else None
    if not isinstance(raw, list) or not raw:
        check.error(path, "next must be a step id or a list of {when, goto} rules ending with a plain {goto}")
        return None
    if len(raw) > MAX_RULES:
        check.error(path, f"too many rules ({len(raw)}; at most {MAX_RULES})")
        return None
    rules: list[Rule] = []
    for i, item in enumerate(raw):
        rpath = f"{path}[{i}]"
        body = check.mapping(item, rpath, "a rule", RULE_FIELDS)
        if body is None:
            continue
        last = i == len(raw) - 1
        when: str | None = None
        if "when" in body:
            if last:
                check.error(f"{rpath}.when", "the last rule must be a plain {goto: ...} without when")
            when = check.text(body["when"], f"{rpath}.when", "the condition", MAX_TEXT)
            for message in sandbox.check_expression(when) if when else ():
                check.error(f"{rpath}.when", message)
        elif not last:
            check.error(rpath, "only the last rule may leave out when")
        if "goto" not in body:
            check.error(f"{rpath}.goto", "missing goto: the step to go to")
            continue
        goto = _check_ref(check, body["goto"], f"{rpath}.goto", known)
        if goto:
            rules.append(Rule(goto, when))
    return tuple(rules) if len(rules) == len(raw) else None
