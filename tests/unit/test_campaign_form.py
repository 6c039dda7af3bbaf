"""What the campaign form offers: every zone it lists is one a campaign accepts, and the abandonment cap
goes between percent and the API's fraction without drifting."""

from __future__ import annotations

import zoneinfo

from hypothesis import given
from hypothesis import strategies as st

from dialer.campaigns import LEGAL_ABANDON_CAP, valid_zone
from dialer.stores.scripts import ScriptSummary
from dialer.web.campaign_form import COMMON_ZONES, other_zones, percent, script_choices, zone_choices


def test_zone_picker_lists_us_zones_first_then_every_other_zone_once() -> None:
    common, others = zone_choices("America/New_York")
    values = [c.value for c in common] + [c.value for c in others]
    assert [c.value for c in common] == [name for name, _ in COMMON_ZONES]
    assert len(values) == len(set(values)) and all(valid_zone(v) for v in values)
    assert [c.value for c in others] == sorted(c.value for c in others)
    accepted = {z for z in zoneinfo.available_timezones() if valid_zone(z)}
    assert set(values) == accepted and len(values) > 300
    assert "Europe/Paris" in other_zones() and "EST" not in values  # abbreviations are not offered
    # A campaign saved with a zone the list lacks (a tz database update dropped it) still shows it.
    assert zone_choices("Gone/Since_An_Update")[1][0].value == "Gone/Since_An_Update"


def test_script_picker_keeps_the_campaigns_own_script() -> None:
    summaries = [ScriptSummary("doors", "Doors", 2, 0.0), ScriptSummary("untitled", "", 1, 0.0)]
    assert [(c.value, c.label) for c in script_choices(summaries, "doors")] == [
        ("doors", "Doors (doors)"),
        ("untitled", "untitled"),
    ]
    assert script_choices(summaries, "older")[0].value == "older"


@given(st.integers(1, 300))
def test_percent_shows_the_cap_as_people_type_it(thousandths: int) -> None:
    fraction = thousandths / 10_000  # 0.0001 ... 0.03, as the API stores it
    shown = percent(fraction)
    assert "e" not in shown and not shown.endswith(".")
    # settings.js sends Number((parseFloat(shown) / 100).toFixed(6)): the same fraction comes back.
    assert round(float(shown) / 100, 6) == fraction
    assert percent(LEGAL_ABANDON_CAP) == "3" and percent(0.025) == "2.5"
