"""`dialer demo`'s counts are checked where they are read: `--contacts 0` got as far as seeding, where the
campaign's goal (one per voter) was refused with a 422 body on the terminal, and `--volunteers -1` started
a demo whose crowd process died with a message about DIALER_VOLUNTEER_TOKENS."""

from __future__ import annotations

import pytest

from dialer.cli import build_parser
from dialer.settings import Settings, SettingsError


@pytest.mark.parametrize(
    ("flags", "said"),
    [
        (["--contacts", "0"], "--contacts: must be at least 1, not 0"),
        (["--contacts", "-5"], "--contacts: must be at least 1, not -5"),
        (["--volunteers", "-1"], "--volunteers: must be at least 0, not -1"),
        (["--contacts", "ten"], "--contacts: must be a whole number, not 'ten'"),
    ],
)
def test_demo_refuses_counts_it_cannot_run(
    flags: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["demo", *flags])
    assert exited.value.code == 2 and said in capsys.readouterr().err


def test_demo_takes_no_volunteers_and_one_contact() -> None:
    args = build_parser().parse_args(["demo", "--volunteers", "0", "--contacts", "1"])
    assert (args.volunteers, args.contacts) == (0, 1)
    assert build_parser().parse_args(["demo"]).volunteers == 5  # the defaults stand


@pytest.mark.parametrize("command", ["serve", "demo"])
@pytest.mark.parametrize(
    ("port", "said"),
    [
        ("70000", "--port: must be a port from 1 to 65535, not 70000"),
        ("0", "--port: must be at least 1, not 0"),
        ("-1", "--port: must be at least 1, not -1"),
        ("http", "--port: must be a whole number, not 'http'"),
    ],
)
def test_a_port_that_cannot_be_served_is_refused(
    command: str, port: str, said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`serve --port 70000` listened on 4464 (the OS keeps a port's low 16 bits) while its banner and every
    carrier callback said 70000; `--port 0` took any free port and built callbacks on port 0."""
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args([command, "--port", port])
    assert exited.value.code == 2 and said in capsys.readouterr().err
    assert build_parser().parse_args([command, "--port", "65535"]).port == 65535


@pytest.mark.parametrize("port", ["0", "70000", "-8000"])
def test_the_port_variable_is_checked_as_the_flag(port: str) -> None:
    with pytest.raises(SettingsError, match="PORT must be a port from 1 to 65535"):
        Settings.from_env({"PORT": port})
    assert Settings.from_env({"PORT": "8080"}).port == 8080
