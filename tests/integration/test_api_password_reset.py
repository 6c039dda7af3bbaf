"""An organizer's password-reset link (`POST /api/users/{id}/password-reset`), its page (`/reset/{token}`)
and its use (`POST /api/auth/password-reset`): who may make one, once only, the newest only, 24 hours by
the app's clock, and every session of the account ending when it is used."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from dialer.app import create_app
from dialer.cli import main
from dialer.passwords import HashingBusy, HashPool
from dialer.settings import Settings
from tests.conftest import ADMIN, bearer
from tests.integration.organizer_support import NOW, account
from tests.stores import open_store

NEW = "violet kettle harbour"
DAY = 24 * 3600


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def api(app_settings: Settings, clock: Clock) -> Iterator[TestClient]:
    with TestClient(create_app(app_settings, clock=clock), raise_server_exceptions=False) as client:
        yield client


def _link(api: TestClient, uid: str, headers: dict[str, str]) -> str:
    r = api.post(f"/api/users/{uid}/password-reset", headers=headers)
    assert r.status_code == 201, r.text
    url: str = r.json()["url"]
    assert url.startswith("http://testserver/reset/")
    return url.rpartition("/")[2]


def _use(api: TestClient, token: str, password: str = NEW) -> tuple[int, dict]:
    r = api.post("/api/auth/password-reset", json={"token": token, "new_password": password})
    return r.status_code, r.json()


def _signs_in(api: TestClient, email: str, password: str) -> bool:
    r = api.post("/api/auth/login", json={"email": email, "password": password})
    api.cookies.clear()
    return r.status_code == 200


def test_an_organizer_hands_a_volunteer_a_link_that_signs_them_in_and_ends_their_sessions(
    api: TestClient, clean_redis: str
) -> None:
    org_id, organizer = account(api, "olive@example.org", "Olive Organizer", "organizer")
    vol_id, old_session = account(api, "vera@example.org", "Vera Volunteer")
    r = api.post(f"/api/users/{vol_id}/password-reset", headers=organizer)
    assert r.status_code == 201, r.text
    assert r.json()["expires_at"] == "2027-01-16T08:00:00+00:00"  # NOW + 24 h
    assert r.headers["cache-control"] == "no-store"
    token = r.json()["url"].rpartition("/")[2]
    page = api.get(f"/reset/{token}")
    assert page.status_code == 200 and "Vera Volunteer" in page.text and "vera@example.org" in page.text
    status, body = _use(api, token)
    assert status == 200, body
    assert body["user"]["id"] == vol_id
    assert api.get("/api/me").json()["user"]["id"] == vol_id  # this browser signed in (the cookie)
    assert api.get("/api/me", headers=bearer(body["token"])).status_code == 200
    api.cookies.clear()
    assert api.get("/api/me", headers=old_session).status_code == 401
    assert not _signs_in(api, "vera@example.org", "a long password")
    assert _signs_in(api, "vera@example.org", NEW)
    # Stored hashed; noted in the account's audit log with who made the link.
    store = open_store(clean_redis, decode_responses=True)
    assert token not in str(store.hgetall(f"dialer:user:{vol_id}:password-reset"))
    entries = [fields for _, fields in store.xrange(f"dialer:user:{vol_id}:audit")]
    assert [(e["action"], e["user"]) for e in entries] == [
        ("password_reset_link", org_id),
        ("password_reset_used", vol_id),
    ]


def test_a_used_link_is_410_and_changes_nothing(api: TestClient) -> None:
    _, organizer = account(api, "olive@example.org", "Olive Organizer", "organizer")
    vol_id, _ = account(api, "vera@example.org", "Vera Volunteer")
    token = _link(api, vol_id, organizer)
    assert _use(api, token)[0] == 200
    session = api.cookies.get("dialer_session")
    api.cookies.clear()
    status, body = _use(api, token, "another fine passphrase")
    assert status == 410 and body["error"]["code"] == "link_used"
    assert "used" in body["error"]["message"]
    assert _signs_in(api, "vera@example.org", NEW) and not _signs_in(
        api, "vera@example.org", "another fine passphrase"
    )
    api.cookies.set("dialer_session", session or "")
    assert api.get("/api/me").status_code == 200  # the first use's session was not ended by the second
    api.cookies.clear()
    page = api.get(f"/reset/{token}")
    assert page.status_code == 410 and "has been used" in page.text


def test_a_link_expires_after_24_hours_by_the_apps_clock(api: TestClient, clock: Clock) -> None:
    _, organizer = account(api, "olive@example.org", "Olive Organizer", "organizer")
    vol_id, session = account(api, "vera@example.org", "Vera Volunteer")
    token = _link(api, vol_id, organizer)
    clock.now = NOW + DAY - 1
    assert api.get(f"/reset/{token}").status_code == 200
    clock.now = NOW + DAY
    assert api.get(f"/reset/{token}").status_code == 410
    status, body = _use(api, token)
    assert status == 410 and body["error"]["code"] == "link_expired"
    assert _signs_in(api, "vera@example.org", "a long password")
    assert api.get("/api/me", headers=session).status_code == 200


def test_only_the_newest_link_works(api: TestClient) -> None:
    _, organizer = account(api, "olive@example.org", "Olive Organizer", "organizer")
    vol_id, _ = account(api, "vera@example.org", "Vera Volunteer")
    first, second = _link(api, vol_id, organizer), _link(api, vol_id, organizer)
    status, body = _use(api, first)
    assert status == 404 and body["error"]["code"] == "unknown_link"
    assert "newer one" in body["error"]["message"]
    assert _use(api, second)[0] == 200


@pytest.mark.parametrize(
    "token", ["nonsense", "0123456789abcdef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "a" * 150]
)
def test_an_unknown_link_is_404_everywhere(api: TestClient, token: str) -> None:
    assert _use(api, token)[0] in (404, 422)
    assert api.get(f"/reset/{token}").status_code == 404


def test_a_password_the_policy_refuses_does_not_use_up_the_link(api: TestClient) -> None:
    _, organizer = account(api, "olive@example.org", "Olive Organizer", "organizer")
    vol_id, _ = account(api, "vera@example.org", "Vera Volunteer")
    token = _link(api, vol_id, organizer)
    status, body = _use(api, token, "short")
    assert status == 422 and [d["path"] for d in body["error"]["details"]] == ["new_password"]
    status, body = _use(api, token, "vera@example.org")
    assert status == 422 and [d["path"] for d in body["error"]["details"]] == ["new_password"]
    assert _use(api, token)[0] == 200


def test_who_may_make_a_link_for_whom(api: TestClient) -> None:
    ids = {}
    headers = {}
    for role in ("volunteer", "leader", "organizer", "admin"):
        ids[role], headers[role] = account(api, f"{role}@example.org", f"{role.title()} Person", role)
    other_org, _ = account(api, "otto@example.org", "Otto Organizer", "organizer")
    other_admin, _ = account(api, "ada@example.org", "Ada Admin", "admin")

    def code(target: str, caller: dict[str, str]) -> int:
        return api.post(f"/api/users/{target}/password-reset", headers=caller).status_code

    assert code(ids["volunteer"], headers["organizer"]) == 201
    assert code(ids["leader"], headers["organizer"]) == 201
    assert code(other_org, headers["organizer"]) == 403
    assert code(other_admin, headers["organizer"]) == 403
    assert code(ids["organizer"], headers["organizer"]) == 403  # their own: the profile page instead
    assert code(ids["volunteer"], headers["leader"]) == 403
    assert code(ids["leader"], headers["volunteer"]) == 403
    assert api.post(f"/api/users/{ids['volunteer']}/password-reset").status_code == 401
    assert code(other_org, headers["admin"]) == 201
    assert code(other_admin, headers["admin"]) == 201
    assert code(ids["admin"], headers["admin"]) == 403
    assert code(ids["admin"], ADMIN) == 201  # the admin token is nobody's account
    assert code("no-such-user", headers["admin"]) == 404


def test_no_link_for_a_disabled_account_and_an_old_link_stops_working(api: TestClient) -> None:
    _, organizer = account(api, "olive@example.org", "Olive Organizer", "organizer")
    vol_id, _ = account(api, "vera@example.org", "Vera Volunteer")
    token = _link(api, vol_id, organizer)
    assert (
        api.put(f"/api/users/{vol_id}/disabled", json={"disabled": True}, headers=organizer).status_code
        == 200
    )
    r = api.post(f"/api/users/{vol_id}/password-reset", headers=organizer)
    assert r.status_code == 409 and r.json()["error"]["code"] == "account_disabled"
    status, body = _use(api, token)
    assert status == 403 and body["error"]["code"] == "account_disabled"
    assert api.get(f"/reset/{token}").status_code == 403


def test_a_busy_server_does_not_use_the_link_up(api: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    _, organizer = account(api, "olive@example.org", "Olive Organizer", "organizer")
    vol_id, _ = account(api, "vera@example.org", "Vera Volunteer")
    token = _link(api, vol_id, organizer)

    async def busy(self: HashPool, password: str) -> str:
        raise HashingBusy()

    with monkeypatch.context() as patched:
        patched.setattr(HashPool, "hash", busy)
        status, body = _use(api, token)
    assert status == 503 and body["error"]["code"] == "busy"
    assert _use(api, token)[0] == 200


def test_changing_the_password_another_way_ends_an_outstanding_link(
    api: TestClient, clean_redis: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, organizer = account(api, "olive@example.org", "Olive Organizer", "organizer")
    vol_id, vera = account(api, "vera@example.org", "Vera Volunteer")
    token = _link(api, vol_id, organizer)
    body = {"current_password": "a long password", "new_password": "remembered it after all"}
    assert api.post("/api/auth/password", json=body, headers=vera).status_code == 200
    status, answer = _use(api, token)
    assert status == 404 and "password is changed" in answer["error"]["message"]
    token = _link(api, vol_id, organizer)
    monkeypatch.setenv("REDIS_URL", clean_redis)
    monkeypatch.setattr("sys.stdin", io.StringIO("set by the admin today\n"))
    assert main(["user", "set-password", "--email", "vera@example.org"]) == 0
    assert _use(api, token)[0] == 404
    assert _signs_in(api, "vera@example.org", "set by the admin today")
