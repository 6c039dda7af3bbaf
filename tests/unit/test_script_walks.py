"""Property test: a script that validates without an error never lets a volunteer down at run time.

Scripts are generated with any shape (loops, references to earlier steps, conditions that are constant or
read answers and contact fields); those that validate are walked along every way a volunteer can take
(every choice, a few typed answers, Back), and every step must show, no answer may raise anything but
`AnswerError`, and from every place a call can get to, a result must still be reachable.
"""

from __future__ import annotations

import json
import os
from collections import deque
from typing import Any

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from dialer.models import RESULT_CODES
from dialer.scripts import Script, ScriptError, Walk, engine, load_script, step_payload

CONTACT = {"id": "c1", "first_name": "Ann", "fields": {"ward": "3"}}
CONDITIONS = [
    "answers.s0 == 'a'",
    "answers.s1 == 1",
    "answers.s2 | int > 3",
    "answers.s3 is defined",
    "not answers.s1",
    "answers.s2 > 2",  # fails on a text answer: counts as false
    "contact.first_name == 'Ann'",
    "contact.ward == '4'",
    "true",
    "1",
    "none",
]
TEXTS = [
    "Hello",
    "Hi {{ contact.first_name }}, ward {{ contact.ward }}",
    "{{ answers.s0 }} / {{ answers.s2 | int + 1 }}",
    "{% if answers.s1 %}again{% else %}first{% endif %} 👋 مرحبا",
    "{{ answers.s2 + 1 }}",
]
# What a volunteer may type: every value the conditions name, those next to them, and others.
TYPED = {"text": ["a", "b", "1", "7", ""], "number": [-1, 0, 1, 2, 3, 4, 7]}


@st.composite
def any_shape_scripts(draw: st.DrawFn) -> dict[str, Any]:
    """A script whose steps may lead anywhere, loops included: many do not validate, and that is fine."""
    n = draw(st.integers(1, 6))
    ids = [f"s{i}" for i in range(n)]
    refs = st.sampled_from(ids)
    steps: dict[str, Any] = {}
    for sid in ids:
        step: dict[str, Any] = {"text": draw(st.sampled_from(TEXTS))}
        kind = draw(st.sampled_from(["result", "choices", "next", "input"]))
        if kind == "result":
            step["result"] = draw(st.sampled_from(sorted(RESULT_CODES)))
        elif kind == "choices":
            step["choices"] = []
            values = draw(st.permutations(["a", "b", 1, True, 2.5]))
            for j in range(draw(st.integers(1, 3))):
                choice: dict[str, Any] = {"label": f"option {j}", "value": values[j]}
                if draw(st.integers(0, 2)):
                    choice["next"] = draw(refs)
                else:
                    choice["result"] = draw(st.sampled_from(sorted(RESULT_CODES)))
                step["choices"].append(choice)
        else:
            if kind == "input":
                step["input"] = draw(st.sampled_from(["text", "number"]))
            rules = [
                {"when": draw(st.sampled_from(CONDITIONS)), "goto": draw(refs)}
                for _ in range(draw(st.integers(0, 2)))
            ]
            step["next"] = [*rules, {"goto": draw(refs)}] if rules else draw(refs)
        steps[sid] = step
    return {"id": "shape", "title": "Shape", "start": "s0", "steps": steps}


def _key(script: Script, walk: Walk) -> tuple[Any, ...]:
    """What decides everything ahead of a walk: its step, its answers (typed: 1 is not True), its result."""
    answers = frozenset((k, type(v).__name__, v) for k, v in walk.answers(script).items())
    return walk.step, answers, walk.result


