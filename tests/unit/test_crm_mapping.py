"""The CRM core: mapping documents checked against the script and the catalog, what stays unmapped, how a
result becomes VAN's and OSDI's request bodies, connections as organizers send them, keys sealed at rest."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from dialer.crm.catalog import Catalog, van_catalog
from dialer.crm.connection import ConnectionInvalid, CrmKind, VanMode, parse_connection
from dialer.crm.mapping import MappingInvalid, TargetKind, parse_mapping, unmapped, value_key
from dialer.crm.requests import Planned, Refuse, ResultEntry, Skip, osdi_request, plan, van_request
from dialer.crm.sealing import Sealer, SealError
from dialer.crm.sync import backoff
from dialer.scripts import load_script
from tests.van_standin import ACTIVIST_CODES, RESULT_CODES, SURVEY_QUESTIONS

GOTV = (Path(__file__).parents[2] / "examples" / "gotv.yaml").read_bytes()
SCRIPT = load_script(GOTV, "application/yaml").script
CATALOG: Catalog = van_catalog(SURVEY_QUESTIONS, RESULT_CODES, ACTIVIST_CODES)
DOC = {
    "results": {
        "contacted": {"type": "answers"},
        "not_home": {"type": "result_code", "id": "2"},
        "busy": {"type": "result_code", "id": "1"},
        "call_back": {"type": "none"},
    },
    "answers": {
        "support": {
            "yes": {"type": "survey_response", "question": "101", "response": "1001"},
            "undecided": {"type": "survey_response", "question": "101", "response": "1002"},
            "no": {"type": "activist_code", "id": "502"},
        },
        "vote_time": {"morning": {"type": "survey_response", "question": "103", "response": "1021"}},
        "intro": {"Speaking": {"type": "none"}},
    },
}
MAPPING = parse_mapping(DOC, SCRIPT, 3, CATALOG)


def entry(
    result: str = "contacted", answers: dict[str, object] | None = None, external_id: str = "4242"
) -> ResultEntry:
    fields = {
        "contact_id": "c1", "external_id": external_id, "result": result, "attempt": "1",
        "recorded_at": "1780000000.5", "script_version": "3",
        "answers": __import__("json").dumps(answers or {}),
    }  # fmt: skip
    return ResultEntry.from_fields("1780000000500-0", fields)


def test_the_catalog_reads_vans_documented_fields() -> None:
    assert [q.id for q in CATALOG.survey_questions] == ["101", "102", "103"]
    assert CATALOG.survey_response("101", "1002") is not None
    assert CATALOG.survey_response("101", "1021") is None  # a response of another question
    assert CATALOG.result_code("2") is not None and CATALOG.activist_code("501") is not None
    assert Catalog.from_json(CATALOG.to_json()) == CATALOG


def test_a_mapping_keeps_what_was_mapped_and_round_trips() -> None:
    assert MAPPING.results["not_home"].kind is TargetKind.RESULT_CODE
    assert MAPPING.answers["support"]["no"].id == "502"
    assert "household_voters" not in MAPPING.choice_questions  # a number: never sent
    assert type(MAPPING).from_json(MAPPING.to_json()) == MAPPING


def test_every_problem_of_a_mapping_is_reported_with_its_path() -> None:
    bad = {
        "results": {"nope": {"type": "answers"}, "busy": {"type": "result_code", "id": "99"},
                    "moved": {"type": "survey_response", "question": "101", "response": "1001"}},
        "answers": {"support": {"maybe": {"type": "none"},
                                "yes": {"type": "survey_response", "question": "101", "response": "1021"}},
                    "household_voters": {"2": {"type": "none"}}},
        "extra": 1,
    }  # fmt: skip
    with pytest.raises(MappingInvalid) as caught:
        parse_mapping(bad, SCRIPT, 3, CATALOG)
    paths = {p["path"] for p in caught.value.problems}
    assert paths == {
        "extra", "results.nope", "results.busy", "results.moved", "answers.support.maybe",
        "answers.support.yes", "answers.household_voters",
    }  # fmt: skip


def test_unmapped_lists_every_result_and_choice_value_left_out_and_guesses_nothing() -> None:
    left = {p["path"] for p in unmapped(SCRIPT, MAPPING)}
    assert "results.refused" in left and "results.contacted" not in left
    assert "answers.vote_time.evening" in left and "answers.vote_time.morning" not in left
    assert "answers.persuaded.leaning_yes" in left
    assert not any(p.startswith("answers.household_voters") for p in left)  # free input: not a choice
    everything = {p["path"] for p in unmapped(SCRIPT, None)}
    assert sum(p.startswith("results.") for p in everything) == 13
    assert "answers.support.no" in everything and "answers.intro.Speaking" in everything


def test_a_result_code_result_sends_the_code_with_the_phone_context() -> None:
    decided = plan(entry("not_home"), MAPPING)
    assert decided == Planned("4242", result_code="2")
    path, body = van_request(decided, entry("not_home"))  # type: ignore[misc]
    assert path == "/people/4242/canvassResponses"
    assert body == {
        "canvassContext": {
            "contactTypeId": 1,
            "inputTypeId": 11,
            "dateCanvassed": "2026-05-28T20:26:40+00:00",
        },
        "resultCodeId": 2,
    }


def test_a_conversation_sends_its_mapped_answers_and_no_result_code() -> None:
    answers = {"intro": "Speaking", "support": "yes", "household_voters": 3, "vote_time": "morning"}
    decided = plan(entry("contacted", answers), MAPPING)
    assert isinstance(decided, Planned) and not decided.result_code
    _, body = van_request(decided, entry("contacted", answers))  # type: ignore[misc]
    assert body["resultCodeId"] is None
    assert body["responses"] == [
        {"type": "SurveyResponse", "surveyQuestionId": 101, "surveyResponseId": 1001},
        {"type": "SurveyResponse", "surveyQuestionId": 103, "surveyResponseId": 1021},
    ]
    no = plan(entry("contacted", {"support": "no"}), MAPPING)
    _, body = van_request(no, entry())  # type: ignore[arg-type,misc]
    assert body["responses"] == [{"type": "ActivistCode", "activistCodeId": 502, "action": "Apply"}]


def test_what_cannot_be_sent_as_mapped_is_refused_with_the_reason() -> None:
    assert plan(entry("refused"), MAPPING) == Refuse("result 'refused' is not mapped")
    assert plan(entry("contacted", {"support": "yes", "vote_time": "evening"}), MAPPING) == Refuse(
        "vote_time = 'evening' is not mapped"
    )
    assert "no CRM id" in plan(entry(external_id=""), MAPPING).message  # type: ignore[union-attr]
    assert "no mapping for version 3" in plan(entry(), None).message  # type: ignore[union-attr]
    assert isinstance(plan(entry("contacted", {"intro": "Speaking"}), MAPPING), Refuse)  # nothing to send
    assert isinstance(plan(entry("call_back"), MAPPING), Skip)
    not_a_vanid = van_request(Planned("A-17", result_code="2"), entry())
    assert isinstance(not_a_vanid, Refuse) and "not a VANID" in not_a_vanid.message


def test_osdi_gets_the_record_canvass_helper_body() -> None:
    decided = plan(entry("contacted", {"support": "undecided", "support2": "x"}), MAPPING)
    path, body = osdi_request(decided, entry())  # type: ignore[arg-type]
    assert path == "/people/4242/record_canvass_helper"
    assert body["canvass"]["success"] is True and body["canvass"]["contact_type"] == "phone"
    assert body["add_answers"] == [{"question": "101", "responses": ["1002"]}]
    path, body = osdi_request(Planned("a/b", result_code="not_home"), entry())
    assert path == "/people/a%2Fb/record_canvass_helper" and body["canvass"]["status_code"] == "not_home"


def test_values_are_named_as_text() -> None:
    assert [value_key(v) for v in ("yes", 2, 2.5, True)] == ["yes", "2", "2.5", "true"]


def test_backoff_grows_to_five_minutes_and_honours_retry_after() -> None:
    assert [backoff(n) for n in (1, 2, 3, 9, 20)] == [2.0, 4.0, 8.0, 300.0, 300.0]
    assert backoff(1, retry_after=30) == 30.0


def test_a_van_connection_is_checked_and_never_holds_the_key() -> None:
    body = {"kind": "van", "app_name": "acme.dialer", "api_key": "abcdef01-2345-6789", "mode": "my_campaign"}
    connection, key = parse_connection(body, now=5.0)
    assert (connection.kind, connection.mode, key) == (CrmKind.VAN, VanMode.MY_CAMPAIGN, "abcdef01-2345-6789")
    shown = connection.to_json()
    assert "abcdef01-2345-6789" not in str(shown) and shown["key_hint"] == "6789"
    assert VanMode.MY_CAMPAIGN.suffix == "|1" and VanMode.MY_VOTERS.suffix == "|0"
    with pytest.raises(ConnectionInvalid) as caught:
        parse_connection({"kind": "van", "api_key": "k|1", "mode": "x", "rate": 0, "base_url": "u"}, 0)
    assert {p["path"] for p in caught.value.problems} == {"app_name", "api_key", "mode", "rate", "base_url"}
    with pytest.raises(ConnectionInvalid):
        parse_connection({"kind": "osdi", "base_url": "ftp://x", "api_token": "t"}, 0)


def test_keys_are_sealed_and_a_changed_crm_key_cannot_open_them() -> None:
    sealer = Sealer(Fernet.generate_key().decode())
    sealed = sealer.seal("secret-key-1234")
    assert "secret-key-1234" not in sealed and sealer.open(sealed) == "secret-key-1234"
    with pytest.raises(SealError):
        Sealer(Fernet.generate_key().decode()).open(sealed)
    with pytest.raises(ValueError, match="DIALER_CRM_KEY"):
        Sealer("not a key")


def test_an_unusable_crm_key_stops_start_up_with_how_to_make_one() -> None:
    from dialer.settings import Settings, SettingsError

    key = Fernet.generate_key().decode()
    assert Settings.from_env({"DIALER_CRM_KEY": key}).crm_key == key
    with pytest.raises(SettingsError, match="Fernet.generate_key"):
        Settings.from_env({"DIALER_CRM_KEY": "short"})
