"""Listen-in, coach and barge through the API against a real Redis and the Twilio stand-in (every request
checked against Twilio's API description), the coach leg's signed status callbacks (repeated, out of order,
forged), the audit log and the volunteer's `coach` socket message."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from starlette.testclient import TestClient

from dialer.app import create_app
from dialer.coaching import CoachMode
from dialer.connections import async_client
from dialer.queue.coach_sessions import CoachSession, CoachSessions
from dialer.queue.roster import Roster
from dialer.telephony.twilio import TwilioCarrier
from tests.conftest import ADMIN, bearer
from tests.e2e.calling import seed_script
from tests.integration.test_webhooks import AUTH_TOKEN, NOON_NEW_YORK, sign, twilio_settings
from tests.stores import audit_entries
from tests.twilio_standin import TwilioStandin

ACCOUNT = "AC" + "1" * 32
LEG = "CA" + "b" * 32  # the volunteer's own leg in their conference
COACH_PHONE = "+12025550142"


@dataclass
class World:
    client: TestClient
    clock: list[float]
    standin: TwilioStandin
    url: str
    volunteer: str
    volunteer_token: str
    leader: dict[str, str]
    outsider_leader: dict[str, str]
    organizer: dict[str, str]


def _account(client: TestClient, email: str, role: str = "volunteer") -> tuple[str, str]:
    r = client.post("/api/auth/signup", json={"email": email, "name": email[:3], "password": "long password"})
    client.cookies.clear()
    uid, token = r.json()["user"]["id"], r.json()["token"]
    if role != "volunteer":
        assert client.put(f"/api/users/{uid}/role", json={"role": role}, headers=ADMIN).status_code == 200
    return uid, token


async def _on_roster(url: str, volunteer: str, team: str) -> None:
    client = async_client(url)
    try:
        await Roster(client, "dc").join(volunteer, state="waiting", name="Vol", team=team, now=NOON_NEW_YORK)
    finally:
        await client.aclose()


@pytest.fixture
def world(clean_redis: str, tmp_path: Path) -> Iterator[World]:
    settings = twilio_settings(clean_redis, tmp_path)
    standin = TwilioStandin(ACCOUNT, ACCOUNT, AUTH_TOKEN)
    standin.coachable.add(LEG)
    asyncio.run(seed_script(clean_redis))
    clock = [NOON_NEW_YORK]
    app = create_app(settings, clock=lambda: clock[0], carrier=TwilioCarrier(settings, standin.client()))
    with TestClient(app, raise_server_exceptions=False) as client:
        body = {
            "id": "dc",
            "name": "DC",
            "script_id": "gotv-2026",
            "caller_id": "+12025550199",
            "mode": "power",
        }
        assert client.post("/api/campaigns", json=body, headers=ADMIN).status_code == 201
        volunteer, volunteer_token = _account(client, "vol@example.org")
        _, leader = _account(client, "lead@example.org", "leader")
        _, outsider = _account(client, "out@example.org", "leader")
        _, organizer = _account(client, "org@example.org", "organizer")
        team = client.post("/api/teams", json={"name": "East"}, headers=bearer(leader)).json()
        client.post("/api/teams", json={"name": "West"}, headers=bearer(outsider))
        client.post("/api/teams/join", json={"join_code": team["join_code"]}, headers=bearer(volunteer_token))
        client.cookies.clear()
        asyncio.run(_on_roster(clean_redis, volunteer, team["id"]))
        # The volunteer's browser joins their conference: the voice webhook remembers the leg.
        form = {"AccountSid": ACCOUNT, "CallSid": LEG, "From": f"client:{volunteer}", "To": "",
                "CallStatus": "ringing", "Direction": "inbound", "ApiVersion": "2010-04-01",
                "campaign_id": "dc", "leg": "agent"}  # fmt: skip
        r = client.post("/twilio/voice", content=urlencode(form), headers=sign("/twilio/voice", form))
        assert "<Conference" in r.text, r.text
        yield World(client, clock, standin, clean_redis, volunteer, volunteer_token, bearer(leader),
                    bearer(outsider), bearer(organizer))  # fmt: skip


def coach_url(w: World) -> str:
    return f"/api/campaigns/dc/roster/{w.volunteer}/coach"


def audit_log(w: World) -> list[dict[str, Any]]:
    return audit_entries(w.url, "dc")


def participant_requests(w: World) -> list[Any]:
    return [r for r in w.standin.requests if "/Participants" in r.path]


def callback(w: World, call_sid: str, status: str, *, forged: bool = False) -> int:
    path = f"/twilio/coach?campaign_id=dc&volunteer={w.volunteer}"
    form = {"AccountSid": ACCOUNT, "CallSid": call_sid, "CallStatus": status, "ApiVersion": "2010-04-01",
            "Direction": "outbound-api", "From": "+12025550199", "To": COACH_PHONE}  # fmt: skip
    headers = sign(path, form)
    if forged:
        headers["X-Twilio-Signature"] = sign(path, {**form, "CallStatus": "ringing"})["X-Twilio-Signature"]
    return w.client.post(path, content=urlencode(form), headers=headers).status_code


def test_listen_then_coach_then_barge_then_leave(world: World) -> None:
    c, w = world.client, world
    r = c.post(coach_url(w), json={"mode": "listen", "phone": COACH_PHONE}, headers=w.organizer)
    assert r.status_code == 201, r.text
    assert r.json()["mode"] == "listen" and r.json()["joined"]
    (create,) = participant_requests(w)
    assert (
        create.path == f"/2010-04-01/Accounts/{ACCOUNT}/Conferences/dialer-dc-{w.volunteer}/Participants.json"
    )
    assert (create.get("To"), create.get("From"), create.get("Muted"), create.get("Coaching")) == (
        COACH_PHONE, "+12025550199", "true", "false")  # fmt: skip
    assert create.get("EndConferenceOnExit") == "false"  # a coach leaving never ends the volunteer's room
    (_, coach_sid), *_ = w.standin.participants
    # The same request again changes nothing.
    assert (
        c.post(coach_url(w), json={"mode": "listen", "phone": COACH_PHONE}, headers=w.organizer).status_code
        == 200
    )
    assert len(participant_requests(w)) == 1
    # Whisper to the volunteer only.
    r = c.post(coach_url(w), json={"mode": "coach"}, headers=w.organizer)
    assert r.status_code == 200 and r.json()["mode"] == "coach"
    update = participant_requests(w)[-1]
    assert update.path.endswith(f"/Participants/{coach_sid}.json") and "/Conferences/CF" in update.path
    assert (update.get("Coaching"), update.get("CallSidToCoach"), update.get("Muted")) == (
        "true",
        LEG,
        "false",
    )
    shown = w.standin.participant(coach_sid)
    assert shown["coaching"] and shown["call_sid_to_coach"] == LEG and not shown["muted"]
    # Barge: heard by both, coaching off.
    assert c.post(coach_url(w), json={"mode": "barge"}, headers=w.organizer).json()["mode"] == "barge"
    shown = w.standin.participant(coach_sid)
    assert not shown["coaching"] and not shown["muted"]
    assert c.get(coach_url(w), headers=w.organizer).json()["mode"] == "barge"
    w.clock[0] += 95
    assert c.delete(coach_url(w), headers=w.organizer).status_code == 204
    hangup = w.standin.requests[-1]
    assert hangup.path.endswith(f"/Calls/{coach_sid}.json") and hangup.get("Status") == "completed"
    assert c.get(coach_url(w), headers=w.organizer).json()["mode"] is None
    assert c.delete(coach_url(w), headers=w.organizer).status_code == 404
    entries = [(e["action"], e["detail"].get("mode")) for e in audit_log(w)]
    assert entries == [("coach_join", "listen"), ("coach_switch", "coach"), ("coach_switch", "barge"),
                       ("coach_leave", "barge")]  # fmt: skip
    left = audit_log(w)[-1]
    assert left["detail"]["seconds"] == 95.0 and left["detail"]["volunteer"] == w.volunteer
    # The leg's own end, reported after we hung it up, ends nothing more.
    assert callback(w, coach_sid, "completed") == 204
    assert len(audit_log(w)) == 4


def test_who_may_coach_whom(world: World) -> None:
    c, w = world.client, world
    volunteer = bearer(w.volunteer_token)
    assert c.post(coach_url(w), json={"mode": "listen"}, headers=volunteer).status_code == 403
    # Another team's leader is told nothing about this volunteer.
    assert c.post(coach_url(w), json={"mode": "listen"}, headers=w.outsider_leader).status_code == 404
    assert c.post("/api/campaigns/dc/roster/nobody/coach", json={"mode": "listen"},
                  headers=ADMIN).status_code == 404  # fmt: skip
    r = c.post(coach_url(w), json={"mode": "coach"}, headers=w.leader)  # their own team: browser leg
    assert r.status_code == 201, r.text
    assert str(participant_requests(w)[0].get("To")).startswith("client:")
    # One coach at a time; the second is told so and nothing is dialed.
    r = c.post(coach_url(w), json={"mode": "listen"}, headers=w.organizer)
    assert r.status_code == 409 and r.json()["error"]["code"] == "coach_busy"
    assert len(participant_requests(w)) == 1
    # An organizer may end another coach's session; another team's leader may not.
    assert c.delete(coach_url(w), headers=w.outsider_leader).status_code == 404
    assert c.delete(coach_url(w), headers=w.organizer).status_code == 204


def test_bad_input_leaves_nothing_behind(world: World) -> None:
    c, w = world.client, world
    for body in (
        {"mode": "whisper"},
        {},
        {"mode": "listen", "phone": "555-0142"},
        {"mode": "listen", "x": 1},
        {"mode": "listen", "phone": None},
        {"mode": "listen", "phone": ""},
    ):
        r = c.post(coach_url(w), json=body, headers=w.organizer)
        assert r.status_code == 422 and r.json()["error"]["details"], (body, r.text)
    w.standin.fail_next(400, 21211, "The 'To' number is not a valid phone number.")
    r = c.post(coach_url(w), json={"mode": "listen", "phone": COACH_PHONE}, headers=w.organizer)
    assert r.status_code == 502 and r.json()["error"]["code"] == "carrier_error"
    assert c.get(coach_url(w), headers=w.organizer).json()["mode"] is None  # the claim went with it
    assert audit_log(w) == []
    assert c.patch("/api/campaigns/dc", json={"mode": "preview"}, headers=ADMIN).status_code == 200
    c.cookies.clear()
    r = c.post(coach_url(w), json={"mode": "listen"}, headers=w.organizer)
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_coachable"


def test_the_coach_legs_callbacks_end_the_session_once(world: World) -> None:
    c, w = world.client, world
    assert (
        c.post(coach_url(w), json={"mode": "listen", "phone": COACH_PHONE}, headers=w.organizer).status_code
        == 201
    )
    (_, coach_sid), *_ = w.standin.participants
    assert callback(w, coach_sid, "in-progress") == 204  # answered: still on
    assert callback(w, coach_sid, "completed", forged=True) == 403  # forged: changes nothing
    assert callback(w, "CA" + "9" * 32, "completed") == 204  # another leg: changes nothing
    assert c.get(coach_url(w), headers=w.organizer).json()["mode"] == "listen"
    w.clock[0] += 30
    assert callback(w, coach_sid, "completed") == 204  # the coach hung up
    assert c.get(coach_url(w), headers=w.organizer).json()["mode"] is None
    for status in ("completed", "in-progress", "ringing"):  # repeated, and late ones out of order
        assert callback(w, coach_sid, status) == 204
    actions = [(e["action"], e["detail"].get("seconds")) for e in audit_log(w)]
    assert actions == [("coach_join", None), ("coach_leave", 30.0)]
    bad = urlencode({"CallSid": coach_sid})
    path = f"/twilio/coach?campaign_id=dc&volunteer={w.volunteer}"
    assert c.post(path, content=bad, headers=sign(path, {"CallSid": coach_sid})).status_code == 400


def test_the_volunteers_page_shows_the_coach(world: World) -> None:
    c, w = world.client, world
    c.portal.call(c.app.state.deps.services["call_hub"].ready.wait)  # type: ignore[attr-defined, union-attr]
    with c.websocket_connect(f"/ws/call/dc?token={w.volunteer_token}") as ws:
        assert ws.receive_json()["type"] == "campaign"  # registered for call news from here on
        assert c.post(coach_url(w), json={"mode": "coach"}, headers=w.organizer).status_code == 201
        assert next_of(ws, "coach") == {"type": "coach", "mode": "coach", "by": "org"}
        assert c.post(coach_url(w), json={"mode": "listen"}, headers=w.organizer).status_code == 200
        assert next_of(ws, "coach")["mode"] == "listen"
        # A page that (re)connects meanwhile is told at once, right after the campaign message.
        with c.websocket_connect(f"/ws/call/dc?token={w.volunteer_token}") as again:
            assert again.receive_json()["type"] == "campaign"
            assert again.receive_json() == {"type": "coach", "mode": "listen", "by": "org"}
        assert c.delete(coach_url(w), headers=w.organizer).status_code == 204
        assert next_of(ws, "coach") == {"type": "coach", "mode": None, "by": "org"}


def next_of(ws: Any, kind: str) -> dict[str, Any]:
    for _ in range(20):  # the page's other news (its state on connect) comes first; a bounded wait
        message: dict[str, Any] = ws.receive_json()
        if message["type"] == kind:
            return message
    raise AssertionError(f"no {kind} message among the next 20")


@pytest.mark.anyio
async def test_a_session_is_claimed_once_and_ends_once(redis: Any) -> None:
    sessions = CoachSessions(redis, "c1")
    pending = CoachSession("org1", "Org", CoachMode.LISTEN, NOON_NEW_YORK)
    assert await sessions.claim("v1", pending)
    assert not await sessions.claim("v1", CoachSession("org2", "Other", CoachMode.BARGE, NOON_NEW_YORK))
    assert not await sessions.put("v1", CoachSession("org2", "Other", CoachMode.BARGE, NOON_NEW_YORK))
    placed = CoachSession("org1", "Org", CoachMode.LISTEN, NOON_NEW_YORK, "CA" + "1" * 32, "CF" + "2" * 32)
    assert await sessions.put("v1", placed)
    assert await sessions.get("v1") == placed
    assert await sessions.end("v1", call_sid="CA" + "9" * 32) is None  # another leg's end: nothing
    assert await sessions.end("v1", coach="org2") is None  # another coach: nothing
    assert await sessions.end("v1", call_sid=placed.call_sid) == placed
    assert await sessions.end("v1", call_sid=placed.call_sid) is None  # a repeat: nothing
    # Left while the coach's line was being placed: the placed line finds no session to fill in.
    assert await sessions.claim("v1", pending)
    assert await sessions.end("v1", coach="org1") == pending
    assert not await sessions.put("v1", placed)
    assert await sessions.get("v1") is None
    await redis.set("{c:c1}:coach:v2", "not json")  # damaged: treated as no session, never a crash
    assert await sessions.get("v2") is None and await sessions.end("v2") is None


def test_a_leaders_session_ends_when_the_volunteer_leaves_the_team(world: World) -> None:
    """Found probing teams: a team leader listening in kept listening after the volunteer left the team
    (and could not even end the session, which then answered 404 for them): leaving or changing teams now
    ends any session whose coach may no longer coach the volunteer, and hangs up the coach's line."""
    c, w = world.client, world
    r = c.post(coach_url(w), json={"mode": "listen", "phone": COACH_PHONE}, headers=w.leader)
    assert r.status_code == 201, r.text
    (_, coach_sid), *_ = w.standin.participants
    assert c.delete("/api/teams/membership", headers=bearer(w.volunteer_token)).status_code == 204
    assert c.get(coach_url(w), headers=w.organizer).json()["mode"] is None
    hangup = w.standin.requests[-1]
    assert hangup.path.endswith(f"/Calls/{coach_sid}.json") and hangup.get("Status") == "completed"
    left = audit_log(w)[-1]
    assert left["action"] == "coach_leave" and left["detail"]["reason"] == "left the team"


def test_an_organizers_session_goes_on_when_the_volunteer_changes_teams(world: World) -> None:
    c, w = world.client, world
    r = c.post(coach_url(w), json={"mode": "listen", "phone": COACH_PHONE}, headers=w.organizer)
    assert r.status_code == 201, r.text
    west = next(t for t in c.get("/api/teams", headers=w.outsider_leader).json() if t["name"] == "West")
    r = c.post("/api/teams/join", json={"join_code": west["join_code"]}, headers=bearer(w.volunteer_token))
    assert r.status_code == 200
    assert c.get(coach_url(w), headers=w.organizer).json()["mode"] == "listen"
    assert [e["action"] for e in audit_log(w)] == ["coach_join"]
