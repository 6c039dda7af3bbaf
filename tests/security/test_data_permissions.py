"""Finding 11: the embedded Redis's data (dialer.aof: password hashes, voter data) was world-readable.
The data directory is 0700 and its files 0600 whatever the umask, checked with `stat`."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from dialer.embedded import EmbeddedRedis
from dialer.settings import Settings


@pytest.fixture
def loose_umask() -> Iterator[None]:
    previous = os.umask(0o002)  # group- and world-readable files by default
    try:
        yield
    finally:
        os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _regular_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def test_the_data_dir_and_its_files_are_private_whatever_the_umask(tmp_path: Path, loose_umask: None) -> None:
    data = tmp_path / "var"
    Settings(data_dir=data).resolve_secret_key()
    with EmbeddedRedis(data) as server:
        client = redis.Redis.from_url(server.url)
        client.set("dialer:user:x", "a password hash and a voter's phone")
        client.close()
        assert _mode(data) == 0o700
        files = _regular_files(data)
        assert {p.name for p in files} >= {"dialer.aof", "redis.log", "redis.pid", "secret_key"}
        assert {p.name: oct(_mode(p)) for p in files} == {p.name: oct(0o600) for p in files}


def test_files_an_older_version_left_readable_are_tightened_on_start(
    tmp_path: Path, loose_umask: None
) -> None:
    data = tmp_path / "var"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)
    (data / "dialer.aof").write_bytes(b"")
    os.chmod(data / "dialer.aof", 0o644)
    mine = data / "notes.txt"  # not the dialer's: left alone
    mine.write_text("the operator's")
    os.chmod(mine, 0o644)
    with EmbeddedRedis(data):
        assert _mode(data) == 0o700
        assert _mode(data / "dialer.aof") == 0o600
    assert _mode(mine) == 0o644
