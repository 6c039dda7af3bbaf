"""Names are printable text: every C0 and C1 control, DEL and the bidi overrides and isolates are refused,
with the first one's code point and place; letters of any script, marks and LRM/RLM are kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialer.admin import create_user
from dialer.names import unprintable
from dialer.settings import Settings

REFUSED = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A))]


@pytest.mark.parametrize("char", REFUSED)
def test_a_control_or_direction_character_is_refused_where_it_is(char: str) -> None:
    assert unprintable(f"Ann{char}e") == (
        f"must not contain control or text-direction characters (U+{ord(char):04X} at character 4)"
    )


@pytest.mark.parametrize("name", ["Ann", "José Ñúñez", "نور", "李小龙", "O'Brien-Łukasz", "עדי\u200f 2", ""])
def test_names_in_any_script_are_kept(name: str) -> None:
    assert unprintable(name) is None


def test_the_command_line_refuses_such_a_name_before_touching_the_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(redis_url="redis://127.0.0.1:1/0", data_dir=tmp_path, secret_key="s")  # never reached
    code = create_user(settings, email="pat@example.org", name="Pat\x1b[2J", role="organizer", password=None)
    assert code == 2
    assert "the name must not contain control or text-direction characters (U+001B at character 4)" in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("name", "why"), [("", "must not be empty"), ("   ", "must not be empty"), ("P" * 121, "at most 120")]
)
def test_the_command_line_refuses_a_name_sign_up_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, why: str
) -> None:
    """`dialer user create --name ""` made an account with no name (sign-up answers 422 for it): organizers
    saw a blank in the roster and the leaderboard, and the results export a blank volunteer_name."""
    settings = Settings(redis_url="redis://127.0.0.1:1/0", data_dir=tmp_path, secret_key="s")  # never reached
    assert create_user(settings, email="pat@example.org", name=name, role="organizer", password=None) == 2
    assert why in capsys.readouterr().err
