"""Finding 12's smaller items: voter data is never cached (`Cache-Control: no-store`), HSTS when PUBLIC_URL
is https, volunteers get 404 for closed campaigns as the list already hides them, and the simulated
carrier's call endpoint says plainly (502) that it cannot reach PUBLIC_URL instead of answering 500."""

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient

from dialer.app import create_app
from dialer.settings import Settings
from tests.conftest import ADMIN, ADMIN_TOKEN
from tests.integration.test_api_batches import World, take, world
from tests.security.attack import server
from tests.servers import free_port

__all__ = ["world"]


def test_voter_data_is_never_cached(world: World) -> None:  # noqa: F811
    r = world.client.post("/api/campaigns/dc/batches", headers=world.volunteer)
    assert r.status_code == 201 and r.headers["cache-control"] == "no-store"
    r = world.client.get("/api/campaigns/dc/results.csv", headers=ADMIN)
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    r = world.client.get("/call/dc", headers=world.volunteer)
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    for path in ("/api/campaigns/dc", "/api/me", "/healthz"):
        assert world.client.get(path, headers=world.volunteer).headers["cache-control"] == "no-store"
    assert "cache-control" not in world.client.get("/static/css/app.css").headers  # static files may be
    assert "strict-transport-security" not in r.headers  # PUBLIC_URL is http here


def test_hsts_when_public_url_is_https(tmp_path: Path, clean_redis: str) -> None:
    settings = Settings(
        redis_url=clean_redis, data_dir=tmp_path, secret_key="s", admin_token=ADMIN_TOKEN,
        public_url="https://calls.example.org",
    )  # fmt: skip
    with TestClient(create_app(settings), base_url="https://calls.example.org") as client:
        for path in ("/healthz", "/signin", "/api/me"):
            assert client.get(path).headers["strict-transport-security"] == "max-age=31536000"


def test_volunteers_get_404_for_a_closed_campaign(world: World) -> None:  # noqa: F811
    status, _ = take(world, world.volunteer)
    assert status == 201
    assert (
        world.client.patch("/api/campaigns/dc", json={"status": "closed"}, headers=ADMIN).status_code == 200
    )
    for method, path, body in [
        ("GET", "/api/campaigns/dc", None),
        ("POST", "/api/campaigns/dc/batches", None),
        ("GET", "/call/dc/progress", None),
        ("POST", "/api/campaigns/dc/calls", {"contact_id": "1"}),
        ("POST", "/api/campaigns/dc/ready", {"ready": True}),
    ]:
        r = world.client.request(method, path, json=body, headers=world.volunteer)
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found", (path, r.text)
    assert [c["id"] for c in world.client.get("/api/campaigns", headers=world.volunteer).json()] == []
    with world.client.websocket_connect("/ws/call/dc", headers=world.volunteer) as ws:
        assert ws.receive()["code"] == 4404
    # Organizers still see it, to export its results.
    assert world.client.get("/api/campaigns/dc", headers=ADMIN).json()["status"] == "closed"


def test_the_simulated_call_says_502_when_public_url_does_not_lead_here(
    tmp_path: Path, clean_redis: str
) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"
    with (
        server(tmp_path, clean_redis, PUBLIC_URL=nowhere, CARRIER="simulated") as running,
        running.client() as admin,
    ):
        script = "id: s\ntitle: S\nstart: a\nsteps:\n  a:\n    text: Hi\n    result: contacted\n"
        assert (
            admin.post(
                "/api/scripts", content=script, headers={"Content-Type": "application/yaml"}
            ).status_code
            == 201
        )
        r = admin.post(
            "/api/campaigns", json={"id": "far", "name": "Far", "script_id": "s", "caller_id": "+12025550100"}
        )
        assert r.status_code == 201, r.text
        r = admin.post("/api/campaigns/far/calls", json={"contact_id": "1"})
        assert r.status_code == 502, r.text
        error = r.json()["error"]
        assert error["code"] == "carrier_unreachable" and "PUBLIC_URL" in error["message"]
        assert "Traceback" not in running.log()
