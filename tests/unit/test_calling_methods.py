"""Which ways to call a campaign offers (calling_method): the rules per mode, validation on create and
update, and the call session's own-phone calls (no carrier status: the script is open at once)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialer.calling_methods import CallingMethod, method_problems, offered, places_calls
from dialer.campaigns import Campaign, CampaignInvalid, apply_patch, validate_new
from dialer.models import Mode
from dialer.scripts import Script, load_script
from dialer.session import CallSession
from tests.unit.test_session import BATCH, EXAMPLES, only

BASE = {"name": "Get out the vote", "script_id": "gotv-2026", "caller_id": "+12025550142"}
BROWSER, OWN, CALL_ME = CallingMethod.BROWSER, CallingMethod.OWN_PHONE, CallingMethod.CALL_ME
DIAL_IN = CallingMethod.DIAL_IN


@pytest.fixture(scope="module")
def gotv() -> Script:
    return load_script((EXAMPLES / "gotv.yaml").read_bytes(), "application/yaml").script


def paths(body: dict[str, Any]) -> list[str]:
    with pytest.raises(CampaignInvalid) as info:
        validate_new(body, now=0.0)
    return [p["path"] for p in info.value.problems]


# ---- the rules (pure) ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("methods", "mode", "has_carrier", "expected"),
    [
        ((BROWSER,), Mode.PREVIEW, True, (BROWSER,)),
        ((OWN,), Mode.PREVIEW, True, (OWN,)),
        ((OWN, BROWSER), Mode.PREVIEW, True, (OWN, BROWSER)),  # the campaign's order of preference
        ((BROWSER,), Mode.PREVIEW, False, (OWN,)),  # no carrier: preview falls back to own phone
        ((BROWSER, OWN), Mode.PREVIEW, False, (OWN,)),
        ((BROWSER,), Mode.POWER, True, (BROWSER,)),
        ((BROWSER,), Mode.PREDICTIVE, False, ()),  # the server dials: nothing works without a carrier
        ((), Mode.PREVIEW, True, (BROWSER,)),
        ((BROWSER, CALL_ME), Mode.POWER, True, (BROWSER, CALL_ME)),
        ((CALL_ME, BROWSER), Mode.PREDICTIVE, True, (CALL_ME, BROWSER)),
        ((CALL_ME,), Mode.POWER, True, (CALL_ME,)),
        ((CALL_ME,), Mode.POWER, False, ()),  # call_me needs a carrier to ring the volunteer
        ((BROWSER, CALL_ME), Mode.PREVIEW, True, (BROWSER, CALL_ME)),  # the voter is called into the leg
        ((CALL_ME,), Mode.PREVIEW, True, (CALL_ME,)),
        ((CALL_ME, DIAL_IN), Mode.PREVIEW, True, (CALL_ME, DIAL_IN)),
        ((CALL_ME,), Mode.PREVIEW, False, (OWN,)),  # no carrier: nothing can ring the volunteer
    ],
)
def test_offered(
    methods: tuple[CallingMethod, ...], mode: Mode, has_carrier: bool, expected: tuple[CallingMethod, ...]
) -> None:
    assert offered(methods, mode, has_carrier=has_carrier) == expected


def test_the_server_places_calls_unless_only_own_phone_is_offered() -> None:
    assert places_calls((BROWSER,), Mode.PREVIEW)
    assert places_calls((OWN, BROWSER), Mode.PREVIEW)
    assert not places_calls((OWN,), Mode.PREVIEW)
    assert places_calls((BROWSER,), Mode.POWER)
    assert places_calls((CALL_ME,), Mode.POWER)


@pytest.mark.parametrize("mode", ["preview", "power", "predictive"])
def test_the_phone_leg_methods_work_in_every_mode(mode: str) -> None:
    # In preview the server calls the voter the volunteer clicks into their leg (web/phone_dial.py).
    assert method_problems(["call_me"], mode) == []
    assert method_problems(["browser", "call_me", "dial_in"], mode) == []


@given(st.one_of(st.none(), st.integers(), st.text(), st.lists(st.one_of(st.text(), st.integers()))))
def test_any_value_is_accepted_only_as_a_list_of_known_methods(value: Any) -> None:
    problems = method_problems(value, "preview")
    good = isinstance(value, list) and value and len(set(map(str, value))) == len(value)
    good = good and all(isinstance(v, str) and v in set(CallingMethod) for v in value)
    assert (problems == []) == bool(good), (value, problems)
    assert all(p["path"].startswith("calling_method") and p["message"] for p in problems)


# ---- on the campaign -------------------------------------------------------------------------------------


def test_default_is_the_browser_and_round_trips() -> None:
    c = validate_new(dict(BASE), now=0.0)
    assert c.calling_method == (BROWSER,) and c.to_json()["calling_method"] == ["browser"]
    both = validate_new({**BASE, "calling_method": ["own_phone", "browser"]}, now=0.0)
    again = Campaign.from_json(json.loads(json.dumps(both.to_json())))
    assert again == both and again.calling_method == (OWN, BROWSER)


def test_a_campaign_stored_before_calling_method_calls_from_the_browser() -> None:
    data = validate_new(dict(BASE), now=0.0).to_json()
    del data["calling_method"]
    assert Campaign.from_json(data).calling_method == (BROWSER,)


@pytest.mark.parametrize(
    ("value", "path"),
    [
        ([], "calling_method"),
        ("own_phone", "calling_method"),  # a list, even of one
        (["browser", "browser"], "calling_method"),
        (["fax"], "calling_method[0]"),
        ([None], "calling_method[0]"),
    ],
)
def test_bad_values_are_refused(value: Any, path: str) -> None:
    assert paths({**BASE, "calling_method": value}) == [path]


@pytest.mark.parametrize("mode", ["power", "predictive"])
def test_own_phone_is_for_preview_mode_only(mode: str) -> None:
    assert paths({**BASE, "mode": mode, "calling_method": ["own_phone"]}) == ["calling_method"]
    preview = validate_new({**BASE, "calling_method": ["browser", "own_phone"]}, now=0.0)
    with pytest.raises(CampaignInvalid) as info:
        apply_patch(preview, {"mode": mode})  # switching mode with own phone still offered
    assert "preview mode only" in info.value.problems[0]["message"]
    changed = apply_patch(preview, {"mode": mode, "calling_method": ["browser"]})
    assert changed.mode == Mode(mode) and changed.calling_method == (BROWSER,)


# ---- the call session ------------------------------------------------------------------------------------


def test_an_own_phone_call_is_open_at_once_with_a_carrier_present(gotv: Script) -> None:
    session = CallSession(gotv, 1, BATCH, requires_connection=True, own_phone=True)
    step = only(session.receive({"type": "start", "contact_id": "c1", "method": "own_phone"}))
    assert step["step"]["id"] == "intro"
    answer = {"type": "answer", "step": "intro", "choice": 0}
    assert only(session.receive(answer))["step"]["id"] == "support"  # no carrier status waited for
    # A reconnect keeps the call open (the page re-sends start, with or without the method).
    again = CallSession.from_state(
        gotv, 1, BATCH, json.loads(json.dumps(session.to_state())), requires_connection=True, own_phone=True
    )
    assert only(again.receive({"type": "start", "contact_id": "c1"}))["step"]["id"] == "support"
    assert only(again.receive({"type": "answer", "step": "support", "choice": 0}))["type"] == "step"


def test_a_reloaded_page_hears_that_its_own_phone_call_is_open(gotv: Script) -> None:
    """No carrier reports an own-phone call, so a reloaded page had only the step, kept the script locked
    as if the voter's phone were still ringing, and the volunteer on the phone with them could not answer."""
    session = CallSession(gotv, 1, BATCH, requires_connection=True, own_phone=True)
    session.receive({"type": "start", "contact_id": "c1", "method": "own_phone"})
    session.receive({"type": "answer", "step": "intro", "choice": 0})
    again = CallSession.from_state(
        gotv, 1, BATCH, json.loads(json.dumps(session.to_state())), requires_connection=True, own_phone=True
    )
    step, line = again.resume().messages
    assert step["type"] == "step" and step["step"]["id"] == "support"
    assert line == {"type": "call_status", "contact_id": "c1", "status": "own-phone"}
    # A browser call's line is the carrier's to tell (ws_call catches up on it): the step alone.
    browser = CallSession(gotv, 1, BATCH, requires_connection=True, own_phone=True)
    browser.receive({"type": "start", "contact_id": "c2"})
    assert [m["type"] for m in browser.resume().messages] == ["step"]


