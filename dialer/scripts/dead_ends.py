"""Every way a call can go, tried at upload: the places a call can get to and never leave for a result (pure).

The step graph (outline.py) says whether an end can be reached from a step along some arrows; conditions
decide which arrows a call can really take, and they can contradict each other: a branch that needs
`answers.s0 == 'a'` after a rule that only comes there when it is not. So a script with conditions is walked
with the engine itself, along every choice, with typed answers taken from the values its conditions name
(and a few others), and for every contact the conditions tell apart. A place no result can be reached from
is reported with the answers that lead there. The search is bounded (MAX_STEPS, MAX_STATES); beyond that
nothing is said, and the step graph's checks are all there is.
"""

from __future__ import annotations

import itertools
import re
from collections import deque
from collections.abc import Iterator
from typing import Any

from jinja2 import nodes

from dialer.scripts import engine, sandbox
from dialer.scripts.model import Answer, InputKind, Problem, Script, Severity, Step
from dialer.scripts.outline import components

MAX_STATES = 5_000  # about a quarter of a second of walking, at most
MAX_STEPS = 2_000  # past this the walks take seconds (the engine and each condition's compiling): not tried
MAX_CONTACTS = 16
MAX_TYPED = 40
OTHER_TEXT = "(something else)"

State = tuple[str, frozenset[tuple[str, str, Answer]], int]


def dead_end_problems(script: Script) -> list[Problem]:
    """An error for each step a call can come to and then never reach a result from, with an example."""
    conditions = [rule.when for step in script.steps.values() for rule in step.next if rule.when]
    if len(script.steps) > MAX_STEPS or not any(sandbox.constant(when) is None for when in conditions):
        return []  # without conditions every arrow can be taken: the step graph's check is exact
    found = _search(script, conditions)
    if found is None:
        return []
    return [Problem(f"steps.{walk.step}", _message(script, walk, contact)) for walk, contact in found]


def tried_problems(script: Script) -> list[Problem]:
    """What trying the script finds: dead ends (errors) and texts that cannot be shown (warnings)."""
    return dead_end_problems(script) + text_problems(script)


def text_problems(script: Script) -> list[Problem]:
    """A warning for each text that fails to render with a sample contact (every column holds text, as a
    call list's do) and a sample answer to every question: a volunteer would read "[this text could not be
    shown; tell the campaign staff]" instead (`{{ contact.age + 1 }}` adds a number to a text)."""
    answers: dict[str, Answer] = {}
    for step in script.steps.values():
        if step.choices:
            answers[step.question] = step.choices[0].value
        elif step.input is not None:
            answers[step.question] = 1 if step.input is InputKind.NUMBER else "sample"
    out = []
    for step in script.steps.values():
        if not _can_fail(step.text):
            continue
        contact: dict[str, Any] = {name: "Sample" for name in sandbox.contact_names(step.text)}
        contact.update((k, 0) for k in ("attempts",) if k in contact)  # the one column that is a number
        why = sandbox.render_failure(step.text, contact, answers)
        if why is not None:
            out.append(
                Problem(
                    f"steps.{step.id}.text",
                    f"this text cannot be shown ({why}); a volunteer would read a notice instead. Contact "
                    "columns and typed text answers are text: to count with one, write contact.x | int",
                    Severity.WARNING,
                )
            )
    return out


_PARTS = re.compile(r"\{\{(.*?)\}\}|\{%(.*?)%\}", re.DOTALL)


def _can_fail(source: str) -> bool:
    """Whether a text does more than show values (`{{ contact.first_name }}` cannot fail, and compiling
    every text of a long script to try it takes seconds): arithmetic, comparisons and filters can."""
    return any(re.search(r"[-+*/<>|~]", a or b) for a, b in _PARTS.findall(source))


def _message(script: Script, walk: engine.Walk, contact: dict[str, Any]) -> str:
    answers = walk.answers(script)
    given = ", ".join(f"{k} {v!r}" for k, v in answers.items())
    fields = ", ".join(f"contact.{k} {v!r}" for k, v in contact.items())
    example = "; ".join(x for x in (f"answers {given}" if given else "", fields) if x) or "the start"
    return (
        "a call can come to this step and never reach a result: the conditions on every way on from it "
        f"lead it round in a circle (for example after {example}); give the circle a way out"
    )


def _search(script: Script, conditions: list[str]) -> list[tuple[engine.Walk, dict[str, Any]]] | None:
    read = _read_ahead(script)
    consts = _constants(conditions)
    typed = {s.id: _typed(s, consts) for s in script.steps.values() if s.input is not None}
    contacts = list(_contacts(conditions, consts))
    walks: dict[State, engine.Walk] = {}
    edges: dict[State, list[State]] = {}
    todo: deque[State] = deque()
    for index in range(len(contacts)):
        first = engine.start(script)
        key = _key(script, first, index, read)
        walks[key] = first
        todo.append(key)
    while todo:
        key = todo.popleft()
        walk, contact = walks[key], contacts[key[2]]
        edges[key] = []
        if walk.done:
            continue
        for new in _moves(script, walk, contact, typed):
            new_key = _key(script, new, key[2], read)
            edges[key].append(new_key)
            if new_key not in walks:
                if len(walks) >= MAX_STATES:
                    return None
                walks[new_key] = new
                todo.append(new_key)
    before: dict[State, list[State]] = {k: [] for k in edges}
    for key, targets in edges.items():
        for target in targets:
            before[target].append(key)
    ending = deque(k for k in edges if walks[k].done)
    can_end = set(ending)
    while ending:
        for prev in before[ending.popleft()]:
            if prev not in can_end:
                can_end.add(prev)
                ending.append(prev)
    stuck: dict[str, tuple[engine.Walk, dict[str, Any]]] = {}
    for key in edges:  # in the order found: the first example of each step is one of the shortest
        if key not in can_end and key[0] not in stuck:
            stuck[key[0]] = (walks[key], contacts[key[2]])
    return [stuck[sid] for sid in script.steps if sid in stuck]


