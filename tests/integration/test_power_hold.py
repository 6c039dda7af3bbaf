"""A power call survives the volunteer's page reloading (or crashing) mid-call, through the Twilio adapter
(every REST request checked by the Twilio stand-in against Twilio's API description), signed webhooks and a
real Redis.

The browser's leg used to join the volunteer's conference with endConferenceOnExit: a reload dropped that
leg, ended the room and hung the voter up mid-conversation. Now the room outlives the leg, Twilio reports its
leaving (the conference's statusCallback, participant-leave), the pacer (which owns the dialer's lines) moves
the voter to a hold that keeps its own limit (60 s, then goodbye) and the page's next leg has the pacer take
them back. A hold that runs out ends the conversation as any hang-up does: not an abandoned call."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from dialer.queue import keys
from tests.conftest import ADMIN
from tests.integration.test_coaching import ACCOUNT, next_of
from tests.integration.test_dialer_recording import run_actions
from tests.integration.test_transfer import World, agent_state
from tests.integration.test_transfer import world as world  # noqa: F401 (the fixture)
from tests.integration.test_webhooks import PUBLIC_URL, sign
from tests.stores import open_store

FIRST_LEG, SECOND_LEG, STRANGER = "CA" + "a1" * 16, "CA" + "b2" * 16, "CA" + "c3" * 16


def leg_joins(w: World, leg: str) -> ET.Element:
    """The page's Voice SDK connects with leg=agent and Twilio asks /twilio/voice: the room it is told."""
    form = {"AccountSid": ACCOUNT, "CallSid": leg, "From": f"client:{w.volunteer}", "To": "",
            "CallStatus": "ringing", "Direction": "inbound", "ApiVersion": "2010-04-01",
            "campaign_id": "rc", "leg": "agent"}  # fmt: skip
    r = w.client.post("/twilio/voice", content=urlencode(form), headers=sign("/twilio/voice", form))
    assert r.status_code == 200, r.text
    room = ET.fromstring(r.text).find("Dial/Conference")
    assert room is not None and room.text == f"dialer-rc-{w.volunteer}", r.text
    return room


def leg_left(w: World, room: ET.Element, leg: str) -> int:
    """What Twilio posts to the room's statusCallback when a participant (`leg`) leaves it."""
    path_qs = (room.get("statusCallback") or "").removeprefix(PUBLIC_URL)
    form = {"AccountSid": ACCOUNT, "ConferenceSid": "CF" + "c" * 32, "CallSid": leg,
            "FriendlyName": f"dialer-rc-{w.volunteer}", "StatusCallbackEvent": "participant-leave",
            "Timestamp": "Mon, 07 Dec 2026 02:00:00 +0000", "SequenceNumber": "3"}  # fmt: skip
    return w.client.post(path_qs, content=urlencode(form), headers=sign(path_qs, form)).status_code


def voter_ends(w: World, duration: int) -> None:
    """The voter's line's final status callback (signed), as Twilio sends it when the call ends."""
    path_qs = f"/twilio/status?campaign_id=rc&contact_id={w.contact}"
    form = {"AccountSid": ACCOUNT, "CallSid": w.voter, "CallStatus": "completed", "ApiVersion": "2010-04-01",
            "Direction": "outbound-api", "From": "+12025550199", "To": "+13125550100",
            "CallDuration": str(duration), "SequenceNumber": "9"}  # fmt: skip
    r = w.client.post(path_qs, content=urlencode(form), headers=sign(path_qs, form))
    assert r.status_code == 204, r.text


def hang_up_queued(w: World, seconds: float = 10.0) -> None:
    """Waits until the saved call's hang-up is among the pacer's actions (a rehearsal's loaded run 1 ran the
    actions before the socket had queued it, and the hang-up came in the next round)."""
    store = open_store(w.url, decode_responses=True)
    deadline = time.monotonic() + seconds
    while f"hangup|{w.voter}" not in store.lrange(keys.dial_actions("rc"), 0, -1):
        assert time.monotonic() < deadline, "the saved call's hang-up was never queued"
        time.sleep(0.02)


def moves_of_the_voter(w: World, since: int) -> list[str]:
    """The TwiML of each REST update of the voter's call since request number `since`."""
    moved = [r for r in w.standin.requests[since:] if r.path.endswith(f"/Calls/{w.voter}.json")]
    return [r.get("Twiml") or "" for r in moved]


def on_a_call(w: World, tmp_path: Path, ws: Any) -> ET.Element:
    """The volunteer's page is open on the voter the dialer bridged to them, its leg in their room."""
    assert next_of(ws, "bridged")["call_sid"] == w.voter
    ws.send_json({"type": "start", "contact_id": w.contact})
    next_of(ws, "step")
    room = leg_joins(w, FIRST_LEG)
    run_actions(w, tmp_path)  # the pacer bridges the voter into the room
    return room


def counters(w: World) -> dict[str, str]:
    return dict(open_store(w.url, decode_responses=True).hgetall(keys.dial_counters("rc")))


