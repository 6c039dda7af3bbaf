"""The script store and the script routes against a real Redis."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
from starlette.testclient import TestClient

from dialer.app import create_app
from dialer.connections import async_client
from dialer.scripts import load_script
from dialer.scripts.loader import MAX_BYTES
from dialer.settings import Settings
from dialer.stores.scripts import ScriptStore
from dialer.web import api_scripts
from tests.conftest import ADMIN, bearer
from tests.stores import every_key, open_store

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
GOTV = (EXAMPLES / "gotv.yaml").read_bytes()
YAML = {"content-type": "application/yaml"}


@pytest.fixture
def api(app_settings: Settings) -> Iterator[TestClient]:
    app = create_app(app_settings)
    if not any(getattr(route, "path", None) == "/api/scripts" for route in app.routes):
        app.router.routes.extend(api_scripts.routes)  # until the composition root lists them
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.mark.anyio
async def test_versions_are_allocated_atomically_and_kept(clean_redis: str) -> None:
    client = async_client(clean_redis)
    try:
        store = ScriptStore(client)
        script = load_script(GOTV, "application/yaml").script
        versions: list[int] = []

        async def save() -> None:
            versions.append(await store.save(script, now=1_700_000_000.0))

        async with anyio.create_task_group() as tg:
            for _ in range(20):
                tg.start_soon(save)
        assert sorted(versions) == list(range(1, 21))
        latest = await store.get("gotv-2026")
        assert latest is not None and latest.version == 20
        assert latest.document == dict(script.document)
        assert (await store.get("gotv-2026", 3)) is not None
        assert await store.get("gotv-2026", 21) is None
        assert await store.get("nope") is None
        loaded = await store.load("gotv-2026")
        assert loaded is not None and loaded[0] == 20 and loaded[1] == script
        assert await store.load("nope") is None
        assert await store.ids() == ["gotv-2026"]
    finally:
        await client.aclose()


def test_upload_yaml_then_read_back_with_version(api: TestClient) -> None:
    r = api.post("/api/scripts", content=GOTV, headers={**ADMIN, **YAML})
    assert r.status_code == 201, r.text
    assert r.json() == {"id": "gotv-2026", "version": 1, "warnings": []}
    again = api.post(
        "/api/scripts", content=GOTV, headers={**ADMIN, "content-type": "text/yaml; charset=utf-8"}
    )
    assert again.json()["version"] == 2
    got = api.get("/api/scripts/gotv-2026", headers=ADMIN)
    assert got.status_code == 200
    body = got.json()
    assert body["version"] == 2 and body["start"] == "intro" and "household" in body["steps"]


def test_the_downloaded_document_can_be_uploaded_again_as_json(api: TestClient) -> None:
    api.post("/api/scripts", content=GOTV, headers={**ADMIN, **YAML})
    document = api.get("/api/scripts/gotv-2026", headers=ADMIN).json()
    document["title"] = "GOTV, take two"
    r = api.post("/api/scripts", json=document, headers=ADMIN)
    assert r.status_code == 201 and r.json()["version"] == 2
    assert api.get("/api/scripts/gotv-2026", headers=ADMIN).json()["title"] == "GOTV, take two"


def test_invalid_script_is_422_with_every_problem_and_writes_nothing(
    api: TestClient, clean_redis: str
) -> None:
    bad = GOTV.replace(b"goto: persuade", b"goto: persuad").replace(b"result: not_home", b"result: nothome")
    r = api.post("/api/scripts", content=bad, headers={**ADMIN, **YAML})
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "invalid_script"
    paths = [d["path"] for d in error["details"]]
    assert paths == ["steps.intro.choices[1].result", "steps.household.next[0].goto"]
    assert all(d["message"] for d in error["details"])
    assert every_key(open_store(clean_redis), "dialer:script*") == []


def test_malformed_yaml_is_422_with_the_line(api: TestClient) -> None:
    r = api.post("/api/scripts", content=b"id: x\nsteps: [\n", headers={**ADMIN, **YAML})
    assert r.status_code == 422
    assert "line 3" in r.json()["error"]["details"][0]["message"]


def test_warnings_come_back_with_the_upload(api: TestClient) -> None:
    doc = load_script(GOTV, "application/yaml").script.document
    steps = {**doc["steps"], "orphan": {"text": "nobody comes here", "result": "moved"}}
    r = api.post("/api/scripts", content=json.dumps({**doc, "steps": steps}), headers=ADMIN)
    assert r.status_code == 201
    assert r.json()["warnings"] == [
        {"path": "steps.orphan", "message": "unreachable: no path from the start step leads here"}
    ]


def test_wrong_media_type_and_size(api: TestClient) -> None:
    r = api.post("/api/scripts", content=GOTV, headers={**ADMIN, "content-type": "text/plain"})
    assert r.status_code == 415
    r = api.post("/api/scripts", content=b"#" * (MAX_BYTES + 1), headers={**ADMIN, **YAML})
    assert r.status_code == 413


def test_roles(api: TestClient) -> None:
    assert api.post("/api/scripts", content=GOTV, headers=YAML).status_code == 401
    signup = {"email": "v@example.org", "name": "V", "password": "long enough password"}
    token = api.post("/api/auth/signup", json=signup).json()["token"]
    api.cookies.clear()
    assert api.post("/api/scripts", content=GOTV, headers={**bearer(token), **YAML}).status_code == 403
    assert api.get("/api/scripts/gotv-2026", headers=bearer(token)).status_code == 403
    assert api.get("/api/scripts/gotv-2026").status_code == 401
    assert api.get("/api/scripts", headers=bearer(token)).status_code == 403
    assert api.get("/api/scripts").status_code == 401


def test_list_of_scripts_for_the_campaign_form(api: TestClient) -> None:
    assert api.get("/api/scripts", headers=ADMIN).json() == []
    other = b"id: doors\ntitle: Door follow-up\nstart: a\nsteps:\n  a: {text: Hi, result: contacted}\n"
    for body in (GOTV, other, GOTV):
        assert api.post("/api/scripts", content=body, headers={**ADMIN, **YAML}).status_code == 201
    listed = api.get("/api/scripts", headers=ADMIN).json()
    assert [(s["id"], s["title"], s["version"]) for s in listed] == [
        ("gotv-2026", "Get out the vote", 2),  # the most recently updated first
        ("doors", "Door follow-up", 1),
    ]
    assert all(s["updated_at"].endswith("+00:00") for s in listed)


def test_unknown_script_is_404(api: TestClient) -> None:
    r = api.get("/api/scripts/never", headers=ADMIN)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_a_campaign_can_use_an_uploaded_script(api: TestClient) -> None:
    api.post("/api/scripts", content=GOTV, headers={**ADMIN, **YAML})
    campaign = {"name": "Call day", "script_id": "gotv-2026", "caller_id": "+12025550142"}
    assert api.post("/api/campaigns", json=campaign, headers=ADMIN).status_code == 201


@pytest.mark.anyio
async def test_import_script_file_stores_a_new_version(
    clean_redis: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from dialer.scripts.cli import import_script_file

    client = async_client(clean_redis)
    try:
        assert await import_script_file(client, EXAMPLES / "recruit.yaml", clock=lambda: 1.0) == 0
        assert await import_script_file(client, EXAMPLES / "recruit.yaml", clock=lambda: 2.0) == 0
        assert "imported recruit-volunteers version 2" in capsys.readouterr().out
        bad = tmp_path / "bad.yaml"
        bad.write_text("id: Bad Id\nstart: a\nsteps: {a: {text: hi, result: nope}}\n")
        assert await import_script_file(client, bad) == 1
        err = capsys.readouterr().err
        assert "id: the script id 'Bad Id' may only use" in err
        assert "steps.a.result: unknown result code 'nope'" in err
        assert await ScriptStore(client).ids() == ["recruit-volunteers"]
    finally:
        await client.aclose()


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000,
        b"a: &a [x, x, x, x, x, x, x, x, x]\n"
        + b"".join(
            f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n".encode()
            for p, n in zip("abcdefgh", "bcdefghi", strict=True)
        ),
        b"\xff\xfe\x00\x01",
        b"!!python/object/apply:os.system ['true']",
    ],
)
def test_hostile_uploads_are_422_not_500(api: TestClient, body: bytes, clean_redis: str) -> None:
    r = api.post("/api/scripts", content=body, headers={**ADMIN, **YAML})
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "invalid_script"
    assert every_key(open_store(clean_redis), "dialer:script*") == []


def test_get_returns_the_uploaded_document_with_its_version(api: TestClient) -> None:
    import yaml

    api.post("/api/scripts", content=GOTV, headers={**ADMIN, **YAML})
    assert api.get("/api/scripts/gotv-2026", headers=ADMIN).json() == {**yaml.safe_load(GOTV), "version": 1}
