"""A big call list imported in the background: the web process queues it, `dialer worker` imports it, and the
progress route reports it, sharing nothing but Redis."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dialer.queue import keys
from tests.servers import ServerProcess
from tests.stores import open_store


def test_background_import_through_the_worker(tmp_path: Path, clean_redis: str) -> None:
    open_store(clean_redis).set(keys.script_latest("s"), 1)
    rows = ["phone,first_name,state"] + [f"(312) 555-{100 + i % 100:04d},Voter {i},IL" for i in range(100)]
    rows += ["not a phone,Bad,IL"]
    env = {**os.environ, "REDIS_URL": clean_redis, "DIALER_DATA_DIR": str(tmp_path / "w")}
    worker_log = tmp_path / "worker.log"
    with (
        ServerProcess(tmp_path, clean_redis) as server,
        server.client() as admin,
        open(worker_log, "wb") as log,
    ):
        assert (
            admin.post(
                "/api/campaigns",
                json={"id": "big", "name": "Big", "script_id": "s", "caller_id": "+13125550199"},
            ).status_code
            == 201
        )
        r = admin.post(
            "/api/campaigns/big/contacts?background=true",
            content="\n".join(rows).encode(),
            headers={"Content-Type": "text/csv"},
        )
        assert r.status_code == 202, r.text
        progress_url = r.json()["progress_url"]
        assert r.headers["location"] == progress_url
        assert admin.get(progress_url).json()["status"] == "queued"
        worker = subprocess.Popen(
            [sys.executable, "-m", "dialer", "worker", "--burst"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        assert worker.wait(timeout=120) == 0, worker_log.read_text()[-2000:]
        state = admin.get(progress_url).json()
        assert state["status"] == "done", state
        assert state["report"]["imported"] == 100 and state["report"]["invalid"][0]["row"] == 101
        assert admin.get("/api/campaigns/big/stats").json()["contacts"] == 100
        assert not open_store(clean_redis).exists(keys.import_upload("big", r.json()["job_id"]))
        assert admin.get("/api/campaigns/big/imports/nope").status_code == 404
