"""Skip logic on a misspelt answer key is said at upload: it would send every voter down one branch."""

from __future__ import annotations

from dialer.scripts import Severity, load_script

SURVEY = """\
id: survey
title: Survey
start: age
steps:
  age:
    text: How old are you?
    input: number
    next:
      - {when: "answers.agee | int >= 65", goto: senior}
      - {goto: thanks}
  senior:
    text: "Would a ride to the polls help? You said {{ answers.age }}, {{ answers.supprt }}."
    choices:
      - {label: "Yes", value: "yes", next: thanks}
      - {label: "No", value: "no", next: thanks}
  thanks:
    text: Thank you!
    result: contacted
"""


def test_a_rule_or_text_reading_an_answer_no_question_records_is_warned_with_its_path() -> None:
    loaded = load_script(SURVEY, "application/yaml")
    found = {(p.path, p.severity) for p in loaded.warnings}
    assert ("steps.age.next[0].when", Severity.WARNING) in found
    assert ("steps.senior.text", Severity.WARNING) in found
    rule = next(p for p in loaded.warnings if p.path == "steps.age.next[0].when")
    assert "answers.agee" in rule.message and "did you mean 'age'?" in rule.message
    assert not [p for p in loaded.warnings if "answers.age:" in p.message]  # the real one is fine


def test_answers_of_real_questions_give_no_warning() -> None:
    fixed = SURVEY.replace("answers.agee", "answers.age").replace(", {{ answers.supprt }}", "")
    assert load_script(fixed, "application/yaml").warnings == ()


def test_a_step_without_a_question_records_no_answer_to_read() -> None:
    doc = SURVEY.replace("answers.agee", "answers.thanks")  # an end step stores nothing
    paths = [p.path for p in load_script(doc, "application/yaml").warnings]
    assert "steps.age.next[0].when" in paths


def test_a_dotted_question_key_read_with_a_dot_is_told_to_use_brackets() -> None:
    """`question: q.one` is allowed, but `answers.q.one` reads the answer `q`, then its `one`: always blank,
    and the warning named only 'q', which the author never wrote as a key. It says how to read it now; the
    bracket form works and is not warned about."""
    doc = """\
id: dots
start: a
steps:
  a:
    text: Ready?
    question: q.one
    choices:
      - {label: "Yes", value: "y", next: b}
      - {label: "No", value: "n", next: b}
  b:
    text: "You said {{ answers.q.one }}"
    next:
      - {when: "answers.q.one == 'y'", goto: c}
      - {goto: c}
  c:
    text: Thanks
    result: contacted
"""
    warnings = load_script(doc, "application/yaml").warnings
    assert {p.path for p in warnings} == {"steps.b.text", "steps.b.next[0].when"}
    assert all("answers['q.one']" in p.message for p in warnings), warnings
    fixed = doc.replace("answers.q.one", "answers['q.one']")
    assert load_script(fixed, "application/yaml").warnings == ()
