"""Which calls run through the volunteer's conference (dialer/conference_calls.py), and the campaign's
`preview_conference` setting that makes a preview campaign's browser calls do so."""

from __future__ import annotations

import pytest

from dialer.campaigns import Campaign, CampaignInvalid, apply_patch, validate_new
from dialer.conference_calls import (
    NOT_COACHABLE,
    NOT_TRANSFERABLE,
    SETTING,
    browser_in_conference,
    through_conference,
)
from dialer.models import Mode

NEW = {"name": "PC", "script_id": "gotv", "caller_id": "+12025550199", "mode": "preview"}


@pytest.mark.parametrize("mode", [Mode.POWER, Mode.PREDICTIVE])
def test_dialing_modes_always_run_through_the_conference(mode: Mode) -> None:
    for setting in (False, True):
        assert browser_in_conference(mode, setting)
        assert through_conference(mode, preview_conference=setting, phone_leg=False)


def test_preview_runs_through_it_on_a_phone_or_with_the_setting() -> None:
    assert not browser_in_conference(Mode.PREVIEW, False)
    assert not through_conference(Mode.PREVIEW, preview_conference=False, phone_leg=False)  # direct <Dial>
    assert through_conference(Mode.PREVIEW, preview_conference=False, phone_leg=True)
    assert browser_in_conference(Mode.PREVIEW, True)
    assert through_conference(Mode.PREVIEW, preview_conference=True, phone_leg=False)


def test_the_refusals_say_how_to_turn_it_on() -> None:
    for message in (NOT_COACHABLE, NOT_TRANSFERABLE):
        assert SETTING in message and "settings" in message and "call me" in message


def test_the_setting_is_off_by_default_and_a_boolean() -> None:
    campaign = validate_new(dict(NEW), now=0.0)
    assert campaign.preview_conference is False and campaign.to_json()["preview_conference"] is False
    stored = campaign.to_json()
    del stored["preview_conference"]  # a campaign stored before the setting existed
    assert Campaign.from_json(stored).preview_conference is False
    assert validate_new({**NEW, "preview_conference": True}, now=0.0).preview_conference is True
    assert apply_patch(campaign, {"preview_conference": True}).preview_conference is True
    with pytest.raises(CampaignInvalid) as bad:
        apply_patch(campaign, {"preview_conference": "yes"})
    assert bad.value.problems == [{"path": "preview_conference", "message": "must be true or false"}]
