"""results.csv rows (no Redis): columns, times to the second, volunteers' names."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from dialer.queue.export import EXPORT_COLUMNS, export_row, export_time
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


def test_a_row_names_its_volunteer_after_the_id() -> None:
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
            [*EXPORT_COLUMNS, "support", "count"],
            export_row(entry, ["support", "count"], {"u1": "Ann Lee"}),
            strict=True,
        )
    )
    assert row["volunteer"] == "u1" and row["volunteer_name"] == "Ann Lee"
    assert row["recorded_at"] == "2026-05-28T20:26:40+00:00"
    assert (row["support"], row["count"]) == ("yes", "3")
    assert dict(zip(EXPORT_COLUMNS, export_row(entry, []), strict=True))["volunteer_name"] == ""
