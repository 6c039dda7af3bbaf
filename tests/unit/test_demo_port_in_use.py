"""`make demo` on a port something else listens on (a demo left running in another terminal, another
server): the embedded Redis, the worker and the pacer started, the web process died on `address already
in use`, and the demo ended with "dialer demo: the web process exited with 3", the way out (README's
`make demo PORT=9000`) nowhere. It now says so before starting anything."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from dialer.demo import run_demo
from dialer.settings import Settings


def test_a_busy_port_is_said_with_the_way_out_before_anything_starts(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = Settings(data_dir=tmp_path / "var", port=port)
        with pytest.raises(SystemExit) as exited:
            run_demo(settings, volunteers=0, contacts=1, seconds=0)
    said = str(exited.value.code)
    assert f"port {port} is in use" in said and "make demo PORT=" in said, said
    assert not (tmp_path / "var").exists()  # no embedded Redis was started
