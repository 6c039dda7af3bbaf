"""Attacker's finding: a sign-in finishing at the same moment as a disable left a session that worked again
once the account was enabled. The password check (argon2) takes a while; an organizer disabled the account
during it (every session found then ended, the new one did not exist yet) and the sign-in went on to make a
token. Refused while disabled, that token came back to life when the account was enabled again. Now a
sign-in begun before a disable makes no session (403 account_disabled), whether or not the account has been
enabled since; the next sign-in works."""

from __future__ import annotations

from starlette.testclient import TestClient

from dialer.passwords import HashPool
from dialer.stores.accounts import AccountStore
from dialer.web.deps import Deps
from tests.conftest import ADMIN
from tests.integration.organizer_support import account, fixed_api

__all__ = ["fixed_api"]

LOGIN = {"email": "vera@example.org", "password": "a long password"}


class DisabledWhileChecking(HashPool):
    """Checks passwords as the app does; while the first check runs, an organizer disables the account
    (and, with `enable_again`, enables it) through the same store calls as the People page."""

    def __init__(self, deps: Deps, uid: str, enable_again: bool) -> None:
        super().__init__(1, max_waiting=4, wait_seconds=30)
        self.deps, self.uid, self.enable_again, self.done = deps, uid, enable_again, False

    async def verify(self, stored: str, password: str) -> bool:
        ok = await super().verify(stored, password)
        if not self.done:
            self.done = True
            accounts = AccountStore(self.deps.redis)
            await accounts.set_disabled(self.uid, True)
            if self.enable_again:
                await accounts.set_disabled(self.uid, False)
        return ok


def _racing(api: TestClient, enable_again: bool) -> str:
    uid, _ = account(api, LOGIN["email"], "Vera Volunteer")
    deps = api.app.state.deps  # type: ignore[attr-defined]
    deps.hashing = DisabledWhileChecking(deps, uid, enable_again)
    return uid


def test_a_sign_in_during_a_disable_makes_no_session_that_comes_back(fixed_api: TestClient) -> None:
    _racing(fixed_api, enable_again=True)
    r = fixed_api.post("/api/auth/login", json=LOGIN)
    assert r.status_code == 403 and r.json()["error"]["code"] == "account_disabled", r.text
    assert "token" not in r.text
    # Nothing it may have set works now that the account is enabled: no cookie, no session.
    assert fixed_api.get("/api/me").status_code == 401
    fixed_api.cookies.clear()
    again = fixed_api.post("/api/auth/login", json=LOGIN)  # a sign-in begun after it works
    assert again.status_code == 200, again.text
    token = again.json()["token"]
    fixed_api.cookies.clear()
    assert fixed_api.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_a_sign_in_during_a_disable_that_still_holds_is_refused(fixed_api: TestClient) -> None:
    uid = _racing(fixed_api, enable_again=False)
    r = fixed_api.post("/api/auth/login", json=LOGIN)
    assert r.status_code == 403 and r.json()["error"]["code"] == "account_disabled", r.text
    enabled = fixed_api.put(f"/api/users/{uid}/disabled", json={"disabled": False}, headers=ADMIN)
    assert enabled.status_code == 200, enabled.text
    assert fixed_api.get("/api/me").status_code == 401  # its cookie, had it set one, stays dead
