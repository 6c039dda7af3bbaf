"""Walking a script: rendering, answers, conditional rules, back, the answers check, the runtime sandbox."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dialer.scripts import AnswerError, Script, check_answers, engine, load_script, step_payload
from dialer.scripts.sandbox import holds, render, render_failure

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ANN = {
    "id": "c1",
    "first_name": "Ann",
    "last_name": "Lee",
    "phone": "+12025550142",
    "fields": {"street": "Elm St"},
}


@pytest.fixture(scope="module")
def gotv() -> Script:
    return load_script((EXAMPLES / "gotv.yaml").read_bytes(), "application/yaml").script


def walk_through(script: Script, moves: list[tuple[str, dict[str, Any]]], contact: Any = ANN) -> engine.Walk:
    walk = engine.start(script)
    for step, kwargs in moves:
        walk = engine.answer(script, contact, walk, step, **kwargs)
    return walk


def test_step_payload_has_exactly_the_wire_fields(gotv: Script) -> None:
    payload = step_payload(gotv, engine.start(gotv), ANN)
    assert set(payload) == {"id", "text", "choices", "input"}
    assert payload["id"] == "intro"
    assert payload["text"].startswith("Hi, may I speak with Ann?")
    assert payload["choices"][0] == {"index": 0, "label": "Speaking"}
    assert payload["input"] is None


def test_missing_contact_fields_render_empty_or_default(gotv: Script) -> None:
    payload = step_payload(gotv, engine.start(gotv), {"id": "c2"})
    assert "may I speak with the voter?" in payload["text"]
    assert render("Hi {{ contact.nickname }}{{ contact.a.b.c }}!", {}, {}) == "Hi !"


def test_extra_csv_fields_are_reachable_as_contact_columns(gotv: Script) -> None:
    walk = walk_through(
        gotv, [("intro", {"choice": 0}), ("support", {"choice": 1}), ("household", {"value": "2"})]
    )
    assert walk.step == "persuade"
    assert "roads on Elm St" in step_payload(gotv, walk, ANN)["text"]


def test_conditional_rule_and_number_input(gotv: Script) -> None:
    yes = walk_through(
        gotv, [("intro", {"choice": 0}), ("support", {"choice": 0}), ("household", {"value": 3})]
    )
    assert yes.step == "plan"
    assert yes.answers(gotv) == {"intro": "Speaking", "support": "yes", "household_voters": 3}
    assert "Great, 3 voters!" in step_payload(gotv, yes, ANN)["text"]
    undecided = walk_through(
        gotv, [("intro", {"choice": 0}), ("support", {"choice": 1}), ("household", {"value": 1})]
    )
    assert undecided.step == "persuade"


@pytest.mark.parametrize(("raw", "parsed"), [("4", 4), (" 2.5 ", 2.5), ("1,200", 1200), (7.0, 7), (0, 0)])
def test_numbers_that_parse(raw: Any, parsed: Any) -> None:
    assert engine.parse_number(raw, "s") == parsed


@pytest.mark.parametrize("raw", ["four", "", True, None, "nan", "inf", 10**30, [1], "1e400"])
def test_numbers_that_do_not(raw: Any) -> None:
    with pytest.raises(AnswerError) as info:
        engine.parse_number(raw, "s")
    assert info.value.code == "bad_value"


@pytest.mark.parametrize("raw", ["NaN", " nan ", float("nan"), "1_000", "2_5"])
def test_not_a_number_is_said_so_and_python_spellings_are_not_numbers(raw: Any) -> None:
    """A volunteer typing "NaN" was told "the number is too large"; "1_000" (Python's digit grouping,
    which nobody types on a call) was taken as 1000."""
    with pytest.raises(AnswerError) as info:
        engine.parse_number(raw, "s")
    assert info.value.code == "bad_value" and "is not a number" in info.value.message


def test_end_step_is_a_step_and_answering_it_gives_the_result(gotv: Script) -> None:
    walk = walk_through(
        gotv,
        [
            ("intro", {"choice": 0}),
            ("support", {"choice": 0}),
            ("household", {"value": 1}),
            ("plan", {"choice": 2}),
        ],
    )
    assert walk.step == "thanks" and not walk.done
    assert step_payload(gotv, walk, ANN) == {
        "id": "thanks",
        "text": "Thank you, Ann! Your polling place is open 7am to 8pm. See you on Tuesday.",
        "choices": [],
        "input": None,
    }
    done = engine.answer(gotv, ANN, walk, "thanks")
    assert done.result == "contacted"
    assert done.answers(gotv)["vote_time"] == "evening"


def test_a_choice_with_a_result_ends_at_once(gotv: Script) -> None:
    walk = walk_through(gotv, [("intro", {"choice": 1})])
    assert walk.result == "not_home"
    assert walk.answers(gotv) == {"intro": "Not home"}


@pytest.mark.parametrize(
    ("step", "kwargs", "code"),
    [
        ("support", {"choice": 0}, "wrong_step"),
        ("intro", {"choice": 7}, "bad_choice"),
        ("intro", {"choice": -1}, "bad_choice"),
        ("intro", {"choice": True}, "bad_choice"),
        ("intro", {"choice": "0"}, "bad_choice"),
        ("intro", {}, "bad_choice"),
    ],
)
def test_wrong_answers(gotv: Script, step: str, kwargs: dict[str, Any], code: str) -> None:
    with pytest.raises(AnswerError) as info:
        engine.answer(gotv, ANN, engine.start(gotv), step, **kwargs)
    assert info.value.code == code


def test_text_input_needs_text() -> None:
    script = load_script(
        'id: t\nstart: a\nsteps:\n  a: {text: "Email?", input: text, next: b}\n'
        "  b: {text: bye, result: contacted}\n",
        "application/yaml",
    ).script
    for bad in (None, 3, "x" * 6000, "\ud800"):
        with pytest.raises(AnswerError):
            engine.answer(script, ANN, engine.start(script), "a", value=bad)
    assert engine.answer(script, ANN, engine.start(script), "a", value="a@example.org").answers(script) == {
        "a": "a@example.org"
    }


def test_back_drops_the_answers_after_it(gotv: Script) -> None:
    walk = walk_through(
        gotv, [("intro", {"choice": 0}), ("support", {"choice": 1}), ("household", {"value": 2})]
    )
    walk = engine.back(walk)
    assert walk.step == "household"
    assert walk.answers(gotv) == {"intro": "Speaking", "support": "undecided"}
    walk = engine.back(engine.back(walk))
    assert walk.step == "intro" and walk.answers(gotv) == {}
    with pytest.raises(AnswerError) as info:
        engine.back(walk)
    assert info.value.code == "at_start"


def test_back_from_done_shows_the_last_step_again(gotv: Script) -> None:
    done = walk_through(gotv, [("intro", {"choice": 0}), ("support", {"choice": 2}), ("thanks-anyway", {})])
    assert done.result == "contacted" and done.step == "thanks-anyway"
    again = engine.back(done)
    assert again.step == "thanks-anyway" and not again.done
    with pytest.raises(AnswerError):
        engine.answer(gotv, ANN, done, "thanks-anyway")
    by_choice = engine.back(walk_through(gotv, [("intro", {"choice": 1})]))
    assert by_choice.step == "intro" and not by_choice.done and by_choice.answers(gotv) == {}


def test_answers_check_accepts_a_real_walk(gotv: Script) -> None:
    answers = {"intro": "Speaking", "support": "undecided", "household_voters": 2, "persuaded": "leaning_yes"}
    assert check_answers(gotv, ANN, answers) == []
    assert check_answers(gotv, ANN, {}) == []


@pytest.mark.parametrize(
    ("answers", "path"),
    [
        ({"support": "maybe"}, "answers.support"),
        ({"colour": "red"}, "answers.colour"),
        ({"intro": "Speaking", "support": "yes", "household_voters": "many"}, "answers.household_voters"),
        (
            {"intro": "Speaking", "support": "yes", "household_voters": 1, "persuaded": "undecided"},
            "answers.persuaded",
        ),
        ({"intro": "Wrong number", "support": "yes"}, "answers.support"),
    ],
)
def test_answers_check_rejects_what_the_script_does_not_offer(gotv: Script, answers: Any, path: str) -> None:
    assert [p.path for p in check_answers(gotv, ANN, answers)] == [path]


@pytest.mark.parametrize(
    "answers",
    [
        {"support": "no"},  # the greeting's "Speaking" left out
        {"support": "undecided", "persuaded": "leaning_yes", "vote_time": "evening"},  # the count left out
        {"vote_time": "mail"},
        {"intro": "Speaking", "household_voters": 3},
    ],
)
def test_answers_check_accepts_the_questions_a_client_asked(gotv: Script, answers: Any) -> None:
    """API.md's `answers: {question: value}`: a client may send only the questions it asked."""
    assert check_answers(gotv, ANN, answers) == []


