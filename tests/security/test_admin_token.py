"""A short DIALER_ADMIN_TOKEN (a never-expiring admin password) is warned of at start-up, loudly.

It used to stop start-up: API.md sets no length, and an operator's or a harness's `DIALER_ADMIN_TOKEN=...` of
16 characters left them with no server at all. The choice is the operator's; the warning says what it costs
and how to make a long one."""

from __future__ import annotations

from pathlib import Path

from dialer.settings import MIN_ADMIN_TOKEN, Settings
from tests.servers import ADMIN_TOKEN, ServerProcess


def test_a_short_admin_token_is_warned_of_and_a_long_one_is_not() -> None:
    short = Settings.from_env({"DIALER_ADMIN_TOKEN": "x" * (MIN_ADMIN_TOKEN - 1)})
    assert short.admin_token == "x" * 31
    assert short.weak_admin_token is not None and "has 31 characters" in short.weak_admin_token
    assert Settings.from_env({"DIALER_ADMIN_TOKEN": "x" * MIN_ADMIN_TOKEN}).weak_admin_token is None
    assert Settings.from_env({}).weak_admin_token is None
    assert Settings.from_env({"DIALER_ADMIN_TOKEN": "  "}).admin_token is None  # blank is unset
    assert len(ADMIN_TOKEN) >= MIN_ADMIN_TOKEN  # the suite's own servers start without the warning


def test_serve_starts_with_a_short_admin_token_warns_and_takes_it(tmp_path: Path, clean_redis: str) -> None:
    with ServerProcess(tmp_path, clean_redis, env={"DIALER_ADMIN_TOKEN": "short-token"}) as server:
        with server.client(token="short-token") as admin:
            r = admin.get("/api/users")
            assert r.status_code == 200, r.text
        with server.client(token="short-tokeN") as wrong:
            assert wrong.get("/api/users").status_code == 401
        assert "DIALER_ADMIN_TOKEN has 11 characters" in server.log()
