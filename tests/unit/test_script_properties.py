"""Property tests: generated valid scripts validate and every walk ends; mutations and junk never crash."""

from __future__ import annotations

import copy
import json
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialer.models import RESULT_CODES
from dialer.scripts import (
    ScriptError,
    Severity,
    check_answers,
    engine,
    load_script,
    step_payload,
    validate_script,
)
from dialer.scripts.sandbox import check_expression, check_template, holds, render

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CONTACT = {"id": "c1", "first_name": "Ann", "fields": {"ward": "3"}}
TEXTS = st.one_of(
    st.text(st.characters(blacklist_characters="{}%#", blacklist_categories=("Cs", "Cc")), max_size=30).map(
        lambda t: "T " + t
    ),
    st.sampled_from(
        [
            "Hi {{ contact.first_name }}!",
            "{% if answers.s0 == 'a' %}A{% else %}B{% endif %}",
            "{{ contact.ward | default('?') }} {{ answers.s1 }}",
            "{{ contact.nickname }}{{ answers.nothing.deeper }}",
        ]
    ),
)
CONDITIONS = st.sampled_from(
    [
        "answers.s0 == 'a'",
        "contact.first_name == 'Ann'",
        "answers.s1 | int > 3",
        "answers.s2 is defined",
        "not answers.s3",
        "answers.s1 > 2",  # fails on text answers: must count as false, never crash
    ]
)
RESULTS = st.sampled_from(sorted(RESULT_CODES))


@st.composite
def script_docs(draw: st.DrawFn) -> dict[str, Any]:
    """A valid script: steps only lead to later steps (so every step reaches an end), the last ends."""
    n = draw(st.integers(1, 10))
    ids = [f"s{i}" for i in range(n)]
    steps: dict[str, Any] = {}
    for i, sid in enumerate(ids):
        later = ids[i + 1 :]
        kind = draw(
            st.sampled_from(["result", "choices", "next", "input"] if later else ["result", "choices"])
        )
        step: dict[str, Any] = {"text": draw(TEXTS)}
        if kind == "result":
            step["result"] = draw(RESULTS)
        elif kind == "choices":
            step["choices"] = []
            for j in range(draw(st.integers(1, 4))):
                choice: dict[str, Any] = {"label": f"option {j}"}
                if draw(st.booleans()):
                    choice["value"] = draw(st.sampled_from(["a", "b", 1, 2.5, True]))
                    if any(c.get("value", c["label"]) == choice["value"] for c in step["choices"]):
                        choice["value"] = f"v{j}"
                if later and draw(st.booleans()):
                    choice["next"] = draw(st.sampled_from(later))
                else:
                    choice["result"] = draw(RESULTS)
                step["choices"].append(choice)
        else:
            if kind == "input":
                step["input"] = draw(st.sampled_from(["text", "number"]))
            rules = [
                {"when": draw(CONDITIONS), "goto": draw(st.sampled_from(later))}
                for _ in range(draw(st.integers(0, 2)))
            ]
            final = draw(st.sampled_from(later))
            step["next"] = [*rules, {"goto": final}] if rules or draw(st.booleans()) else final
        steps[sid] = step
    return {"id": "generated", "title": "Generated", "start": "s0", "steps": steps}


@SETTINGS
@given(script_docs(), st.data())
def test_valid_scripts_validate_and_every_random_walk_ends_in_a_result(
    doc: dict[str, Any], data: st.DataObject
) -> None:
    fmt = data.draw(st.sampled_from(["yaml", "json"]))
    text = yaml.safe_dump(doc) if fmt == "yaml" else json.dumps(doc)
    loaded = load_script(text, f"application/{fmt}")
    assert not [w for w in loaded.warnings if w.severity is Severity.ERROR]
    script = loaded.script
    walk = engine.start(script)
    for _ in range(len(script.steps) + 1):
        payload = step_payload(script, walk, CONTACT)
        json.dumps(payload)
        step = script.step(walk.step)
        if step.choices:
            walk = engine.answer(
                script, CONTACT, walk, step.id, choice=data.draw(st.integers(0, len(step.choices) - 1))
            )
        elif step.input is not None:
            value = data.draw(
                st.integers(-5, 10) if step.input == "number" else st.sampled_from(["a", "no", "7"])
            )
            walk = engine.answer(script, CONTACT, walk, step.id, value=value)
        else:
            walk = engine.answer(script, CONTACT, walk, step.id)
        if walk.done:
            break
    assert walk.done and walk.result in RESULT_CODES
    assert check_answers(script, CONTACT, walk.answers(script)) == []


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def _containers(doc: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(doc, dict):
        for k, v in doc.items():
            found += _containers(v, (*path, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            found += _containers(v, (*path, i))
    return found


@SETTINGS
@given(script_docs(), st.data())
def test_mutated_scripts_are_valid_or_rejected_with_paths(doc: dict[str, Any], data: st.DataObject) -> None:
    doc = copy.deepcopy(doc)
    for _ in range(data.draw(st.integers(1, 3))):
        target = data.draw(st.sampled_from(_containers(doc)[1:]))  # never the root itself
        parent = doc
        for key in target[:-1]:
            parent = parent[key]
        action = data.draw(st.sampled_from(["delete", "replace", "add", "reference"]))
        last = target[-1]
        if action == "delete":
            del parent[last]
        elif action == "replace":
            parent[last] = data.draw(JSON_VALUES)
        elif action == "reference":
            parent[last] = data.draw(st.sampled_from(["s0", "s9", "nowhere", "contacted", "intro"]))
        elif isinstance(parent, dict):
            parent[data.draw(st.text(min_size=1, max_size=8))] = data.draw(JSON_VALUES)
    try:
        load_script(json.dumps(doc), "application/json")
    except ScriptError as exc:
        assert exc.errors
        assert all(p.path and p.message for p in exc.problems)


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(st.text(max_size=300), st.binary(max_size=300)),
    st.sampled_from(["application/yaml", "application/json"]),
)
def test_no_input_makes_the_loader_raise_anything_but_script_error(data: str | bytes, ctype: str) -> None:
    try:
        load_script(data, ctype)
    except ScriptError as exc:
        assert exc.problems and all(p.message for p in exc.problems)


@settings(max_examples=200, deadline=None)
@given(JSON_VALUES)
def test_validation_of_any_json_value_returns_problems_never_raises(doc: Any) -> None:
    script, problems = validate_script(doc)
    assert script is None and problems


TOKENS = [
    *"{}%#()[].'\" _|*+-<>=!~,:",
    "{{",
    "}}",
    "{%",
    "%}",
    "contact",
    "answers",
    "x",
    "if",
    "endif",
    "1",
    "__class__",
]
JINJAISH = st.lists(st.sampled_from(TOKENS), max_size=20).map("".join)


@settings(max_examples=300, deadline=None)
@given(JINJAISH)
def test_templates_and_conditions_never_raise(source: str) -> None:
    assert isinstance(check_template(source), list)
    assert isinstance(check_expression(source), list)
    assert isinstance(render(source, CONTACT, {"s0": "a"}), str)
    assert isinstance(holds(source, CONTACT, {}), bool)