@pytest.mark.parametrize(
    ("answers", "path"),
    [
        ({"support": "no", "vote_time": "morning"}, "answers.vote_time"),  # "No" ends the call
        ({"support": "yes", "household_voters": 2, "persuaded": "leaning_yes"}, "answers.persuaded"),
        ({"intro": "Refused", "persuaded": "leaning_no"}, "answers.persuaded"),
    ],
)
def test_answers_left_out_do_not_open_a_branch_the_others_closed(
    gotv: Script, answers: Any, path: str
) -> None:
    assert [p.path for p in check_answers(gotv, ANN, answers)] == [path]


def test_answers_check_needs_a_mapping(gotv: Script) -> None:
    assert check_answers(gotv, ANN, ["yes"])[0].path == "answers"


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ 'a' * 100000000 }}",
        "{{ 2 ** 100000 }}",
    ],
)
def test_runtime_sandbox_fails_safely_even_without_upload_checks(source: str) -> None:
    text = render(source, {"first_name": "Ann"}, {})
    assert "class" not in text and "globals" not in text and len(text) < 100


def test_arithmetic_on_a_number_held_as_text_is_a_clear_error_not_repetition() -> None:
    """A contact column is text: `contact.gift * 2` with gift "50" showed the volunteer "5050", and
    `contact.a + contact.b` joined "1" and "2" into "12". The volunteer now sees the notice to tell staff,
    the script check says why, and converting first does the arithmetic."""
    script = load_script(
        "id: t\nstart: a\nsteps:\n  a: {text: 'Double it: {{ contact.gift * 2 }}', result: contacted}\n",
        "application/yaml",
    ).script
    text = step_payload(script, engine.start(script), {**ANN, "fields": {"gift": "50"}})["text"]
    assert "5050" not in text and "could not be shown" in text
    assert "would not do arithmetic" in (render_failure("{{ contact.gift * 2 }}", {"gift": "50"}, {}) or "")
    assert "12" not in render("{{ contact.a + contact.b }}", {"a": "1", "b": "2"}, {})
    assert render("{{ (contact.gift | int) * 2 }}", {"gift": "50"}, {}) == "100"
    assert render("{{ contact.gift | float + 0.5 }}", {"gift": "50"}, {}) == "50.5"
    # Text that is not a number still repeats and joins; numbers still add and multiply.
    assert render("{{ '-' * 3 }}{{ 'Mr. ' + contact.b }}", {"b": "Lee"}, {}) == "---Mr. Lee"
    assert render("{{ answers.n * 2 + 1 }}", {}, {"n": 3}) == "7"


