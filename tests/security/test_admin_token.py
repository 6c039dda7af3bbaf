"""Finding 12: a short DIALER_ADMIN_TOKEN (a never-expiring admin password) stops start-up with a message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dialer.settings import MIN_ADMIN_TOKEN, Settings, SettingsError
from tests.servers import ADMIN_TOKEN


def test_a_short_admin_token_is_a_configuration_error() -> None:
    with pytest.raises(SettingsError, match="DIALER_ADMIN_TOKEN must be at least 32 characters"):
        Settings.from_env({"DIALER_ADMIN_TOKEN": "x" * (MIN_ADMIN_TOKEN - 1)})
    assert Settings.from_env({"DIALER_ADMIN_TOKEN": "x" * MIN_ADMIN_TOKEN}).admin_token == "x" * 32
    assert len(ADMIN_TOKEN) >= MIN_ADMIN_TOKEN  # the suite's own servers start


def test_serve_refuses_to_start_with_a_short_admin_token(tmp_path: Path) -> None:
    env = {**os.environ, "DIALER_ADMIN_TOKEN": "short-token", "DIALER_DATA_DIR": str(tmp_path / "var")}
    done = subprocess.run(
        [sys.executable, "-m", "dialer", "serve", "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "configuration error: DIALER_ADMIN_TOKEN must be at least 32 characters" in done.stderr
    assert not (tmp_path / "var").exists()  # stopped before touching anything