@pytest.mark.parametrize("mode", ["power", "predictive"])
def test_a_reload_mid_call_holds_the_voter_until_the_page_is_back(
    world: World, tmp_path: Path, mode: str
) -> None:
    w, c = world, world.client
    assert c.patch("/api/campaigns/rc", json={"mode": mode}, headers=ADMIN).status_code == 200
    c.portal.call(c.app.state.deps.services["call_hub"].ready.wait)  # type: ignore[attr-defined, union-attr]
    store = open_store(w.url, decode_responses=True)
    with c.websocket_connect(f"/ws/call/rc?token={w.token}") as ws:
        room = on_a_call(w, tmp_path, ws)
        # The room outlives the browser's leg, which reports its leaving.
        assert room.get("endConferenceOnExit") == "false"
        assert room.get("statusCallbackEvent") == "leave"
        left = f"{PUBLIC_URL}/twilio/conference?campaign_id=rc&volunteer={w.volunteer}"
        assert room.get("statusCallback") == left

        sent = len(w.standin.requests)
        assert leg_left(w, room, STRANGER) == 204  # another participant (a coach, the voter): nothing
        assert leg_left(w, room, FIRST_LEG) == 204  # the page reloads
        assert store.get(keys.held_voter("rc", w.volunteer)) == w.voter
        assert w.standin.requests[sent:] == []  # the pacer moves the dialer's lines, not the web process
        run_actions(w, tmp_path)
        (held,) = moves_of_the_voter(w, sent)
        hold = ET.fromstring(held)
        assert "right back" in (hold.findtext("Say") or "") and hold.find("Hangup") is not None
        pause = hold.find("Pause")
        assert pause is not None and pause.get("length") == "60"  # the carrier keeps the limit
        assert agent_state(w) == "talking"  # still this volunteer's voter

    with c.websocket_connect(f"/ws/call/rc?token={w.token}") as ws:  # the reloaded page
        talking = next_of(ws, "talking")
        assert (talking["contact_id"], talking["call_sid"]) == (w.contact, w.voter)
        sent = len(w.standin.requests)
        leg_joins(w, SECOND_LEG)  # its leg joins the room: the voter is taken back
        assert store.get(keys.held_voter("rc", w.volunteer)) is None
        run_actions(w, tmp_path)
        (back,) = moves_of_the_voter(w, sent)
        assert f">dialer-rc-{w.volunteer}</Conference>" in back
        sent = len(w.standin.requests)
        assert leg_left(w, room, FIRST_LEG) == 204  # the old leg's late report changes nothing
        leg_joins(w, SECOND_LEG)  # joined again later: nobody held, nothing moved
        run_actions(w, tmp_path)
        assert moves_of_the_voter(w, sent) == []
    # Connected, held, taken back: a live answer, never an abandoned call.
    assert (counters(w).get("live_answers"), counters(w).get("abandoned", "0")) == ("1", "0")


def test_a_hold_that_runs_out_ends_the_conversation_not_as_abandoned(world: World, tmp_path: Path) -> None:
    w, c = world, world.client
    c.portal.call(c.app.state.deps.services["call_hub"].ready.wait)  # type: ignore[attr-defined, union-attr]
    store = open_store(w.url, decode_responses=True)
    with c.websocket_connect(f"/ws/call/rc?token={w.token}") as ws:
        room = on_a_call(w, tmp_path, ws)
        assert leg_left(w, room, FIRST_LEG) == 204  # the browser crashed, and nobody comes back in time
    run_actions(w, tmp_path)
    voter_ends(w, 95)  # told goodbye after the hold: the carrier ends the call
    assert agent_state(w) == "wrap_up"  # the conversation ended; its volunteer records its result
    assert counters(w).get("abandoned", "0") == "0" and counters(w).get("live_answers") == "1"
    assert store.xlen(keys.results("rc")) == 0  # nothing recorded for them by the dialer
    sent = len(w.standin.requests)
    leg_joins(w, SECOND_LEG)  # the page comes back too late: nobody to take back
    assert store.get(keys.held_voter("rc", w.volunteer)) is None
    run_actions(w, tmp_path)
    assert moves_of_the_voter(w, sent) == []


def test_the_dialers_voter_is_held_even_unseen_but_not_once_saved(world: World, tmp_path: Path) -> None:
    """A voter bridged as the page went (never shown) is held too: left alone in the room they would wait
    in silence. A saved call's voter is being hung up: nothing to hold."""
    w, c = world, world.client
    room = leg_joins(w, FIRST_LEG)
    run_actions(w, tmp_path)
    sent = len(w.standin.requests)
    assert leg_left(w, room, FIRST_LEG) == 204  # no page has started the call
    run_actions(w, tmp_path)
    assert len(moves_of_the_voter(w, sent)) == 1

    c.portal.call(c.app.state.deps.services["call_hub"].ready.wait)  # type: ignore[attr-defined, union-attr]
    with c.websocket_connect(f"/ws/call/rc?token={w.token}") as ws:
        room = leg_joins(w, SECOND_LEG)  # the page is back and takes the voter
        assert next_of(ws, "bridged")["call_sid"] == w.voter
        ws.send_json({"type": "start", "contact_id": w.contact})
        step = next_of(ws, "step")["step"]["id"]
        ws.send_json({"type": "answer", "step": step, "choice": 0})
        next_of(ws, "done")
        ws.send_json({"type": "finish", "contact_id": w.contact, "notes": "", "idempotency_key": "k-1"})
        next_of(ws, "recorded")
        hang_up_queued(w)  # the socket answers `recorded`, then asks for the hang-up: maybe not yet
        run_actions(w, tmp_path)  # the bridge back, then the saved call's hang-up
        sent = len(w.standin.requests)
        assert leg_left(w, room, SECOND_LEG) == 204  # the tab closed after saving
        run_actions(w, tmp_path)
        assert moves_of_the_voter(w, sent) == []
    assert store_of(w).get(keys.held_voter("rc", w.volunteer)) is None


def store_of(w: World) -> Any:
    return open_store(w.url, decode_responses=True)
