"""What a CRM offers to map to (pure): survey questions with their responses, result codes, activist codes.

Ids are kept as text whatever the CRM uses (VAN: integers; OSDI: URLs), so a mapping document and the
page's selects treat both alike; the VAN request builder turns them back into integers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Option:
    id: str
    name: str

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name}


@dataclass(frozen=True)
class SurveyQuestion:
    id: str
    name: str
    text: str
    responses: tuple[Option, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "text": self.text,
            "responses": [r.to_json() for r in self.responses],
        }


@dataclass(frozen=True)
class Catalog:
    survey_questions: tuple[SurveyQuestion, ...] = ()
    result_codes: tuple[Option, ...] = ()
    activist_codes: tuple[Option, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "survey_questions": [q.to_json() for q in self.survey_questions],
            "result_codes": [c.to_json() for c in self.result_codes],
            "activist_codes": [c.to_json() for c in self.activist_codes],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Catalog:
        def options(items: Any) -> tuple[Option, ...]:
            return tuple(Option(str(i["id"]), str(i["name"])) for i in items or ())

        return cls(
            survey_questions=tuple(
                SurveyQuestion(str(q["id"]), str(q["name"]), str(q.get("text", "")), options(q["responses"]))
                for q in data.get("survey_questions") or ()
            ),
            result_codes=options(data.get("result_codes")),
            activist_codes=options(data.get("activist_codes")),
        )

    def survey_response(self, question_id: str, response_id: str) -> tuple[SurveyQuestion, Option] | None:
        for question in self.survey_questions:
            if question.id == question_id:
                for response in question.responses:
                    if response.id == response_id:
                        return question, response
        return None

    def result_code(self, code_id: str) -> Option | None:
        return next((c for c in self.result_codes if c.id == code_id), None)

    def activist_code(self, code_id: str) -> Option | None:
        return next((c for c in self.activist_codes if c.id == code_id), None)


def van_catalog(
    questions: list[dict[str, Any]], results: list[dict[str, Any]], activist: list[dict[str, Any]]
) -> Catalog:
    """The catalog from VAN's `GET /surveyQuestions`, `/canvassResponses/resultCodes` and `/activistCodes`
    items (field names as VAN documents them)."""
    return Catalog(
        survey_questions=tuple(
            SurveyQuestion(
                str(q["surveyQuestionId"]),
                str(q.get("name") or q.get("mediumName") or q["surveyQuestionId"]),
                str(q.get("scriptQuestion") or ""),
                tuple(
                    Option(str(r["surveyResponseId"]), str(r.get("name") or r.get("mediumName") or ""))
                    for r in q.get("responses") or ()
                ),
            )
            for q in questions
        ),
        result_codes=tuple(Option(str(c["resultCodeId"]), str(c.get("name") or "")) for c in results),
        activist_codes=tuple(Option(str(c["activistCodeId"]), str(c.get("name") or "")) for c in activist),
    )
