"""Dial-in PINs guessed across calls: three tries a call stop a caller who mistypes, not a script that calls
the inbound number again and again, each guess a chance at any one of the campaign's live PINs (and a right
guess puts a stranger in a volunteer's conference, talking to voters). Wrong PINs are budgeted per calling
number and per campaign; past a budget no PIN is compared, not even a right one, and the window is the
injected clock's."""

from __future__ import annotations

from dialer.web.dial_in_limits import WINDOW, WRONG_PER_CALLER, WRONG_PER_CAMPAIGN
from tests.integration.test_call_me import World, agent_state, leg
from tests.integration.test_dial_in import inbound, pin
from tests.integration.test_dial_in import world as world  # noqa: F401 (the fixture)


def _wrong(code: str, i: int) -> str:
    guess = f"{(int(code) + 1 + i) % 10**6:06d}"
    assert guess != code
    return guess


def call(w: World, n: int, digits: list[str], caller: str) -> str:
    """One inbound call typing `digits` round after round; the last answer's TwiML."""
    sid = f"CA{n:032x}"
    text = ""
    for attempt, typed in enumerate(digits, start=1):
        path = f"/twilio/dial-in/pin?campaign_id=dc&attempt={attempt}"
        r = w.webhook(path, {**inbound(sid, Digits=typed), "From": caller})
        assert r.status_code == 200, r.text
        text = r.text
        if "<Gather" not in text:
            break
    return text


def connected(text: str) -> bool:
    return "<Conference" in text


def test_one_caller_calling_again_and_again_is_stopped(world: World) -> None:  # noqa: F811
    w = world
    code = pin(w)
    attacker = "+13125550177"
    for n in range(WRONG_PER_CALLER // 3):
        assert not connected(call(w, n, [_wrong(code, 3 * n + i) for i in range(3)], attacker))
    # The budget is spent: even the right PIN is not compared for this number, and it is not used up.
    text = call(w, 99, [code], attacker)
    assert not connected(text) and "Too many wrong PINs" in text
    assert agent_state(w) is None and not leg(w)
    # The volunteer, calling from their own phone, still gets in with it.
    assert connected(call(w, 100, [code], "+13125550142"))


def test_many_callers_share_the_campaign_budget_and_it_lifts_with_the_clock(world: World) -> None:  # noqa: F811
    w = world
    code = pin(w)
    spent = 0
    n = 0
    while spent < WRONG_PER_CAMPAIGN:  # spoofed caller IDs: a fresh number for every call
        tries = min(3, WRONG_PER_CAMPAIGN - spent)
        assert not connected(call(w, n, [_wrong(code, spent + i) for i in range(tries)], f"+1312555{n:04d}"))
        spent += tries
        n += 1
    text = call(w, 500, [code], "+13125550142")
    assert not connected(text) and "Too many wrong PINs" in text
    assert agent_state(w) is None
    w.clock[0] += WINDOW  # the next window: PINs are compared again (the first has expired meanwhile)
    assert connected(call(w, 501, [pin(w)], "+13125550142"))
    assert leg(w)["state"] == "connected"


def test_right_pins_do_not_use_up_the_budget(world: World) -> None:  # noqa: F811
    w = world
    for n in range(WRONG_PER_CALLER + 2):  # one office phone dialing in volunteer after volunteer
        code = pin(w)
        assert connected(call(w, n, [code], "+13125550142")), n
