"""The app under test for page and browser tests.

`compose_app` is `create_app` plus whichever route modules the composition root does not list yet (the
pages, and API modules that have landed but are not wired), with the security middleware; once
dialer/app.py wires everything it adds nothing but the middleware check. `running_server` serves it on a
free port: the real `dialer serve` subprocess (tests/servers.py) when the pages are wired into the app,
else uvicorn in a thread with the composed app.
"""

from __future__ import annotations

import importlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.routing import BaseRoute

from dialer.app import create_app, route_table
from dialer.settings import Settings
from dialer.web.security import SecurityMiddleware
from tests.servers import ADMIN_TOKEN, ServerProcess, free_port

# Modules whose routes the pages need; ws_live needs a hub started by the app's lifespan, so only the
# composition root can wire it.
OPTIONAL_MODULES = ("dialer.web.api_scripts", "dialer.web.api_queue", "dialer.web.pages")


def _path(route: BaseRoute) -> str | None:
    return getattr(route, "path", None)


def pages_wired() -> bool:
    return any(_path(r) == "/call/{campaign_id}" for r in route_table())


def compose_app(settings: Settings, **kwargs: Any) -> Starlette:
    app = create_app(settings, **kwargs)
    have = {(_path(r), tuple(sorted(getattr(r, "methods", None) or ()))) for r in app.router.routes}
    for name in OPTIONAL_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        for route in module.routes:
            key = (_path(route), tuple(sorted(getattr(route, "methods", None) or ())))
            if key not in have:
                app.router.routes.append(route)
                have.add(key)
    if not any(m.cls is SecurityMiddleware for m in app.user_middleware):
        app.add_middleware(SecurityMiddleware)
    return app


@dataclass
class Running:
    base_url: str
    log_path: Path | None

    def client(self, token: str | None = ADMIN_TOKEN) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=10)


@contextmanager
def running_server(workdir: Path, redis_url: str, env: dict[str, str] | None = None) -> Iterator[Running]:
    env = {"CARRIER": "simulated", "DIALER_SIM_SPEED": "20", **(env or {})}
    if pages_wired():
        with ServerProcess(workdir, redis_url, env=env) as server:
            yield Running(server.base_url, server.log_path)
        return
    port = free_port()
    settings = Settings.from_env(
        {
            **env,
            "REDIS_URL": redis_url,
            "DIALER_DATA_DIR": str(workdir / "var"),
            "DIALER_SECRET_KEY": "test-secret-key",
            "DIALER_ADMIN_TOKEN": ADMIN_TOKEN,
        },
        port=port,
    )
    config = uvicorn.Config(
        compose_app(settings), host="127.0.0.1", port=port, log_level="warning", ws="auto"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.05)
    else:
        raise RuntimeError("the composed app did not start")
    try:
        yield Running(base, None)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
