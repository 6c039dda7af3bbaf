"""The contact fields a script reads (texts and conditions), and which of them a campaign's lists lack."""

from __future__ import annotations

import keyword

from hypothesis import given
from hypothesis import strategies as st

from dialer.scripts import load_script
from dialer.scripts.fields import BUILT_IN, contact_fields, missing_fields
from dialer.scripts.sandbox import contact_names

SCRIPT = """
id: doors
title: Doors
start: hello
steps:
  hello:
    text: "Hi {{ contact.frist_name }}, you vote at {{ contact['polling place'] | default('home') }}."
    choices:
      - {label: Yes, next: ward}
      - {label: No, result: refused}
  ward:
    text: "{% if contact.Ward %}Ward {{ contact.Ward }}{% endif %} {{ answers.hello }}"
    next:
      - {when: "contact.party == 'D' and contact.age | int > 30", goto: thanks}
      - {goto: thanks}
  thanks:
    text: "Thanks, {{ contact.first_name }}!"
    result: contacted
"""


def script():  # type: ignore[no-untyped-def]
    return load_script(SCRIPT.encode(), "application/yaml").script


def test_names_in_texts_and_conditions() -> None:
    assert contact_names("Hi {{ contact.first_name }} of {{ contact['zip code'] }}") == {
        "first_name",
        "zip code",
    }
    assert contact_names("{% if contact.ward %}{{ contact.ward | upper }}{% endif %}") == {"ward"}
    assert contact_names("contact.party == 'D' or contact.age > 3", expression=True) == {"party", "age"}
    assert contact_names("{{ answers.q1 }} and {{ contact }} and {{ contact[0] }}") == set()
    assert contact_names("plain text, no template") == set()
    assert contact_names("{{ broken") == set()  # the upload check reports the syntax error


def test_every_field_with_where_the_script_reads_it_in_script_order() -> None:
    uses = {u.field: u.paths for u in contact_fields(script())}
    assert list(uses) == ["frist_name", "polling place", "Ward", "age", "party", "first_name"]
    assert uses["frist_name"] == ("steps.hello.text",)
    assert uses["party"] == ("steps.ward.next[0].when",)
    assert uses["first_name"] == ("steps.thanks.text",)


def test_missing_fields_name_the_nearest_column() -> None:
    gaps = {g.field: g for g in missing_fields(script(), ["polling place", "ward", "Party"])}
    assert set(gaps) == {"frist_name", "Ward", "age", "party"}
    assert gaps["frist_name"].suggestion == "first_name"  # a typo of a named column
    assert gaps["Ward"].suggestion == "ward"  # the list's column differs in case only
    assert gaps["party"].suggestion == "Party"
    assert gaps["age"].suggestion is None
    message = gaps["frist_name"].message
    assert "contact.frist_name (step hello)" in message and "did you mean contact.first_name?" in message
    assert gaps["age"].to_json() == {
        "field": "age",
        "paths": ["steps.ward.next[0].when"],
        "suggestion": None,
        "message": gaps["age"].message,
    }


def test_nothing_is_missing_when_the_lists_have_every_column() -> None:
    columns = ["frist_name", "polling place", "Ward", "age", "party"]
    assert missing_fields(script(), columns) == []


FIELD = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True).filter(
    lambda f: not keyword.iskeyword(f) and f not in {"true", "false", "none", "and", "or", "not", "in", "is"}
)


@given(st.lists(FIELD, min_size=1, max_size=6, unique=True), st.lists(FIELD, max_size=6))
def test_exactly_the_fields_read_and_not_provided_are_missing(read: list[str], columns: list[str]) -> None:
    text = " ".join(f"{{{{ contact.{f} }}}}" for f in read)
    source = f"id: s\ntitle: S\nstart: a\nsteps:\n  a:\n    text: {text!r}\n    result: contacted\n"
    loaded = load_script(source.encode(), "application/yaml").script
    assert {u.field for u in contact_fields(loaded)} == set(read)
    missing = {g.field for g in missing_fields(loaded, columns)}
    assert missing == set(read) - set(columns) - BUILT_IN