def _key(script: Script, walk: engine.Walk, contact: int, read: dict[str, frozenset[str] | None]) -> State:
    """What decides where a call can go from here: its step (or result), and the answers that conditions
    from here on read (two calls at a step that differ only in answers nobody reads again go alike)."""
    if walk.done:
        return (f"\0{walk.result}", frozenset(), contact)
    ahead = read[walk.step]
    answers = walk.answers(script)
    kept = frozenset((k, type(v).__name__, v) for k, v in answers.items() if ahead is None or k in ahead)
    return (walk.step, kept, contact)


def _read_ahead(script: Script) -> dict[str, frozenset[str] | None]:
    """For each step, the answers that conditions at it or after it read (None: any), found over the step
    graph's strongly connected components from the last ones back."""
    links = {
        s.id: [*(c.next for c in s.choices if c.next), *(r.goto for r in s.next)]
        for s in script.steps.values()
    }
    own: dict[str, frozenset[str] | None] = {}
    for step in script.steps.values():
        keys: set[str] | None = set()
        for rule in step.next:
            read = sandbox.answer_keys(rule.when) if rule.when else set()
            keys = None if keys is None or read is None else keys | read
        own[step.id] = None if keys is None else frozenset(keys)
    out: dict[str, frozenset[str] | None] = {}
    for group in reversed(components(links)):  # a component's successors outside it come first
        members = set(group)
        parts = [own[sid] for sid in group]
        parts += [out[t] for sid in group for t in links[sid] if t not in members]
        total = None if None in parts else frozenset().union(*(p for p in parts if p is not None))
        for sid in group:
            out[sid] = total
    return out


def _moves(
    script: Script, walk: engine.Walk, contact: dict[str, Any], typed: dict[str, list[Answer]]
) -> Iterator[engine.Walk]:
    step = script.step(walk.step)
    if step.choices:
        tries: list[dict[str, Any]] = [{"choice": i} for i in range(len(step.choices))]
    elif step.input is not None:
        tries = [{"value": v} for v in typed[step.id]]
    else:
        tries = [{}]
    for kwargs in tries:
        try:
            yield engine.answer(script, contact, walk, step.id, **kwargs)
        except engine.AnswerError:
            continue  # a typed answer the step refuses, or a walk too long: no move


def _constants(conditions: list[str]) -> list[Any]:
    """The fixed values the conditions name (`'yes'`, `18`), in order, once each."""
    found: dict[tuple[str, Any], Any] = {}
    for when in conditions:
        try:
            root: nodes.Node = sandbox.parse_condition(when)
        except Exception:
            continue
        for node in root.find_all(nodes.Const):
            value = node.value
            if isinstance(value, int | float) and not abs(value) <= engine.MAX_NUMBER:  # NaN too
                continue  # 1e999, a 400-digit number: no typed answer is one, and adding to them overflows
            if isinstance(value, str | int | float) and not isinstance(value, bool):
                found.setdefault((type(value).__name__, value), value)
    return list(found.values())


def _typed(step: Step, consts: list[Any]) -> list[Answer]:
    """Typed answers to try at an input step: each value the conditions name, next to it, and others."""
    values: dict[tuple[str, Answer], Answer] = {}
    numbers: list[float] = [0, 1, -1, 10**6]
    if step.minimum is not None:
        numbers += [step.minimum, step.minimum - 1]
    if step.maximum is not None:
        numbers += [step.maximum, step.maximum + 1]
    texts = ["", OTHER_TEXT]
    for value in consts:
        if isinstance(value, str):
            texts.append(value)
            try:
                numbers.append(float(value))
            except ValueError:
                pass
        else:
            numbers += [value - 1, value, value + 1, value + 0.5]
            texts += [str(value - 1), str(value), str(value + 1), "x" * max(0, min(int(value), 200))]
    for n in numbers:
        n = int(n) if float(n).is_integer() else n
        values.setdefault((type(n).__name__, n), n)
    if step.input is InputKind.TEXT:
        values = {("str", t): t for t in texts}
    return list(values.values())[:MAX_TYPED]


def _contacts(conditions: list[str], consts: list[Any]) -> Iterator[dict[str, Any]]:
    """Contacts the conditions may tell apart: each field they read blank, or holding a value they name."""
    fields = sorted(set().union(*(sandbox.contact_names(w, expression=True) for w in conditions)))
    options = [[None, *(str(c) for c in consts)] for _ in fields]
    for combo in itertools.islice(itertools.product(*options), MAX_CONTACTS):
        yield {f: v for f, v in zip(fields, combo, strict=True) if v is not None}
