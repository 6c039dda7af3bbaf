"""Finding (attacker's probe): the per-address sign-in limits counted each IPv6 address on its own. A home
or cloud connection is given at least a /64 and one machine may send from any address in it, so a single
guesser had 2^64 fresh addresses: 5 guesses per email from each, and no soft (30) or hard (300) failure
limit ever reached, so spraying one common password over every account went unbounded. An IPv6 address
now counts as its /64 (an IPv4-mapped one as its IPv4 address); a neighbouring /64 is another address."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from dialer.app import create_app
from dialer.settings import Settings
from dialer.stores import signin_limits
from dialer.stores.signin_limits import address_bucket
from tests.security.attack import PASSWORD
from tests.security.test_signin_limits import _from, _in_process_signup

GUESSER = "2001:db8:5:7"  # one customer's /64; each request below comes from another address in it


def test_guesses_from_one_ipv6_network_count_as_one_address(
    app_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(app_settings)
    with TestClient(app, raise_server_exceptions=False, client=(f"{GUESSER}::1", 40000)) as first:
        _in_process_signup(first, "target@example.org")
        allowed = signin_limits.ATTEMPTS_PER_EMAIL_AND_ADDRESS
        codes = []
        for n in range(allowed + 2):  # one guess at the same account from each of several addresses
            guesser = _from(f"{GUESSER}:{n + 1:x}:0:0:{n + 2:x}", first)
            body = {"email": "target@example.org", "password": f"guess-{n}"}
            codes.append(guesser.post("/api/auth/login", json=body).status_code)
        assert codes == [401] * allowed + [429] * 2
        # Spraying other accounts from yet more of its addresses reaches the address's limits too.
        monkeypatch.setattr(signin_limits, "FAILURES_PER_ADDRESS", 8)
        monkeypatch.setattr(signin_limits, "HARD_LIMIT_PER_ADDRESS", 12)
        sprayed = []
        for n in range(8):
            guesser = _from(f"{GUESSER}:ffff:{n + 1:x}::9", first)
            body = {"email": f"sprayed{n}@example.org", "password": "wrong-guess"}
            sprayed.append(guesser.post("/api/auth/login", json=body).status_code)
        # 5 wrong passwords above and 3 here are the network's 8 failures; past them a wrong one is 429.
        assert sprayed == [401] * (8 - allowed) + [429] * allowed, sprayed
        right = {"email": "target@example.org", "password": PASSWORD}
        r = _from(f"{GUESSER}:1234::1", first).post("/api/auth/login", json=right)
        assert r.status_code == 429, r.text  # past the hard limit (12 attempts): the whole network waits
        # The account's owner, on another network (the next /64, an IPv4 office), still signs in.
        r = _from("2001:db8:5:8::1", first).post("/api/auth/login", json=right)
        assert r.status_code == 200, r.text
        assert _from("198.51.100.20", first).post("/api/auth/login", json=right).status_code == 200


@pytest.mark.parametrize(
    ("address", "bucket"),
    [
        ("2001:db8:5:7:aaaa:bbbb:cccc:dddd", "2001:db8:5:7::/64"),
        ("2001:DB8:5:7::1", "2001:db8:5:7::/64"),
        ("fe80::1%eth0", "fe80::/64"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("203.0.113.9", "203.0.113.9"),
        ("testclient", "testclient"),
        ("unknown", "unknown"),
    ],
)
def test_the_address_the_limits_count(address: str, bucket: str) -> None:
    assert address_bucket(address) == bucket
