"""results.csv rows (no Redis): columns, times to the second, volunteers' names."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from dialer.contacts import FORMULA_STARTS
from dialer.queue.export import (
    API_COLUMNS,
    EXPORT_COLUMNS,
    _export_time,
    _line,
    _page_text,
    export_row,
    export_time,
)
from dialer.scripts import outline, validate_script
from tests.unit.test_script_validation import base


def test_script_questions_cannot_take_an_export_column_name() -> None:
    assert outline.EXPORT_COLUMNS == set(EXPORT_COLUMNS)
    doc = base()
    doc["steps"]["support"]["question"] = "volunteer_name"
    script, problems = validate_script(doc)
    assert script is None
    assert [p.path for p in problems if "export column" in p.message] == ["steps.support.question"]


@given(st.floats(min_value=0, max_value=4_102_444_800, allow_nan=False))  # up to 2100
def test_times_are_iso_to_the_second_in_utc(epoch: float) -> None:
    text = export_time(epoch)
    parsed = datetime.fromisoformat(text)
    assert text.endswith("+00:00") and "." not in text and len(text) == 25
    assert parsed == datetime.fromtimestamp(epoch, UTC).replace(microsecond=0)


def test_a_row_names_its_volunteer_after_the_question_columns() -> None:
    entry = {
        "contact_id": "7",
        "phone": "+12025550142",
        "result": "contacted",
        "volunteer": "u1",
        "recorded_at": "1780000000.999",
        "answers": '{"support": "yes", "count": 3}',
    }
    row = dict(
        zip(
            [*API_COLUMNS, "support", "count", "volunteer_name"],
            export_row(entry, ["support", "count"], {"u1": "Ann Lee"}),
            strict=True,
        )
    )
    assert row["volunteer"] == "u1" and row["volunteer_name"] == "Ann Lee"
    assert row["recorded_at"] == "2026-05-28T20:26:40+00:00"
    assert (row["support"], row["count"]) == ("yes", "3")
    assert dict(zip(EXPORT_COLUMNS, export_row(entry, []), strict=True))["volunteer_name"] == ""
    assert EXPORT_COLUMNS == (*API_COLUMNS, "volunteer_name")


_CELL = st.text(alphabet=st.sampled_from(['a', 'Z', ' ', ',', '"', "\r", "\n", "\t", "=", "+", "-", "@", "1",
                                          ".", "é", "中", "'", "\x00", "٣"]), max_size=8)  # fmt: skip
_ANSWERS = st.one_of(
    st.just(""), st.just("not json"), st.just("[1, 2]"),
    st.dictionaries(st.sampled_from(["support", "count", "other"]),
                    st.one_of(_CELL, st.integers(-5, 5), st.booleans(), st.none(),
                              st.lists(_CELL, max_size=2)), max_size=3).map(json.dumps),
)  # fmt: skip
_ENTRY = st.fixed_dictionaries(
    {},
    optional={**{c: _CELL for c in EXPORT_COLUMNS if c != "recorded_at"},
              "recorded_at": st.one_of(st.just(""), st.floats(0, 4e9).map(repr)), "answers": _ANSWERS},
)  # fmt: skip


@settings(max_examples=300)
@given(st.lists(_ENTRY, max_size=6), st.sampled_from([[], ["support"], ["support", "count"]]))
def test_a_page_is_the_rows_export_row_gives_as_line_writes_them(entries: list[dict[str, str]],
                                                                 questions: list[str]) -> None:  # fmt: skip
    """The page builder skips export_row's copies and caches answers' cells: the same bytes all the same."""
    names = {"a": "Ann", "=x": "=cmd", "1": "One"}
    page = [(f"{i}-0", entry) for i, entry in enumerate(entries)]
    cache: dict[str, list[str]] = {}
    expected = "".join(_line(export_row(entry, questions, names)) for entry in entries)
    assert _page_text(page, questions, names, cache) == expected
    assert _page_text(page, questions, names, cache) == expected  # with the answers' cells cached


@given(st.one_of(st.floats(min_value=0, max_value=4_102_444_800), st.integers(0, 4_102_444_800).map(float),
                 st.integers(0, 4_102_444_800).map(lambda n: n + 0.9999995)))  # fmt: skip
def test_the_minute_cache_writes_times_as_export_time(epoch: float) -> None:
    minutes: dict[int, str] = {}
    assert _export_time(repr(epoch), minutes) == export_time(epoch)
    assert _export_time(repr(epoch), minutes) == export_time(epoch)  # from the cache


def test_formula_characters_are_the_ones_the_page_builder_knows() -> None:
    assert {"+", "-"} <= set(FORMULA_STARTS)  # the two a plain number may start with
