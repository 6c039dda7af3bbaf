"""The administration commands when REDIS_URL does not answer (a typo, the server not started yet): README's
first set-up, `dialer user create ...`, printed redis-py's traceback (`redis.exceptions.ConnectionError`)
and nothing about what to do. `dialer serve` and `dialer worker` already said "start it, or check
REDIS_URL"."""

from __future__ import annotations

import io
import socket
from pathlib import Path

import pytest

from dialer.cli import main


def closed_port() -> int:
    """A local port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@pytest.mark.parametrize(
    "argv",
    [
        ["user", "create", "--email", "first@example.org", "--name", "First Admin", "--role", "admin"],
        ["user", "set-password", "--email", "first@example.org"],
        ["export", "demo"],
        ["import-script", str(Path(__file__).parents[2] / "examples" / "gotv.yaml")],
    ],
)
def test_an_unreachable_redis_is_said_with_what_to_do(
    argv: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDIS_URL", f"redis://:hunter2-secret@127.0.0.1:{closed_port()}/0")
    monkeypatch.setattr("sys.stdin", io.StringIO("a long passphrase\n"))
    with pytest.raises(SystemExit) as exited:
        main(argv)
    said = str(exited.value.code)
    assert said.startswith("dialer: cannot reach Redis at redis://:***@127.0.0.1:"), said
    assert "check REDIS_URL" in said and "hunter2" not in said


def test_an_unusable_data_dir_is_said_with_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DIALER_DATA_DIR naming a path that cannot be a directory (under a file, a typo'd mount) stopped
    `dialer user create` and `dialer serve` with a FileNotFoundError / NotADirectoryError traceback."""
    (tmp_path / "a-file").write_text("")
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("DIALER_DATA_DIR", str(tmp_path / "a-file" / "var"))
    with pytest.raises(SystemExit) as exited:
        main(["user", "create", "--email", "first@example.org", "--name", "First Admin", "--role", "admin"])
    said = str(exited.value.code)
    assert said.startswith("dialer: configuration error: DIALER_DATA_DIR"), said
    assert "a-file/var" in said and "this user can write" in said
