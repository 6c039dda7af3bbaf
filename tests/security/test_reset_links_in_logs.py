"""Finding (attacker's probe): a password-reset link's token was written whole to the access log. `dialer
serve` logs every request by default, so opening `/reset/<token>` put the line
`"GET /reset/<user>.<secret> HTTP/1.1" 200` in the log, and anyone who reads the logs (a platform's log
drain, a support person) could set the account's password for a day, before or instead of its owner.
The access log now says `/reset/[redacted]`, as it did for a WebSocket's `?token=`; the link still works."""

from __future__ import annotations

from pathlib import Path

from tests.security.attack import PASSWORD, signup
from tests.servers import ServerProcess


def test_a_reset_links_token_stays_out_of_the_access_log(tmp_path: Path, clean_redis: str) -> None:
    with ServerProcess(tmp_path, clean_redis, env={"DIALER_ACCESS_LOG": "1"}) as running:
        user = signup(running.base_url, "rosa@example.org", "Rosa Volunteer")["user"]
        with running.client() as admin:
            r = admin.post(f"/api/users/{user['id']}/password-reset")
            assert r.status_code == 201, r.text
        url = r.json()["url"]
        token = url.rsplit("/reset/", 1)[1]
        secret = token.split(".", 1)[1]
        with running.client(token=None) as anyone:
            page = anyone.get(f"/reset/{token}")
            assert page.status_code == 200
            assert anyone.get(f"/reset/{token}?from=sms").status_code == 200
            log = running.log()
            assert '"GET /reset/[redacted] HTTP/1.1" 200' in log, log[-2000:]  # the line is still there
            assert secret not in log and token not in log
            # Redacting the log changes nothing else: the link still sets the password, once.
            r = anyone.post("/api/auth/password-reset", json={"token": token, "new_password": PASSWORD + "!"})
            assert r.status_code == 200, r.text
        assert secret not in running.log()
