"""dialer/staff_lines.py: which typed numbers the server may ring for a person of ours."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dialer.phones import parse_phone
from dialer.staff_lines import staff_line_problem

digits = st.text(alphabet="0123456789", min_size=1, max_size=16)


@given(st.integers(min_value=2_000_000, max_value=9_999_999))
def test_no_premium_rate_line_passes(line: int) -> None:
    assert staff_line_problem(f"+1900{line}") is not None


@given(st.sampled_from(["44", "33", "49", "52", "882", "881", "870", "7", "86"]), digits)
def test_no_number_outside_the_plus_one_plan_passes(country: str, rest: str) -> None:
    assert staff_line_problem(f"+{country}{rest}") is not None


@given(digits)
def test_what_passes_is_a_valid_home_number_as_written(rest: str) -> None:
    raw = f"+1{rest}"
    if staff_line_problem(raw) is None:
        phone = parse_phone(raw)
        assert phone is not None and phone.e164 == raw and not phone.abroad and not phone.extension


@given(st.text(max_size=30))
def test_any_text_gets_an_answer_not_an_error(raw: str) -> None:
    assert staff_line_problem(raw) in (None, staff_line_problem("nonsense"))
