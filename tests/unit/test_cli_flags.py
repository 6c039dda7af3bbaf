"""`dialer demo`'s counts are checked where they are read: `--contacts 0` got as far as seeding, where the
campaign's goal (one per voter) was refused with a 422 body on the terminal, and `--volunteers -1` started
a demo whose crowd process died with a message about DIALER_VOLUNTEER_TOKENS."""

from __future__ import annotations

import pytest

from dialer.cli import build_parser


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
