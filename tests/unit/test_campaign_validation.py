from __future__ import annotations

from datetime import time
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialer.calling_hours import LEGAL_WINDOW, Window
from dialer.campaigns import CallingHours, Campaign, CampaignInvalid, apply_patch, validate_new
from dialer.models import CampaignStatus, Mode

BASE = {"name": "Get out the vote", "script_id": "gotv-2026", "caller_id": "+12025550142"}


def problems(body: dict[str, Any]) -> list[dict[str, str]]:
    with pytest.raises(CampaignInvalid) as info:
        validate_new(body, now=0.0)
    return info.value.problems


def test_an_id_of_null_is_generated() -> None:
    made = validate_new({**BASE, "id": None}, now=0.0)
    assert made.id and made.id != validate_new({**BASE, "id": None}, now=0.0).id
    assert problems({**BASE, "id": ""})[0]["path"] == "id"  # an empty one is still refused


def test_defaults_are_the_api_defaults() -> None:
    c = validate_new(dict(BASE), now=5.0)
    data = c.to_json()
    assert data["mode"] == "preview" and data["status"] == "active"
    assert data["batch_size"] == 20 and data["lease_seconds"] == 1800
    assert data["calling_hours"] == {"start": "09:00", "end": "21:00"}
    assert data["max_attempts"] == 3 and data["retry_minutes"] == 240
    assert data["abandon_cap"] == 0.03 and data["goal"] is None
    assert data["default_timezone"] == "America/New_York" and data["cell_consent"] is False
    assert len(data["id"]) == 12


def test_json_round_trip() -> None:
    c = validate_new(
        {
            **BASE,
            "id": "dc-call-day",
            "mode": "predictive",
            "goal": 1500,
            "calling_hours": {"start": "10:00", "end": "20:30"},
        },
        now=1.0,
    )
    assert Campaign.from_json(c.to_json()) == c


def test_every_missing_required_field_is_reported_at_once() -> None:
    paths = {p["path"] for p in problems({})}
    assert paths == {"name", "script_id", "caller_id"}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("caller_id", "202-555-0142", "E.164"),
        ("caller_id", "+0123", "E.164"),
        ("caller_id", 12025550142, "E.164"),
        ("mode", "robo", "preview"),
        ("status", "deleted", "active"),
        ("batch_size", 0, "between"),
        ("batch_size", True, "whole number"),
        ("batch_size", 2.5, "whole number"),
        ("lease_seconds", 10, "between"),
        ("max_attempts", 0, "between"),
        ("retry_minutes", -1, "between"),
        ("abandon_cap", 0.05, "legal"),
        ("abandon_cap", 0, "legal"),
        ("abandon_cap", "3%", "number"),
        ("goal", 0, "between"),
        ("default_timezone", "Mars/Olympus", "IANA"),
        ("default_timezone", "EST", "IANA"),
        ("cell_consent", "yes", "true or false"),
        ("id", "Has Spaces", "lower-case"),
        ("name", "   ", "non-empty"),
        ("calling_hours", "9-5", "object"),
    ],
)
def test_bad_field_values(field: str, value: Any, message: str) -> None:
    found = problems({**BASE, field: value})
    assert [p["path"] for p in found] == [field]
    assert message in found[0]["message"]


@pytest.mark.parametrize(
    ("hours", "path"),
    [
        ({"start": "9:00", "end": "21:00"}, "calling_hours.start"),
        ({"start": "09:00", "end": "24:00"}, "calling_hours.end"),
        ({"start": "21:00", "end": "09:00"}, "calling_hours"),
        ({"start": "09:00", "end": "09:00"}, "calling_hours"),
        ({"start": "09:00", "end": "21:00", "tz": "x"}, "calling_hours.tz"),
        ({"start": "07:00", "end": "21:00"}, "calling_hours"),  # before the legal 8 am
        ({"start": "08:00", "end": "22:30"}, "calling_hours"),  # after the legal 9 pm
    ],
)
def test_calling_hours_must_be_a_valid_window(hours: dict[str, str], path: str) -> None:
    assert path in {p["path"] for p in problems({**BASE, "calling_hours": hours})}


def test_unknown_fields_are_rejected() -> None:
    assert problems({**BASE, "colour": "blue"}) == [{"path": "colour", "message": "unknown field"}]


def test_patch_changes_only_what_it_names() -> None:
    c = validate_new(dict(BASE), now=0.0)
    paused = apply_patch(c, {"status": "paused", "batch_size": 10})
    assert paused.status is CampaignStatus.PAUSED and paused.batch_size == 10
    assert paused.name == c.name and paused.id == c.id


def test_patch_cannot_change_id_or_reopen_a_closed_campaign() -> None:
    c = validate_new(dict(BASE), now=0.0)
    with pytest.raises(CampaignInvalid) as info:
        apply_patch(c, {"id": "other"})
    assert info.value.problems == [{"path": "id", "message": "cannot be changed"}]
    closed = apply_patch(c, {"status": "closed"})
    with pytest.raises(CampaignInvalid):
        apply_patch(closed, {"status": "active"})
    assert apply_patch(closed, {"name": "Renamed"}).status is CampaignStatus.CLOSED


def test_patch_rejects_null_required_fields() -> None:
    c = validate_new(dict(BASE), now=0.0)
    with pytest.raises(CampaignInvalid):
        apply_patch(c, {"name": None})


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


@given(
    st.dictionaries(
        st.sampled_from(sorted(BASE) + ["mode", "batch_size", "calling_hours", "goal", "x"]),
        json_values,
        max_size=6,
    )
)
def test_any_body_either_validates_or_reports_problems_with_paths(body: dict[str, Any]) -> None:
    try:
        c = validate_new(body, now=0.0)
    except CampaignInvalid as exc:
        assert exc.problems and all(p["path"] and p["message"] for p in exc.problems)
    else:
        assert isinstance(c.mode, Mode)


def test_hours_an_old_record_stored_outside_the_law_are_cut_to_it() -> None:
    assert CallingHours("07:00", "22:30").window() == LEGAL_WINDOW
    assert CallingHours("10:00", "20:00").window() == Window(time(10, 0), time(20, 0))


def test_patch_of_part_of_the_calling_hours_keeps_the_other_part() -> None:
    """An organizer moving only the start of the day (`{"calling_hours": {"start": "10:00"}}`) got 422
    "calling_hours.end: must be a time"; the part not named is the stored one, as for any field not named.
    A create has nothing stored, so it still needs both; a bad merged window is still refused."""
    c = apply_patch(validate_new(dict(BASE), now=0.0), {"calling_hours": {"start": "10:00", "end": "20:00"}})

    def hours(part: dict[str, str]) -> CallingHours:
        return apply_patch(c, {"calling_hours": part}).calling_hours

    assert hours({"start": "11:00"}) == CallingHours("11:00", "20:00")
    assert hours({"end": "18:30"}) == CallingHours("10:00", "18:30")
    assert hours({}) == c.calling_hours
    with pytest.raises(CampaignInvalid) as info:
        apply_patch(c, {"calling_hours": {"start": "20:30"}})  # after the stored end
    assert info.value.problems == [{"path": "calling_hours", "message": "start must be before end"}]
    with pytest.raises(CampaignInvalid) as info:
        apply_patch(c, {"calling_hours": {"end": "9pm"}})
    assert [p["path"] for p in info.value.problems] == ["calling_hours.end"]
    assert "calling_hours.end" in {p["path"] for p in problems({**BASE, "calling_hours": {"start": "10:00"}})}