def test_own_phone_needs_the_campaign_to_offer_it(gotv: Script) -> None:
    session = CallSession(gotv, 1, BATCH, requires_connection=True)
    refused = only(session.receive({"type": "start", "contact_id": "c1", "method": "own_phone"}))
    assert refused["code"] == "method_not_offered" and session.contact_id is None
    assert (
        only(session.receive({"type": "start", "contact_id": "c1", "method": "fax"}))["code"] == "bad_message"
    )
    # The browser's call still waits for the voter to pick up.
    session.receive({"type": "start", "contact_id": "c1", "method": "browser"})
    session.call_status("c1", "ringing", "CA1")
    assert only(session.receive({"type": "answer", "step": "intro", "choice": 0}))["code"] == "not_connected"


def test_own_phone_results_are_the_browsers(gotv: Script) -> None:
    session = CallSession(gotv, 1, BATCH, requires_connection=True, own_phone=True)
    session.receive({"type": "start", "contact_id": "c2", "method": "own_phone"})
    session.receive({"type": "answer", "step": "intro", "choice": 0})
    busy = session.receive({"type": "finish", "contact_id": "c2", "idempotency_key": "k", "result": "busy"})
    assert busy.record is not None and busy.record.answers == {}  # nobody talked: no answers kept
    assert only(session.recorded("c2"))["type"] == "recorded"
    again = session.receive({"type": "start", "contact_id": "c2", "method": "own_phone"})
    assert only(again)["code"] == "already_completed"


