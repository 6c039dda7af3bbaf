"""YAML errors point staff at the likely cause, not only where the parser gave up."""

from __future__ import annotations

import pytest

from dialer.scripts.loader import load_script
from dialer.scripts.model import ScriptError

UNCLOSED = (
    'id: t\ntitle: T\nstart: a\nsteps:\n  a:\n    text: "Hi there\n'
    '    result: contacted\n  b:\n    text: "x"\n'
)


def message(doc: str) -> str:
    with pytest.raises(ScriptError) as info:
        load_script(doc, "application/yaml")
    return str(info.value.problems[0])


def test_a_missing_closing_quote_is_named_by_its_line() -> None:
    text = message(UNCLOSED)
    assert "on line 9" in text and "is a closing quote missing on line 6?" in text


def test_no_hint_when_quotes_pair_up() -> None:
    text = message('id: t\ntitle: "T"\nstart: a\nsteps:\n  a: [1, 2\n')
    assert "closing quote" not in text


def test_a_tab_in_the_indentation_is_named_as_such() -> None:
    text = message("id: t\ntitle: T\nstart: a\nsteps:\n\ta:\n\t\ttext: hi\n\t\tresult: contacted\n")
    assert "line 5 is indented with a tab" in text and "spaces" in text


def test_a_tab_inside_quoted_text_is_no_mistake() -> None:
    loaded = load_script(
        'id: t\ntitle: T\nstart: a\nsteps:\n  a:\n    text: "hi\tthere"\n    result: contacted\n',
        "application/yaml",
    )
    assert loaded.script.steps["a"].text == "hi\tthere"
