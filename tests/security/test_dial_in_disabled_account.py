"""Finding (attacker's probe, as a volunteer about to be removed): a dial-in PIN outlived its account. A
PIN is good for 10 minutes; disabling the account ended its tokens and sockets but not the PIN, so the
volunteer could still call the inbound number, type it, and be put in their conference and in the dialing
pool of a power campaign, where the dialer bridged voters to them (names and numbers read out, the
campaign's voice) with no page and no account. The right PIN of a disabled account now connects nothing:
it is used up, audited (`dial_in_refused`) and the call hung up."""

from __future__ import annotations

import asyncio

from dialer.connections import async_client
from dialer.stores.accounts import AccountStore, User
from tests.conftest import ADMIN
from tests.integration.test_call_me import World, agent_state, form, leg, q, verified
from tests.integration.test_dial_in import audit_actions, pin, typed
from tests.integration.test_dial_in import world as world  # noqa: F401 (the fixture)


def test_the_pin_of_an_account_disabled_since_connects_nothing(world: World) -> None:  # noqa: F811
    w = world
    code = pin(w)
    # Disabling ends the PIN (below); the PIN-entry check covers one typed while that is under way.
    assert asyncio.run(_disable_only(w.url, w.volunteer)) is not None
    r = typed(w, code, 1)
    assert r.status_code == 200
    assert "<Conference" not in r.text and "<Hangup" in r.text and "may not call" in r.text, r.text
    assert not leg(w) and agent_state(w) is None  # not in the conference, not in the dialing pool
    assert audit_actions(w) == ["dial_in_refused"]
    assert "<Conference" not in typed(w, code, 1).text  # a repeated delivery: the same refusal
    # Enabled again, the account does not get that PIN back: it was used up.
    r = w.client.put(f"/api/users/{w.volunteer}/disabled", json={"disabled": False}, headers=ADMIN)
    assert r.status_code == 200, r.text
    assert "<Conference" not in typed(w, code, 1, sid="CA" + "e" * 32).text
    assert not leg(w) and agent_state(w) is None


async def _disable_only(url: str, volunteer: str) -> User | None:
    """The account's flag alone, as the disable request sets it before ending the account's calling."""
    redis = async_client(url)
    try:
        return await AccountStore(redis).set_disabled(volunteer, True)
    finally:
        await redis.aclose()


def test_another_volunteers_pin_still_connects(world: World) -> None:  # noqa: F811
    w = world
    r = w.client.put(f"/api/users/{w.volunteer}/disabled", json={"disabled": True}, headers=ADMIN)
    assert r.status_code == 200, r.text
    other = w.client.get("/api/me", headers=w.auth(w.other_token)).json()["user"]["id"]
    assert f">dialer-dc-{other}</Conference>" in typed(w, pin(w, token=w.other_token), 1).text


def test_a_call_me_phone_answered_after_the_account_was_disabled_joins_nothing(world: World) -> None:  # noqa: F811
    """The same for "call me": the phone rang at the volunteer's request; disabled before they pressed 1,
    the press puts nothing in the conference or the dialing pool."""
    w = world
    methods = {"calling_method": ["browser", "dial_in", "call_me"]}
    assert w.client.patch("/api/campaigns/dc", json=methods, headers=ADMIN).status_code == 200
    verified(w)
    r = w.client.post("/api/campaigns/dc/call-me", headers=w.auth())
    assert r.status_code == 201, r.text
    sid = r.json()["call_sid"]
    assert w.webhook(q(w, "/twilio/call-me/answer"), form(sid, CallStatus="in-progress")).status_code == 200
    r = w.client.put(f"/api/users/{w.volunteer}/disabled", json={"disabled": True}, headers=ADMIN)
    assert r.status_code == 200, r.text
    r = w.webhook(q(w, "/twilio/call-me/press"), form(sid, Digits="1"))
    assert "<Conference" not in r.text and "<Hangup" in r.text and "may not call" in r.text, r.text
    assert leg(w)["state"] != "connected" and agent_state(w) is None


def test_a_pin_unused_while_disabled_is_dead_once_enabled_again(world: World) -> None:  # noqa: F811
    """Acceptance check: a PIN issued before the account was disabled, never typed while it was, worked
    again once an organizer enabled the account within its 10 minutes. Disabling ends it."""
    w = world
    code = pin(w)
    for disabled in (True, False):
        r = w.client.put(f"/api/users/{w.volunteer}/disabled", json={"disabled": disabled}, headers=ADMIN)
        assert r.status_code == 200, r.text
    r = typed(w, code, 1)
    assert "<Conference" not in r.text and "not right" in r.text, r.text
    assert not leg(w) and agent_state(w) is None
    # A PIN issued after the account is enabled again (and its volunteer signed in again) connects.
    r = w.client.post("/api/auth/login", json={"email": "a@example.org", "password": "long password"})
    assert r.status_code == 200, r.text
    w.client.cookies.clear()
    fresh = pin(w, token=r.json()["token"])
    assert f">dialer-dc-{w.volunteer}</Conference>" in typed(w, fresh, 1, sid="CA" + "e" * 32).text