def _moves(script: Script, walk: Walk) -> list[Walk]:
    """Every walk a volunteer can make from `walk` with one answer (answers refused are no move)."""
    step = script.step(walk.step)
    if step.choices:
        tries: list[dict[str, Any]] = [{"choice": i} for i in range(len(step.choices))]
    elif step.input is not None:
        tries = [{"value": v} for v in TYPED[step.input.value]]
    else:
        tries = [{}]
    out = []
    for kwargs in tries:
        try:
            out.append(engine.answer(script, CONTACT, walk, step.id, **kwargs))
        except engine.AnswerError as exc:
            assert exc.code != "call_too_long", f"{step.id}: {exc.message}"
    return out


@settings(
    max_examples=int(os.environ.get("SCRIPT_WALKS", "400")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(any_shape_scripts(), st.sampled_from(["json", "yaml"]))
def test_a_script_without_errors_always_lets_a_call_reach_a_result(doc: dict[str, Any], fmt: str) -> None:
    text = json.dumps(doc, ensure_ascii=False) if fmt == "json" else yaml.safe_dump(doc, allow_unicode=True)
    try:
        script = load_script(text, f"application/{fmt}").script
    except ScriptError:
        event("refused")
        return
    event("accepted")
    first = engine.start(script)
    seen = {_key(script, first): first}
    edges: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
    todo = deque([first])
    while todo:
        walk = todo.popleft()
        key = _key(script, walk)
        edges[key] = []
        if walk.done:
            assert walk.result in RESULT_CODES
            continue
        payload = step_payload(script, walk, CONTACT)
        json.dumps(payload)
        assert payload["text"].strip() or not script.step(walk.step).text.strip()
        if walk.path:
            assert engine.back(walk).step == walk.path[-1].step
        for new in _moves(script, walk):
            new_key = _key(script, new)
            edges[key].append(new_key)
            if new_key not in seen:
                seen[new_key] = new
                todo.append(new)
    # Backwards from the results: every place the call can get to must be one a result can be reached from.
    before: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {k: [] for k in edges}
    for key, nexts in edges.items():
        for nxt in nexts:
            before[nxt].append(key)
    ending = deque(k for k in edges if k[2] is not None)
    can_end = set(ending)
    while ending:
        for prev in before[ending.popleft()]:
            if prev not in can_end:
                can_end.add(prev)
                ending.append(prev)
    stuck = sorted({k[0] for k in edges if k not in can_end})
    assert not stuck, f"a call at step(s) {stuck} can never reach a result: {json.dumps(doc)}"


OPERANDS = ["answers.s0", "answers.s1", "answers.s0 | int", "answers.s1 | length", "contact.ward", "'a'", "1"]
OPERANDS += ["2.5", "1e999", "-1e999", "1" + "0" * 40, "none", "true", "[1, 'a']", "answers['s0']"]
OPS = ["==", "!=", ">", "<=", "in", "not in", "+", "-", "*", "/", "~", "and", "or"]
COMPARISONS = st.builds(
    lambda a, op, b, negate: f"not ({a} {op} {b})" if negate else f"{a} {op} {b}",
    st.sampled_from(OPERANDS),
    st.sampled_from(OPS),
    st.sampled_from(OPERANDS),
    st.booleans(),
)
CONDITIONS_ANY = st.lists(COMPARISONS, min_size=1, max_size=3).map(" and ".join)


@settings(max_examples=int(os.environ.get("SCRIPT_WALKS", "300")), deadline=None)
@given(CONDITIONS_ANY)
def test_any_condition_is_checked_without_the_upload_failing_to_read_the_document(when: str) -> None:
    steps = {
        "s0": {"text": "Hi", "input": "text", "next": [{"when": when, "goto": "s1"}, {"goto": "s1"}]},
        "s1": {
            "text": "{{ " + when + " }}",
            "choices": [{"label": "a", "next": "s0"}, {"label": "b", "result": "moved"}],
        },
    }
    try:
        load_script(json.dumps({"id": "w", "start": "s0", "steps": steps}), "application/json")
    except ScriptError as exc:
        assert all(p.path for p in exc.problems), (
            exc.problems
        )  # each problem is the condition's or the text's