# ---- dial-in: the campaign's inbound number -------------------------------------------------------------


def test_dial_in_needs_one_of_the_campaigns_own_numbers() -> None:
    power = {**BASE, "mode": "power"}
    c = validate_new(
        {**power, "calling_method": ["browser", "dial_in"], "inbound_number": BASE["caller_id"]}, 0.0
    )
    assert c.inbound_number == "+12025550142" and c.to_json()["inbound_number"] == "+12025550142"
    assert Campaign.from_json(json.loads(json.dumps(c.to_json()))) == c
    assert paths({**power, "calling_method": ["dial_in"]}) == ["inbound_number"]  # required with dial_in
    assert paths({**power, "inbound_number": "+12025550143"}) == ["inbound_number"]  # not the campaign's
    assert paths({**power, "inbound_number": "202-555-0142"}) == ["inbound_number"]  # not E.164
    pool = [{"number": "+13125550100"}]
    c = validate_new({**power, "caller_ids": pool, "inbound_number": "+13125550100"}, 0.0)
    assert c.inbound_number == "+13125550100"
    preview = validate_new({**BASE, "calling_method": ["dial_in"], "inbound_number": BASE["caller_id"]}, 0.0)
    assert preview.calling_method == (DIAL_IN,)  # preview too: the clicked voter is called into the leg
    with pytest.raises(CampaignInvalid):
        apply_patch(c, {"caller_ids": []})  # the inbound number would no longer be the campaign's
    assert apply_patch(c, {"inbound_number": None}).inbound_number is None


def test_campaigns_stored_before_dial_in_read_without_an_inbound_number() -> None:
    data = validate_new(dict(BASE), now=0.0).to_json()
    del data["inbound_number"]
    assert Campaign.from_json(data).inbound_number is None
