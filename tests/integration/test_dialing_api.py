"""The dialing endpoints over HTTP: joining the pool, the organizers' numbers, and the carrier's TwiML
webhooks for server-dialed voters and volunteers' conference legs (signed like every webhook)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import pytest
from starlette.testclient import TestClient

from dialer.queue import keys
from dialer.settings import Settings
from dialer.telephony.signing import SIGNATURE_HEADER, signer_for
from tests.conftest import ADMIN, bearer
from tests.stores import open_store

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SID = "CA" + "ab" * 16


@pytest.fixture
def world(api: TestClient) -> dict[str, str]:
    r = api.post("/api/scripts", content=(EXAMPLES / "gotv.yaml").read_bytes(),
                 headers={**ADMIN, "Content-Type": "application/yaml"})  # fmt: skip
    assert r.status_code == 201, r.text
    for cid, mode in (("pw", "power"), ("pv", "preview")):
        r = api.post("/api/campaigns", headers=ADMIN,
                     json={"id": cid, "name": f"{mode} day", "script_id": "gotv-2026",
                           "caller_id": "+12025550199", "mode": mode})  # fmt: skip
        assert r.status_code == 201, r.text
    r = api.post(
        "/api/auth/signup", json={"email": "v@example.org", "name": "V", "password": "a long password"}
    )
    api.cookies.clear()  # the sign-up's session cookie: requests below say who they are
    return {"token": r.json()["token"], "uid": r.json()["user"]["id"]}


def signed_post(
    api: TestClient, settings: Settings, path_qs: str, form: dict[str, str], *, good: bool = True
):  # type: ignore[no-untyped-def]
    signature = signer_for(settings).sign(settings.base_url + path_qs, tuple(form.items()))
    headers = {SIGNATURE_HEADER: signature if good else "bad" + signature,
               "Content-Type": "application/x-www-form-urlencoded"}  # fmt: skip
    return api.post(path_qs, content=urlencode(form), headers=headers)


def test_a_volunteer_joins_and_leaves_the_pool(api: TestClient, world: dict[str, str]) -> None:
    me = bearer(world["token"])
    assert api.post("/api/campaigns/pw/ready", json={"ready": True}).status_code == 401
    r = api.post("/api/campaigns/pv/ready", json={"ready": True}, headers=me)
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_dialing"
    assert api.post("/api/campaigns/pw/ready", json={"ready": "yes"}, headers=me).status_code == 422
    # A misspelt field is named as such; `ready: true` beside it was told it "must be true or false".
    r = api.post("/api/campaigns/pw/ready", json={"ready": True, "alvie": True}, headers=me)
    assert r.status_code == 422 and r.json()["error"]["details"] == [
        {"path": "alvie", "message": "unknown field"}
    ]
    r = api.post("/api/campaigns/pw/ready", json={"ready": 1, "alvie": True}, headers=me)
    assert [d["path"] for d in r.json()["error"]["details"]] == ["ready", "alvie"]
    assert api.post("/api/campaigns/nope/ready", json={"ready": True}, headers=me).status_code == 404
    r = api.post("/api/campaigns/pw/ready", json={"ready": True}, headers=me)
    assert r.status_code == 200 and r.json()["state"] == "ready"
    numbers = api.get("/api/campaigns/pw/dialer", headers=ADMIN).json()
    assert numbers["mode"] == "power" and numbers["volunteers"]["ready"] == 1
    assert numbers["abandon_rate"] == 0.0 and numbers["abandon_cap"] == 0.03
    assert api.post("/api/campaigns/pw/ready", json={"ready": False}, headers=me).json()["state"] == "away"
    assert api.get("/api/campaigns/pw/dialer", headers=ADMIN).json()["volunteers"]["ready"] == 0
    assert api.get("/api/campaigns/pw/dialer", headers=me).status_code == 403
    r = api.patch("/api/campaigns/pw", json={"status": "paused"}, headers=ADMIN)
    assert r.status_code == 200
    r = api.post("/api/campaigns/pw/ready", json={"ready": True}, headers=me)
    assert r.status_code == 409 and r.json()["error"]["code"] == "campaign_paused"


def test_the_outbound_and_agent_webhooks_are_signed(
    api: TestClient, app_settings: Settings, world: dict[str, str]
) -> None:
    form = {"CallSid": SID, "AccountSid": "AC" + "0" * 32, "CallStatus": "in-progress"}
    path = "/twilio/outbound?campaign_id=pw&contact_id=1"
    assert signed_post(api, app_settings, path, form, good=False).status_code == 403
    r = signed_post(api, app_settings, path, form)
    assert r.status_code == 200 and "<Pause" in r.text and "power day" in r.text

    leg = {**form, "From": f"client:{world['uid']}", "campaign_id": "pw"}
    assert signed_post(api, app_settings, "/twilio/agent", leg, good=False).status_code == 403
    r = signed_post(api, app_settings, "/twilio/agent", leg)
    assert r.status_code == 200 and f"dialer-pw-{world['uid']}</Conference>" in r.text
    r = signed_post(api, app_settings, "/twilio/agent", {**leg, "campaign_id": "pv"})
    assert "<Conference" not in r.text and "<Hangup" in r.text


def test_an_archived_campaign_takes_nobody_into_the_pool(api: TestClient, world: dict[str, str]) -> None:
    """Archived reads 'active' (for a restore) and the pool went by that status: an organizer (who still
    sees the campaign) waited for voters whom the pacer never dials. Leaving the pool is still allowed."""
    r = api.put(f"/api/users/{world['uid']}/role", json={"role": "organizer"}, headers=ADMIN)
    assert r.status_code == 200, r.text
    me = bearer(world["token"])
    assert api.patch("/api/campaigns/pw", json={"archived": True}, headers=ADMIN).json()["status"] == "active"
    r = api.post("/api/campaigns/pw/ready", json={"ready": True}, headers=me)
    assert r.status_code == 409 and r.json()["error"]["code"] == "campaign_paused", r.text
    assert "archived" in r.json()["error"]["message"] and "restores" in r.json()["error"]["message"]
    assert api.get("/api/campaigns/pw/dialer", headers=ADMIN).json()["volunteers"]["ready"] == 0
    assert api.post("/api/campaigns/pw/ready", json={"ready": False}, headers=me).status_code == 200
    api.patch("/api/campaigns/pw", json={"archived": False}, headers=ADMIN)
    r = api.post("/api/campaigns/pw/ready", json={"ready": True}, headers=me)
    assert r.status_code == 200 and r.json()["state"] == "ready", r.text


def test_the_dial_ratio_and_lines_say_the_truth_after_a_pause_and_a_resume(
    api: TestClient, world: dict[str, str], clean_redis: str
) -> None:
    """The pacer's last figures live a minute in its status: once a campaign stopped dialing (paused,
    archived) the dashboard kept its dial ratio and lines for that minute, and a campaign resumed within it
    showed the ones from before the pause until the pacer's first new decision."""
    store = open_store(clean_redis, decode_responses=True)
    last = {"dial_ratio": "1.0", "lines": "2", "mode": "power"}  # the pacer's decision while dialing

    def figures() -> tuple[float, int]:
        dialer = api.get("/api/campaigns/pw/stats", headers=ADMIN).json()["dialer"]
        direct = api.get("/api/campaigns/pw/dialer", headers=ADMIN).json()
        assert (direct["dial_ratio"], direct["lines"]) == (dialer["dial_ratio"], dialer["lines"])
        return dialer["dial_ratio"], dialer["lines"]

    store.hset(keys.dial_status("pw"), mapping=last)
    assert figures() == (1.0, 2)
    for stop, go in (({"status": "paused"}, {"status": "active"}), ({"archived": True}, {"archived": False})):
        assert api.patch("/api/campaigns/pw", json=stop, headers=ADMIN).status_code == 200
        assert figures() == (0.0, 0)  # no line in flight: nobody is being dialed
        store.zadd(keys.dial_lines("pw"), {SID: 1.0})  # a line still ringing out after the pause
        assert figures() == (0.0, 1)
        store.delete(keys.dial_lines("pw"))
        store.hset(keys.dial_status("pw"), mapping=last)  # a decision made as the pause came in
        assert api.patch("/api/campaigns/pw", json=go, headers=ADMIN).status_code == 200
        assert figures() == (0.0, 0)  # until the pacer's first decision after the resume
        store.hset(keys.dial_status("pw"), mapping=last)
        assert figures() == (1.0, 2)