def test_conditions_that_fail_count_as_false() -> None:
    assert holds("answers.age > 18", {}, {}) is False
    assert holds("answers.age > 18", {}, {"age": 30}) is True
    assert holds("answers.__class__", {}, {}) is False


def test_dict_methods_do_not_shadow_contact_columns() -> None:
    assert render("{{ contact.items }}/{{ contact.keys }}", {"items": "3 signs"}, {}) == "3 signs/"


def test_int_of_a_missing_answer_is_zero_not_a_broken_text() -> None:
    source = "{% if answers.n | int > 1 %}{{ answers.n }} voters{% else %}you{% endif %}"
    assert render(source, {}, {}) == "you"
    assert render(source, {}, {"n": 3}) == "3 voters"


def test_a_looping_call_is_capped() -> None:
    script = load_script(
        "id: t\nstart: a\nsteps:\n"
        "  a: {text: again, choices: [{label: again, next: a}, {label: stop, result: moved}]}\n",
        "application/yaml",
    ).script
    walk = engine.start(script)
    for _ in range(engine.MAX_PATH):
        walk = engine.answer(script, ANN, walk, "a", choice=0)
    with pytest.raises(AnswerError) as info:
        engine.answer(script, ANN, walk, "a", choice=0)
    assert info.value.code == "call_too_long"
    assert engine.answer(script, ANN, walk, "a", choice=1).result == "moved"  # ending is still allowed


def test_a_bounded_number_refuses_answers_outside_its_range() -> None:
    doc = {
        "id": "n", "title": "N", "start": "count",
        "steps": {
            "count": {"text": "How many?", "input": "number", "min": 1, "max": 20, "next": "end"},
            "end": {"text": "Thanks", "result": "contacted"},
        },
    }  # fmt: skip
    script = load_script(json.dumps(doc).encode(), "application/json").script
    walk = engine.start(script)
    assert engine.step_payload(script, walk, {})["min"] == 1
    with pytest.raises(AnswerError) as info:
        engine.answer(script, {}, walk, "count", value=-3)
    assert info.value.code == "out_of_range" and "from 1 to 20" in info.value.message
    with pytest.raises(AnswerError):
        engine.answer(script, {}, walk, "count", value=999_999)
    assert engine.answer(script, {}, walk, "count", value="20").answers(script) == {"count": 20}


def test_answers_check_names_values_as_the_client_sent_them(gotv: Script) -> None:
    """The API speaks JSON: `null` and `"maybe"`, not Python's `None` and `'maybe'` (found by a conformance
    walk: `{support: null}` was answered "None is not one of the choices")."""
    (problem,) = check_answers(gotv, ANN, {"support": None})
    assert problem.message.startswith("null is not one of the choices (") and '"yes"' in problem.message
    (problem,) = check_answers(gotv, ANN, {"support": "maybe"})
    assert problem.message.startswith('"maybe" is not one of the choices')
    (problem,) = check_answers(gotv, ANN, {"colour": "red"})
    assert problem.message == 'the script has no question "colour"'


def test_answers_posted_over_http_take_the_scripts_spelling() -> None:
    """The choice 1 posted as 1.0, a number as "3": recorded as the script (and a call session) has them."""
    script = load_script(
        "id: t\nstart: a\nsteps:\n"
        "  a: {text: Rate, choices: [{label: One, value: 1, next: b}, {label: Two, value: 2, next: b}]}\n"
        "  b: {text: How many?, input: number, next: c}\n"
        "  c: {text: Thanks, result: contacted}\n",
        "application/yaml",
    ).script
    posted = {"a": 1.0, "b": " 3 "}
    assert check_answers(script, ANN, posted) == []
    normalized = engine.normalized_answers(script, posted)
    assert normalized == {"a": 1, "b": 3} and type(normalized["a"]) is int
