"""Call me, attacked: verification calls aimed at one person from many accounts, and a verification code
guessed in parallel (each guess must use up one of the code's tries before it is compared)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from dialer.phone_legs import CODE_TRIES
from dialer.queue import keys
from dialer.web.call_me import VERIFY_CALLS_PER_CAMPAIGN, VERIFY_CALLS_PER_NUMBER
from tests.integration.test_call_me import MINE, World, spoken_code
from tests.integration.test_call_me import world as world  # noqa: F401 (the fixture)


def _signup(w: World, email: str) -> str:
    r = w.client.post("/api/auth/signup", json={"email": email, "name": "X", "password": "long password"})
    w.client.cookies.clear()
    assert r.status_code == 201, r.text
    token: str = r.json()["token"]
    return token


def test_one_number_is_not_rung_again_and_again_from_many_accounts(world: World) -> None:  # noqa: F811
    w = world
    tokens = [_signup(w, f"harass{i}@example.org") for i in range(VERIFY_CALLS_PER_NUMBER + 2)]
    statuses = [
        w.client.put("/api/campaigns/dc/call-me/number", json={"phone": MINE}, headers=w.auth(t)).status_code
        for t in tokens
    ]
    assert statuses == [202] * VERIFY_CALLS_PER_NUMBER + [429, 429]
    calls = [r for r in w.standin.requests if r.path.endswith("/Calls.json")]
    assert len(calls) == VERIFY_CALLS_PER_NUMBER
    # Another number is still reachable by the accounts the limit stopped.
    r = w.client.put("/api/campaigns/dc/call-me/number", json={"phone": "+12025550143"},
                     headers=w.auth(tokens[-1]))  # fmt: skip
    assert r.status_code == 202, r.text


def test_parallel_guesses_share_the_tries(world: World) -> None:  # noqa: F811
    w = world
    r = w.client.put("/api/campaigns/dc/call-me/number", json={"phone": MINE}, headers=w.auth())
    assert r.status_code == 202, r.text
    right = spoken_code(w.standin.requests[-1])
    guesses = [f"{(int(right) + 1 + i) % 10**6:06d}" for i in range(40)]

    def guess(code: str) -> tuple[int, str]:
        r = w.client.post("/api/campaigns/dc/call-me/number/verify", json={"code": code}, headers=w.auth())
        return r.status_code, r.json()["error"]["code"]

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(guess, guesses))
    compared = [o for o in outcomes if o == (422, "wrong_code")]
    assert len(compared) <= CODE_TRIES - 1, outcomes
    assert all(o[0] in (409, 422) for o in outcomes), outcomes
    # The tries are spent: even the right code is refused now, and nothing was stored on the account.
    r = w.client.post("/api/campaigns/dc/call-me/number/verify", json={"code": right}, headers=w.auth())
    assert r.status_code == 409, r.text
    assert w.client.get("/api/campaigns/dc/call-me", headers=w.auth()).json()["number"] is None


def test_no_verification_call_to_a_premium_rate_number(world: World) -> None:  # noqa: F811
    # Anyone who can sign up may ask for a verification call: a +1 900 line is billed to the campaign.
    for phone in ("+19002345678", "+19002345678".replace("+1", "1")):
        r = world.client.put("/api/campaigns/dc/call-me/number", json={"phone": phone}, headers=world.auth())
        assert r.status_code == 422, r.text
        assert r.json()["error"]["details"][0]["path"] == "phone"
    assert world.standin.requests == []  # nothing dialed
    assert world.client.get("/api/campaigns/dc/call-me", headers=world.auth()).json()["verifying"] is None


def test_a_campaign_places_so_many_verification_calls_an_hour(world: World) -> None:  # noqa: F811
    # Sign-ups are free: many accounts, each calling other numbers, are bounded by the campaign's hour.
    w = world
    hour = int(w.clock[0] // 3600)
    counter = f"{keys.ratelimit('phone-verify-campaign', 'dc')}:{hour}"
    w.store().set(counter, VERIFY_CALLS_PER_CAMPAIGN - 1)  # the hour's calls so far, as if placed one by one
    assert (
        w.client.put("/api/campaigns/dc/call-me/number", json={"phone": MINE}, headers=w.auth()).status_code
        == 202
    )
    token = _signup(w, "late@example.org")
    r = w.client.put(
        "/api/campaigns/dc/call-me/number", json={"phone": "+12025550143"}, headers=w.auth(token)
    )
    assert r.status_code == 429 and r.json()["error"]["code"] == "too_many_verifications", r.text
    assert len(w.standin.requests) == 1  # the second was not dialed
    w.clock[0] += 3600  # the next hour of the clock
    r = w.client.put(
        "/api/campaigns/dc/call-me/number", json={"phone": "+12025550143"}, headers=w.auth(token)
    )
    assert r.status_code == 202, r.text


def test_every_verification_counter_expires(world: World) -> None:  # noqa: F811
    # A counter without an expiry would refuse its account or number for good.
    w = world
    r = w.client.put("/api/campaigns/dc/call-me/number", json={"phone": MINE}, headers=w.auth())
    assert r.status_code == 202, r.text
    counters = [k for k in w.store().scan_iter(match="*phone-verify*")]
    assert len(counters) == 3, counters  # the account's, the number's and the campaign's
    assert all(0 < w.store().ttl(k) <= 7200 for k in counters)
