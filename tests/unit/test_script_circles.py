"""Scripts that validated but trapped a volunteer: circles a call never leaves, and conditions that never
change their mind (constant, or comparing an answer with a value its question never gives)."""

from __future__ import annotations

import json

import yaml

from dialer.scripts import Severity, engine, load_script, validate_script

HEAD = "id: loops\ntitle: Loops\nstart: hello\nsteps:\n"
HELLO = """  hello:
    text: "Hi {{ contact.first_name }}, can we count on your vote?"
    question: support
    choices:
      - {label: "Yes", next: plan}
      - {label: "No", result: refused}
"""
THANKS = """  thanks:
    text: Thank you!
    result: contacted
"""


def problems(steps: str) -> tuple[dict[str, str], dict[str, str]]:
    """(errors, warnings) by path for a script made of HELLO, `steps` and THANKS."""
    doc = yaml.safe_load(HEAD + HELLO + steps + THANKS)
    script, found = validate_script(doc)
    errors = {p.path: p.message for p in found if p.severity is Severity.ERROR}
    assert (script is None) == bool(errors)
    return errors, {p.path: p.message for p in found if p.severity is Severity.WARNING}


def test_a_step_whose_rules_lead_back_to_itself_with_nothing_answered_is_refused() -> None:
    # `plan` goes back to itself unless the support was 'yes'; the choice gives 'Yes' (its label):
    # every call that says Yes clicked Next at `plan` for ever (500 times, then call_too_long).
    errors, _ = problems(
        """  plan:
    text: Let's make a plan.
    next:
      - {when: "answers.support == 'Yes'", goto: plan}
      - {goto: thanks}
"""
    )
    assert "can lead back to itself" in errors["steps.plan.next"]
    assert "goes round for ever" in errors["steps.plan.next"]


def test_steps_leading_on_to_each_other_with_nothing_answered_are_refused_each() -> None:
    errors, _ = problems(
        """  plan:
    text: Plan
    next:
      - {when: "contact.ward == '3'", goto: ward}
      - {goto: thanks}
  ward:
    text: Your ward votes at the school.
    next: plan
"""
    )
    for sid in ("plan", "ward"):
        assert "steps 'plan', 'ward' can lead on to each other in a circle" in errors[f"steps.{sid}.next"]


def test_a_circle_through_a_typed_answer_its_conditions_read_can_end_and_is_fine() -> None:
    errors, _ = problems(
        """  plan:
    text: When will you vote? (type 'again' to hear the times again)
    input: text
    next:
      - {when: "answers.plan == 'again'", goto: times}
      - {goto: thanks}
  times:
    text: Polls are open 7 to 8.
    next: plan
"""
    )
    assert errors == {}


def test_a_circle_whose_typed_answer_its_conditions_do_not_read_is_refused() -> None:
    errors, _ = problems(
        """  plan:
    text: When will you vote?
    input: text
    next:
      - {when: "answers.support == 'Yes'", goto: plan}
      - {goto: thanks}
"""
    )
    assert "can lead back to itself" in errors["steps.plan.next"]


def test_conditions_that_contradict_each_other_are_found_by_walking_every_way() -> None:
    # Graph-wise `check` reaches `thanks`; but a call only comes to `check` when the answer is not 'again',
    # and only leaves it when it is: every walk through `check` goes back to `plan` and round again.
    doc = yaml.safe_load(
        HEAD
        + HELLO
        + """  plan:
    text: When will you vote?
    input: text
    next:
      - {when: "answers.plan == 'again'", goto: plan}
      - {goto: check}
  check:
    text: Let me check that.
    next:
      - {when: "answers.plan == 'again'", goto: thanks}
      - {goto: plan}
"""
        + THANKS
    )
    script, found = validate_script(doc)
    assert script is None
    errors = {p.path: p.message for p in found if p.severity is Severity.ERROR}
    assert set(errors) == {"steps.plan", "steps.check"}
    assert "never reach a result" in errors["steps.check"]
    assert "support 'Yes'" in errors["steps.check"]  # the answers that lead there, as an example


def test_conditions_on_contact_fields_are_tried_with_the_values_they_name() -> None:
    doc = yaml.safe_load(
        HEAD
        + HELLO
        + """  plan:
    text: When will you vote?
    input: number
    next:
      - {when: "contact.ward == '3'", goto: far}
      - {goto: thanks}
  far:
    text: Your polling place moved.
    choices:
      - {label: "Go on", next: plan}
"""
        + THANKS
    )
    script, found = validate_script(doc)
    errors = {p.path: p.message for p in found if p.severity is Severity.ERROR}
    assert "contact.ward '3'" in errors["steps.plan"] and "steps.far" in errors


