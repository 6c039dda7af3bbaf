"""Finding (probe): a NUL or another C0 control character in a call's notes or a typed answer was accepted
and written raw into results.csv (a NUL cuts a cell short in some readers; others reject the file), as it
was an imported list's names. Typed text now refuses them (tabs and line breaks stay), naming the character;
an export leaves them out of every cell (a list's names, and notes stored before)."""

from __future__ import annotations

import pytest

from dialer.contacts import csv_safe
from dialer.names import control_in_text
from dialer.scripts import engine, load_script
from dialer.scripts.engine import AnswerError

TEXT_SCRIPT = (
    'id: t\nstart: a\nsteps:\n  a: {text: "Anything to add?", input: text, next: b}\n'
    "  b: {text: bye, result: contacted}\n"
)


@pytest.mark.parametrize("bad", ["a\x00b", "\x1b[31m", "x\x0cy", "del\x7f", "\x08"])
def test_a_typed_answer_refuses_control_characters(bad: str) -> None:
    script = load_script(TEXT_SCRIPT, "application/yaml").script
    with pytest.raises(AnswerError) as info:
        engine.answer(script, {}, engine.start(script), "a", value=bad)
    assert info.value.code == "bad_value" and "control characters (U+" in info.value.message


def test_tabs_and_line_breaks_are_text() -> None:
    script = load_script(TEXT_SCRIPT, "application/yaml").script
    said = "Lives at 12 Main St\r\nwith\ta dog"
    assert engine.answer(script, {}, engine.start(script), "a", value=said).answers(script) == {"a": said}
    assert control_in_text(said) is None
    assert control_in_text("ok\x00") == "must not contain control characters (U+0000 at character 3)"


def test_an_export_cell_leaves_stored_control_characters_out() -> None:
    assert csv_safe("said yes\x00\x1b") == "said yes"
    assert csv_safe("two\nlines\tand a tab") == "two\nlines\tand a tab"
    assert csv_safe("\x00=1+1") == "'=1+1"
