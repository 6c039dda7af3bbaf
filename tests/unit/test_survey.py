"""The survey tally: which answers count, and the API's shape with labels and shares."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialer.models import ResultCode
from dialer.scripts import Script, load_script
from dialer.survey import SEPARATOR, choice_questions, countable, readable, survey_view

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def gotv() -> Script:
    return load_script((EXAMPLES / "gotv.yaml").read_bytes(), "application/yaml").script


def test_only_choice_questions_are_tallied(gotv: Script) -> None:
    questions = choice_questions(gotv)
    assert "support" in questions and questions["support"]["yes"] == "Yes, definitely"
    assert "household_voters" not in questions  # a typed number: read it in the export
    # Ending the call with no conversation is never tallied, so it is not offered as an answer with a 0.
    assert list(questions["intro"]) == ["Speaking", "Refused", "Asked not to be called again",
                                        "Asked us to call back later"]  # fmt: skip
    answers = {"intro": "Speaking", "support": "undecided", "household_voters": 2, "vote_time": "evening"}
    counted = countable(gotv, ResultCode.CONTACTED, answers)
    assert counted == {"intro": "Speaking", "support": "undecided", "vote_time": "evening"}
    assert countable(gotv, ResultCode.REFUSED, {}) == {}  # a conversation, with nothing to tally
    assert countable(gotv, ResultCode.NOT_HOME, {"intro": "Not home"}) is None


def test_the_view_lists_every_offered_answer_in_script_order_with_shares(gotv: Script) -> None:
    counts = {"conversations": "4", f"support{SEPARATOR}yes": "3", f"support{SEPARATOR}no": "1",
              f"support{SEPARATOR}maybe-from-v1": "2"}  # fmt: skip
    view = survey_view(gotv, counts)
    assert view["conversations"] == 4
    support = next(q for q in view["questions"] if q["key"] == "support")
    assert "Can we count on your vote?" in support["text"]
    by_value = {a["value"]: a for a in support["answers"]}
    assert by_value["yes"] == {"value": "yes", "label": "Yes, definitely", "count": 3, "share": 0.75}
    assert by_value["undecided"]["count"] == 0
    assert by_value["maybe-from-v1"]["label"] == "maybe-from-v1"  # an answer an older version offered
    assert [q["key"] for q in view["questions"]] == list(choice_questions(gotv))


def test_no_conversations_means_no_shares(gotv: Script) -> None:
    view = survey_view(gotv, {})
    assert view["conversations"] == 0
    assert all(a["share"] == 0.0 and a["count"] == 0 for q in view["questions"] for a in q["answers"])


def test_question_texts_read_without_template_code() -> None:
    assert readable("Hi, is this {{ contact.first_name }}?") == "Hi, is this …?"
    assert readable("{% if answers.x %}Great!{% else %}OK.{% endif %} Next?") == "Great! / OK. Next?"
    assert readable("{%- if a %}A{% elif b %}B{%- else -%}C{% endif %}") == "A / B / C"
