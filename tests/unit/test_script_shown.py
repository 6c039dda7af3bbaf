"""What a volunteer sees of a script, checked at upload: no blank buttons, no control characters in texts,
labels or the values the results export keeps; right-to-left text, emoji and joiners are fine."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dialer.scripts import ScriptError, load_script, validate_script


def doc(text: str, label: str, value: Any = None) -> dict[str, Any]:
    choice: dict[str, Any] = {"label": label, "result": "contacted"}
    if value is not None:
        choice["value"] = value
    steps = {"a": {"text": text, "choices": [choice, {"label": "Not home", "result": "not_home"}]}}
    return {"id": "shown", "title": "Shown", "start": "a", "steps": steps}


def errors(document: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ScriptError) as info:
        load_script(json.dumps(document), "application/json")
    return {p.path: p.message for p in info.value.errors}


@pytest.mark.parametrize("label", ["\u200b", " \u200b\u2060 ", "\u200e"])
def test_a_label_of_invisible_characters_only_is_refused(label: str) -> None:
    # `.strip()` leaves a zero-width space: the page showed a button with nothing on it.
    found = errors(doc("Hi", label))
    assert "shows nothing a volunteer can see" in found["steps.a.choices[0].label"]


def test_control_characters_in_texts_labels_and_values_are_refused_with_their_place() -> None:
    found = errors(doc("Hi\u0000 there", "Yes\u0007", "yes\u001b"))
    assert "U+0000 at character 3" in found["steps.a.text"]
    assert "U+0007 at character 4" in found["steps.a.choices[0].label"]
    assert "U+001B at character 4" in found["steps.a.choices[0].value"]


def test_a_label_that_turns_the_text_around_is_refused() -> None:
    assert "U+202E" in errors(doc("Hi", "\u202eseY"))["steps.a.choices[0].label"]


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("مرحبا {{ contact.first_name }}، هل تصوت؟", "نعم"),
        ("שלום\u200f! אתה מצביע?", "כן"),
        ("Hi 👋 {{ contact.first_name }}\n\tline two", "👨\u200d👩\u200d👧 family"),
        ("नमस्ते", "हाँ"),
    ],
)
def test_right_to_left_text_emoji_and_joiners_are_fine(text: str, label: str) -> None:
    loaded = load_script(json.dumps(doc(text, label)), "application/json")
    assert loaded.script.step("a").choices[0].label == label


def test_a_stored_script_from_before_the_check_is_still_read() -> None:
    script, _ = validate_script(doc("Hi", "\u200b"), stored=True)
    assert script is not None


def test_a_text_that_cannot_be_shown_is_warned_at_upload() -> None:
    # Contact columns are text: `+ 1` failed on every call, and the volunteer read a notice for the text.
    steps = {
        "a": {"text": "In {{ contact.years + 1 }} years", "input": "number", "next": "b"},
        "b": {
            "text": "{{ contact.years | int + 1 }} / {{ answers.a + 1 }} / {{ contact.attempts + 1 }}",
            "result": "contacted",
        },
    }
    loaded = load_script(json.dumps({"id": "t", "start": "a", "steps": steps}), "application/json")
    (warning,) = loaded.warnings
    assert warning.path == "steps.a.text" and "cannot be shown" in warning.message
    assert "contact.x | int" in warning.message
