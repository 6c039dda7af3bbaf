"""What voters said, tallied per script question (pure: counts in, the API's shape out).

Only choice questions are tallied: their answers come from a short list the script offers, so counting them
makes sense ("support: yes 412 (48%)"); typed answers (free text, numbers) are read in the export instead.
`record.lua` adds one to `<question>\\x1f<value>` for each countable answer of a recorded result, and one to
`conversations` for a result with any answer, in the campaign's tally and in the volunteer's team's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from dialer.models import ResultCode
from dialer.scripts.model import Answer, Script

SEPARATOR = "\x1f"
CONVERSATIONS = "conversations"
CONVERSATION_RESULTS = frozenset(
    {ResultCode.CONTACTED, ResultCode.REFUSED, ResultCode.CALL_BACK, ResultCode.DO_NOT_CALL}
)


def readable(template: str) -> str:
    """A step's text as an organizer reads it in a tally: what varies per voter (`{{ ... }}`) as an
    ellipsis, the wordings of an `{% if %}` apart (" / " at each `{% elif %}` and `{% else %}`), and the
    rest of the template logic (`{% ... %}`) left out."""
    text = re.sub(r"\{%-?\s*(?:elif|else)\b.*?%\}", " / ", template, flags=re.S)
    text = re.sub(r"\{%.*?%\}", "", text, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"\{\{.*?\}\}", "…", text, flags=re.S)).strip()


def value_text(value: Answer) -> str:
    """An answer as the tally stores it: text as is, anything else as JSON (`true`, `3`)."""
    return value if isinstance(value, str) else json.dumps(value)


def choice_questions(script: Script) -> dict[str, dict[str, str]]:
    """question key -> {value text: label}, for the script's choice questions, in script order. A choice that
    ends the call with no conversation ("Not home", "Wrong number") is left out: such a result is never
    tallied (`countable`), so listing it would show a 0 beside the results table's real count."""
    out: dict[str, dict[str, str]] = {}
    for step in script.steps.values():
        if step.choices and not step.is_end:
            for choice in step.choices:
                if choice.result is None or choice.result in CONVERSATION_RESULTS:
                    out.setdefault(step.question, {}).setdefault(value_text(choice.value), choice.label)
    return out


def countable(script: Script, result: ResultCode, answers: Mapping[str, Any]) -> dict[str, str] | None:
    """The answers of one result that the tally counts (choice questions only, values as text), or None
    when the result is no conversation (nobody home, a wrong number...) and counts for nothing."""
    if result not in CONVERSATION_RESULTS:
        return None
    wanted = choice_questions(script)
    return {
        key: value_text(value)
        for key, value in answers.items()
        if key in wanted and isinstance(value, str | int | float | bool)
    }


def survey_view(script: Script, counts: Mapping[str, str | int]) -> dict[str, Any]:
    """`{conversations, questions: [{key, text, answers: [{value, label, count, share}]}]}` in script order;
    `share` is of the conversations. An answer counted under an earlier script version that the script no
    longer offers is kept, with its value as the label."""
    conversations = int(counts.get(CONVERSATIONS, 0) or 0)
    tallied: dict[str, dict[str, int]] = {}
    for field, n in counts.items():
        key, sep, value = str(field).partition(SEPARATOR)
        if sep:
            tallied.setdefault(key, {})[value] = int(n)
    texts = {step.question: readable(step.text) for step in reversed(list(script.steps.values()))}
    questions = []
    for key, labels in choice_questions(script).items():
        seen = tallied.get(key, {})
        values = list(labels) + [v for v in seen if v not in labels]
        questions.append(
            {
                "key": key,
                "text": texts.get(key, ""),
                "answers": [
                    {
                        "value": value,
                        "label": labels.get(value, value),
                        "count": seen.get(value, 0),
                        "share": round(seen.get(value, 0) / conversations, 4) if conversations else 0.0,
                    }
                    for value in values
                ],
            }
        )
    return {"conversations": conversations, "questions": questions}
