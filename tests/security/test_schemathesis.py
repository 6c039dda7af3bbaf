"""The published description (`/api/openapi.json`) fuzzed by schemathesis against a live server, once per
role (anonymous, volunteer, leader, organizer, admin), with its examples, coverage, fuzzing and stateful
(link-following) phases. It fails on a 500, on an answer that breaks its own schema or media type, and on
a request the schema rejects that the server accepts. Generation is deterministic, so a run is repeatable."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.security.fuzz_world import FuzzWorld, seed
from tests.servers import ServerProcess

CONFIG = Path(__file__).with_name("schemathesis.toml")
CHECKS = "not_a_server_error,response_schema_conformance,content_type_conformance,negative_data_rejection"
MAX_EXAMPLES = 25  # per operation and phase: about 40 s a role on a two-core machine
ROLES = ("anonymous", "volunteer", "leader", "organizer", "admin")  # in this order: later roles may pause
# or close the campaign the earlier ones call
# The server fuzzed runs on its own embedded Redis whatever REDIS_URL says, so a second CI run changes only
# its clock: the volunteer's calls are the ones the hour changes, the other roles run once (.ci/run).
ROLE_PARAMS = [pytest.param(role, marks=() if role == "volunteer" else pytest.mark.once) for role in ROLES]


@pytest.fixture(scope="module")
def fuzz_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FuzzWorld, ServerProcess]]:
    workdir = tmp_path_factory.mktemp("schemathesis")
    env = {"DIALER_ACCESS_LOG": "0", "CARRIER": "simulated", "DIALER_SIM_SPEED": "50", "DIALER_SIM_SEED": "1"}
    with ServerProcess(workdir, None, env=env) as server:  # its own embedded Redis: nothing else flushes it
        yield seed(server), server


def _schemathesis() -> str:
    found = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    assert found, "schemathesis is a test dependency (pip install -e '.[test]')"
    return found


def _real_clock() -> dict[str, str]:
    """The environment without libfaketime: the client's clock is not under test (the server's is), and
    schemathesis's worker thread waits with timeouts, which never wake under a faked clock."""
    return {k: v for k, v in os.environ.items() if k != "LD_PRELOAD" and not k.startswith("FAKETIME")}


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLE_PARAMS)
def test_the_description_holds_under_fuzzing(
    role: str, fuzz_world: tuple[FuzzWorld, ServerProcess], tmp_path: Path
) -> None:
    world, server = fuzz_world
    command = [
        _schemathesis(), "--config-file", str(CONFIG), "--no-color",
        "run", f"{world.base_url}/api/openapi.json",
        "--checks", CHECKS, "--generation-deterministic", "--max-examples", str(MAX_EXAMPLES),
        "--workers", "1", "--request-timeout", "30",
        "--report", "junit", "--report-dir", str(tmp_path),
    ]  # fmt: skip
    token = world.tokens[role]
    if token is not None:
        # Signing out would revoke the very token the run uses.
        command += ["-H", f"Authorization: Bearer {token}", "--exclude-path", "/api/auth/logout"]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=600, cwd=tmp_path, env=_real_clock()
    )
    summary = done.stdout[-6000:]
    assert done.returncode == 0, f"schemathesis as {role}:\n{summary}\n{done.stderr[-2000:]}"
    assert " passed" in done.stdout and "generated" in done.stdout, summary
    assert "Traceback" not in server.log(), server.log()[-4000:]
