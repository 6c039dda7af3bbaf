"""The volunteer's phone leg (pure): verification codes, their expiry and tries, masking, pressing 1, and
leg states that only move forward."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialer.phone_legs import (
    CODE_TRIES,
    CODE_TTL,
    PIN_TRIES,
    PIN_TTL,
    CodeCheck,
    LegState,
    PinStep,
    Verification,
    after_pin,
    check_code,
    code_digest,
    leg_advances,
    leg_state_for,
    mask,
    new_code,
    new_pin,
    pin_owner,
    pin_record,
    pressed_one,
    spaced_pin,
    spoken_code,
    valid_code_shape,
)

SECRET = b"test secret"
NOW = 1_000_000.0


def pending(code: str = "042917", tries: int = CODE_TRIES) -> Verification:
    return Verification("+12025550142", code_digest(code, SECRET), NOW + CODE_TTL, tries)


@given(st.integers(min_value=0, max_value=2**32))
def test_codes_are_six_digits_with_leading_zeros(seed: int) -> None:
    code = new_code(random.Random(seed).randrange)
    assert valid_code_shape(code) and len(code) == 6
    assert new_code(lambda n: 7) == "000007"


def test_the_right_code_verifies_and_the_digest_does_not_hold_it() -> None:
    v = pending()
    assert "042917" not in v.digest
    assert check_code(v, "042917", NOW, SECRET) == (CodeCheck.VERIFIED, None)
    assert code_digest("042917", b"other secret") != v.digest


def test_wrong_codes_use_tries_and_the_last_voids_it() -> None:
    v: Verification | None = pending()
    for left in range(CODE_TRIES - 1, 0, -1):
        assert v is not None
        outcome, v = check_code(v, "000000", NOW, SECRET)
        assert outcome is CodeCheck.WRONG and v is not None and v.tries_left == left
    assert v is not None
    assert check_code(v, "000000", NOW, SECRET) == (CodeCheck.NO_TRIES, None)
    # Out of tries, even the right code does nothing.
    assert check_code(pending(tries=0), "042917", NOW, SECRET) == (CodeCheck.NO_TRIES, None)


def test_an_expired_code_is_refused_even_when_right() -> None:
    v = pending()
    assert check_code(v, "042917", NOW + CODE_TTL - 0.001, SECRET)[0] is CodeCheck.VERIFIED
    assert check_code(v, "042917", NOW + CODE_TTL, SECRET) == (CodeCheck.EXPIRED, None)


@given(st.text(max_size=12))
def test_only_the_issued_code_verifies(entered: str) -> None:
    outcome, _ = check_code(pending(), entered, NOW, SECRET)
    assert (outcome is CodeCheck.VERIFIED) == (entered == "042917")


@given(st.from_regex(r"\+1[2-9]\d{2}55501\d{2}", fullmatch=True))
def test_masking_shows_only_the_last_four_digits(phone: str) -> None:
    shown = mask(phone)
    assert shown == "\u2022\u2022\u2022\u2022 \u2022\u2022\u2022" + phone[-4:]
    assert phone[2:-4] not in shown.replace("\u2022", "")


def test_masking_examples() -> None:
    assert mask("+12025550142") == "•••• •••0142"
    assert mask("") == "••••"


def test_the_code_is_read_digit_by_digit_twice() -> None:
    said = spoken_code("042917")
    assert said.count("0, 4, 2, 9, 1, 7") == 2


@pytest.mark.parametrize(("digits", "taken"), [("1", True), (" 1 ", True), ("2", False), ("11", False),
                                               ("", False), (None, False), ("#", False)])  # fmt: skip
def test_only_the_key_one_takes_the_call(digits: str | None, taken: bool) -> None:
    assert pressed_one(digits) is taken


@given(st.lists(st.sampled_from(list(LegState)), max_size=12))
def test_a_leg_never_moves_back(states: list[LegState]) -> None:
    kept: LegState | None = None
    seen = []
    for state in states:
        if leg_advances(kept, state):
            kept = state
        seen.append(kept)
    ranks = [s.rank for s in seen if s is not None]
    assert ranks == sorted(ranks)
    if states:
        assert kept is max(states, key=lambda s: s.rank)


def test_call_statuses_as_leg_states() -> None:
    assert leg_state_for("ringing") is LegState.CALLING
    assert leg_state_for("in-progress") is LegState.ANSWERED
    for ended in ("completed", "busy", "no-answer", "failed", "canceled"):
        assert leg_state_for(ended) is LegState.ENDED
    assert leg_state_for("bogus") is None


# ---- dial-in PINs ---------------------------------------------------------------------------------------


@given(st.integers(min_value=0, max_value=2**32))
def test_pins_are_six_digits(seed: int) -> None:
    pin = new_pin(random.Random(seed).randrange)
    assert valid_code_shape(pin) and spaced_pin(pin) == f"{pin[:3]} {pin[3:]}"


@given(
    st.floats(min_value=0, max_value=2e9),
    st.one_of(st.floats(min_value=-1e4, max_value=-0.001), st.floats(min_value=0, max_value=1e4)),
)
def test_a_pin_is_valid_until_it_expires(issued: float, later: float) -> None:
    record = pin_record("vol-1", issued + PIN_TTL)
    owner = pin_owner(record, issued + PIN_TTL + later)
    assert owner == ("vol-1" if later < 0 else None)


@pytest.mark.parametrize("record", [None, "", "garbage", "x|vol", "123.0|"])
def test_broken_pin_records_name_nobody(record: str | None) -> None:
    assert pin_owner(record, 0.0) is None


def test_three_wrong_pins_hang_up() -> None:
    assert after_pin(None, 1) is PinStep.RETRY
    assert after_pin(None, PIN_TRIES - 1) is PinStep.RETRY
    assert after_pin(None, PIN_TRIES) is PinStep.HANG_UP
    assert after_pin("vol-1", PIN_TRIES) is PinStep.CONNECT
    assert PIN_TRIES == 3 and PIN_TTL == 600
