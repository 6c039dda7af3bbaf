"""One test (at least) per validation rule of the script document, with the path each problem reports."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from dialer.scripts import ScriptError, Severity, load_script, validate_script
from dialer.scripts.validate import MAX_STEPS


def base() -> dict[str, Any]:
    return {
        "id": "gotv-2026",
        "title": "Get out the vote",
        "start": "intro",
        "steps": {
            "intro": {
                "text": "Hi, may I speak with {{ contact.first_name }}?",
                "choices": [
                    {"label": "Speaking", "next": "support"},
                    {"label": "Not home", "result": "not_home"},
                ],
            },
            "support": {
                "text": "Can we count on your vote?",
                "question": "support",
                "choices": [
                    {"label": "Yes", "value": "yes", "next": "plan"},
                    {"label": "Undecided", "value": "undecided", "next": "plan"},
                    {"label": "No", "value": "no", "result": "contacted"},
                ],
            },
            "plan": {
                "text": "What time of day will you vote?",
                "input": "text",
                "next": [{"when": "answers.support == 'undecided'", "goto": "persuade"}, {"goto": "thanks"}],
            },
            "persuade": {"text": "Here is why it matters...", "next": "thanks"},
            "thanks": {"text": "Thank you, {{ contact.first_name }}!", "result": "contacted"},
        },
    }


def errors(doc: Any) -> dict[str, str]:
    script, problems = validate_script(doc)
    found = {p.path: p.message for p in problems if p.severity is Severity.ERROR}
    assert (script is None) == bool(found)
    return found


def warnings(doc: Any) -> dict[str, str]:
    _, problems = validate_script(doc)
    return {p.path: p.message for p in problems if p.severity is Severity.WARNING}


def test_the_api_example_is_valid_and_keeps_its_document() -> None:
    script, problems = validate_script(base())
    assert problems == []
    assert script is not None
    assert script.start == "intro"
    assert script.step("plan").next[0].when == "answers.support == 'undecided'"
    assert script.step("support").choices[2].result == "contacted"
    assert script.document == base()
    assert script.questions() == ["intro", "support", "plan"]


def test_choice_value_defaults_to_label() -> None:
    script, _ = validate_script(base())
    assert script is not None
    assert script.step("intro").choices[0].value == "Speaking"


@pytest.mark.parametrize("doc", [None, [], "text", 3])
def test_document_must_be_a_mapping(doc: Any) -> None:
    assert "" in errors(doc)


def test_missing_top_fields_are_each_reported() -> None:
    found = errors({"title": "x"})
    assert {"id", "start", "steps"} <= found.keys()
    assert "missing start" in found["start"]


def test_empty_steps_are_called_empty() -> None:
    """An empty `steps: {}` is a mapping: the message said "not a mapping", which sent people looking for a
    type mistake."""
    doc = base()
    doc["steps"] = {}
    found = errors(doc)
    assert found["steps"] == "steps is empty: a script needs at least one step"


def test_unknown_fields_suggest_the_right_name() -> None:
    doc = base()
    doc["stpes"] = {}
    doc["steps"]["intro"]["txt"] = "x"
    doc["steps"]["intro"]["choices"][0]["lable"] = "x"
    found = errors(doc)
    assert "did you mean 'steps'" in found["stpes"]
    assert "did you mean 'text'" in found["steps.intro.txt"]
    assert "did you mean 'label'" in found["steps.intro.choices[0].lable"]


@pytest.mark.parametrize("bad", ["GOTV", "has space", "under_score", "", "x" * 65, 7])
def test_bad_script_and_step_ids(bad: Any) -> None:
    doc = base()
    doc["id"] = bad
    assert "id" in errors(doc)
    doc = base()
    doc["steps"][bad] = {"text": "x", "result": "contacted"}
    assert any(path.startswith("steps") for path in errors(doc))


def test_wrong_types_are_named_plainly() -> None:
    doc = base()
    doc["steps"]["intro"]["text"] = 12
    doc["steps"]["support"]["choices"] = {"label": "Yes"}
    found = errors(doc)
    assert found["steps.intro.text"] == "the step's text must be text, not a number"
    assert "must be a list, not a mapping" in found["steps.support.choices"]


def test_missing_start_and_unknown_start() -> None:
    doc = base()
    del doc["start"]
    assert "start" in errors(doc)
    doc = base()
    doc["start"] = "intr"
    assert "did you mean 'intro'" in errors(doc)["start"]


def test_unknown_step_references_in_choices_and_rules() -> None:
    doc = base()
    doc["steps"]["intro"]["choices"][0]["next"] = "suport"
    doc["steps"]["plan"]["next"][0]["goto"] = "nowhere"
    doc["steps"]["persuade"]["next"] = "thank"
    found = errors(doc)
    assert "unknown step 'suport'" in found["steps.intro.choices[0].next"]
    assert "unknown step 'nowhere'" in found["steps.plan.next[0].goto"]
    assert "did you mean 'thanks'" in found["steps.persuade.next"]


def test_every_problem_is_reported_at_once() -> None:
    doc = base()
    doc["steps"]["intro"]["choices"][1]["result"] = "nothome"
    doc["steps"]["plan"]["next"][0]["goto"] = "nowhere"
    doc["steps"]["thanks"]["text"] = "{{ contact.first_name "
    doc["start"] = "nope"
    assert len(errors(doc)) == 4


def test_whole_script_checks_still_run_when_steps_are_broken() -> None:
    doc = base()
    doc["steps"]["intro"]["choices"][1]["result"] = "nothome"
    doc["steps"]["support"]["question"] = "plan"
    doc["steps"]["loop"] = {"text": "round we go", "next": "loop"}
    doc["steps"]["support"]["choices"][0]["next"] = "loop"
    found = errors(doc)
    assert set(found) == {"steps.intro.choices[1].result", "steps.plan", "steps.loop"}
    assert "no end can be reached" in found["steps.loop"]


def test_a_bad_reference_does_not_also_blame_the_steps_before_it() -> None:
    doc = base()
    doc["steps"]["persuade"]["next"] = "nowhere"
    doc["steps"]["plan"]["next"] = [{"goto": "persuade"}]
    assert set(errors(doc)) == {"steps.persuade.next"}


def test_unknown_result_codes() -> None:
    doc = base()
    doc["steps"]["thanks"]["result"] = "done"
    doc["steps"]["intro"]["choices"][1]["result"] = "nothome"
    found = errors(doc)
    assert "unknown result code 'done'" in found["steps.thanks.result"]
    assert "did you mean 'not_home'" in found["steps.intro.choices[1].result"]


def test_template_syntax_errors_and_rule_syntax_errors() -> None:
    doc = base()
    doc["steps"]["intro"]["text"] = "Hi {{ contact.first_name"
    doc["steps"]["plan"]["next"][0]["when"] = "answers.support = 'x'"
    found = errors(doc)
    assert "template syntax error on line 1" in found["steps.intro.text"]
    assert "condition syntax error" in found["steps.plan.next[0].when"]


def test_duplicate_question_keys() -> None:
    doc = base()
    doc["steps"]["plan"]["question"] = "support"
    found = errors(doc)
    assert "duplicate question key 'support'" in found["steps.plan.question"]


def test_a_default_question_key_can_clash_too() -> None:
    doc = base()
    doc["steps"]["support"]["question"] = "plan"
    assert "duplicate question key 'plan'" in errors(doc)["steps.plan"]


def test_question_keys_must_not_clash_with_export_columns() -> None:
    doc = base()
    doc["steps"]["support"]["question"] = "notes"
    assert "results export" in errors(doc)["steps.support.question"]


def test_empty_choices() -> None:
    doc = base()
    doc["steps"]["support"]["choices"] = []
    found = errors(doc)
    assert "empty choices" in found["steps.support.choices"]
    assert set(found) == {"steps.support.choices"}  # reported once, not again as "no end can be reached"


def test_a_step_needs_exactly_one_of_choices_next_result() -> None:
    doc = base()
    del doc["steps"]["persuade"]["next"]
    doc["steps"]["thanks"]["next"] = "intro"
    found = errors(doc)
    assert "needs one of choices, next or result" in found["steps.persuade"]
    assert "this one has next and result" in found["steps.thanks"]


def test_a_choice_needs_exactly_one_of_next_result() -> None:
    doc = base()
    doc["steps"]["intro"]["choices"][0]["result"] = "contacted"
    del doc["steps"]["intro"]["choices"][1]["result"]
    found = errors(doc)
    assert "steps.intro.choices[0]" in found
    assert "steps.intro.choices[1]" in found


def test_choices_giving_the_same_answer() -> None:
    doc = base()
    doc["steps"]["support"]["choices"][1]["value"] = "yes"
    assert "same answer 'yes'" in errors(doc)["steps.support.choices[1].value"]


def test_choices_with_the_same_label_are_a_warning() -> None:
    """Two buttons a volunteer cannot tell apart (a copied "Yes" that records "no"): said at upload. A
    warning, since scripts already stored are checked again when read."""
    doc = base()
    doc["steps"]["support"]["choices"][2]["label"] = " yes"
    assert errors(doc) == {}
    found = warnings(doc)["steps.support.choices[2].label"]
    assert "choices 0 and 2 have the same label 'yes'" in found and "cannot tell them apart" in found
    same = base()
    same["steps"]["support"]["choices"][1]["label"] = "Yes"
    same["steps"]["support"]["choices"][2]["label"] = "Yes"
    assert set(warnings(same)) == {"steps.support.choices[1].label", "steps.support.choices[2].label"}


def test_rule_lists_end_with_a_plain_goto_and_only_there() -> None:
    doc = base()
    doc["steps"]["plan"]["next"] = [{"goto": "persuade"}, {"when": "true", "goto": "thanks"}]
    found = errors(doc)
    assert "only the last rule" in found["steps.plan.next[0]"]
    assert "plain {goto" in found["steps.plan.next[1].when"]
    doc["steps"]["plan"]["next"] = []
    assert "steps.plan.next" in errors(doc)


def test_input_kinds_and_where_input_is_allowed() -> None:
    doc = base()
    doc["steps"]["plan"]["input"] = "date"
    doc["steps"]["support"]["input"] = "number"
    found = errors(doc)
    assert "'text' or 'number'" in found["steps.plan.input"]
    assert "only for steps that go on with next" in found["steps.support.input"]


def test_steps_from_which_no_end_can_be_reached() -> None:
    doc = base()
    doc["steps"]["loop-a"] = {"text": "a", "next": "loop-b"}
    doc["steps"]["loop-b"] = {"text": "b", "choices": [{"label": "again", "next": "loop-a"}]}
    doc["steps"]["intro"]["choices"].append({"label": "Loop", "next": "loop-a"})
    found = errors(doc)
    assert "no end can be reached" in found["steps.loop-a"]
    assert "no end can be reached" in found["steps.loop-b"]


def test_loops_with_a_way_out_are_fine() -> None:
    doc = base()
    doc["steps"]["persuade"]["next"] = [
        {"when": "answers.plan == 'again'", "goto": "support"},
        {"goto": "thanks"},
    ]
    assert errors(doc) == {}


def test_unreachable_steps_are_only_warnings() -> None:
    doc = base()
    doc["steps"]["orphan"] = {"text": "nobody comes here", "result": "moved"}
    assert errors(doc) == {}
    assert "unreachable" in warnings(doc)["steps.orphan"]


def test_question_on_a_step_without_answers_is_a_warning() -> None:
    doc = base()
    doc["steps"]["persuade"]["question"] = "why"
    assert errors(doc) == {}
    assert "steps.persuade.question" in warnings(doc)


@pytest.mark.parametrize(
    "text",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ contact['__class__'] }}",
        "{{ contact.first_name|attr('__class__') }}",
        "{% for x in range(10) %}{% endfor %}",
        "{{ lipsum() }}",
        "{{ 9 ** 99999999 }}",
        "{% set x = 1 %}",
        "{% include 'x' %}",
        "{{ contact.x|join(contact.x)|join(contact.x) }}",
    ],
)
def test_unsafe_templates_are_rejected_at_upload(text: str) -> None:
    doc = base()
    doc["steps"]["intro"]["text"] = text
    assert "steps.intro.text" in errors(doc)


def test_unsafe_conditions_are_rejected_at_upload() -> None:
    doc = base()
    doc["steps"]["plan"]["next"][0]["when"] = "answers.__class__.__mro__"
    assert "hidden attribute" in errors(doc)["steps.plan.next[0].when"]


def test_too_many_steps() -> None:
    doc = base()
    for i in range(MAX_STEPS):
        doc["steps"][f"s{i}"] = {"text": "x", "result": "contacted"}
    assert "too many steps" in errors(doc)["steps"]


def test_values_must_be_scalars_and_finite() -> None:
    doc = base()
    doc["steps"]["support"]["choices"][0]["value"] = ["a"]
    doc["steps"]["support"]["choices"][1]["value"] = float("nan")
    found = errors(doc)
    assert "steps.support.choices[0].value" in found
    assert "finite" in found["steps.support.choices[1].value"]


def test_version_from_a_downloaded_document_is_accepted_and_dropped() -> None:
    doc = base()
    doc["version"] = 3
    script, problems = validate_script(doc)
    assert script is not None and problems == []
    assert "version" not in script.document


def test_validation_does_not_modify_its_input() -> None:
    doc = base()
    before = copy.deepcopy(doc)
    validate_script(doc)
    assert doc == before


def test_a_number_step_may_bound_its_answers() -> None:
    base = {
        "id": "n", "title": "N", "start": "count",
        "steps": {
            "count": {"text": "How many?", "input": "number", "min": 1, "max": 20, "next": "end"},
            "end": {"text": "Thanks", "result": "contacted"},
        },
    }  # fmt: skip
    script = load_script(json.dumps(base).encode(), "application/json").script
    assert (script.step("count").minimum, script.step("count").maximum) == (1, 20)
    for change, path in (
        ({"min": 5, "max": 2}, "steps.count.min"),
        ({"min": "one"}, "steps.count.min"),
        ({"max": True}, "steps.count.max"),
    ):
        bad = json.loads(json.dumps(base))
        bad["steps"]["count"].update(change)
        with pytest.raises(ScriptError) as info:
            load_script(json.dumps(bad).encode(), "application/json")
        assert path in {p.path for p in info.value.errors}, info.value.errors
    text_step = json.loads(json.dumps(base))
    text_step["steps"]["count"]["input"] = "text"
    with pytest.raises(ScriptError) as info:
        load_script(json.dumps(text_step).encode(), "application/json")
    assert "only for steps with input: number" in str(info.value)