def test_an_always_true_condition_is_warned_and_the_rules_after_it_are_dead() -> None:
    errors, warnings = problems(
        """  plan:
    text: Plan
    next:
      - {when: "true", goto: thanks}
      - {goto: persuade}
  persuade:
    text: Here is why it matters.
    result: contacted
"""
    )
    assert errors == {}
    assert "always holds" in warnings["steps.plan.next[0].when"]
    assert "unreachable" in warnings["steps.persuade"]


def test_a_never_true_condition_is_warned() -> None:
    _, warnings = problems(
        "  plan:\n    text: Plan\n    next: [{when: 'none', goto: plan}, {goto: thanks}]\n"
    )
    assert "never holds" in warnings["steps.plan.next[0].when"]


def test_comparing_an_answer_with_a_value_its_choices_never_give_is_warned_with_the_spelling() -> None:
    _, warnings = problems(
        """  plan:
    text: Plan
    next:
      - {when: "answers.support == 'yes'", goto: persuade}
      - {goto: thanks}
  persuade:
    text: Great.
    result: contacted
"""
    )
    message = warnings["steps.plan.next[0].when"]
    assert "answers.support is never 'yes'" in message
    assert "'Yes', 'No'" in message and "did you mean 'Yes'?" in message
    assert "unreachable" in warnings["steps.persuade"]  # the only way there is a rule never taken


def test_comparing_numbers_and_text_across_types_is_warned() -> None:
    _, warnings = problems(
        """  plan:
    text: Plan
    question: rating
    choices:
      - {label: "1", value: 1, next: age}
      - {label: "5", value: 5, next: age}
  age:
    text: Age?
    input: number
    next:
      - {when: "answers.rating == '5' or answers.age == '18'", goto: thanks}
      - {when: "answers.rating in [5, 6]", goto: thanks}
      - {goto: thanks}
"""
    )
    message = warnings["steps.age.next[0].when"]
    assert "answers.rating is never '5'" in message or "answers.age is never '18'" in message
    assert "answers.rating is never 6" in warnings["steps.age.next[1].when"]


def test_a_script_with_a_circle_already_stored_is_still_read() -> None:
    doc = yaml.safe_load(
        HEAD
        + HELLO
        + "  plan:\n    text: P\n    next: [{when: 'true', goto: plan}, {goto: thanks}]\n"
        + THANKS
    )
    assert validate_script(doc)[0] is None
    script, _ = validate_script(json.loads(json.dumps(doc)), stored=True)
    assert script is not None and engine.start(script).step == "hello"


def test_the_api_example_still_validates_without_new_warnings() -> None:
    loaded = load_script(
        HEAD
        + HELLO.replace('"Yes"', '"Yes", value: "yes"')
        + """  plan:
    text: Plan
    input: text
    next:
      - {when: "answers.support == 'yes' and answers.plan == 'early'", goto: persuade}
      - {goto: thanks}
  persuade:
    text: Why it matters
    next: thanks
"""
        + THANKS,
        "application/yaml",
    )
    assert loaded.warnings == ()


def test_ordering_a_text_answer_against_a_number_is_warned_with_the_fix() -> None:
    # `label: 4` on a rating scale gives the text "4": `>= 4` fails on it, and a failing condition is false,
    # so every caller went to thanks and `keen` was never shown.
    _, warnings = problems(
        """  plan:
    text: How keen are you, 1 to 5?
    question: rating
    choices:
      - {label: 1, next: age}
      - {label: 4, next: age}
      - {label: 5, next: age}
  age:
    text: How old are you?
    input: text
    next:
      - {when: "answers.rating >= 4", goto: keen}
      - {when: "17 < answers.age", goto: keen}
      - {goto: thanks}
  keen:
    text: Great!
    result: contacted
"""
    )
    first = warnings["steps.age.next[0].when"]
    assert "answers.rating >= 4 is never true" in first and "answers.rating | int >= 4" in first
    assert "answers.age > 17 is never true" in warnings["steps.age.next[1].when"]
    assert "unreachable" in warnings["steps.keen"]


def test_a_way_out_through_a_typed_number_read_as_text_is_found() -> None:
    # `plan` repeats until the typed text, read as a number, is more than 17: "18" leads out, so no error.
    errors, _ = problems(
        """  plan:
    text: How old are you?
    input: text
    next:
      - {when: "answers.plan | int > 17", goto: thanks}
      - {goto: again}
  again:
    text: Sorry, only voters; ask again.
    next: plan
"""
    )
    assert errors == {}


def test_conditions_naming_numbers_too_large_to_type_are_read_not_refused_as_unreadable() -> None:
    # The walk search added 0.5 to 1e999 and refused the script: "could not be read (OverflowError)".
    for number in ("1e999", "-1e999", "1" + "0" * 400):
        errors, _ = problems(
            f"""  plan:
    text: How many?
    input: number
    next:
      - {{when: "answers.plan > {number}", goto: thanks}}
      - {{goto: thanks}}
"""
        )
        assert errors == {}
